"""Working-day arithmetic on China's official calendar (statutory holidays and 调休 working weekends).

Legal deadlines such as those under 行政处罚法 第85条 are counted in working days. The calendar comes from
the ``chinese_calendar`` package, with the days of imported holiday notices and admin-entered overrides (the
“工作日调整” table) layered on top through :func:`set_override_provider`. A year that neither source declares
raises :class:`UnknownCalendarYear`: a guessed deadline is worse than no deadline.

Years are cached per process. :func:`set_cache_guard` lets the database layer forbid the cache while a transaction
holds uncommitted calendar changes, so the cache never keeps (or serves stale data against) what may roll back.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar

__all__ = [
    "OverrideProvider",
    "UnknownCalendarYear",
    "YearOverrides",
    "add_working_days",
    "clear_cache",
    "is_working_day",
    "next_working_day",
    "package_knows",
    "set_cache_guard",
    "set_override_provider",
    "working_days_between",
    "year_is_known",
]


@dataclass(frozen=True, slots=True)
class YearOverrides:
    """A year's overrides, and whether its arrangement was declared (a notice or an admin entry for that year).

    A notice's days may spill into a neighbouring year (元旦 2023 began on 2022-12-31): such days apply there, but
    do not by themselves make that year known.
    """

    days: Mapping[date, bool]
    declared: bool


# Takes a year, returns its overrides: a YearOverrides, or a plain {date: is_working_day} (declared when non-empty).
OverrideProvider = Callable[[int], "Mapping[date, bool] | YearOverrides"]


class UnknownCalendarYear(Exception):
    """The holiday arrangement for ``year`` is in neither chinese_calendar nor the override table."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"{year}年的法定节假日安排尚未收录，请导入该年的节假日安排通知（工作日 → 导入节假日安排通知）后再计算期限。"
        )

    def __reduce__(self) -> tuple[type[UnknownCalendarYear], tuple[int]]:
        # args holds the message, not the year, so default pickling would rebuild it with the wrong argument.
        return (type(self), (self.year,))


@dataclass(frozen=True, slots=True)
class _YearTable:
    # prefix[i] is the number of working days among the first i days of the year, so any range count is one
    # subtraction and "the n-th working day" is one bisect, instead of a calendar lookup per day.
    first_ordinal: int
    prefix: tuple[int, ...]

    @property
    def days(self) -> int:
        return len(self.prefix) - 1

    @property
    def total(self) -> int:
        return self.prefix[-1]


_provider: OverrideProvider | None = None
# Returns False while the cache must not be used (uncommitted calendar changes in the current transaction).
_cache_guard: Callable[[], bool] | None = None
# Both caches are rebound (not cleared in place) by clear_cache(), so a table being built concurrently from
# stale data lands in the discarded dict rather than in the fresh one.
_overrides_cache: dict[int, YearOverrides] = {}
_tables: dict[int, _YearTable] = {}


def set_override_provider(provider: OverrideProvider | None) -> None:
    """Register (or with ``None`` remove) the source of admin overrides; drops all cached years."""
    global _provider
    _provider = provider
    clear_cache()


def set_cache_guard(guard: Callable[[], bool] | None) -> None:
    """Register (or remove) the check that says whether the process-wide cache may be read and written now."""
    global _cache_guard
    _cache_guard = guard
    clear_cache()


# Another process (a second gunicorn worker) may change the override table; its clear_cache() cannot reach this
# process, so cached years are also dropped after this many seconds.
CACHE_SECONDS = 300.0
_cached_since = time.monotonic()


def clear_cache() -> None:
    """Forget cached years and provider results; the override table's service calls this after each change."""
    global _overrides_cache, _tables, _cached_since
    _overrides_cache = {}
    _tables = {}
    _cached_since = time.monotonic()


def _expire_stale_cache() -> None:
    if time.monotonic() - _cached_since > CACHE_SECONDS:
        clear_cache()


def year_is_known(year: int) -> bool:
    """Whether deadlines can be counted in this year (the package or the override table covers it)."""
    try:
        _table(year)
    except UnknownCalendarYear:
        return False
    return True


def _as_date(d: date) -> date:
    # datetime is a date subclass, but mixing the two breaks ordering comparisons and dict lookups.
    return d.date() if isinstance(d, datetime) else d


def _overrides(year: int, *, use_cache: bool) -> YearOverrides:
    cache = _overrides_cache
    found = cache.get(year) if use_cache else None
    if found is None:
        raw = _provider(year) if _provider is not None else {}
        if not isinstance(raw, YearOverrides):
            raw = YearOverrides(days=raw, declared=bool(raw))
        # Entries for other years are ignored so one sloppy row cannot make a neighbouring year look known.
        days = {_as_date(d): bool(v) for d, v in raw.days.items() if d.year == year}
        found = YearOverrides(days=days, declared=raw.declared and bool(days))
        if use_cache:
            cache[year] = found
    return found


def package_knows(year: int) -> bool:
    # Ask the package itself rather than hard-coding its range, so upgrading chinesecalendar extends it.
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _table(year: int) -> _YearTable:
    _expire_stale_cache()
    use_cache = _cache_guard is None or _cache_guard()
    cache = _tables
    table = cache.get(year) if use_cache else None
    if table is not None:
        return table

    declared = _overrides(year, use_cache=use_cache)
    overrides = declared.days
    from_package = package_knows(year)
    if not from_package and not declared.declared:
        raise UnknownCalendarYear(year)

    start = date(year, 1, 1)
    days = (date(year + 1, 1, 1) - start).days
    prefix = [0] * (days + 1)
    running = 0
    for i in range(days):
        d = start + timedelta(days=i)
        working = overrides.get(d)
        if working is None:
            # Admin-covered years list only holidays and 调休 days; every other day follows the plain week.
            working = chinese_calendar.is_workday(d) if from_package else d.weekday() < 5
        running += working
        prefix[i + 1] = running

    table = _YearTable(first_ordinal=start.toordinal(), prefix=tuple(prefix))
    if use_cache:
        cache[year] = table
    return table


def _index(table: _YearTable, d: date) -> int:
    return d.toordinal() - table.first_ordinal


def is_working_day(d: date) -> bool:
    """Whether ``d`` is a working day; raises :class:`UnknownCalendarYear` for an uncovered year."""
    d = _as_date(d)
    table = _table(d.year)
    i = _index(table, d)
    return table.prefix[i + 1] > table.prefix[i]


def add_working_days(start: date, n: int) -> date:
    """The date ``n`` working days after ``start`` (``start`` itself not counted; ``n < 0`` counts back).

    ``n == 0`` returns ``start`` unchanged, whether or not it is a working day. Forward,
    ``working_days_between(start, result) == n`` always; backward it holds only when ``start`` is itself a
    working day, because the between-count includes its end date but not its start date.
    """
    start = _as_date(start)
    if n == 0:
        return start

    year = start.year
    table = _table(year)
    i = _index(table, start)

    if n > 0:
        remaining = n
        # Working days already used up in the current year, counting the day at index i.
        used = table.prefix[i + 1]
        while True:
            after = table.total - used
            if remaining <= after:
                j = bisect_left(table.prefix, used + remaining) - 1
                return date.fromordinal(table.first_ordinal + j)
            remaining -= after
            year += 1
            table = _table(year)
            used = 0

    remaining = -n
    # Working days strictly before the day at index i in the current year.
    before = table.prefix[i]
    while True:
        if remaining <= before:
            j = bisect_left(table.prefix, before - remaining + 1) - 1
            return date.fromordinal(table.first_ordinal + j)
        remaining -= before
        year -= 1
        table = _table(year)
        before = table.total


def working_days_between(a: date, b: date) -> int:
    """Number of working days ``d`` with ``a < d <= b``; negative of the reverse count when ``b < a``."""
    a, b = _as_date(a), _as_date(b)
    if a == b:
        return 0
    if b < a:
        return -working_days_between(b, a)

    # Whole years before b's year are added in full and a's head is subtracted, so each year is one lookup.
    # Walking the years in order makes an UnknownCalendarYear name the earliest gap.
    first = _table(a.year)
    count = -first.prefix[_index(first, a) + 1]
    for year in range(a.year, b.year):
        count += _table(year).total
    last = _table(b.year)
    return count + last.prefix[_index(last, b) + 1]


def next_working_day(d: date) -> date:
    """The first working day strictly after ``d`` (same as ``add_working_days(d, 1)``)."""
    return add_working_days(d, 1)
