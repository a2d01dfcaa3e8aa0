"""Writes for checklists: create, draft a new version, edit a draft's items, publish, archive."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.permissions import require
from jianguan.audit.services import audit_record, changed, snapshot
from jianguan.checklists.choices import VersionStatus
from jianguan.checklists.models import Checklist, ChecklistItem, ChecklistVersion

ITEM_FIELDS = {
    "order", "category", "code", "text", "legal_basis", "order_basis", "remedy", "requirement", "penalty_basis",
    "severity", "period_days", "photo_required", "guidance",
}  # fmt: skip


def _require_draft(version: ChecklistVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("第 %(n)s 版已%(status)s，不能再修改；请新建草稿版本。")
            % {"n": version.number, "status": version.get_status_display()}
        )


@transaction.atomic
def checklist_create(*, actor: Any, name: str, institution_kind: str = "", description: str = "") -> Checklist:
    """A new checklist with an empty draft version 1."""
    require(actor, "checklists.manage")
    checklist = Checklist(name=(name or "").strip(), institution_kind=institution_kind, description=description.strip())
    checklist.full_clean()
    checklist.save()
    ChecklistVersion.objects.create(checklist=checklist, number=1)
    audit_record(actor=actor, action="checklist.create", obj=checklist, after=snapshot(checklist))
    return checklist


@transaction.atomic
def version_draft(*, actor: Any, checklist: Checklist, note: str = "") -> ChecklistVersion:
    """A new draft version, a copy of the newest version's items."""
    require(actor, "checklists.manage")
    checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
    if checklist.versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError(_("该检查表已有草稿版本，请先编辑或发布它。"))
    latest = checklist.versions.order_by("-number").first()
    number = (latest.number if latest else 0) + 1
    draft = ChecklistVersion(checklist=checklist, number=number, note=(note or "").strip())
    draft.full_clean()
    draft.save()
    if latest is not None:
        ChecklistItem.objects.bulk_create(
            ChecklistItem(version=draft, **{f: getattr(item, f) for f in ITEM_FIELDS}) for item in latest.items.all()
        )
    audit_record(
        actor=actor,
        action="checklist.draft",
        obj=draft,
        after={"number": number, "copied_from": latest.number if latest else None, "note": draft.note},
    )
    return draft


@transaction.atomic
def item_save(
    *, actor: Any, version: ChecklistVersion, item: ChecklistItem | None = None, **fields: Any
) -> ChecklistItem:
    """Add an item to a draft (at the end unless an order is given) or change one of its items."""
    require(actor, "checklists.manage")
    version = ChecklistVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    unknown = set(fields) - ITEM_FIELDS
    if unknown:
        raise ValidationError(_("未知字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    creating = item is None
    if creating:
        item = ChecklistItem(version=version)
        if not fields.get("order"):
            fields["order"] = (version.items.aggregate(m=Max("order"))["m"] or 0) + 1
    elif item.version_id != version.pk:
        raise ValidationError(_("该检查项不属于此版本。"))
    before = {} if creating else snapshot(item)
    for name, value in fields.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    item.full_clean(exclude=["version"])
    if version.items.filter(order=item.order).exclude(pk=item.pk).exists():
        raise ValidationError({"order": _("序号 %(n)s 已被其他检查项使用。") % {"n": item.order}})
    item.save()
    old, new = changed(before, snapshot(item))
    audit_record(
        actor=actor,
        action="checklist_item.create" if creating else "checklist_item.update",
        obj=item,
        before=old or None,
        after=new,
    )
    return item


@transaction.atomic
def item_delete(*, actor: Any, item: ChecklistItem) -> None:
    require(actor, "checklists.manage")
    _require_draft(ChecklistVersion.objects.select_for_update().get(pk=item.version_id))
    audit_record(actor=actor, action="checklist_item.delete", obj=item, before=snapshot(item))
    item.delete()


@transaction.atomic
def version_publish(*, actor: Any, version: ChecklistVersion) -> ChecklistVersion:
    """Publish a draft: from now on it never changes. The version published before it is archived (inspections that
    started with it keep it)."""
    require(actor, "checklists.manage")
    version = ChecklistVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    if not version.items.exists():
        raise ValidationError(_("检查表至少要有一个检查项才能发布。"))
    now = timezone.now()
    previous = ChecklistVersion.objects.filter(checklist_id=version.checklist_id, status=VersionStatus.PUBLISHED)
    archived = [v.number for v in previous]
    previous.update(status=VersionStatus.ARCHIVED, archived_at=now)
    version.status, version.published_at = VersionStatus.PUBLISHED, now
    version.save(update_fields=["status", "published_at"])
    audit_record(
        actor=actor,
        action="checklist.publish",
        obj=version,
        after={"number": version.number, "items": version.items.count(), "archived": archived},
    )
    return version


@transaction.atomic
def version_archive(*, actor: Any, version: ChecklistVersion) -> ChecklistVersion:
    """Withdraw the published version: new campaigns can no longer choose this checklist until a version is
    published again."""
    require(actor, "checklists.manage")
    version = ChecklistVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("只有已发布的版本可以归档。"))
    version.status, version.archived_at = VersionStatus.ARCHIVED, timezone.now()
    version.save(update_fields=["status", "archived_at"])
    audit_record(actor=actor, action="checklist.archive", obj=version, after={"number": version.number})
    return version
