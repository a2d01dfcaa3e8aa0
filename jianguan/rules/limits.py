"""The rules' limits as pure functions of the settings (rules/catalogue.py says where each comes from).

Each answers "is this allowed?" for one value, on the boundary the rule states: a class may end at 20:30 but not at
20:31; a charge may cover 60 hours but not 61, three months but not a day more; a record check 365 days old still
counts, 366 days old does not; a 非学科类 charge may be ¥5,000.00 but not ¥5,000.01. The database checks in
rules/checks.py ask the same questions through these functions (or their `*_limit` values in a query).
"""

from __future__ import annotations

import calendar
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from jianguan.courses.choices import Mode
from jianguan.lib import workdays


def _clock(name: str) -> time:
    value = getattr(settings, name)
    try:
        hour, minute = (int(part) for part in str(value).split(":"))
        return time(hour, minute)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be HH:MM, not {value!r}") from exc


def latest_end(mode: str) -> time:
    """The latest a class of this mode may end (20:30 offline, 21:00 online by default)."""
    return _clock("JIANGUAN_RULE_ONLINE_END" if mode == Mode.ONLINE else "JIANGUAN_RULE_OFFLINE_END")


def end_time_ok(end: time, mode: str) -> bool:
    return end <= latest_end(mode)


def record_check_cutoff(today: date) -> date:
    """The oldest record check that still counts today (365 days old passes, 366 does not)."""
    return today - timedelta(days=settings.JIANGUAN_RULE_RECORD_CHECK_DAYS)


def record_check_ok(checked_on: date | None, today: date) -> bool:
    return checked_on is not None and checked_on >= record_check_cutoff(today)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 January + 1 month → 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_last_day(start: date) -> date:
    """The last day a charge starting on `start` may cover: 1 March → 31 May for three months."""
    return add_months(start, settings.JIANGUAN_RULE_PREPAID_MAX_MONTHS) - timedelta(days=1)


def period_ok(start: date, end: date) -> bool:
    return end <= period_last_day(start)


def hours_ok(hours: Decimal) -> bool:
    return hours <= settings.JIANGUAN_RULE_PREPAID_MAX_HOURS


def amount_ok(amount: Decimal, academic: bool) -> bool:
    """Only 非学科类 charges have the amount cap (教监管〔2022〕4号)."""
    return academic or amount <= Decimal(settings.JIANGUAN_RULE_NONACADEMIC_MAX_CHARGE_YUAN)


@dataclass(frozen=True)
class SchoolCalendar:
    """The vacations of the years the setting gives, as sorted day ordinals."""

    vacation_days: tuple[int, ...]
    years: frozenset[int]


@lru_cache(maxsize=8)
def _school_calendar(raw: str) -> SchoolCalendar:
    import json

    data = json.loads(raw)
    days: set[int] = set()
    years: set[int] = set()
    for year, ranges in data.items():
        years.add(int(year))
        for first, last in ranges:
            a, b = date.fromisoformat(first), date.fromisoformat(last)
            if b < a:
                raise ImproperlyConfigured(f"JIANGUAN_SCHOOL_VACATIONS: {first}–{last} ends before it starts")
            days.update(range(a.toordinal(), b.toordinal() + 1))
    return SchoolCalendar(tuple(sorted(days)), frozenset(years))


def school_calendar() -> SchoolCalendar:
    import json

    try:
        return _school_calendar(json.dumps(settings.JIANGUAN_SCHOOL_VACATIONS, sort_keys=True))
    except (TypeError, ValueError, AttributeError) as exc:
        raise ImproperlyConfigured(f"JIANGUAN_SCHOOL_VACATIONS: {exc}") from exc


def is_rest_day(day: date) -> bool:
    """A statutory holiday or a weekend (休息日) on the official calendar; a 调休 working weekend is not one. A year the
    calendar does not know yet is judged by the plain week (Saturday and Sunday)."""
    try:
        return not workdays.is_working_day(day)
    except workdays.UnknownCalendarYear:
        return day.isoweekday() >= 6


@lru_cache(maxsize=16)
def _rest_ordinals(year: int) -> tuple[int, ...]:
    """The year's rest days (holidays and weekends), sorted."""
    first = date(year, 1, 1).toordinal()
    last = date(year, 12, 31).toordinal()
    return tuple(o for o in range(first, last + 1) if is_rest_day(date.fromordinal(o)))


@dataclass(frozen=True)
class ScheduleFindings:
    rest_days: tuple[date, ...]  # the first few statutory holidays or weekends the class meets on
    vacation_days: tuple[date, ...]  # the first few vacation days it meets on
    rest_count: int
    vacation_count: int


SHOWN_DAYS = 3
MAX_SPAN_DAYS = 3660


@lru_cache(maxsize=65536)
def academic_schedule(start: date, end: date, weekdays: str) -> ScheduleFindings:
    """The days a 学科类 class meeting on `weekdays` between start and end would fall on a rest day or in a vacation.
    Cached by pattern (a district's classes share few); each year's rest days are read from a sorted table, so a
    class costs the rest days and vacation days inside its dates, not a calendar lookup per day."""
    wanted = {int(d) for d in weekdays}
    vac = school_calendar().vacation_days
    rest: list[date] = []
    in_vacation: list[date] = []
    rest_count = vacation_count = 0
    end = min(end, start + timedelta(days=MAX_SPAN_DAYS))  # a mistyped year 2099 costs ten years, no more
    lo, hi = bisect_left(vac, start.toordinal()), bisect_right(vac, end.toordinal())
    for ordinal in vac[lo:hi]:
        day = date.fromordinal(ordinal)
        if day.isoweekday() in wanted:
            vacation_count += 1
            if len(in_vacation) < SHOWN_DAYS:
                in_vacation.append(day)
    for year in range(start.year, end.year + 1):
        rest_days = _rest_ordinals(year)
        lo, hi = bisect_left(rest_days, start.toordinal()), bisect_right(rest_days, end.toordinal())
        for ordinal in rest_days[lo:hi]:
            day = date.fromordinal(ordinal)
            if day.isoweekday() in wanted:
                rest_count += 1
                if len(rest) < SHOWN_DAYS:
                    rest.append(day)
    return ScheduleFindings(tuple(rest), tuple(in_vacation), rest_count, vacation_count)


def clear_caches() -> None:
    academic_schedule.cache_clear()
    _rest_ordinals.cache_clear()
    _school_calendar.cache_clear()


def check_settings(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """`manage.py check` names a malformed limit before the first daily check does."""
    errors = []
    for read in (lambda: latest_end(Mode.OFFLINE), lambda: latest_end(Mode.ONLINE), school_calendar):
        try:
            read()
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="rules.E001"))
    return errors
