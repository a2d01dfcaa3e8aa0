"""Writes for 从业人员 and the district's 限制从业 list.

The institution keeps its own staff (self-service); the district's coordinators may correct any. ID numbers are
checked (GB 11643) and stored only sealed, fingerprinted and masked: the audit log sees the masked form alone. The
sector's rules (a check over a year old, an expired health certificate, a barred person on the staff) are the rule
checker's (jianguan/rules), which flags what the institution really does instead of refusing to record it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.permissions import require
from jianguan.audit.services import audit_record, changed, snapshot
from jianguan.lib.conflict import STALE_VERSION, Conflict
from jianguan.lib.protected import clean_id_number
from jianguan.lib.validators import field_text
from jianguan.registry.models import Institution
from jianguan.registry.services import kept_institution
from jianguan.staff.choices import RecordCheckResult, StaffRole
from jianguan.staff.models import BarredPerson, StaffMember

# What a caller may set on a staff record (the ID number goes through set_id_number, the rest as given).
STAFF_FIELDS = (
    "name", "role", "teaches_academic", "teacher_cert_number", "teacher_cert_subject", "handles_food",
    "health_cert_number", "health_cert_valid_until", "record_check_date", "record_check_result", "start_date",
    "end_date",
)  # fmt: skip
DATE_FIELDS = ("health_cert_valid_until", "record_check_date", "start_date", "end_date")
# Never in the audit log: the sealed number and its fingerprint (the masked form is kept).
AUDIT_EXCLUDE = ("id_number_sealed", "id_number_hash", "updated_at", "created_at")
# Longer than any ID number however it is typed: refused before any parsing.
MAX_ID_INPUT = 40


class StaffConflict(Conflict):
    """The record was changed by someone else since the page was shown, or the action does not fit its state."""


def parse_id_number(value: Any, field: str = "id_number") -> str:
    """A valid 居民身份证号码, or ValidationError on ``field`` with a Chinese message (control characters and
    oversized input refused as they are, never cleaned into a valid-looking number)."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if not text.strip():
        raise ValidationError({field: _("请填写身份证号码。")})
    if len(text) > MAX_ID_INPUT or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValidationError({field: _("身份证号码格式不正确：应为 18 位数字（最后一位可为 X）。")})
    try:
        return clean_id_number(text)
    except ValueError as exc:
        raise ValidationError({field: str(exc)}) from exc


def managed_institution(actor: Any, institution: Institution) -> Institution:
    return kept_institution(actor, institution, "staff.manage", _("只能维护本机构的从业人员。"))


def _assign(member: StaffMember, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(STAFF_FIELDS)
    if unknown:
        raise ValidationError(_("未知字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    for name in DATE_FIELDS:
        if name in fields and fields[name] is not None and not isinstance(fields[name], date):
            raise ValidationError({name: _("日期无效。")})
    for name, value in fields.items():
        if name in ("name", "teacher_cert_number", "teacher_cert_subject", "health_cert_number"):
            limit = {"name": 50, "teacher_cert_number": 40, "teacher_cert_subject": 30, "health_cert_number": 40}
            value = field_text(value, name, limit[name], required=name == "name")
        elif name in ("teaches_academic", "handles_food"):
            value = bool(value)
        elif name == "record_check_result":
            value = value or ""
        setattr(member, name, value)
    if member.role not in StaffRole.values:
        raise ValidationError({"role": _("请选择岗位。")})
    if member.record_check_result and member.record_check_result not in RecordCheckResult.values:
        raise ValidationError({"record_check_result": _("查询结果无效。")})
    if member.start_date is None:
        raise ValidationError({"start_date": _("请填写入职日期。")})
    if member.end_date is not None and member.end_date < member.start_date:
        raise ValidationError({"end_date": _("离职日期不能早于入职日期。")})
    today = timezone.localdate()
    if member.record_check_date is not None:
        if member.record_check_date > today:
            raise ValidationError({"record_check_date": _("查询日期不能晚于今天。")})
        if not member.record_check_result:
            raise ValidationError({"record_check_result": _("请填写查询结果。")})
    elif member.record_check_result:
        raise ValidationError({"record_check_date": _("请填写查询日期。")})
    if member.health_cert_valid_until is not None and not member.health_cert_number:
        raise ValidationError({"health_cert_number": _("请填写健康证明编号。")})


def _refuse_duplicate(member: StaffMember) -> None:
    twin = (
        StaffMember.objects.filter(institution_id=member.institution_id, id_number_hash=member.id_number_hash)
        .exclude(pk=member.pk)
        .only("name")
        .first()
    )
    if twin is not None:
        raise ValidationError(
            {
                "id_number": _("本机构已登记该身份证号码的人员（%(name)s），请修改其原有记录，不要重复登记。")
                % {"name": twin.name}
            }
        )


def _save(member: StaffMember) -> None:
    member.full_clean(exclude=["institution", "version"])
    member.save()


@transaction.atomic
def staff_create(*, actor: Any, institution: Institution, id_number: Any, **fields: Any) -> StaffMember:
    """Register a person working at the institution."""
    managed_institution(actor, institution)
    member = StaffMember(institution=institution)
    member.set_id_number(parse_id_number(id_number))
    fields.setdefault("start_date", None)
    fields.setdefault("role", "")
    _assign(member, fields)
    _refuse_duplicate(member)
    _save(member)
    audit_record(
        actor=actor, action="staff.create", obj=member, after=snapshot(member, exclude=AUDIT_EXCLUDE),
        institution=institution,
    )  # fmt: skip
    return member


def _locked(actor: Any, member: StaffMember, version: int | None) -> StaffMember:
    managed_institution(actor, member.institution)
    locked = StaffMember.objects.select_for_update().select_related("institution").get(pk=member.pk)
    if version is not None and locked.version != version:
        raise StaffConflict(_("该人员信息已被他人修改，请刷新页面后再操作。"), code=STALE_VERSION)
    return locked


def _update(actor: Any, member: StaffMember, version: int | None, action: str, **fields: Any) -> StaffMember:
    locked = _locked(actor, member, version)
    before = snapshot(locked, exclude=AUDIT_EXCLUDE + ("version",))
    id_number = fields.pop("id_number", None)
    if id_number is not None and str(id_number).strip():
        number = parse_id_number(id_number)
        if locked.id_number() != number:
            locked.set_id_number(number)
            _refuse_duplicate(locked)
    _assign(locked, fields)
    old, new = changed(before, snapshot(locked, exclude=AUDIT_EXCLUDE + ("version",)))
    if new:  # an unchanged record is neither saved nor audited
        locked.version += 1
        _save(locked)
        audit_record(actor=actor, action=action, obj=locked, before=old, after=new, institution=locked.institution)
    return locked


@transaction.atomic
def staff_update(*, actor: Any, member: StaffMember, version: int | None = None, **fields: Any) -> StaffMember:
    """Change a staff record; ``id_number`` may be given to correct the number (blank keeps the stored one)."""
    return _update(actor, member, version, "staff.update", **fields)


@transaction.atomic
def staff_leave(*, actor: Any, member: StaffMember, end_date: date, version: int | None = None) -> StaffMember:
    """离职: the last day the person worked at the institution."""
    if not isinstance(end_date, date):
        raise ValidationError({"end_date": _("请填写离职日期。")})
    locked = _locked(actor, member, version)
    if locked.end_date is not None:
        raise StaffConflict(_("该人员已登记离职。"))
    return _update(actor, locked, None, "staff.leave", end_date=end_date)


@transaction.atomic
def staff_record_check(
    *, actor: Any, member: StaffMember, check_date: date, result: str, version: int | None = None
) -> StaffMember:
    """性侵害等违法犯罪信息查询 (未成年人保护法 第六十二条): on hiring and every year after."""
    if not isinstance(check_date, date):
        raise ValidationError({"record_check_date": _("请填写查询日期。")})
    if result not in RecordCheckResult.values:
        raise ValidationError({"record_check_result": _("请选择查询结果。")})
    return _update(
        actor, member, version, "staff.record_check", record_check_date=check_date, record_check_result=result
    )


@transaction.atomic
def staff_health_cert(
    *, actor: Any, member: StaffMember, number: str, valid_until: date, version: int | None = None
) -> StaffMember:
    """健康证明 (食品安全法 第四十五条) with its expiry; the person is marked as handling food."""
    if not isinstance(valid_until, date):
        raise ValidationError({"health_cert_valid_until": _("请填写健康证明有效期。")})
    if not str(number or "").strip():
        raise ValidationError({"health_cert_number": _("请填写健康证明编号。")})
    return _update(
        actor, member, version, "staff.health_cert", health_cert_number=number, health_cert_valid_until=valid_until,
        handles_food=True,
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------- barred list


def restrict_decision(case: Any) -> dict[str, Any]:
    """The basis a served penalty decision ordering 限制从业 gives: authority, number and date of the 决定书, the day it
    was served; ValidationError when the case has no such effective decision."""
    from jianguan.enforcement.choices import CaseStatus, PenaltyType
    from jianguan.enforcement.services import decision_document

    if (
        case.status not in (CaseStatus.SERVED, CaseStatus.CLOSED)
        or case.served_on is None
        or PenaltyType.RESTRICT not in (case.penalties or [])
    ):
        raise ValidationError({"case": _("该案件没有已送达的限制从业处罚决定。")})
    document = decision_document(case)
    if document is None or case.decided_on is None:
        raise ValidationError({"case": _("该案件的处罚决定书尚未制发。")})
    return {
        "basis_authority": case.department.name,
        "basis_number": document.number,
        "basis_date": case.decided_on,
        "start_date": case.served_on,
    }


@transaction.atomic
def barred_add(
    *, actor: Any, name: str, id_number: Any, reason: str, case: Any = None, basis_authority: str = "",
    basis_number: str = "", basis_date: date | None = None, start_date: date | None = None,
    end_date: date | None = None,
) -> BarredPerson:  # fmt: skip
    """Put a person on the district's 限制从业 list: from a served penalty decision of this platform (its basis taken
    from the decision) or from another authority's or a court's decision entered with its issuer, number and date."""
    require(actor, "barred.manage")
    person = BarredPerson(created_by=actor if getattr(actor, "pk", None) else None)
    person.set_id_number(parse_id_number(id_number))
    person.name = field_text(name, "name", 50, required=True)
    person.reason = field_text(reason, "reason", 300, required=True)
    if case is not None:
        from jianguan.enforcement.models import Case

        if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
            raise PermissionDenied(_("该案件不在您的权限范围内。"))
        basis = restrict_decision(case)
        person.case = case
        person.basis_authority, person.basis_number = basis["basis_authority"], basis["basis_number"]
        person.basis_date = basis["basis_date"]
        person.start_date = start_date or basis["start_date"]
    else:
        person.basis_authority = field_text(basis_authority, "basis_authority", 60, required=True)
        person.basis_number = field_text(basis_number, "basis_number", 60, required=True)
        if not isinstance(basis_date, date):
            raise ValidationError({"basis_date": _("请填写决定日期。")})
        person.basis_date = basis_date
        person.start_date = start_date or basis_date
    if not isinstance(person.start_date, date):
        raise ValidationError({"start_date": _("请填写限制起始日期。")})
    if end_date is not None and (not isinstance(end_date, date) or end_date < person.start_date):
        raise ValidationError({"end_date": _("限制截止日期不能早于起始日期。")})
    person.end_date = end_date
    if BarredPerson.objects.filter(id_number_hash=person.id_number_hash, basis_number=person.basis_number).exists():
        raise ValidationError({"id_number": _("该人员已依据同一决定列入名单。")})
    person.full_clean(exclude=["case", "created_by"])
    person.save()
    audit_record(
        actor=actor, action="barred.add", obj=person, after=snapshot(person, exclude=AUDIT_EXCLUDE),
        institution=case.institution if case is not None else None,
    )  # fmt: skip
    return person


@transaction.atomic
def barred_lift(*, actor: Any, person: BarredPerson, reason: str) -> BarredPerson:
    """撤销: the decision was revoked or changed (复议, 诉讼). The entry stays on the list, marked lifted, never deleted."""
    require(actor, "barred.manage")
    locked = BarredPerson.objects.visible_to(actor).select_for_update().filter(pk=person.pk).first()
    if locked is None:
        raise PermissionDenied(_("该记录不在您的权限范围内。"))
    if locked.lifted_at is not None:
        raise StaffConflict(_("该人员的限制从业已经撤销。"))
    locked.lifted_reason = field_text(reason, "lifted_reason", 300, required=True)
    locked.lifted_at = timezone.now()
    locked.full_clean(exclude=["case", "created_by"])
    locked.save(update_fields=["lifted_at", "lifted_reason"])
    audit_record(
        actor=actor, action="barred.lift", obj=locked, before={"lifted_at": None},
        after={"lifted_at": locked.lifted_at.isoformat(), "lifted_reason": locked.lifted_reason},
    )  # fmt: skip
    return locked


@transaction.atomic
def id_numbers_exported(*, actor: Any, rows: int, filters: str, fmt: str) -> None:
    """An export that holds full ID numbers is recorded — who, when, how many rows, with which filter — so that a
    leaked file can be traced to its download. Exports with masked numbers are not."""
    require(actor, "staff.id_numbers")
    audit_record(
        actor=actor, action="staff.export_ids", object_type="staff.staffmember", object_label=_("从业人员名单（含完整身份证号码）"),
        after={"rows": rows, "filters": filters[:500], "format": fmt},
    )  # fmt: skip
