from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.registry.choices import InstitutionKind, OperatingStatus


class InstitutionQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        if scope.district_wide or scope.role == Role.DEPARTMENT_OFFICER:
            # A department supervises its categories at every institution of the district.
            return None
        if scope.role == Role.STREET_OFFICER:
            return Q(street_id__in=scope.street_ids)
        if scope.role == Role.INSTITUTION and scope.institution_id:
            return Q(pk=scope.institution_id)
        return Q(pk__in=[])


class Institution(models.Model):
    """A training institution, meal-care site or after-school care site in the district registry (名录库)."""

    name = models.CharField(_("机构名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True)
    kind = models.CharField(_("机构类型"), max_length=20, choices=InstitutionKind.choices)
    street = models.ForeignKey(
        "org.Region", verbose_name=_("所属街道/乡镇"), on_delete=models.PROTECT, related_name="institutions"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    status = models.CharField(
        _("经营状态"), max_length=20, choices=OperatingStatus.choices, default=OperatingStatus.NORMAL
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["street_id", "name"]
        verbose_name = _("机构")
        verbose_name_plural = _("机构")

    def __str__(self) -> str:
        return self.name
