"""Reads for streets, departments, the responsibility matrix and the working-day calendar."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jianguan.lib import workdays
from jianguan.org.choices import CheckCategory, DepartmentKind, RegionLevel
from jianguan.org.models import Department, HolidayNotice, Region, Responsibility, WorkdayOverride
from jianguan.registry.choices import InstitutionKind

# Set on the outermost atomic block of a transaction that changed the calendar (see calendar_cache_usable).
CALENDAR_DIRTY = "_jianguan_calendar_changed"


ALL_KINDS = ""  # a matrix row for every institution kind without its own row


@dataclass
class Cell:
    """One pair of the matrix — an institution kind and a check category (or one item of it) — with the departments
    competent for it: its own row where it has one, else the row for every kind, else (for an item) its category's."""

    institution_kind: str
    kind_label: str
    leads: list[Department] = field(default_factory=list)
    supporting: list[Department] = field(default_factory=list)
    inherited: bool = False  # from the all-kinds row or the category's, not a row of its own
    category: str = ""

    @property
    def problem(self) -> str:
        if not self.leads:
            return "gap"
        if len(self.leads) > 1:
            return "overlap"
        stations = [d for d in self.supporting if d.kind == DepartmentKind.POLICE_STATION]
        if self.leads[0].kind == DepartmentKind.POLICE_STATION or (
            stations and self.category != CheckCategory.FIRE_SAFETY
        ):
            return "police_station"
        return ""

    @property
    def problem_label(self) -> str:
        return {
            "gap": _("空白：无牵头部门"),
            "overlap": _("交叉：多个牵头部门"),
            "police_station": _("派出所只能配合日常消防监督检查（公安部令第120号），不能牵头，也不参与其他类别"),
        }.get(self.problem, "")


@dataclass
class MatrixRow:
    """A check category, or one checklist item of it the matrix splits off, across the institution kinds."""

    category: str
    label: str
    item_code: str = ""
    cells: list[Cell] = field(default_factory=list)
    # The all-kinds entry (the default for kinds without their own row).
    leads: list[Department] = field(default_factory=list)
    supporting: list[Department] = field(default_factory=list)

    @property
    def problems(self) -> list[Cell]:
        return [c for c in self.cells if c.problem]

    @property
    def problem(self) -> str:
        return self.problems[0].problem if self.problems else ""

    @property
    def problem_label(self) -> str:
        return "；".join(f"{c.kind_label}：{c.problem_label}" for c in self.problems)


Key = tuple[str, str, str]  # (institution kind or ALL_KINDS, category, item code or "")


class Competence:
    """The responsibility matrix read once (one query), answering who is competent for a pair. The most specific
    entry wins: the kind's own row for the item, the all-kinds row for the item, the kind's row for the category,
    the all-kinds row for the category."""

    def __init__(self) -> None:
        self.entries: dict[Key, tuple[list[Department], list[Department]]] = {}
        for r in Responsibility.objects.select_related("department").order_by("department_id"):
            leads, supporting = self.entries.setdefault((r.institution_kind, r.category, r.item_code), ([], []))
            (leads if r.is_lead else supporting).append(r.department)

    def entry(self, kind: str, category: str, item_code: str = "") -> tuple[list[Department], list[Department]]:
        """The (leads, supporting) stored for exactly this key (not inherited): what its edit form starts from."""
        return self.entries.get((kind, category, item_code), ([], []))

    def cell(self, kind: str, category: str, item_code: str = "") -> Cell:
        keys: list[Key] = []
        if item_code:
            keys += [(kind, category, item_code), (ALL_KINDS, category, item_code)]
        keys += [(kind, category, ""), (ALL_KINDS, category, "")]
        label = str(InstitutionKind(kind).label) if kind else str(_("所有类型"))
        for n, key in enumerate(dict.fromkeys(keys)):
            if key in self.entries and self.entries[key][0]:
                leads, supporting = self.entries[key]
                return Cell(kind, label, list(leads), list(supporting), inherited=n > 0, category=category)
        return Cell(kind, label, category=category)

    def lead(self, kind: str, category: str, item_code: str = "") -> Department | None:
        """The competent (lead) department, or None for a gap; the first one where the matrix has an overlap (the
        matrix page and `check_responsibilities` report it)."""
        leads = self.cell(kind, category, item_code).leads
        return leads[0] if leads else None

    def item_codes(self) -> dict[str, list[str]]:
        """category → the item codes the matrix splits off it."""
        codes: dict[str, list[str]] = {}
        for _kind, category, code in sorted(self.entries):
            if code and code not in codes.setdefault(category, []):
                codes[category].append(code)
        return codes


def responsibility_matrix(competence: Competence | None = None) -> list[MatrixRow]:
    """Every check category (then each item split off it) with its cell for every institution kind."""
    competence = competence or Competence()
    labels = item_labels()
    split = competence.item_codes()
    rows = []
    for c in CheckCategory:
        for code in ["", *split.get(c.value, [])]:
            general = competence.entries.get((ALL_KINDS, c.value, code), ([], []))
            row = MatrixRow(
                category=c.value,
                label=str(c.label) if not code else f"{c.label} · {labels.get(code, code)}",
                item_code=code,
                leads=list(general[0]),
                supporting=list(general[1]),
            )
            row.cells = [competence.cell(k.value, c.value, code) for k in InstitutionKind]
            rows.append(row)
    return rows


def responsibility_problems() -> list[MatrixRow]:
    """Rows with a gap (no lead department), an overlap (more than one) or a 派出所 as lead for some kind."""
    return [row for row in responsibility_matrix() if row.problems]


def item_labels() -> dict[str, str]:
    """checklist item code → the wording of the newest item carrying it (for the matrix page)."""
    from django.apps import apps

    item_model = apps.get_model("checklists", "ChecklistItem")
    labels: dict[str, str] = {}
    for code, text in item_model.objects.exclude(code="").order_by("pk").values_list("code", "text"):
        labels[code] = text
    return labels


def lead_department_for(category: str, kind: str = ALL_KINDS, item_code: str = "") -> Department | None:
    return Competence().lead(kind, category, item_code)


def streets() -> QuerySet[Region]:
    return Region.objects.filter(level__in=[RegionLevel.STREET, RegionLevel.TOWNSHIP], is_active=True)


def workday_overrides_for_year(year: int) -> workdays.YearOverrides:
    """The year's override days, and whether the year is declared: by its own notice or by an admin's entry.

    A neighbouring year's notice may reach into this one (元旦 2023 began on 2022-12-31); its days apply here but do
    not by themselves declare the year.
    """
    rows = WorkdayOverride.objects.filter(date__year=year).values_list("date", "is_working_day", "notice__year")
    days: dict[date, bool] = {}
    declared = False
    for day, working, notice_year in rows:
        days[day] = working
        declared = declared or notice_year in (None, year)
    return workdays.YearOverrides(days=days, declared=declared)


def calendar_cache_usable() -> bool:
    """False while this thread's transaction holds uncommitted calendar changes: they may still roll back, so the
    process-wide cache neither serves the old year nor keeps the new one (the commit clears it)."""
    return not any(getattr(block, CALENDAR_DIRTY, False) for block in connection.atomic_blocks)


@dataclass(frozen=True)
class CalendarYear:
    year: int
    source: str  # "package", "notice", "manual" or "" (unknown)
    notice: HolidayNotice | None


def calendar_years(today: date) -> list[CalendarYear]:
    """Last year, this year and the next two: where each one's holidays come from, or that nothing covers it."""
    notices = {n.year: n for n in HolidayNotice.objects.filter(year__range=(today.year - 1, today.year + 2))}
    result = []
    for year in range(today.year - 1, today.year + 3):
        if year in notices:
            source = "notice"
        elif workdays.package_knows(year):
            source = "package"
        elif workdays.year_is_known(year):
            source = "manual"
        else:
            source = ""
        result.append(CalendarYear(year, source, notices.get(year)))
    return result


@dataclass(frozen=True)
class DayCell:
    day: date | None  # None pads the first and last week of a month
    working: bool = False

    @property
    def adjusted(self) -> bool:
        """A weekend worked (调休上班) or a weekday rested (放假): what a notice changes."""
        return self.day is not None and self.working == (self.day.weekday() >= 5)


def month_grids(year: int, is_working: Callable[[date], bool]) -> list[tuple[int, list[DayCell]]]:
    """The year month by month as Monday-first weeks of cells, each day with whether it is worked."""
    months = []
    for month in range(1, 13):
        cells = [
            DayCell(d, is_working(d)) if d.month == month else DayCell(None)
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
            for d in week
        ]
        months.append((month, cells))
    return months


# From this day of the year the next year's calendar is due (the State Council publishes it in October to December).
NEXT_YEAR_WARNING_FROM = (10, 1)


@dataclass(frozen=True)
class CalendarGap:
    year: int
    message: str


def calendar_gaps(today: date) -> list[CalendarGap]:
    """Years whose deadlines cannot be counted yet: this year always, next year from 1 October."""
    years = [today.year]
    if (today.month, today.day) >= NEXT_YEAR_WARNING_FROM:
        years.append(today.year + 1)
    return [
        CalendarGap(
            year,
            _(
                "%(year)s年的法定节假日安排尚未收录，跨入该年的整改期限、办理期限将无法计算，整改通知书会等待。"
                "国务院办公厅的通知发布后，请导入通知原文。"
            )
            % {"year": year},
        )
        for year in years
        if not workdays.year_is_known(year)
    ]


def countable_day(today: date, *, before: timedelta, after: timedelta) -> date | None:
    """The latest day up to ``today`` around which the calendar covers ``before`` and ``after`` it: today itself,
    or, while a year is missing, the last such day before it (None when there is none in the last few years).

    For data told as of a day (the demo, benchmark data): it is dated back rather than invent a holiday arrangement."""
    candidates = [today] + [date(year, 12, 31) - after for year in range(today.year, today.year - 4, -1)]
    for day in candidates:
        if day <= today and not calendar_missing_years(day - before, day + after):
            return day
    return None


def calendar_missing_years(first: date, last: date) -> list[int]:
    """The years between ``first`` and ``last`` whose days cannot be counted (empty: the span is covered)."""
    return [year for year in range(first.year, last.year + 1) if not workdays.year_is_known(year)]
