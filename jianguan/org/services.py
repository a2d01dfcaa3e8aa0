"""Writes for streets, departments, the responsibility matrix and the working-day calendar."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jianguan.accounts.permissions import require
from jianguan.audit.services import audit_record, changed, snapshot
from jianguan.lib import workdays
from jianguan.org.choices import CheckCategory
from jianguan.org.models import Department, Region, Responsibility, WorkdayOverride


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


@transaction.atomic
def workday_override_set(*, actor: Any, day: date, is_working_day: bool, note: str = "") -> WorkdayOverride:
    """Declare a day a working day or a rest day, overriding the official calendar."""
    require(actor, "calendar.manage")
    override = WorkdayOverride.objects.filter(date=day).first() or WorkdayOverride(date=day)
    result = _save_audited(
        actor=actor, obj=override, action="workday_override", fields={"is_working_day": is_working_day, "note": note}
    )
    transaction.on_commit(workdays.clear_cache)
    return result


@transaction.atomic
def workday_override_delete(*, actor: Any, override: WorkdayOverride) -> None:
    require(actor, "calendar.manage")
    audit_record(actor=actor, action="workday_override.delete", obj=override, before=snapshot(override))
    override.delete()
    transaction.on_commit(workdays.clear_cache)
