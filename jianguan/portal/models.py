"""The public lists: 放心机构 (whitelist) and 黑名单 (blacklist), each mark with its reason and dates."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.lib.validators import validate_plain_text


class MarkKind(models.TextChoices):
    WHITELIST = "whitelist", _("放心机构")
    BLACKLIST = "blacklist", _("黑名单")


class PublicMarkQuerySet(models.QuerySet):
    def active(self, on: date | None = None) -> PublicMarkQuerySet:
        on = on or timezone.localdate()
        return self.filter(withdrawn_at__isnull=True, starts_on__lte=on).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on)
        )


class PublicMark(models.Model):
    institution = models.ForeignKey(
        "registry.Institution", verbose_name=_("机构"), on_delete=models.PROTECT, related_name="public_marks"
    )
    kind = models.CharField(_("名单"), max_length=10, choices=MarkKind.choices)
    reason = models.TextField(_("理由"), validators=[validate_plain_text])
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"), null=True, blank=True, help_text=_("为空表示长期。"))
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("列入时间"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdraw_reason = models.TextField(_("撤销理由"), blank=True, validators=[validate_plain_text])

    objects = PublicMarkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("公示名单")
        verbose_name_plural = _("公示名单")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.institution}"
