"""Writes for streets, departments, the responsibility matrix and the working-day calendar."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.permissions import require
from jianguan.audit.services import audit_record, changed, snapshot
from jianguan.lib import workdays
from jianguan.lib.holidaynotice import HolidayNotice as ParsedNotice
from jianguan.lib.holidaynotice import NoticeError, parse_holiday_notice
from jianguan.lib.validators import validate_item_code
from jianguan.org.choices import CheckCategory
from jianguan.org.models import Department, HolidayNotice, Region, Responsibility, WorkdayOverride
from jianguan.org.selectors import CALENDAR_DIRTY


def _save_audited(*, actor: Any, obj: Any, action: str, fields: dict[str, Any]) -> Any:
    creating = obj.pk is None
    before = {} if creating else snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    after = snapshot(obj)
    if creating:
        audit_record(actor=actor, action=f"{action}.create", obj=obj, after=after)
    else:
        old, new = changed(before, after)
        audit_record(actor=actor, action=f"{action}.update", obj=obj, before=old, after=new)
    return obj


@transaction.atomic
def region_save(*, actor: Any, region: Region | None = None, **fields: Any) -> Region:
    """Create or update a district/street/township."""
    require(actor, "org.manage")
    return _save_audited(actor=actor, obj=region or Region(), action="region", fields=fields)


@transaction.atomic
def department_save(*, actor: Any, department: Department | None = None, **fields: Any) -> Department:
    """Create or update a department."""
    require(actor, "org.manage")
    return _save_audited(actor=actor, obj=department or Department(), action="department", fields=fields)


@transaction.atomic
def responsibility_set(
    *,
    actor: Any,
    category: str,
    lead: Department | None,
    supporting: list[Department],
    institution_kind: str = "",
    item_code: str = "",
) -> list[Responsibility]:
    """Replace one entry of the matrix — a check category (or one item code of it) for one institution kind, or for
    every kind without its own entry when the kind is empty — with at most one lead department and any supporting
    ones. An entry with neither is removed (the kind then follows the all-kinds entry)."""
    require(actor, "responsibilities.manage")
    _check_key(category, institution_kind, item_code)
    return _replace_entry(actor, (institution_kind, category, item_code), [lead] if lead else [], supporting)


@transaction.atomic
def responsibility_import(*, actor: Any, entries: list[Any]) -> int:
    """Replace the whole matrix with the entries of an imported sheet (matrix_io.read_matrix): every entry is
    checked first, and the old entries not in the sheet are removed. Each changed entry is audited. An entry may
    name two leads (the sheet says so): the matrix then reports the overlap. Returns how many entries there are."""
    require(actor, "responsibilities.manage")
    for entry in entries:
        _check_key(entry.category, entry.institution_kind, entry.item_code)
    keys = {(e.institution_kind, e.category, e.item_code) for e in entries}
    stale = set(Responsibility.objects.values_list("institution_kind", "category", "item_code")) - keys
    for key in sorted(stale):
        _replace_entry(actor, key, [], [])
    for entry in entries:
        _replace_entry(actor, (entry.institution_kind, entry.category, entry.item_code), entry.leads, entry.supporting)
    return len(entries)


def _check_key(category: str, institution_kind: str, item_code: str) -> None:
    from jianguan.registry.choices import InstitutionKind

    if category not in CheckCategory.values:
        raise ValidationError({"category": _("未知的检查类别。")})
    if institution_kind and institution_kind not in InstitutionKind.values:
        raise ValidationError({"institution_kind": _("未知的机构类型。")})
    try:
        validate_item_code(item_code)
    except ValidationError as exc:
        raise ValidationError({"item_code": exc.messages}) from exc


def _replace_entry(
    actor: Any, key: tuple[str, str, str], leads: list[Department], supporting: list[Department]
) -> list[Responsibility]:
    institution_kind, category, item_code = key
    lead_ids = {d.pk for d in leads}
    supporting = [d for d in dict.fromkeys(supporting) if d.pk not in lead_ids]
    rows = Responsibility.objects.filter(institution_kind=institution_kind, category=category, item_code=item_code)
    before = sorted((r.department_id, r.is_lead) for r in rows)
    rows.delete()
    created = [
        Responsibility.objects.create(
            institution_kind=institution_kind, category=category, item_code=item_code, department=d, is_lead=is_lead
        )
        for d, is_lead in [*((d, True) for d in dict.fromkeys(leads)), *((d, False) for d in supporting)]
    ]
    after = sorted((r.department_id, r.is_lead) for r in created)
    if before != after:
        label = CheckCategory(category).label
        audit_record(
            actor=actor,
            action="responsibility.set",
            object_type="org.responsibility",
            object_id=":".join(part or "*" for part in key),
            object_label=f"{label} {item_code}".strip(),
            before={"rows": before},
            after={"rows": after, "institution_kind": institution_kind, "item_code": item_code},
        )
    return created


def _calendar_changing() -> None:
    # Until this transaction commits, the process-wide calendar cache is bypassed (selectors.calendar_cache_usable):
    # it must neither keep days that may roll back nor hide them from the rest of this transaction.
    outermost = connection.atomic_blocks[0]
    setattr(outermost, CALENDAR_DIRTY, True)

    def committed() -> None:
        setattr(outermost, CALENDAR_DIRTY, False)
        workdays.clear_cache()

    transaction.on_commit(committed)


@transaction.atomic
def workday_override_set(*, actor: Any, day: date, is_working_day: bool, note: str = "") -> WorkdayOverride:
    """Declare a day a working day or a rest day, overriding the official calendar (and any notice's word on it)."""
    require(actor, "calendar.manage")
    _calendar_changing()
    override = WorkdayOverride.objects.filter(date=day).first() or WorkdayOverride(date=day)
    return _save_audited(
        actor=actor,
        obj=override,
        action="workday_override",
        fields={"is_working_day": is_working_day, "note": note, "notice": None},
    )


@transaction.atomic
def workday_override_delete(*, actor: Any, override: WorkdayOverride) -> None:
    require(actor, "calendar.manage")
    _calendar_changing()
    audit_record(actor=actor, action="workday_override.delete", obj=override, before=snapshot(override))
    override.delete()


def holiday_notice_read(text: str, *, year: int | None = None) -> ParsedNotice:
    """Parse a pasted notice without storing anything (the preview); raises ValidationError with the reason."""
    try:
        return parse_holiday_notice(text, year=year)
    except NoticeError as exc:
        raise ValidationError({"text": str(exc)}) from None


@transaction.atomic
def holiday_notice_import(*, actor: Any, text: str, year: int | None = None) -> HolidayNotice:
    """Store a year's holiday notice and make its rest days and adjusted working days the calendar's overrides.

    Importing the same year again replaces the earlier notice's days; an admin's own entry on a day the notice
    speaks of gives way to the notice (both are in the audit event); other admin entries stay.
    """
    require(actor, "calendar.manage")
    parsed = holiday_notice_read(text, year=year)
    _calendar_changing()
    notice = HolidayNotice.objects.select_for_update().filter(year=parsed.year).first()
    before: dict[str, Any] = {}
    if notice is not None:
        before = _notice_days(notice)
        notice.days.all().delete()
    else:
        notice = HolidayNotice(year=parsed.year)
    notice.text = text
    notice.sha256 = hashlib.sha256(text.encode()).hexdigest()
    notice.imported_by = actor
    notice.imported_at = timezone.now()
    notice.full_clean()
    notice.save()
    names = {d: f.name for f in parsed.festivals for d in (*f.holidays, *f.workdays)}
    days = {d: False for d in parsed.holidays} | {d: True for d in parsed.workdays}
    replaced = WorkdayOverride.objects.filter(date__in=days, notice=None)
    manual = [(o.date.isoformat(), o.is_working_day, o.note) for o in replaced]
    replaced.delete()
    WorkdayOverride.objects.bulk_create(
        WorkdayOverride(date=d, is_working_day=working, note=names[d], notice=notice) for d, working in days.items()
    )
    after = _notice_days(notice)
    if manual:
        before["manual"] = manual
    audit_record(actor=actor, action="holiday_notice.import", obj=notice, before=before, after=after)
    return notice


def _notice_days(notice: HolidayNotice) -> dict[str, Any]:
    rows = notice.days.order_by("date").values_list("date", "is_working_day")
    return {
        "sha256": notice.sha256,
        "holidays": [d.isoformat() for d, working in rows if not working],
        "workdays": [d.isoformat() for d, working in rows if working],
    }
