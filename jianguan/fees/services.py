"""Writes for 预收费: the institution's supervised account (or risk deposit) and its prepaid charges. The account
number is sealed and only its masked form is ever shown or audited; a student's name is masked on the way in and only
the masked form is stored. Limits (3 months, 60 hours, ¥5,000, money into the account) are the rule checker's: a
charge that breaks them is recorded as it happened and flagged there, never refused here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.audit.services import audit_record, snapshot
from jianguan.fees.choices import AccountKind, FeeSource
from jianguan.fees.models import FeeAccount, FeeRecord
from jianguan.lib.conflict import STALE_VERSION, Conflict
from jianguan.lib.protected import mask_person_name
from jianguan.lib.validators import field_text
from jianguan.registry.models import Institution
from jianguan.registry.services import kept_institution

# What the audit log keeps of an account: never the sealed number.
ACCOUNT_AUDIT_FIELDS = ["kind", "bank", "account_masked", "agreement_date", "deposit_amount"]
RECORD_FIELDS = (
    "student_name", "course", "course_name", "academic", "contract_number", "hours", "amount", "period_start",
    "period_end", "paid_on", "into_supervised_account",
)  # fmt: skip
EARLIEST = date(2000, 1, 1)


class AccountConflict(Conflict):
    """The account was changed by someone else since the page was shown."""


class RecordConflict(Conflict):
    """The charge was corrected by someone else since the page was shown."""


def managed_institution(actor: Any, institution: Institution) -> Institution:
    return kept_institution(actor, institution, "fees.manage", _("只能维护本机构的预收费信息。"))


def _decimal(value: Any, field: str, *, places: int, limit: Decimal) -> Decimal:
    if isinstance(value, bool) or value is None or value == "":
        raise ValidationError({field: _("请填写此项。")})
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("请填写数字。")}) from exc
    if not number.is_finite():
        raise ValidationError({field: _("请填写数字。")})
    if number < 0:
        raise ValidationError({field: _("不能为负数。")})
    if number > limit:
        raise ValidationError({field: _("数值过大（不超过 %(n)s）。") % {"n": limit}})
    step = Decimal(1).scaleb(-places)
    if number != number.quantize(step):
        raise ValidationError({field: _("最多 %(n)s 位小数。") % {"n": places}})
    return number.quantize(step)  # as stored, so the audit's before and after read alike


def _date(value: Any, field: str, *, required: bool = True) -> date | None:
    if value is None or value == "":
        if required:
            raise ValidationError({field: _("请填写此项。")})
        return None
    if not isinstance(value, date):
        raise ValidationError({field: _("日期无效。")})
    if value < EARLIEST or value.year > 2100:
        raise ValidationError({field: _("日期不在合理范围内（2000 年以后）。")})
    return value


def normalize_account_number(value: Any) -> str:
    """A bank account number: 8–32 digits (spaces and dashes between groups are dropped, full-width digits folded)."""
    text = str(value or "").strip().translate({code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)})
    digits = "".join(ch for ch in text if ch not in " -　")
    if not digits.isascii() or not digits.isdigit() or not 8 <= len(digits) <= 32:
        raise ValidationError({"account_number": _("银行账号应为 8–32 位数字。")})
    return digits


# ---------------------------------------------------------------------------------------------------- account


@transaction.atomic
def fee_account_set(
    *,
    actor: Any,
    institution: Institution,
    kind: str,
    version: int | None,
    bank: str = "",
    account_number: str = "",
    agreement_date: date | None = None,
    deposit_amount: Any = None,
) -> FeeAccount:
    """Record or correct the institution's 资金监管账户 or 风险保证金. `version` is what the page showed (0 when it
    had no account yet); an older one is refused (AccountConflict). An empty account number keeps the stored one."""
    managed_institution(actor, institution)
    account = FeeAccount.objects.select_for_update().filter(institution=institution).first()
    current = account.version if account is not None else 0
    if version is not None and version != current:
        raise AccountConflict(_("监管账户信息已被他人修改，请刷新页面后再操作；您的修改未保存。"), code=STALE_VERSION)
    if kind not in AccountKind.values:
        raise ValidationError({"kind": _("请选择资金监管账户或风险保证金。")})
    before = snapshot(account, fields=ACCOUNT_AUDIT_FIELDS) if account is not None else None
    if account is None:
        account = FeeAccount(institution=institution)
    account.kind = kind
    account.bank = field_text(bank, "bank", 60, required=kind == AccountKind.SUPERVISION)
    number = str(account_number or "").strip()
    if number:
        account.set_account_number(normalize_account_number(number))
    elif kind == AccountKind.SUPERVISION and not account.account_sealed:
        raise ValidationError({"account_number": _("请填写监管账户的银行账号。")})
    account.agreement_date = _date(agreement_date, "agreement_date", required=kind == AccountKind.SUPERVISION)
    if agreement_date and account.agreement_date > timezone.localdate():
        raise ValidationError({"agreement_date": _("签订日期不能晚于今天。")})
    if kind == AccountKind.DEPOSIT:
        account.deposit_amount = _decimal(deposit_amount, "deposit_amount", places=2, limit=Decimal("1000000000"))
    else:
        account.deposit_amount = None
    account.full_clean(exclude=["institution"])
    if account.pk is not None:
        account.version += 1
    account.save()
    audit_record(
        actor=actor, action="fee_account.set", obj=account, before=before,
        after=snapshot(account, fields=ACCOUNT_AUDIT_FIELDS), institution=institution,
    )  # fmt: skip
    return account


# ---------------------------------------------------------------------------------------------------- records


def _record_fields(record: FeeRecord, fields: dict[str, Any]) -> None:
    """Check and assign a charge's fields (only plain data: amounts not negative, dates real and in order)."""
    if "student_name" in fields:
        name = field_text(fields["student_name"], "student_name", 20)
        record.student_masked = mask_person_name(name)
    course = fields.get("course", record.course if record.course_id else None)
    if course is not None and course.institution_id != record.institution_id:
        raise ValidationError({"course": _("课程不属于本机构。")})
    record.course = course
    course_name = fields.get("course_name") or (course.name if course is not None else "")
    record.course_name = field_text(course_name, "course_name", 60)
    # A charge for a 学科类 course is 学科类 whatever the box said (the course is the better record of it).
    record.academic = bool(fields.get("academic")) or bool(course is not None and course.academic)
    record.contract_number = field_text(fields.get("contract_number", ""), "contract_number", 40, required=False)
    record.hours = _decimal(fields.get("hours"), "hours", places=1, limit=Decimal("100000"))
    record.amount = _decimal(fields.get("amount"), "amount", places=2, limit=Decimal("100000000"))
    record.period_start = _date(fields.get("period_start"), "period_start")
    record.period_end = _date(fields.get("period_end"), "period_end")
    record.paid_on = _date(fields.get("paid_on"), "paid_on")
    if record.period_end < record.period_start:
        raise ValidationError({"period_end": _("服务期止不能早于服务期起。")})
    if record.paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("缴费日期不能晚于今天。")})
    record.into_supervised_account = bool(fields.get("into_supervised_account", True))
    if record.contract_number:
        same = FeeRecord.objects.filter(institution_id=record.institution_id, contract_number=record.contract_number)
        if record.pk is not None:
            same = same.exclude(pk=record.pk)
        if same.exists():
            raise ValidationError({"contract_number": _("本机构已登记该合同/收据编号。")})


@transaction.atomic
def fee_record_create(
    *, actor: Any, institution: Institution, source: str = FeeSource.ENTERED, **fields: Any
) -> FeeRecord:
    """Record one prepaid charge; the student's name is masked before it is stored (张小明 → 张**)."""
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    managed_institution(actor, institution)
    if "student_name" not in fields:
        raise ValidationError({"student_name": _("请填写此项。")})
    record = FeeRecord(institution=institution, source=source)
    _record_fields(record, fields)
    record.full_clean(exclude=["institution", "course"])
    record.save()
    audit_record(actor=actor, action="fee_record.create", obj=record, after=snapshot(record), institution=institution)
    return record


@transaction.atomic
def fee_record_update(*, actor: Any, record: FeeRecord, version: int | None = None, **fields: Any) -> FeeRecord:
    """Correct a charge. A student name given is masked again; without one the stored masked name stays. `version`
    is what the page showed; an older one is refused (RecordConflict), nothing saved."""
    unknown = set(fields) - set(RECORD_FIELDS) - {"source"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    managed_institution(actor, record.institution)
    record = FeeRecord.objects.select_for_update(of=("self",)).select_related("institution", "course").get(pk=record.pk)
    if version is not None and version != record.version:
        raise RecordConflict(_("这笔预收费记录已被他人修改，请刷新页面后重试。"), code=STALE_VERSION)
    before = snapshot(record)
    merged = {f: getattr(record, f) for f in RECORD_FIELDS if f not in ("student_name", "course")}
    merged["course"] = record.course
    merged.update({k: v for k, v in fields.items() if k != "source"})
    if not merged.get("student_name"):
        merged.pop("student_name", None)
    if "source" in fields:
        record.source = fields["source"]
    _record_fields(record, merged)
    record.full_clean(exclude=["institution", "course"])
    record.version += 1
    record.save()
    audit_record(
        actor=actor, action="fee_record.update", obj=record, before=before, after=snapshot(record),
        institution=record.institution,
    )  # fmt: skip
    return record


@transaction.atomic
def fee_record_delete(*, actor: Any, record: FeeRecord) -> None:
    """Remove a charge entered by mistake (the audit event keeps what it was)."""
    managed_institution(actor, record.institution)
    record = FeeRecord.objects.select_for_update().get(pk=record.pk)
    audit_record(
        actor=actor, action="fee_record.delete", obj=record, before=snapshot(record), institution=record.institution
    )
    record.delete()
