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
    *, actor: Any, category: str, lead: Department | None, supporting: list[Department]
) -> list[Responsibility]:
    """Replace one category's row of the matrix: at most one lead department and any supporting ones."""
    require(actor, "responsibilities.manage")
    if category not in CheckCategory.values:
        raise ValidationError({"category": _("未知的检查类别。")})
    supporting = [d for d in supporting if lead is None or d.pk != lead.pk]
    rows = Responsibility.objects.filter(category=category)
    before = sorted((r.department_id, r.is_lead) for r in rows)
    rows.delete()
    created = []
    if lead is not None:
        created.append(Responsibility.objects.create(category=category, department=lead, is_lead=True))
    for dept in supporting:
        created.append(Responsibility.objects.create(category=category, department=dept, is_lead=False))
    after = sorted((r.department_id, r.is_lead) for r in created)
    audit_record(
        actor=actor,
        action="responsibility.set",
        object_type="org.responsibility",
        object_id=category,
        object_label=CheckCategory(category).label,
        before={"rows": before},
        after={"rows": after},
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
