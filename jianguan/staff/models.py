"""从业人员: who teaches, cares for and cooks for the children at each institution, and the district's list of persons
barred from the sector (限制从业). ID numbers are kept through lib/protected: sealed, fingerprinted and masked."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.lib.validators import validate_plain_text
from jianguan.staff.choices import RecordCheckResult, StaffRole


class InstitutionScopedQuerySet(ScopedQuerySet):
    """Rows that belong to one institution: seen by whoever sees the institution (registry's scope)."""

    def scope_q(self, scope: Scope) -> Q | None:
        from jianguan.registry.models import Institution

        q = Institution.objects.scope_q(scope)
        if q is None:
            return None
        if scope.role == Role.INSTITUTION:
            return Q(institution_id=scope.institution_id) if scope.institution_id else Q(pk__in=[])
        return Q(institution__in=Institution.objects.filter(q))


class ProtectedIdNumber(models.Model):
    """The three stored forms of a 居民身份证号码 (see lib/protected): never the number in plain text."""

    id_number_sealed = models.TextField(_("身份证号码（加密）"), blank=True, editable=False)
    id_number_masked = models.CharField(_("身份证号码"), max_length=18, blank=True, editable=False)
    id_number_hash = models.CharField(_("身份证号码指纹"), max_length=64, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True

    def set_id_number(self, number: str) -> None:
        from jianguan.lib.protected import fingerprint, mask_id_number, seal

        self.id_number_sealed = seal(number)
        self.id_number_masked = mask_id_number(number) if number else ""
        self.id_number_hash = fingerprint(number)

    def id_number(self) -> str:
        """The full number: only for pages whose reader has the need (staff.selectors.may_see_id_numbers)."""
        from jianguan.lib.protected import unseal

        return unseal(self.id_number_sealed)


class StaffMember(ProtectedIdNumber):
    """One person working at one institution, from the day they started to the day they left."""

    institution = models.ForeignKey(
        "registry.Institution", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="staff"
    )
    name = models.CharField(_("姓名"), max_length=50, validators=[validate_plain_text])
    role = models.CharField(_("岗位"), max_length=20, choices=StaffRole.choices)
    # 学科类 teachers must hold a 教师资格证 and have it published (双减意见 “规范培训服务行为”).
    teaches_academic = models.BooleanField(_("从事学科类培训"), default=False)
    teacher_cert_number = models.CharField(
        _("教师资格证编号"), max_length=40, blank=True, validators=[validate_plain_text]
    )
    teacher_cert_subject = models.CharField(_("任教学科"), max_length=30, blank=True, validators=[validate_plain_text])
    # 食品安全法 第四十五条第二款: 接触直接入口食品 staff hold a health certificate, renewed every year.
    handles_food = models.BooleanField(_("接触直接入口食品"), default=False)
    health_cert_number = models.CharField(
        _("健康证明编号"), max_length=40, blank=True, validators=[validate_plain_text]
    )
    health_cert_valid_until = models.DateField(_("健康证明有效期至"), null=True, blank=True)
    # 未成年人保护法 第六十二条: queried on hiring and every year after.
    record_check_date = models.DateField(_("最近一次违法犯罪记录查询日期"), null=True, blank=True)
    record_check_result = models.CharField(_("查询结果"), max_length=10, choices=RecordCheckResult.choices, blank=True)
    start_date = models.DateField(_("入职日期"))
    end_date = models.DateField(_("离职日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = InstitutionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["institution_id", "end_date", "name", "pk"]
        indexes = [
            models.Index(fields=["institution", "end_date"]),
            models.Index(fields=["role", "end_date"]),
        ]
        constraints = [
            # One record per person and institution (a person who leaves and comes back is the same record again).
            models.UniqueConstraint(
                fields=["institution", "id_number_hash"], condition=~Q(id_number_hash=""), name="staff_once_per_inst"
            )
        ]
        verbose_name = _("从业人员")
        verbose_name_plural = _("从业人员")

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class BarredPersonQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        # The list is for the supervisors who match it: district-wide roles and the departments. Streets and
        # institutions are told of a match through the warning on their own staff, never the list itself.
        if scope.district_wide or scope.role == Role.DEPARTMENT_OFFICER:
            return None
        return Q(pk__in=[])


class BarredPerson(ProtectedIdNumber):
    """A person barred from working with children in the sector (限制从业): from a penalty decision of this platform
    (行政处罚法 第九条第（四）项) or entered from another authority's or a court's decision (禁止令, 从业禁止)."""

    name = models.CharField(_("姓名"), max_length=50, validators=[validate_plain_text])
    reason = models.CharField(_("事由"), max_length=300, validators=[validate_plain_text])
    case = models.ForeignKey(
        "enforcement.Case", verbose_name=_("处罚案件"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="barred_persons",
    )  # fmt: skip
    basis_authority = models.CharField(_("作出决定的机关"), max_length=60, validators=[validate_plain_text])
    basis_number = models.CharField(_("决定文号"), max_length=60, validators=[validate_plain_text])
    basis_date = models.DateField(_("决定日期"))
    start_date = models.DateField(_("限制起始日期"))
    end_date = models.DateField(_("限制截止日期"), null=True, blank=True, help_text=_("终身禁止的留空。"))
    lifted_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    lifted_reason = models.CharField(_("撤销原因"), max_length=300, blank=True, validators=[validate_plain_text])
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = BarredPersonQuerySet.as_manager()

    class Meta:
        ordering = ["-basis_date", "pk"]
        verbose_name = _("限制从业人员")
        verbose_name_plural = _("限制从业人员")

    def __str__(self) -> str:
        return f"{self.name}（{self.basis_number}）"


def current_q(day) -> Q:  # type: ignore[no-untyped-def]
    """At work on `day`: started, not yet left (the staff lists, the public teacher list, the rule checks)."""
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def barred_in_force_q(day) -> Q:  # type: ignore[no-untyped-def]
    """Barred on `day`: started, not yet ended, not lifted."""
    return Q(start_date__lte=day, lifted_at__isnull=True) & (Q(end_date__isnull=True) | Q(end_date__gte=day))
