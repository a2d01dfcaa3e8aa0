"""Reads for the year's plan and the 双随机 lists: the three directories, a campaign's snapshot, planned vs done."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.utils import timezone

from jianguan.accounts.choices import Role
from jianguan.accounts.models import OfficerConflict, User
from jianguan.checklists.choices import VersionStatus
from jianguan.checklists.models import ChecklistItem
from jianguan.inspections.choices import InspectionStatus
from jianguan.inspections.models import Campaign, Inspection
from jianguan.inspections.selectors import certified_officers
from jianguan.inspections.services import CLOSED_STATUSES, campaign_scope
from jianguan.lib import workdays
from jianguan.org.selectors import Competence
from jianguan.planning.draw import Snapshot, parse_ratios
from jianguan.planning.models import Draw, DrawMember, DrawTarget, YearPlan
from jianguan.registry.models import Institution
from jianguan.risk.models import RiskRating

# An institution not rated yet (new to the registry) is drawn as 中 (B): not the lowest, since nothing is known.
UNRATED_LEVEL = "B"


def default_ratios() -> dict[str, int]:
    return parse_ratios(settings.JIANGUAN_DRAW_RATIOS)


# ------------------------------------------------------------------------------------------- the three directories


def check_items(campaign: Campaign | None = None) -> QuerySet[ChecklistItem]:
    """抽查事项清单: the items of the published checklists (a campaign's own, where it names them)."""
    items = ChecklistItem.objects.filter(version__status=VersionStatus.PUBLISHED)
    if campaign is not None and campaign.checklists.exists():
        items = items.filter(version__checklist__in=campaign.checklists.all())
    return items.select_related("version__checklist").order_by("version__checklist__name", "order")


def target_directory(campaign: Campaign) -> QuerySet[Institution]:
    """检查对象名录库 for a campaign: the operating institutions of its streets and kinds (the campaign's scope)."""
    return campaign_scope(campaign)


def target_directory_all(kind: str = "") -> QuerySet[Institution]:
    """检查对象名录库 of the district: every operating institution (of a kind), by street and name."""
    qs = Institution.objects.exclude(status__in=CLOSED_STATUSES)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("street__code", "name")


def officer_directory(campaign: Campaign | None = None, on: date | None = None) -> QuerySet[User]:
    """执法检查人员名录库: the department officers with a certificate valid on the day (a campaign's departments)."""
    qs = certified_officers(on).filter(role=Role.DEPARTMENT_OFFICER)
    if campaign is not None:
        qs = qs.filter(department__in=campaign.departments.all())
    return qs


def competent_departments(campaign: Campaign, kinds: list[str]) -> dict[str, list[int]]:
    """kind → the campaign's departments competent for the check items that kind is inspected on, the department
    competent for most items first; the campaign's lead department where the matrix names none of them."""
    from jianguan.inspections.services import checklist_version_for

    competence = Competence()
    taking_part = set(campaign.departments.values_list("pk", flat=True)) | {campaign.lead_department_id}
    result: dict[str, list[int]] = {}
    for kind in kinds:
        try:
            version = checklist_version_for(Institution(kind=kind), campaign)
        except ValidationError:  # no published checklist for the kind: the campaign's lead department inspects
            result[kind] = [campaign.lead_department_id]
            continue
        counts: Counter[int] = Counter()
        for category, code in version.items.values_list("category", "code"):
            lead = competence.lead(kind, category, code)
            if lead is not None and lead.pk in taking_part:
                counts[lead.pk] += 1
        ordered = [d for d, _n in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))]
        result[kind] = ordered or [campaign.lead_department_id]
    return result


def snapshot_for(campaign: Campaign, on: date | None = None) -> Snapshot:
    """The two directories of a campaign as they stand now (four queries and the matrix)."""
    institutions = list(target_directory(campaign).values_list("pk", "kind"))
    levels = dict(
        RiskRating.objects.filter(institution__in=target_directory(campaign)).values_list("institution_id", "level")
    )
    officers = list(
        officer_directory(campaign, on or campaign.starts_on or timezone.localdate()).values_list("pk", "department_id")
    )
    officer_ids = {u for u, _d in officers}
    institution_ids = {i for i, _k in institutions}
    conflicts = [
        (u, i)
        for u, i in OfficerConflict.objects.filter(ended_at=None).values_list("user_id", "institution_id")
        if u in officer_ids and i in institution_ids
    ]
    kinds = sorted({k for _i, k in institutions})
    return Snapshot.build(
        targets=[(i, k, levels.get(i, UNRATED_LEVEL)) for i, k in institutions],
        officers=officers,
        conflicts=conflicts,
        competent=competent_departments(campaign, kinds),
    )


# ------------------------------------------------------------------------------------------------------ draws


def draw_for(campaign: Campaign) -> Draw | None:
    return Draw.objects.filter(campaign=campaign).select_related("made_by").first()


@dataclass
class TargetRow:
    target: DrawTarget
    members: list[DrawMember]  # the team now (recused members left out)
    recused: list[DrawMember]
    inspection: Inspection | None
    publish_by: date | None  # the day its result must be public at the latest


def draw_rows(draw: Draw) -> list[TargetRow]:
    """The drawn targets with their teams and inspections (three queries)."""
    targets = list(draw.targets.select_related("institution__street"))
    members: dict[int, list[DrawMember]] = defaultdict(list)
    for member in DrawMember.objects.filter(target__draw=draw).select_related("user", "department"):
        members[member.target_id].append(member)
    inspections = {
        i.institution_id: i
        for i in Inspection.objects.filter(campaign_id=draw.campaign_id)
        .exclude(status=InspectionStatus.CANCELLED)
        .order_by("scheduled_at", "pk")
    }
    rows = []
    for target in targets:
        inspection = inspections.get(target.institution_id)
        rows.append(
            TargetRow(
                target=target,
                members=[m for m in members[target.pk] if m.recused_at is None],
                recused=[m for m in members[target.pk] if m.recused_at is not None],
                inspection=inspection,
                publish_by=result_due(inspection),
            )
        )
    return rows


def result_due(inspection: Inspection | None) -> date | None:
    """The last day the result of a drawn inspection may be made public (JIANGUAN_RANDOM_RESULT_WORKING_DAYS working
    days after completion); None while the inspection is not completed or the calendar does not know the year."""
    if inspection is None or inspection.status != InspectionStatus.COMPLETED or inspection.completed_at is None:
        return None
    done = timezone.localtime(inspection.completed_at).date()
    try:
        return workdays.add_working_days(done, settings.JIANGUAN_RANDOM_RESULT_WORKING_DAYS)
    except workdays.UnknownCalendarYear:
        return None


def drawn_team(campaign: Campaign, institution: Institution) -> list[Any] | None:
    """The officers drawn (and not recused) for an institution in a drawn campaign; None where nothing was drawn."""
    members = DrawMember.objects.filter(
        target__draw__campaign=campaign, target__institution=institution, recused_at=None
    ).select_related("user")
    if not DrawTarget.objects.filter(draw__campaign=campaign, institution=institution).exists():
        return None
    return [m.user for m in members]


def draw_json(draw: Draw) -> dict[str, Any]:
    """The recorded draw in the shape `draw_lots --json` prints (officers as user ids; recused ones left out)."""
    rows = draw_rows(draw)
    return {
        "campaign_id": draw.campaign_id,
        "seed": draw.seed,
        "seed_source": draw.seed_source,
        "target_snapshot_hash": draw.target_hash,
        "officer_snapshot_hash": draw.officer_hash,
        "result_hash": draw.result_hash,
        "ratios": draw.ratios,
        "kind_ratios": draw.kind_ratios,
        "max_per_officer": draw.max_per_officer,
        "target_pool": draw.target_pool,
        "officer_pool": draw.officer_pool,
        "made_at": timezone.localtime(draw.made_at).isoformat(),
        "targets": [
            {
                "institution_id": row.target.institution_id,
                "kind": row.target.kind,
                "level": row.target.level,
                "officers": [m.user_id for m in row.members],
            }
            for row in rows
        ],
    }


# ------------------------------------------------------------------------------------------- planned vs done


@dataclass
class CampaignLine:
    entry: Any
    targets: int
    inspected: int

    @property
    def rate(self) -> float:
        return round(100 * self.inspected / self.targets, 1) if self.targets else 0.0


@dataclass
class CoverageLine:
    target: Any
    institutions: int  # in the registry now, operating
    met: int  # of them inspected at least `times` in the year
    inspections: int  # completed inspections of them in the year

    @property
    def rate(self) -> float:
        return round(100 * self.met / self.institutions, 1) if self.institutions else 0.0


def plan_progress(plan: YearPlan) -> tuple[list[CampaignLine], list[CoverageLine]]:
    """Planned vs done: each campaign's targets and inspected institutions; each coverage target's institutions and
    how many were inspected the required number of times in the year (a fixed number of queries per line)."""
    entries = list(plan.campaigns.select_related("campaign"))
    campaign_ids = [e.campaign_id for e in entries]
    targets = dict(Campaign.objects.filter(pk__in=campaign_ids).annotate(n=Count("targets")).values_list("pk", "n"))
    inspected = dict(
        Inspection.objects.filter(campaign_id__in=campaign_ids, status=InspectionStatus.COMPLETED)
        .values("campaign_id")
        .annotate(n=Count("institution_id", distinct=True))
        .values_list("campaign_id", "n")
    )
    campaigns = [CampaignLine(e, targets.get(e.campaign_id, 0), inspected.get(e.campaign_id, 0)) for e in entries]
    coverage = []
    for target in plan.targets.select_related("street"):
        institutions = Institution.objects.exclude(status__in=CLOSED_STATUSES)
        if target.institution_kind:
            institutions = institutions.filter(kind=target.institution_kind)
        if target.street_id:
            institutions = institutions.filter(street_id=target.street_id)
        per = (
            Inspection.objects.filter(
                institution__in=institutions,
                status=InspectionStatus.COMPLETED,
                completed_at__year=plan.year,
            )
            .values("institution_id")
            .annotate(n=Count("pk"))
        )
        counts = [row["n"] for row in per]
        coverage.append(
            CoverageLine(target, institutions.count(), sum(1 for n in counts if n >= target.times), sum(counts))
        )
    return campaigns, coverage


def published_plans() -> QuerySet[YearPlan]:
    return YearPlan.objects.filter(status="published")


def public_draws() -> QuerySet[Draw]:
    """Every draw is public from the moment it is made (双随机一公开)."""
    return Draw.objects.select_related("campaign").order_by("-made_at")


@dataclass
class PublicRow:
    name: str
    credit_code: str
    kind: str
    street: str
    departments: list[str]  # the team's departments (officers are not named on the portal)
    completed_on: date | None
    findings: int | None  # None until the inspection is completed
    publish_by: date | None


def public_rows(draw: Draw) -> list[PublicRow]:
    """What the portal shows of a draw: each institution drawn, its team's departments, and its result once the
    inspection is completed (published then, within the JIANGUAN_RANDOM_RESULT_WORKING_DAYS window)."""
    rows = draw_rows(draw)
    completed = [r.inspection.pk for r in rows if r.inspection and r.inspection.status == InspectionStatus.COMPLETED]
    findings = dict(Inspection.objects.filter(pk__in=completed).annotate(n=Count("findings")).values_list("pk", "n"))
    out = []
    for row in rows:
        done = row.inspection if row.inspection and row.inspection.pk in findings else None
        institution = row.target.institution
        out.append(
            PublicRow(
                name=institution.name,
                credit_code=institution.credit_code or "",
                kind=row.target.get_kind_display(),
                street=institution.street.name if institution.street else "",
                departments=sorted({m.department.name for m in row.members}),
                completed_on=timezone.localtime(done.completed_at).date() if done and done.completed_at else None,
                findings=findings[done.pk] if done else None,
                publish_by=row.publish_by,
            )
        )
    return out
