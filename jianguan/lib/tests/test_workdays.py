"""Tests for jianguan.lib.workdays: known 2026 calendar facts, properties, and admin overrides for unknown years."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from jianguan.lib import workdays
from jianguan.lib.workdays import (
    UnknownCalendarYear,
    add_working_days,
    clear_cache,
    is_working_day,
    next_working_day,
    set_override_provider,
    working_days_between,
)

# chinesecalendar 1.11.0 covers 2004–2026. Property dates stay a year inside that range so that
# offsets of up to ±240 working days (under one year) never leave it.
KNOWN_FIRST = date(2004, 1, 1)
KNOWN_LAST = date(2026, 12, 31)
inner_dates = st.dates(min_value=date(2005, 1, 1), max_value=date(2025, 12, 31))
known_dates = st.dates(min_value=KNOWN_FIRST, max_value=KNOWN_LAST)
offsets = st.integers(min_value=-240, max_value=240)
forward = st.integers(min_value=0, max_value=120)

UNKNOWN_YEAR = 2099


@pytest.fixture(autouse=True, scope="module")
def no_registered_provider() -> Iterator[None]:
    # Under pytest-django the org app registers its DB-backed provider at startup; these tests must neither
    # hit the database nor leave the real provider unregistered for the rest of the suite.
    registered = workdays._provider
    set_override_provider(None)
    try:
        yield
    finally:
        set_override_provider(registered)


@pytest.fixture
def clean_calendar() -> Iterator[None]:
    set_override_provider(None)
    try:
        yield
    finally:
        set_override_provider(None)
        clear_cache()


def _naive_add(start: date, n: int) -> date:
    # Oracle: step one day at a time straight against the package.
    d, step = start, (1 if n > 0 else -1)
    for _ in range(abs(n)):
        d += timedelta(days=step)
        while not chinese_calendar.is_workday(d):
            d += timedelta(days=step)
    return d


# --- Known facts of the 2026 calendar -------------------------------------------------------------------


def test_national_day_2026_is_not_a_working_day() -> None:
    for day in range(1, 8):
        assert not is_working_day(date(2026, 10, day)), f"2026-10-0{day} is part of the National Day holiday"


def test_saturday_2026_10_10_is_an_adjusted_working_day_and_counts() -> None:
    assert date(2026, 10, 10).weekday() == 5
    assert is_working_day(date(2026, 10, 10))
    # Thu 8th, Fri 9th, then the 调休 Saturday is the third working day after the holiday ends.
    assert add_working_days(date(2026, 10, 7), 3) == date(2026, 10, 10)


def test_sunday_2026_09_20_is_an_adjusted_working_day() -> None:
    assert date(2026, 9, 20).weekday() == 6
    assert is_working_day(date(2026, 9, 20))


def test_spring_festival_2026_runs_feb_15_to_23_with_saturdays_14_and_28_worked() -> None:
    for offset in range(9):
        assert not is_working_day(date(2026, 2, 15) + timedelta(days=offset))
    assert is_working_day(date(2026, 2, 14))
    assert is_working_day(date(2026, 2, 28))
    assert next_working_day(date(2026, 2, 13)) == date(2026, 2, 14)
    assert next_working_day(date(2026, 2, 14)) == date(2026, 2, 24)


def test_fifteen_working_days_from_2026_09_28_across_national_day_end_on_2026_10_23() -> None:
    # 9-29, 9-30, (10-1..10-7 off), 10-8, 10-9, 10-10 (调休 Sat), 10-12..16, 10-19..23.
    assert add_working_days(date(2026, 9, 28), 15) == date(2026, 10, 23)
    assert working_days_between(date(2026, 9, 28), date(2026, 10, 23)) == 15


def test_zero_days_returns_start_even_on_a_holiday() -> None:
    assert add_working_days(date(2026, 10, 1), 0) == date(2026, 10, 1)
    assert working_days_between(date(2026, 10, 1), date(2026, 10, 1)) == 0


def test_counting_back_from_a_holiday_skips_it() -> None:
    assert add_working_days(date(2026, 10, 8), -3) == date(2026, 9, 28)
    assert add_working_days(date(2026, 10, 4), -1) == date(2026, 9, 30)


def test_between_whole_known_range_matches_package_count() -> None:
    expected = len(chinese_calendar.get_workdays(KNOWN_FIRST + timedelta(days=1), KNOWN_LAST))
    assert working_days_between(KNOWN_FIRST, KNOWN_LAST) == expected


def test_datetime_arguments_are_treated_as_their_date() -> None:
    assert add_working_days(datetime(2026, 9, 28, 17, 30), 15) == date(2026, 10, 23)
    assert not is_working_day(datetime(2026, 10, 1, 9))


def test_package_years_outside_2004_to_2026_are_unknown() -> None:
    assert is_working_day(date(2004, 1, 5))
    for year in (2003, 2027):
        with pytest.raises(NotImplementedError):
            chinese_calendar.is_workday(date(year, 6, 1))


# --- Properties over the known range ---------------------------------------------------------------------


@given(known_dates)
def test_is_working_day_agrees_with_chinese_calendar(d: date) -> None:
    assert is_working_day(d) == chinese_calendar.is_workday(d)


@given(inner_dates, st.integers(min_value=-40, max_value=40))
def test_add_matches_day_by_day_oracle(d: date, n: int) -> None:
    assert add_working_days(d, n) == _naive_add(d, n)


@given(inner_dates, st.integers(min_value=0, max_value=240))
def test_add_then_between_round_trips_forward(d: date, n: int) -> None:
    assert working_days_between(d, add_working_days(d, n)) == n


@given(inner_dates, st.integers(min_value=-240, max_value=-1))
def test_add_then_between_round_trips_backward_from_a_working_day(d: date, n: int) -> None:
    # The (a, b] interval counts b, not a: counting back from a holiday lands on the previous working
    # day, and (that day, holiday] holds one working day fewer than |n|.
    assume(is_working_day(d))
    assert working_days_between(d, add_working_days(d, n)) == n


def test_counting_back_from_a_holiday_is_one_short_in_between() -> None:
    assert add_working_days(date(2026, 10, 1), -1) == date(2026, 9, 30)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 1)) == 0


@given(inner_dates, offsets.filter(bool))
def test_result_of_nonzero_add_is_a_working_day(d: date, n: int) -> None:
    assert is_working_day(add_working_days(d, n))


@given(inner_dates, offsets, offsets)
def test_add_is_monotonic_in_n(d: date, n: int, m: int) -> None:
    lo, hi = sorted((n, m))
    if lo == hi:
        assert add_working_days(d, lo) == add_working_days(d, hi)
    else:
        # Strict even around n == 0: a nonzero step always moves off the start date.
        assert add_working_days(d, lo) < add_working_days(d, hi)


@given(known_dates, known_dates)
def test_between_is_antisymmetric(a: date, b: date) -> None:
    assert working_days_between(a, b) == -working_days_between(b, a)


@given(known_dates, known_dates, known_dates)
def test_between_is_additive_over_intermediate_dates(a: date, b: date, c: date) -> None:
    assert working_days_between(a, b) + working_days_between(b, c) == working_days_between(a, c)


@given(inner_dates, forward, forward)
def test_add_is_additive_for_nonnegative_steps(d: date, a: int, b: int) -> None:
    assert add_working_days(add_working_days(d, a), b) == add_working_days(d, a + b)


@given(inner_dates)
def test_next_working_day_is_the_next_working_day(d: date) -> None:
    nxt = next_working_day(d)
    assert nxt > d and is_working_day(nxt)
    assert working_days_between(d, nxt - timedelta(days=1)) == 0


# --- Unknown years and the override provider ------------------------------------------------------------


def test_unknown_year_raises_with_year_in_chinese_message(clean_calendar: None) -> None:
    with pytest.raises(UnknownCalendarYear) as excinfo:
        is_working_day(date(UNKNOWN_YEAR, 3, 2))
    assert excinfo.value.year == UNKNOWN_YEAR
    message = str(excinfo.value)
    assert f"{UNKNOWN_YEAR}年" in message
    assert "法定节假日安排尚未收录" in message


def test_adding_past_the_last_known_year_raises_for_the_next_year(clean_calendar: None) -> None:
    with pytest.raises(UnknownCalendarYear) as excinfo:
        add_working_days(date(2026, 12, 20), 30)
    assert excinfo.value.year == 2027


def test_counting_back_before_first_known_year_raises(clean_calendar: None) -> None:
    with pytest.raises(UnknownCalendarYear) as excinfo:
        add_working_days(date(2004, 1, 5), -5)
    assert excinfo.value.year == 2003


def test_provider_with_empty_mapping_does_not_make_a_year_known(clean_calendar: None) -> None:
    set_override_provider(lambda year: {})
    with pytest.raises(UnknownCalendarYear):
        add_working_days(date(UNKNOWN_YEAR, 3, 2), 1)


def test_provider_overrides_make_unknown_year_known_and_are_respected(clean_calendar: None) -> None:
    holiday_monday = date(UNKNOWN_YEAR, 3, 2)
    working_saturday = date(UNKNOWN_YEAR, 3, 7)
    assert holiday_monday.weekday() == 0 and working_saturday.weekday() == 5

    def provider(year: int) -> Mapping[date, bool]:
        return {holiday_monday: False, working_saturday: True} if year == UNKNOWN_YEAR else {}

    set_override_provider(provider)
    assert not is_working_day(holiday_monday)
    assert is_working_day(working_saturday)
    # Days the admin did not list follow Mon–Fri work, Sat/Sun rest.
    assert is_working_day(date(UNKNOWN_YEAR, 3, 3))
    assert not is_working_day(date(UNKNOWN_YEAR, 3, 8))
    # From Fri 27 Feb: skip the weekend and the holiday Monday; Tue–Fri are 1–4, the worked Saturday is 5.
    assert add_working_days(date(UNKNOWN_YEAR, 2, 27), 5) == working_saturday
    assert working_days_between(date(UNKNOWN_YEAR, 2, 27), working_saturday) == 5
    with pytest.raises(UnknownCalendarYear):
        is_working_day(date(UNKNOWN_YEAR + 1, 3, 2))


def test_provider_override_beats_package_in_known_year(clean_calendar: None) -> None:
    friday = date(2026, 10, 9)
    set_override_provider(lambda year: {friday: False} if year == 2026 else {})
    assert not is_working_day(friday)
    assert add_working_days(date(2026, 10, 8), 1) == date(2026, 10, 10)
    assert is_working_day(date(2026, 10, 8))


def test_provider_results_are_cached_until_clear_cache(clean_calendar: None) -> None:
    calls: list[int] = []
    entries: dict[date, bool] = {date(UNKNOWN_YEAR, 3, 2): False}

    def provider(year: int) -> Mapping[date, bool]:
        calls.append(year)
        return dict(entries) if year == UNKNOWN_YEAR else {}

    set_override_provider(provider)
    for _ in range(5):
        assert not is_working_day(date(UNKNOWN_YEAR, 3, 2))
    assert calls == [UNKNOWN_YEAR]

    entries[date(UNKNOWN_YEAR, 3, 2)] = True
    assert not is_working_day(date(UNKNOWN_YEAR, 3, 2))
    clear_cache()
    assert is_working_day(date(UNKNOWN_YEAR, 3, 2))
    assert calls == [UNKNOWN_YEAR, UNKNOWN_YEAR]


def test_cached_years_do_not_consult_chinese_calendar_again(
    clean_calendar: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    span = (date(2010, 1, 1), date(2026, 12, 31))
    expected = working_days_between(*span)

    def fail(d: date) -> bool:
        raise AssertionError(f"chinese_calendar consulted again for {d}")

    monkeypatch.setattr(workdays.chinese_calendar, "is_workday", fail)
    assert working_days_between(*span) == expected
    assert add_working_days(span[0], expected) <= span[1]
