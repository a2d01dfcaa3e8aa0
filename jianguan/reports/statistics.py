"""Campaign statistics computed from the records, as of a day: what the speech's section 二 reports by hand.

Like the speech, problems are counted per institution (家) per category, with the number of problems (个) beside them.
A problem counts as rectified on day D when it was fixed on site, or its ledger item was closed out (销号) on or
before D. An institution counts as rectified in a category when every one of its problems in that category is. A
problem is overdue on D when it is not rectified by D, its current deadline is before D and it has not been handed over
for penalty (移交处罚 items are counted there, as the ledger does; an extension moves the deadline, and the day-by-day
history of extensions is not replayed).

The figures come from the rollup tables the database keeps (reports.rollups: each campaign's inspected institutions
with the day of their first completed inspection, and its problems by institution × category × day found × day
rectified × day overdue), the overdue list from the findings (and their ledger items) of the institutions the rollup names; a fixed number
of queries whatever the campaign's size. The briefing and the command use the same figures."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from jianguan.inspections.choices import InspectionStatus
from jianguan.inspections.models import Campaign, Finding
from jianguan.inspections.selectors import rectified_q
from jianguan.ledger.choices import ItemStatus
from jianguan.org.choices import CheckCategory
from jianguan.org.models import Region
from jianguan.reports.models import CampaignProblemRollup, InspectedRollup, TargetRollup
from jianguan.reports.rollups import cell_sum


@dataclass
class CategoryStats:
    category: str
    label: str
    institutions: int = 0  # 家 with problems of this category
    findings: int = 0  # 个
    rectified_institutions: int = 0
    rectified_findings: int = 0
    overdue_findings: int = 0


@dataclass
class StreetStats:
    street: str
    inspected: int = 0
    with_problems: int = 0
    findings: int = 0
    rectified_findings: int = 0


@dataclass
class OverdueRow:
    institution: str
    street: str
    category: str
    description: str
    deadline: date
    department: str


@dataclass
class CampaignStats:
    campaign_id: int
    campaign: str
    as_of: date
    targets: int
    inspected: int  # 家 with a completed inspection by as_of
    with_problems: int
    findings: int
    rectified_findings: int
    overdue_findings: int
    categories: list[CategoryStats] = field(default_factory=list)
    streets: list[StreetStats] = field(default_factory=list)
    overdue: list[OverdueRow] = field(default_factory=list)

    @property
    def rectification_rate(self) -> float:
        return self.rectified_findings / self.findings if self.findings else 0.0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rectification_rate"] = round(self.rectification_rate, 4)
        return data


def campaign_statistics(campaign: Campaign, as_of: date | None = None) -> CampaignStats:
    """Six queries, from the rollups: targets, inspected institutions per street, problems per category and per
    street, the streets' names, and the overdue problems' rows."""
    as_of = as_of or timezone.localdate()
    labels = {value: str(label) for value, label in CheckCategory.choices}
    order = {value: n for n, value in enumerate(CheckCategory.values)}
    problems = CampaignProblemRollup.objects.filter(campaign_id=campaign.pk, found_on__lte=as_of)
    rectified = Q(rectified_on__lte=as_of)
    overdue = ~rectified & Q(overdue_after__lt=as_of)
    figures = {
        "findings": cell_sum(),
        "rectified": cell_sum(rectified),
        "overdue": cell_sum(overdue),
        "institutions": Count("institution_id", distinct=True),
    }
    inspected = dict(
        InspectedRollup.objects.filter(campaign_id=campaign.pk, first_on__lte=as_of)
        .values_list("street_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    per_street = {row["street_id"]: row for row in problems.values("street_id").annotate(**figures).order_by()}
    names = dict(Region.objects.filter(pk__in=inspected).values_list("pk", "name"))
    stats = CampaignStats(
        campaign_id=campaign.pk, campaign=campaign.name, as_of=as_of, inspected=sum(inspected.values()),
        targets=TargetRollup.objects.filter(campaign_id=campaign.pk).aggregate(n=cell_sum())["n"],
        with_problems=0, findings=0, rectified_findings=0, overdue_findings=0,
    )  # fmt: skip
    for street_id in sorted(inspected, key=lambda pk: names.get(pk, "")):
        row = per_street.get(street_id, {})
        street = StreetStats(
            names.get(street_id, ""), inspected=inspected[street_id], with_problems=row.get("institutions", 0),
            findings=row.get("findings", 0), rectified_findings=row.get("rectified", 0),
        )  # fmt: skip
        stats.streets.append(street)
    for row in per_street.values():  # an institution is in its one street's row
        stats.with_problems += row["institutions"]
        stats.findings += row["findings"]
        stats.rectified_findings += row["rectified"]
        stats.overdue_findings += row["overdue"]
    open_institutions = Count("institution_id", distinct=True, filter=~rectified)
    for row in problems.values("category").annotate(**figures, open_institutions=open_institutions).order_by():
        category = row["category"]
        stats.categories.append(
            CategoryStats(
                category,
                labels.get(category, category),
                institutions=row["institutions"],
                findings=row["findings"],
                rectified_institutions=row["institutions"] - row["open_institutions"],
                rectified_findings=row["rectified"],
                overdue_findings=row["overdue"],
            )
        )
    stats.categories.sort(key=lambda c: order.get(c.category, 99))
    stats.overdue = _overdue(campaign, as_of, problems.filter(overdue), labels)
    return stats


def _overdue(campaign: Campaign, as_of: date, cells: Any, labels: dict[str, str]) -> list[OverdueRow]:
    """The overdue problems' rows, read for the institutions the rollup names: found by `as_of`, not rectified by then
    (rectified_q), past their ledger item's deadline and not handed over for penalty — the rollup's definition."""
    findings = (
        Finding.objects.filter(
            inspection__campaign_id=campaign.pk,
            inspection__institution_id__in=cells.values("institution_id"),
            inspection__status=InspectionStatus.COMPLETED,
            inspection__completed_at__date__lte=as_of,
            ledger_item__deadline__lt=as_of,
        )
        .exclude(ledger_item__status=ItemStatus.ESCALATED)
        .exclude(rectified_q(as_of))
        .order_by()  # sorted below
        .values_list(
            "inspection__institution__name", "inspection__institution__street__name", "category", "description",
            "ledger_item__deadline", "ledger_item__department__name",
        )
    )  # fmt: skip
    rows = [
        OverdueRow(name, street, labels.get(c, c), text, deadline, dept)
        for name, street, c, text, deadline, dept in findings
    ]
    return sorted(rows, key=lambda r: (r.deadline, r.street, r.institution))
