"""Writes for public articles: staff write, publish and unpublish them; every change is audited. The body is
sanitised here on every save, so whatever reaches the database is safe to show."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.permissions import require
from jianguan.articles.choices import ArticleStatus
from jianguan.articles.models import TRANSITIONS, Article
from jianguan.articles.sanitize import clean_html, plain_text
from jianguan.audit.services import audit_record, changed, snapshot


def _fill(article: Article, *, category: str, title: str, summary: str, body: str) -> None:
    article.category = category
    article.title = (title or "").strip()
    article.summary = (summary or "").strip()
    article.body = clean_html(body)
    if not plain_text(article.body):
        raise ValidationError({"body": _("请填写正文。")})
    article.full_clean(exclude=["author"])


@transaction.atomic
def article_create(*, actor: Any, category: str, title: str, body: str, summary: str = "") -> Article:
    """A new article, as a draft: the public sees it only once it is published."""
    require(actor, "articles.manage")
    article = Article(author=actor)
    _fill(article, category=category, title=title, summary=summary, body=body)
    article.save()
    audit_record(actor=actor, action="article.create", obj=article, after=snapshot(article))
    return article


@transaction.atomic
def article_update(*, actor: Any, article: Article, category: str, title: str, body: str, summary: str = "") -> Article:
    """Change an article in any state; a published one changes on the portal at once."""
    require(actor, "articles.manage")
    article = Article.objects.select_for_update().get(pk=article.pk)
    before = snapshot(article)
    _fill(article, category=category, title=title, summary=summary, body=body)
    old, new = changed(before, snapshot(article))
    if not new:
        return article
    article.updated_at = timezone.now()
    article.save()
    audit_record(actor=actor, action="article.update", obj=article, before=old, after=new)
    return article


def _transition(actor: Any, article: Article, action: str) -> tuple[Article, dict[str, Any]]:
    """Move the locked article along TRANSITIONS; returns it and its state before, for the caller's audit event."""
    require(actor, "articles.manage")
    article = Article.objects.select_for_update().get(pk=article.pk)
    sources, target = TRANSITIONS[action]
    if article.status not in sources:
        if action == "publish":
            raise ValidationError(_("该文章已发布，无需再次发布。"))
        if article.status == ArticleStatus.DRAFT:
            raise ValidationError(_("草稿尚未发布，不能撤下。"))
        raise ValidationError(_("该文章已撤下。"))
    before = snapshot(article, fields=["status", "published_at", "unpublished_at"])
    now = timezone.now()
    article.status = target
    if target == ArticleStatus.PUBLISHED:
        article.published_at = article.published_at or now
        article.unpublished_at = None
    else:
        article.unpublished_at = now
    article.save(update_fields=["status", "published_at", "unpublished_at"])
    return article, before


@transaction.atomic
def article_publish(*, actor: Any, article: Article) -> Article:
    """Show a draft or an unpublished article on the portal. Its publication time is the first one."""
    article, before = _transition(actor, article, "publish")
    after = snapshot(article, fields=list(before))
    audit_record(actor=actor, action="article.publish", obj=article, before=before, after=after)
    return article


@transaction.atomic
def article_unpublish(*, actor: Any, article: Article) -> Article:
    """Take a published article off the portal; it can be published again."""
    article, before = _transition(actor, article, "unpublish")
    after = snapshot(article, fields=list(before))
    audit_record(actor=actor, action="article.unpublish", obj=article, before=before, after=after)
    return article
