"""Campaign statistics computed from the records, as of a day: what the speech's section 二 reports by hand.

Like the speech, problems are counted per institution (家) per category, with the number of problems (个) beside them.
A problem counts as rectified on day D when it was fixed on site, or its ledger item was closed out (销号) on or
before D. An institution counts as rectified in a category when every one of its problems in that category is. A
problem is overdue on D when it is not rectified by D, its current deadline is before D and it has not been handed over
for penalty (移交处罚 items are counted there, as the ledger does; an extension moves the deadline, and the day-by-day
history of extensions is not replayed).

Everything comes from one query over the campaign's findings (a campaign has at most thousands of them), so the
number of queries does not grow with the campaign's size; the briefing and the command use the same figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone

from jianguan.inspections.choices import InspectionStatus
from jianguan.inspections.models import Campaign, Finding, Inspection
from jianguan.inspections.selectors import rectified_q
from jianguan.ledger.choices import ItemStatus
from jianguan.org.choices import CheckCategory


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
    """Three queries: targets, inspected institutions (with their street), the findings with their ledger state."""
    as_of = as_of or timezone.localdate()
    labels = {value: str(label) for value, label in CheckCategory.choices}
    order = {value: n for n, value in enumerate(CheckCategory.values)}
    completed = Inspection.objects.filter(
        campaign=campaign, status=InspectionStatus.COMPLETED, completed_at__date__lte=as_of
    )
    inspected = dict(completed.values_list("institution_id", "institution__street__name").distinct())
    rows = (
        Finding.objects.filter(inspection__in=completed)
        .annotate(is_rectified=ExpressionWrapper(rectified_q(as_of), output_field=BooleanField()))
        .values_list(
            "category", "inspection__institution_id", "inspection__institution__name", "description", "is_rectified",
            "ledger_item__deadline", "ledger_item__department__name", "department__name", "ledger_item__status",
        )
    )  # fmt: skip
    per_category: dict[str, CategoryStats] = {}
    open_by_category: dict[str, set[int]] = defaultdict(set)
    found_by_category: dict[str, set[int]] = defaultdict(set)
    streets: dict[str, StreetStats] = {}
    with_problems: set[int] = set()
    stats = CampaignStats(
        campaign_id=campaign.pk, campaign=campaign.name, as_of=as_of, targets=campaign.targets.count(),
        inspected=len(inspected), with_problems=0, findings=0, rectified_findings=0, overdue_findings=0,
    )  # fmt: skip
    for street in sorted(set(inspected.values())):
        streets[street] = StreetStats(street)
    for street in inspected.values():
        streets[street].inspected += 1
    for category, inst, name, description, rectified, deadline, item_department, department, status in rows:
        cat = per_category.setdefault(category, CategoryStats(category, labels.get(category, category)))
        street = streets[inspected[inst]]
        cat.findings += 1
        stats.findings += 1
        street.findings += 1
        found_by_category[category].add(inst)
        with_problems.add(inst)
        if rectified:
            cat.rectified_findings += 1
            stats.rectified_findings += 1
            street.rectified_findings += 1
        else:
            open_by_category[category].add(inst)
            if deadline is not None and deadline < as_of and status != ItemStatus.ESCALATED:
                cat.overdue_findings += 1
                stats.overdue_findings += 1
                stats.overdue.append(
                    OverdueRow(name, inspected[inst], labels.get(category, category), description, deadline,
                               item_department or department or "")
                )  # fmt: skip
    for category, cat in per_category.items():
        cat.institutions = len(found_by_category[category])
        cat.rectified_institutions = cat.institutions - len(open_by_category[category])
    stats.with_problems = len(with_problems)
    for inst, street in inspected.items():
        if inst in with_problems:
            streets[street].with_problems += 1
    stats.categories = sorted(per_category.values(), key=lambda c: order.get(c.category, 99))
    stats.streets = list(streets.values())
    stats.overdue.sort(key=lambda r: (r.deadline, r.street, r.institution))
    return stats
