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
from jianguan.org.choices import CheckCategory, RegionLevel
from jianguan.org.models import Department, HolidayNotice, Region, Responsibility, WorkdayOverride

# Set on the outermost atomic block of a transaction that changed the calendar (see calendar_cache_usable).
CALENDAR_DIRTY = "_jianguan_calendar_changed"


@dataclass
class MatrixRow:
    category: str
    label: str
    leads: list[Department] = field(default_factory=list)
    supporting: list[Department] = field(default_factory=list)

    @property
    def problem(self) -> str:
        if not self.leads:
            return "gap"
        if len(self.leads) > 1:
            return "overlap"
        return ""

    @property
    def problem_label(self) -> str:
        return {"gap": _("空白：无牵头部门"), "overlap": _("交叉：多个牵头部门")}.get(self.problem, "")


def responsibility_matrix() -> list[MatrixRow]:
    """Every check category with its lead and supporting departments, in the categories' order."""
    rows = {c.value: MatrixRow(category=c.value, label=str(c.label)) for c in CheckCategory}
    for resp in Responsibility.objects.select_related("department").order_by("department_id"):
        row = rows[resp.category]
        (row.leads if resp.is_lead else row.supporting).append(resp.department)
    return list(rows.values())


def responsibility_problems() -> list[MatrixRow]:
    """Categories with no lead department (gaps) or more than one (overlaps)."""
    return [row for row in responsibility_matrix() if row.problem]


def lead_department_for(category: str) -> Department | None:
    resp = Responsibility.objects.filter(category=category, is_lead=True).select_related("department").first()
    return resp.department if resp else None


def lead_departments() -> dict[str, Department]:
    """check category → its lead department (the first, where the matrix has an overlap), in one query."""
    result: dict[str, Department] = {}
    for r in Responsibility.objects.filter(is_lead=True).select_related("department").order_by("department_id"):
        result.setdefault(r.category, r.department)
    return result


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
