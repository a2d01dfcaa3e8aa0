"""Reads for checklists."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from jianguan.checklists.choices import VersionStatus
from jianguan.checklists.models import Checklist, ChecklistItem, ChecklistVersion
from jianguan.org.models import Department
from jianguan.org.selectors import Competence


def checklists_with_versions() -> QuerySet[Checklist]:
    """Every checklist with its versions (newest first) and their item counts, in two queries."""
    versions = ChecklistVersion.objects.annotate(item_count=Count("items")).order_by("-number")
    return Checklist.objects.prefetch_related(Prefetch("versions", queryset=versions))


def published_version(checklist: Checklist) -> ChecklistVersion | None:
    return checklist.versions.filter(status=VersionStatus.PUBLISHED).first()


@dataclass
class ItemRow:
    item: ChecklistItem
    lead_department: Department | None


def version_items(version: ChecklistVersion) -> list[ItemRow]:
    """The version's items with the department the matrix makes competent for each (for the checklist's institution
    kind; two queries)."""
    competence = Competence()
    kind = version.checklist.institution_kind
    return [ItemRow(item, competence.lead(kind, item.category, item.code)) for item in version.items.all()]
