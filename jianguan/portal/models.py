"""The public lists: 放心机构 (whitelist) and 黑名单 (blacklist), each mark with its reason and dates."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.lib.validators import validate_plain_text


class MarkKind(models.TextChoices):
    WHITELIST = "whitelist", _("放心机构")
    BLACKLIST = "blacklist", _("黑名单")


class PublicMarkQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        """Staff pages: the lists' managers see every mark; an institution its own (the notice of a proposed 黑名单,
        its objection and the answer); nobody else. The portal shows the active marks to everyone through `active`."""
        from jianguan.accounts.permissions import PERMISSIONS

        if scope.role in PERMISSIONS["portal.lists"]:
            return None
        if scope.institution_id is not None:
            return Q(institution_id=scope.institution_id)
        return Q(pk__in=[])

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
    # A blacklist mark is first proposed (拟列入, not public): the institution is told and may object until
    # `objection_due`; it starts (and shows) only when confirmed. A whitelist mark starts when added.
    starts_on = models.DateField(_("起始日期"), null=True, blank=True)
    ends_on = models.DateField(_("截止日期"), null=True, blank=True, help_text=_("为空表示长期。"))
    legal_basis = models.TextField(
        _("列入依据"), max_length=1000, blank=True, validators=[validate_plain_text],
        help_text=_("认定标准所依据的法律、法规或规章条款，以及据以认定的处罚决定文号。"),
    )  # fmt: skip
    removal_conditions = models.TextField(_("移出条件"), max_length=1000, blank=True, validators=[validate_plain_text])
    noticed_on = models.DateField(_("告知日期"), null=True, blank=True)
    objection_due = models.DateField(_("异议期限"), null=True, blank=True)
    objection = models.TextField(_("异议（陈述申辩）"), max_length=2000, blank=True, validators=[validate_plain_text])
    objected_at = models.DateTimeField(_("提出异议时间"), null=True, blank=True)
    objection_answer = models.TextField(_("异议答复"), max_length=2000, blank=True, validators=[validate_plain_text])
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
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

    @property
    def proposed(self) -> bool:
        """A blacklist mark told to the institution, not confirmed nor dropped yet."""
        return self.kind == MarkKind.BLACKLIST and self.starts_on is None and self.withdrawn_at is None
