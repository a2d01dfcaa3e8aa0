"""The campaign statistics counted the slow way, from the findings: what the rollup-based figures are held to by the
rollup tests and by the statistics bench (benchmarks/dashboard_cases.py)."""

from __future__ import annotations

from jianguan.inspections.choices import InspectionStatus
from jianguan.inspections.models import Finding, Inspection
from jianguan.ledger.choices import ItemStatus
from jianguan.reports.statistics import campaign_statistics


def statistics_counted_live(campaign, as_of):
    """The campaign statistics' figures counted from the findings, as they were before the rollups: inspected
    institutions, overdue problems, per category (institutions, problems, rectified institutions, rectified problems,
    overdue) and per street (inspected, with problems, problems, rectified)."""
    completed = Inspection.objects.filter(
        campaign=campaign, status=InspectionStatus.COMPLETED, completed_at__date__lte=as_of
    )
    street_of = dict(completed.values_list("institution_id", "institution__street__name"))
    inspected: dict[str, int] = {}
    for street in street_of.values():
        inspected[street] = inspected.get(street, 0) + 1
    rows = Finding.objects.filter(inspection__in=completed).values_list(
        "category", "inspection__institution_id", "fixed_on_site", "ledger_item__status", "ledger_item__closed_on",
        "ledger_item__deadline",
    )  # fmt: skip
    categories: dict[str, list] = {}
    with_problems: set[int] = set()
    findings = rectified_findings = 0
    streets: dict[str, list] = {name: [n, set(), 0, 0] for name, n in inspected.items()}
    overdue = 0
    for category, institution, on_site, status, closed_on, deadline in rows:
        rectified = on_site or (status == ItemStatus.CLOSED and closed_on is not None and closed_on <= as_of)
        late = not rectified and deadline is not None and deadline < as_of and status != ItemStatus.ESCALATED
        cat = categories.setdefault(category, [set(), 0, set(), 0, 0])
        cat[0].add(institution)
        cat[1] += 1
        if not rectified:
            cat[2].add(institution)
        cat[3] += rectified
        cat[4] += late
        overdue += late
        with_problems.add(institution)
        findings += 1
        rectified_findings += rectified
        street = streets[street_of[institution]]
        street[1].add(institution)
        street[2] += 1
        street[3] += rectified
    return (
        (
            campaign.targets.count(),
            sum(inspected.values()),
            len(with_problems),
            findings,
            rectified_findings,
            (overdue, overdue),
        ),
        {c: (len(a), n, len(a) - len(o), r, late) for c, (a, n, o, r, late) in categories.items()},
        {name: (n, len(a), f, r) for name, (n, a, f, r) in streets.items()},
    )


def statistics_shown(campaign, as_of):
    """The same figures as campaign_statistics gives them (from the rollups); the overdue list's length beside the
    overdue count."""
    stats = campaign_statistics(campaign, as_of)
    return (
        (
            stats.targets,
            stats.inspected,
            stats.with_problems,
            stats.findings,
            stats.rectified_findings,
            (stats.overdue_findings, len(stats.overdue)),
        ),
        {
            c.category: (c.institutions, c.findings, c.rectified_institutions, c.rectified_findings, c.overdue_findings)
            for c in stats.categories
        },
        {s.street: (s.inspected, s.with_problems, s.findings, s.rectified_findings) for s in stats.streets},
    )
