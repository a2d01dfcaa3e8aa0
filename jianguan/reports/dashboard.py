"""The supervision dashboard (领导驾驶舱): what a leader reads without asking anyone, within the reader's scope.

Every section is a table (rows of cells, each number with the URL of the list behind it) from which the template
draws the chart, shows the table and offers the Excel export — so the chart, the table and the file never disagree.
All figures are database aggregates: about fifteen queries whatever the number of institutions and items. The ledger
and institution figures are sums over the rollup tables (reports.models, kept by triggers in the writing transaction),
so their cost follows the number of cells, not of records; a scope the rollups cannot express is counted live from the
records, and for a department officer the items assigned to them in another department are counted live and added.
Plain counts are COUNT(*), not COUNT(id), so that PostgreSQL can answer them from an index alone."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from jianguan.inspections.models import Campaign
from jianguan.ledger.choices import OPEN_STATUSES
from jianguan.ledger.models import LedgerItem
from jianguan.org.choices import CheckCategory
from jianguan.org.models import Department, Region
from jianguan.registry.choices import InstitutionKind, OperatingStatus
from jianguan.registry.models import Institution
from jianguan.reports.models import (
    InspectedRollup,
    InstitutionRollup,
    LedgerClosedRollup,
    LedgerFoundRollup,
    LedgerOpenRollup,
    LedgerRollup,
    LedgerTotalRollup,
    RiskRollup,
    TargetRollup,
)
from jianguan.reports.rollups import RollupScope, cell_sum, institution_cells, rollup_scope


@dataclass
class Filters:
    campaign: Campaign | None = None
    street: Region | None = None
    department: Department | None = None
    date_from: date | None = None
    date_to: date | None = None

    def ledger_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.campaign:
            params["campaign"] = self.campaign.pk
        if self.street:
            params["street"] = self.street.pk
        if self.department:
            params["department"] = self.department.pk
        if self.date_from:
            params["found_from"] = self.date_from.isoformat()
        if self.date_to:
            params["found_to"] = self.date_to.isoformat()
        return params


@dataclass
class Cell:
    value: Any
    url: str = ""


@dataclass
class Section:
    key: str
    title: str
    chart: str  # "bar", "stacked", "line"
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    series: list[int] = field(default_factory=list)  # which columns the chart draws
    percent: list[int] = field(default_factory=list)  # columns holding percentages

    def rows_html(self) -> SafeString:
        """The table's rows as HTML: numbers right-aligned, each linked to the list behind it (built here, not by nested
        template loops, which took most of the page's render time)."""
        if not self.rows:
            return format_html(
                '<tr><td colspan="{}" class="text-secondary">{}</td></tr>', len(self.headers), _("没有数据。")
            )

        def cell(first: bool, c: Cell) -> str:
            content = format_html('<a href="{}">{}</a>', c.url, c.value) if c.url else conditional_escape(c.value)
            return (
                format_html("<td>{}</td>", content) if first else format_html('<td class="text-end">{}</td>', content)
            )

        return mark_safe(  # noqa: S308 - every part is escaped by format_html/conditional_escape above
            "".join("<tr>" + "".join(cell(i == 0, c) for i, c in enumerate(row)) + "</tr>" for row in self.rows)
        )

    def option(self) -> dict[str, Any]:
        """An ECharts option (drawn by static/js/dashboard.js; locale ZH; animation off when motion is reduced)."""
        labels = [str(r[0].value) for r in self.rows]
        kind = "line" if self.chart == "line" else "bar"
        series = [
            {
                "name": self.headers[c],
                "type": kind,
                "data": [r[c].value for r in self.rows],
                **({"stack": "total"} if self.chart == "stacked" else {}),
                **({"yAxisIndex": 1} if c in self.percent and len(self.series) > 1 else {}),
            }
            for c in self.series
        ]
        y_axes: list[dict[str, Any]] = [{"type": "value", "minInterval": 1}]
        if self.percent and len(self.series) > 1:
            y_axes.append({"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}})
        elif self.percent:
            y_axes = [{"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}}]
        return {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 40, "right": 40 if len(y_axes) > 1 else 16, "top": 36, "bottom": 56},
            "xAxis": {
                "type": "category",
                "data": labels,
                "axisLabel": {"interval": 0, "rotate": 30 if len(labels) > 6 or sum(map(len, labels)) > 30 else 0},
            },
            "yAxis": y_axes,
            "series": series,
        }


# Rectified on time: closed out, and either closed or the rectification submitted by the deadline (a recheck may come
# a few working days after a deadline the institution met).
ON_TIME = Q(status="closed") & (Q(closed_on__lte=F("deadline")) | Q(submitted_on__lte=F("deadline")))


@functools.lru_cache(maxsize=64)
def _path(name: str, prefix: str) -> str:
    """A list's path, reversed once per script prefix (a page links to ~200 lists of a dozen names)."""
    return reverse(name)


def _url(name: str, **params: Any) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return _path(name, get_script_prefix()) + ("?" + urlencode(params) if params else "")


def _pct(part: int, whole: int) -> float:
    return round(part * 100 / whole, 1) if whole else 0.0


def _cells(model: Any, scope: RollupScope, f: Filters, day: str = "found_on") -> QuerySet:
    return _filtered(model.objects.filter(scope.cells), f, day).order_by()


def _filtered(rows: QuerySet, f: Filters, day: str = "found_on") -> QuerySet:
    """Ledger items or rollup cells (both hold campaign_id, street_id and department_id; the item's street is its
    copy of its institution's: no join) within the filters; `day` is the date the span applies to."""
    if f.campaign:
        rows = rows.filter(campaign_id=f.campaign.pk)
    if f.street:
        rows = rows.filter(street_id=f.street.pk)
    if f.department:
        rows = rows.filter(department_id=f.department.pk)
    if f.date_from:
        rows = rows.filter(**{f"{day}__gte": f.date_from})
    if f.date_to:
        rows = rows.filter(**{f"{day}__lte": f.date_to})
    return rows


def _items(user: Any, f: Filters) -> QuerySet[LedgerItem]:
    return _filtered(LedgerItem.objects.visible_to(user), f)


def _institutions(user: Any, f: Filters) -> QuerySet[Institution]:
    institutions = Institution.objects.visible_to(user)
    return institutions.filter(street=f.street) if f.street else institutions


def institution_counts(user: Any, f: Filters) -> list[tuple[str, str, int]]:
    """(kind, status, n) within scope and the street filter: from the rollup, or live for a scope it cannot express
    (Institution.scope_q: district-wide and department officers see every institution, a street officer theirs)."""
    scope = institution_cells(user)
    if scope is None:
        return list(_institutions(user, f).values_list("kind", "status").annotate(n=Count("*")).order_by())
    cells = InstitutionRollup.objects.filter(scope)
    if f.street:
        cells = cells.filter(street_id=f.street.pk)
    return list(cells.values_list("kind", "status").annotate(n=cell_sum()).order_by())


def institutions_by_kind(user: Any, f: Filters) -> Section:
    grid: dict[str, dict[str, int]] = defaultdict(dict)
    for kind, status, n in institution_counts(user, f):
        grid[kind][status] = n
    statuses = [s for s in OperatingStatus.values if any(s in row for row in grid.values())] or [OperatingStatus.NORMAL]
    labels = dict(OperatingStatus.choices)
    street = f.street.pk if f.street else None
    section = Section(
        "institutions", _("机构类型与经营状态"), "stacked",
        [_("类型"), *[str(labels[s]) for s in statuses], _("合计")], series=list(range(1, len(statuses) + 1)),
    )  # fmt: skip
    listing = "registry:institution_list"
    for kind, label in InstitutionKind.choices:
        row = grid.get(kind, {})
        section.rows.append(
            [Cell(str(label))]
            + [Cell(row.get(s, 0), _url(listing, kind=kind, status=s, street=street)) for s in statuses]
            + [Cell(sum(row.values()), _url(listing, kind=kind, street=street))]
        )
    return section


def campaign_coverage(user: Any, f: Filters) -> Section:
    campaigns = Campaign.objects.visible_to(user)
    campaigns = campaigns.filter(pk=f.campaign.pk) if f.campaign else campaigns.order_by("-starts_on", "-pk")[:6]
    ids = [c.pk for c in campaigns]
    inspected = InspectedRollup.objects.filter(campaign_id__in=ids)  # (campaign, institution) pairs
    targets = TargetRollup.objects.filter(campaign_id__in=ids)  # campaign × street cells
    if f.street:
        inspected = inspected.filter(street_id=f.street.pk)
        targets = targets.filter(street_id=f.street.pk)
    done = dict(inspected.values_list("campaign_id").annotate(n=cell_sum()).order_by())
    totals = dict(targets.values_list("campaign_id").annotate(n=cell_sum()).order_by())
    section = Section(
        "campaigns", _("专项行动覆盖"), "bar", [_("专项行动"), _("检查对象"), _("已检查"), _("覆盖率 %")], series=[1, 2]
    )
    for c in sorted(campaigns, key=lambda c: (c.starts_on, c.pk)):
        url = reverse("inspections:campaign_detail", args=[c.pk])
        n_targets, n_done = totals.get(c.pk, 0), done.get(c.pk, 0)
        section.rows.append([Cell(c.name), Cell(n_targets, url), Cell(n_done, url), Cell(_pct(n_done, n_targets))])
    section.percent = [3]
    return section


# Problems, closed, on time and overdue per (category, department, street): one pass over the items in scope, from
# which the three rectification sections are added up.
Counts = dict[tuple[str, int, int], tuple[int, int, int, int]]


def rectification_counts(user: Any, f: Filters) -> Counts:
    today = timezone.localdate()
    scope = rollup_scope(user)
    if scope is None:
        return live_rectification_counts(_items(user, f), today)
    group = ("category", "department_id", "street_id")
    if f.date_from or f.date_to:  # the day found is a dimension of the finest table only
        rows = (
            _cells(LedgerRollup, scope, f)
            .values_list(*group)
            .annotate(
                total=cell_sum(),
                closed=cell_sum(Q(status="closed")),
                on_time=cell_sum(Q(on_time=True)),
                overdue=cell_sum(Q(status__in=OPEN_STATUSES, open_deadline__lt=today)),
            )
        )
    else:  # totals from a few thousand cells, overdue from the open items' deadlines
        overdue = dict(_overdue_cells(scope, f, today, group))
        rows = [
            (*key, total, closed, on_time, overdue.get(tuple(key), 0))
            for *key, total, closed, on_time in _cells(LedgerTotalRollup, scope, f)
            .values_list(*group)
            .annotate(total=cell_sum(), closed=cell_sum(Q(status="closed")), on_time=cell_sum(Q(on_time=True)))
        ]
    counts: Counts = {(category, department, street): tuple(numbers) for category, department, street, *numbers in rows}
    if scope.live_items is not None:
        for key, numbers in live_rectification_counts(_items(user, f).filter(scope.live_items), today).items():
            counts[key] = tuple(a + b for a, b in zip(counts.get(key, (0, 0, 0, 0)), numbers, strict=True))
    return {key: numbers for key, numbers in counts.items() if numbers[0]}


def _overdue_cells(scope: RollupScope, f: Filters, today: date, group: tuple[str, ...]) -> list[tuple[tuple, int]]:
    cells = _cells(LedgerOpenRollup, scope, f).filter(deadline__lt=today)
    return [(tuple(key), n) for *key, n in cells.values_list(*group).annotate(n=cell_sum())]


def live_rectification_counts(items: QuerySet[LedgerItem], today: date) -> Counts:
    """The same counts from the records (a scope the rollups cannot express; the tests' reference)."""
    rows = (
        items.values_list("category", "department", "street")
        .annotate(
            total=Count("pk"),
            closed=Count("pk", filter=Q(status="closed")),
            on_time=Count("pk", filter=ON_TIME),
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
        )
        .order_by()
    )
    return {(category, department, street): tuple(numbers) for category, department, street, *numbers in rows}


# key → (position in the counts' key, the ledger list's parameter)
RECTIFICATION_GROUPS = {"categories": (0, "category"), "departments": (1, "department"), "streets": (2, "street")}


def _rectification(counts: Counts, f: Filters, key: str) -> Section:
    """Problems, closed, rectification rate, on-time rate (closed by the deadline, of those closed), overdue — by
    category, department or street."""
    position, param = RECTIFICATION_GROUPS[key]
    found: dict[Any, list[int]] = {}
    for group, numbers in counts.items():
        totals = found.setdefault(group[position], [0, 0, 0, 0])
        for i, n in enumerate(numbers):
            totals[i] += n
    if key == "categories":
        groups = [(v, str(label)) for v, label in CheckCategory.choices if v in found]
        title, heading = _("问题类别（整改率、按期整改率）"), _("问题类别")
    elif key == "streets":
        streets = Region.objects.filter(pk__in=[k for k in found if k]).order_by("code")
        groups = [(s.pk, s.name) for s in streets]
        title, heading = _("街道/乡镇（整改率、按期整改率）"), _("街道/乡镇")
    else:
        departments = Department.objects.filter(pk__in=[k for k in found if k]).order_by("pk")
        groups = [(d.pk, d.name) for d in departments]
        title, heading = _("监管部门（整改率、按期整改率）"), _("监管部门")
    section = Section(
        key, title, "bar",
        [heading, _("问题个数"), _("已销号"), _("整改率 %"), _("按期整改率 %"), _("逾期")],
        series=[3, 4], percent=[3, 4],
    )  # fmt: skip
    base = f.ledger_params()
    for value, label in groups:
        total, closed, on_time, overdue = found[value]
        params = {**base, param: value}
        section.rows.append([
            Cell(label),
            Cell(total, _url("ledger:item_list", **params)),
            Cell(closed, _url("ledger:item_list", **params, status="closed")),
            Cell(_pct(closed, total)),
            Cell(_pct(on_time, closed)),
            Cell(overdue, _url("ledger:item_list", **params, status="overdue")),
        ])  # fmt: skip
    return section


def _week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def trends(user: Any, f: Filters) -> tuple[Section, Section]:
    """Problems found (inspection completed) and closed out, per week (12) and per month (12), up to the period's end."""
    end = min(f.date_to or timezone.localdate(), timezone.localdate())
    first_week = _week_start(end) - timedelta(weeks=11)
    first_month = date(end.year - (1 if end.month < 12 else 0), end.month % 12 + 1, 1)
    start = min(first_week, first_month)
    if f.date_from:
        start = max(start, f.date_from)
    found, closed = per_day(user, Filters(f.campaign, f.street, f.department), start, end)
    weekly: dict[date, list[int]] = {first_week + timedelta(weeks=i): [0, 0] for i in range(12)}
    monthly: dict[date, list[int]] = {}
    m = first_month
    while m <= end:
        monthly[m] = [0, 0]
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    for column, rows in ((0, found), (1, closed)):
        for day, n in rows:
            if day is None:
                continue
            if (w := _week_start(day)) in weekly:
                weekly[w][column] += n
            if (mo := day.replace(day=1)) in monthly:
                monthly[mo][column] += n
    base = {k: v for k, v in f.ledger_params().items() if k not in ("found_from", "found_to")}

    def cells(first: date, last: date, found_n: int, closed_n: int) -> list[Cell]:
        span = {"found_from": first.isoformat(), "found_to": last.isoformat()}
        closed_span = {"closed_from": first.isoformat(), "closed_to": last.isoformat()}
        return [
            Cell(found_n, _url("ledger:item_list", **base, **span)),
            Cell(closed_n, _url("ledger:item_list", **base, **closed_span)),
        ]

    headers = [_("周"), _("发现问题"), _("销号")]
    week = Section("weekly", _("每周趋势"), "line", headers, series=[1, 2])
    week.rows = [[Cell(f"{w:%m-%d}"), *cells(w, w + timedelta(days=6), a, b)] for w, (a, b) in weekly.items()]
    month = Section("monthly", _("每月趋势"), "line", [_("月份"), headers[1], headers[2]], series=[1, 2])
    month.rows = [[Cell(f"{mo:%Y-%m}"), *cells(mo, _month_end(mo), a, b)] for mo, (a, b) in monthly.items()]
    return week, month


def per_day(user: Any, f: Filters, start: date, end: date) -> tuple[list[tuple[date, int]], list[tuple[date, int]]]:
    """Items found and items closed out per day from start to end (f's dates are not used): (day, n) lists."""
    scope = rollup_scope(user)
    live = _items(user, f) if scope is None else _items(user, f).filter(scope.live_items) if scope.live_items else None
    found: list[tuple[date, int]] = []
    closed: list[tuple[date, int]] = []
    if scope is not None:
        span = Filters(f.campaign, f.street, f.department, start, end)
        found += _cells(LedgerFoundRollup, scope, span).values_list("found_on").annotate(n=cell_sum())
        closed += (
            _cells(LedgerClosedRollup, scope, span, day="closed_on").values_list("closed_on").annotate(n=cell_sum())
        )
    if live is not None:
        found += live.filter(found_on__gte=start, found_on__lte=end).values_list("found_on").annotate(n=Count("*"))
        closed += live.filter(closed_on__gte=start, closed_on__lte=end).values_list("closed_on").annotate(n=Count("*"))
    return found, closed


def _month_end(first: date) -> date:
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return following - timedelta(days=1)


@dataclass
class Headline:
    label: str
    value: Any
    url: str = ""


def headlines(f: Filters, sections: dict[str, Section]) -> list[Headline]:
    """Figures read off the sections (no query of their own): the same numbers as the tables below them."""
    from jianguan.alerts.choices import AlertKind

    street = f.street.pk if f.street else None
    by_category = sections["categories"].rows
    total = sum(r[1].value for r in by_category)
    closed = sum(r[2].value for r in by_category)
    overdue = sum(r[5].value for r in by_category)
    expiring = sections["alerts"].rows[list(AlertKind.values).index(AlertKind.LICENCE_EXPIRING)][1]
    base = f.ledger_params()
    return [
        Headline(_("机构"), sum(r[-1].value for r in sections["institutions"].rows),
                 _url("registry:institution_list", street=street)),
        Headline(_("证照即将到期"), expiring.value, expiring.url),
        Headline(_("发现问题"), total, _url("ledger:item_list", **base)),
        Headline(_("整改率"), f"{_pct(closed, total)}%", _url("ledger:item_list", **base, status="closed")),
        Headline(_("逾期未整改"), overdue, _url("ledger:item_list", **base, status="overdue")),
    ]  # fmt: skip


def risk_levels(user: Any, f: Filters) -> Section:
    """Institutions per risk level (A 低 … D 高) within scope; the rating list behind each number."""
    from jianguan.risk.choices import RiskLevel
    from jianguan.risk.models import RiskRating

    if (scope := institution_cells(user)) is not None:
        cells = RiskRollup.objects.filter(scope)
        if f.street:
            cells = cells.filter(street_id=f.street.pk)
        counts = dict(cells.order_by().values_list("level").annotate(n=cell_sum()))
    else:
        ratings = RiskRating.objects.visible_to(user)
        if f.street:
            ratings = ratings.filter(institution__street=f.street)
        counts = dict(ratings.order_by().values_list("level").annotate(n=Count("*")))
    section = Section("risk", _("风险评级"), "bar", [_("等级"), _("机构数")], series=[1])
    section.rows = [
        [Cell(str(label)), Cell(counts.get(level, 0), _url("risk:rating_list", level=level))]
        for level, label in RiskLevel.choices
    ]
    return section


def alert_section(user: Any, f: Filters) -> Section:
    """Current early warnings per kind within scope and the street filter (COUNT queries: a district holds tens of
    thousands), each linked to the warning list showing exactly those (acknowledged ones included)."""
    from jianguan.alerts.choices import AlertKind
    from jianguan.alerts.selectors import alert_totals

    street = f.street.pk if f.street else None
    counts = alert_totals(user, street)
    section = Section("alerts", _("预警"), "bar", [_("预警类型"), _("当前预警")], series=[1])
    section.rows = [
        [Cell(str(label)), Cell(counts.get(kind, 0), _url("alerts:alert_list", kind=kind, street=street, state="all"))]
        for kind, label in AlertKind.choices
    ]
    return section


def case_clocks(user: Any, f: Filters) -> Section:
    """The penalty cases' statutory clocks within scope: per clock, how many run, are due soon and have run out (one
    query over the open cases; the clocks are computed from their dates, never stored)."""
    from jianguan.enforcement.choices import OPEN_STATUSES as OPEN_CASES
    from jianguan.enforcement.clocks import clocks
    from jianguan.enforcement.selectors import cases_for

    cases = cases_for(user).filter(status__in=OPEN_CASES)
    if f.department:
        cases = cases.filter(department=f.department)
    if f.street:
        cases = cases.filter(institution__street=f.street)
    today = timezone.localdate()
    counts: dict[str, dict[str, int]] = {}
    labels: dict[str, str] = {}
    for case in cases.select_related(None).only(*CASE_CLOCK_FIELDS):
        for clock in clocks(case, today):
            labels[clock.code] = clock.label
            row = counts.setdefault(clock.code, {"ok": 0, "soon": 0, "overdue": 0})
            row[clock.state] += 1
    section = Section("cases", _("行政处罚案件期限"), "stacked",
                      [_("期限"), _("未到期"), _("即将到期"), _("已超期")], series=[1, 2, 3])  # fmt: skip
    url = _url("enforcement:case_list")
    section.rows = [
        [Cell(labels[code]), *(Cell(counts[code][state], url) for state in ("ok", "soon", "overdue"))]
        for code in CLOCK_ORDER
        if code in counts
    ]
    return section


def meeting_tasks(user: Any, f: Filters) -> Section:
    """The joint meeting's open tasks (督办事项) per responsible department or street: not yet due, due soon and
    overdue (one grouped query; meetings.selectors.unit_counts, which the session materials also read)."""
    from jianguan.meetings.selectors import unit_counts

    rows = unit_counts(user, department=f.department, street=f.street, today=timezone.localdate())
    section = Section("meeting_tasks", _("联席会议督办事项"), "stacked",
                      [_("责任单位"), _("未到期"), _("即将到期"), _("已超期")], series=[1, 2, 3])  # fmt: skip
    open_url, overdue_url = _url("meetings:task_list", status="open"), _url("meetings:task_list", overdue="true")
    section.rows = [
        [Cell(unit), Cell(n - soon - overdue, open_url), Cell(soon, open_url), Cell(overdue, overdue_url)]
        for unit, n, soon, overdue in rows
    ]
    return section


def complaint_progress(user: Any, f: Filters) -> Section:
    """投诉举报 received in the period within scope (and street, or the department handling them), per category: how
    many, waiting for acceptance, in hand, answered or closed, refused, and overdue in hand (complaints.selectors:
    one grouped query); each cell links to the complaint list showing exactly those."""
    from jianguan.complaints.choices import ComplaintCategory
    from jianguan.complaints.selectors import complaints_for, day_start, progress_by_category

    complaints = complaints_for(user)
    if f.street:
        complaints = complaints.filter(street=f.street)
    if f.department:
        complaints = complaints.filter(assigned_department=f.department)
    if f.date_from:
        complaints = complaints.filter(received_at__gte=day_start(f.date_from))
    if f.date_to:
        complaints = complaints.filter(received_at__lt=day_start(f.date_to + timedelta(days=1)))
    counts = progress_by_category(complaints.order_by(), timezone.localdate())
    section = Section("complaints", _("投诉举报"), "stacked",
                      [_("类别"), _("收到"), _("待受理"), _("办理中"), _("已答复或办结"), _("不予受理"), _("办理超期")],
                      series=[2, 3, 4, 5])  # fmt: skip
    base = {
        "street": f.street.pk if f.street else None, "department": f.department.pk if f.department else None,
        "received_from": f.date_from.isoformat() if f.date_from else None,
        "received_to": f.date_to.isoformat() if f.date_to else None,
    }  # fmt: skip
    statuses = {"received": "", "waiting": "received", "in_hand": "assigned", "done": "", "rejected": "rejected",
                "overdue": "overdue"}  # fmt: skip
    section.rows = []
    for category, label in ComplaintCategory.choices:
        row = counts.get(category)
        if row is None:
            continue
        cells = [Cell(str(label))]
        for key, status in statuses.items():
            # 已答复或办结 spans two statuses: its cell links to the category's list.
            cells.append(Cell(row[key], _url("complaints:complaint_list", category=category, status=status, **base)))
        section.rows.append(cells)
    return section


CLOCK_ORDER = ["filing", "preservation", "decision", "reply", "service", "fine"]
CASE_CLOCK_FIELDS = [
    "status", "clue_on", "filed_on", "extension_days", "notice_served_on", "rights_waived", "decided_on",
    "served_on", "fine", "paid_on", "preserved_on", "preservation_decided_on", "fine_deferred_to",
]  # fmt: skip


def riskiest(user: Any, f: Filters, limit: int = 10) -> list[Any]:
    """The riskiest institutions still operating (risk.selectors.riskiest), within the street filter."""
    from jianguan.risk.selectors import riskiest as top

    return top(user, limit, street=f.street)


def _one_rectification(key: str) -> Callable[[Any, Filters], Section]:
    return lambda user, f: _rectification(rectification_counts(user, f), f, key)


# The sections in the page's order, each buildable alone (the Excel export of one chart). On the page, weekly and
# monthly come from one call of `trends` and the three rectification sections from one `rectification_counts`.
BUILDERS: dict[str, Callable[[Any, Filters], Section]] = {
    "institutions": institutions_by_kind,
    "campaigns": campaign_coverage,
    "categories": _one_rectification("categories"),
    "streets": _one_rectification("streets"),
    "departments": _one_rectification("departments"),
    "weekly": lambda user, f: trends(user, f)[0],
    "monthly": lambda user, f: trends(user, f)[1],
    "risk": risk_levels,
    "alerts": alert_section,
    "complaints": complaint_progress,
    "cases": case_clocks,
    "meeting_tasks": meeting_tasks,
}


def section(user: Any, f: Filters, key: str) -> Section | None:
    """One section alone, with only its own queries (the Excel export of one chart); None for an unknown key."""
    build = BUILDERS.get(key)
    return build(user, f) if build is not None else None


def dashboard(user: Any, f: Filters) -> tuple[list[Headline], list[Section]]:
    weekly, monthly = trends(user, f)
    counts = rectification_counts(user, f)
    sections: dict[str, Section] = {}
    for key, build in BUILDERS.items():
        if key in ("weekly", "monthly"):
            sections[key] = weekly if key == "weekly" else monthly
        elif key in RECTIFICATION_GROUPS:
            sections[key] = _rectification(counts, f, key)
        else:
            sections[key] = build(user, f)
    return headlines(f, sections), list(sections.values())
