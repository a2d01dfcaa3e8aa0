"""Public articles (政策法规, 通知公告, 典型案例, 消费提示, 正面典型): written by staff, shown on the portal once published."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.articles.choices import ArticleCategory, ArticleStatus
from jianguan.lib.validators import ARTICLE_BODY_MAX_LENGTH, validate_plain_text

# The one table of state changes: action → (states it may start from, state it leads to). Services check it, pages
# ask it which buttons to offer.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({ArticleStatus.DRAFT, ArticleStatus.UNPUBLISHED}), ArticleStatus.PUBLISHED),
    "unpublish": (frozenset({ArticleStatus.PUBLISHED}), ArticleStatus.UNPUBLISHED),
}


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        return self.filter(status=ArticleStatus.PUBLISHED)


class Article(models.Model):
    """An article for the public portal. Draft → published ⇄ unpublished; the body is HTML stored already sanitised
    (articles.sanitize), so templates may show it as it is."""

    category = models.CharField(_("栏目"), max_length=20, choices=ArticleCategory.choices)
    title = models.CharField(_("标题"), max_length=200, validators=[validate_plain_text])
    summary = models.TextField(
        _("摘要"), max_length=500, blank=True, validators=[validate_plain_text], help_text=_("纯文本，显示在列表中。")
    )
    body = models.TextField(_("正文"), max_length=ARTICLE_BODY_MAX_LENGTH, validators=[validate_plain_text])
    status = models.CharField(_("状态"), max_length=12, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    author = models.ForeignKey(
        "accounts.User", verbose_name=_("撰写人"), on_delete=models.PROTECT, related_name="articles"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)
    # The first publication; kept when the article is unpublished and published again (the date the public saw).
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    unpublished_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-published_at"], name="article_public_idx")]
        verbose_name = _("文章")
        verbose_name_plural = _("文章")

    def __str__(self) -> str:
        return self.title

    def can(self, action: str) -> bool:
        """Whether `action` ("publish", "unpublish") may start from the article's current state."""
        return self.status in TRANSITIONS[action][0]

    @property
    def can_publish(self) -> bool:
        return self.can("publish")

    @property
    def can_unpublish(self) -> bool:
        return self.can("unpublish")
