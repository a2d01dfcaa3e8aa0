"""Reads for campaigns and inspections (callers pass querysets already scoped with visible_to)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from jianguan.accounts.models import User
from jianguan.checklists.models import ChecklistItem
from jianguan.documents.models import Document
from jianguan.inspections.choices import InspectionStatus
from jianguan.inspections.models import Campaign, CampaignTarget, Evidence, Finding, Inspection, ItemResult
from jianguan.org.choices import CheckCategory


def rectified_q(as_of: date, prefix: str = "") -> Q:
    """已整改, the one definition every page counts by: a problem fixed on the spot, or whose ledger item was closed
    out (销号) after a passed recheck by ``as_of``. On a ledger item the same is ``status == "closed"`` (a problem
    fixed on the spot gets an item closed at once): the dashboard counts items that way, and a test holds the
    campaign page, the statistics and the dashboard to the same numbers."""
    return Q(**{f"{prefix}fixed_on_site": True}) | Q(
        **{f"{prefix}ledger_item__status": "closed", f"{prefix}ledger_item__closed_on__lte": as_of}
    )


@dataclass
class CampaignProgress:
    targets: int
    inspected: int  # institutions with a completed inspection in the campaign
    with_problems: int  # of those, institutions with at least one finding
    fixed: int  # of those, institutions whose every problem is rectified (rectified_q)
    findings: int = 0  # problems found (个)
    rectified: int = 0  # of those, rectified (rectified_q)

    @property
    def coverage(self) -> int:
        return round(100 * self.inspected / self.targets) if self.targets else 0

    @property
    def rectified_rate(self) -> float:
        return round(100 * self.rectified / self.findings, 1) if self.findings else 0.0


def campaign_progress(campaign: Campaign, as_of: date | None = None) -> CampaignProgress:
    """Per institution (家), like the speech, and per problem (个); three queries."""
    as_of = as_of or timezone.localdate()
    completed = Inspection.objects.filter(campaign=campaign, status=InspectionStatus.COMPLETED)
    per_institution = completed.values("institution_id").annotate(
        n_findings=Count("findings"),
        n_rectified=Count("findings", filter=rectified_q(as_of, prefix="findings__")),
    )
    rows = list(per_institution)
    return CampaignProgress(
        targets=campaign.targets.count(),
        inspected=len(rows),
        with_problems=sum(1 for r in rows if r["n_findings"]),
        fixed=sum(1 for r in rows if r["n_findings"] and r["n_rectified"] == r["n_findings"]),
        findings=sum(r["n_findings"] for r in rows),
        rectified=sum(r["n_rectified"] for r in rows),
    )


def notice_waiting_q() -> Q:
    """Completed inspections whose 责令整改通知书 waits: a problem to rectify has no deadline yet (its year's holiday
    arrangement was not known when the inspection was completed)."""
    waiting = Finding.objects.filter(inspection=OuterRef("pk"), fixed_on_site=False, deadline__isnull=True)
    return Q(status=InspectionStatus.COMPLETED) & Exists(waiting)


def campaign_targets(campaign: Campaign) -> QuerySet[CampaignTarget]:
    """The target list with each institution's newest inspection in the campaign (status and id), one query."""
    newest = (
        Inspection.objects.filter(campaign=campaign, institution=OuterRef("institution"))
        .exclude(status=InspectionStatus.CANCELLED)
        .order_by("-scheduled_at", "-pk")
    )
    return (
        campaign.targets.select_related("institution__street")
        .annotate(
            inspection_id=Subquery(newest.values("pk")[:1]),
            inspection_status=Subquery(newest.values("status")[:1]),
        )
        .order_by("institution__street__code", "institution__name")
    )


def inspection_list(queryset: QuerySet[Inspection]) -> QuerySet[Inspection]:
    return (
        queryset.select_related("institution__street", "campaign", "lead_department")
        .annotate(finding_count=Count("findings", distinct=True))
        .order_by("-scheduled_at", "-pk")
    )


def certified_officers(on: date | None = None) -> QuerySet[User]:
    """Active users with an enforcement certificate valid on the day, with their department (for team pickers)."""
    on = on or timezone.localdate()
    return (
        User.objects.filter(is_active=True, officer_profile__certificate_valid_until__gte=on)
        .select_related("department", "officer_profile")
        .order_by("department_id", "name")
    )


@dataclass
class ItemRow:
    item: ChecklistItem
    result: ItemResult | None
    evidence: list[Evidence]
    my_note: str = ""  # the reader's own note on the item (what the on-site form edits)
    other_notes: list[Any] = field(default_factory=list)  # the other officers' notes, each with its author
    problem: str = ""  # why the item keeps a refused completion from going through


def inspection_items(inspection: Inspection, reader: Any = None) -> list[ItemRow]:
    """Every checklist item of the inspection's version with its result, photos and notes (four queries)."""
    results = {r.item_id: r for r in inspection.results.prefetch_related("notes__author")}
    photos: dict[int, list[Evidence]] = {}
    for evidence in inspection.evidence.filter(item_result__isnull=False):
        photos.setdefault(evidence.item_result_id, []).append(evidence)
    reader_id = getattr(reader, "pk", None)
    rows = []
    for item in inspection.checklist_version.items.all():
        result = results.get(item.pk)
        notes = list(result.notes.all()) if result else []
        mine = next((n.text for n in notes if n.author_id == reader_id), "")
        others = [n for n in notes if n.author_id != reader_id]
        rows.append(ItemRow(item, result, photos.get(result.pk, []) if result else [], mine, others))
    return rows


def inspection_documents(inspection: Inspection) -> QuerySet[Document]:
    return Document.objects.filter(source_type=inspection._meta.label_lower, source_id=str(inspection.pk)).order_by(
        "kind"
    )


@dataclass
class CategoryCount:
    category: str
    institutions: int  # 家: institutions with at least one problem of the category, as the speech counts
    findings: int  # 个: the problems themselves


def problems_by_category(campaign: Campaign) -> list[CategoryCount]:
    """Problems found in the campaign's completed inspections, per check category (one query)."""
    rows = (
        Finding.objects.filter(inspection__campaign=campaign, inspection__status=InspectionStatus.COMPLETED)
        .values("category")
        .annotate(institutions=Count("inspection__institution", distinct=True), findings=Count("pk"))
        .order_by("category")
    )
    order = {c: n for n, c in enumerate(CheckCategory.values)}
    counts = [CategoryCount(r["category"], r["institutions"], r["findings"]) for r in rows]
    return sorted(counts, key=lambda c: order.get(c.category, 99))
