"""预收费: the institution's supervised account or risk deposit, and each prepaid charge it took."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.fees.choices import AccountKind, FeeSource
from jianguan.lib.validators import validate_plain_text
from jianguan.staff.models import InstitutionScopedQuerySet


class FeeAccount(models.Model):
    """The institution's 资金监管账户 (bank, account number sealed and shown masked, agreement date) or 风险保证金."""

    institution = models.OneToOneField(
        "registry.Institution", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="fee_account"
    )
    kind = models.CharField(_("监管方式"), max_length=20, choices=AccountKind.choices)
    bank = models.CharField(_("开户银行"), max_length=60, blank=True, validators=[validate_plain_text])
    account_sealed = models.TextField(_("账号（加密）"), blank=True, editable=False)
    account_masked = models.CharField(_("账号"), max_length=20, blank=True, editable=False)
    agreement_date = models.DateField(_("监管协议签订日期"), null=True, blank=True)
    deposit_amount = models.DecimalField(
        _("风险保证金（元）"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000000000"))],
    )  # fmt: skip
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = InstitutionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("预收费监管账户")
        verbose_name_plural = _("预收费监管账户")

    def __str__(self) -> str:
        if self.kind == AccountKind.DEPOSIT:
            return f"{self.get_kind_display()} {self.deposit_amount or ''}"
        return f"{self.bank} {self.account_masked}"

    def set_account_number(self, number: str) -> None:
        from jianguan.lib.protected import mask_account, seal

        self.account_sealed = seal(number)
        self.account_masked = mask_account(number) if number else ""


class FeeRecord(models.Model):
    """One prepaid charge (a contract or receipt): the student (masked), the course, hours, amount, period, the day
    paid and whether it went into the supervised account."""

    institution = models.ForeignKey(
        "registry.Institution", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="fee_records"
    )
    # Only the masked name is kept (张**): the platform needs to tell charges apart, not to know the child.
    student_masked = models.CharField(_("学员"), max_length=20, validators=[validate_plain_text])
    course = models.ForeignKey(
        "courses.Course", verbose_name=_("课程"), null=True, blank=True, on_delete=models.SET_NULL, related_name="fees"
    )
    course_name = models.CharField(_("课程名称"), max_length=60, validators=[validate_plain_text])
    academic = models.BooleanField(_("学科类"), default=False)
    contract_number = models.CharField(_("合同/收据编号"), max_length=40, blank=True, validators=[validate_plain_text])
    hours = models.DecimalField(
        _("课时"), max_digits=7, decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100000"))],
    )  # fmt: skip
    amount = models.DecimalField(
        _("金额（元）"), max_digits=12, decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100000000"))],
    )  # fmt: skip
    period_start = models.DateField(_("服务期起"))
    period_end = models.DateField(_("服务期止"))
    paid_on = models.DateField(_("缴费日期"))
    into_supervised_account = models.BooleanField(_("缴入监管账户"), default=True)
    source = models.CharField(_("来源"), max_length=10, choices=FeeSource.choices, default=FeeSource.ENTERED)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = InstitutionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["institution_id", "-paid_on", "pk"]
        indexes = [models.Index(fields=["institution", "period_end"]), models.Index(fields=["paid_on"])]
        verbose_name = _("预收费记录")
        verbose_name_plural = _("预收费记录")

    def __str__(self) -> str:
        return f"{self.student_masked} {self.course_name} ¥{self.amount}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("服务期止不能早于服务期起。")})
        if self.course_id and self.institution_id and self.course.institution_id != self.institution_id:
            raise ValidationError({"course": _("课程不属于本机构。")})
