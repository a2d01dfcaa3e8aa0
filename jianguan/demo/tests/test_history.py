"""The demo's history is replayed as it happened: the loader runs every story's events in the order of their
moments, with the clock at each (the loaded demo's dates are checked in test_demo_district.py)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from jianguan.demo.loader import replay
from jianguan.lib.story import Story, moment

DAY = date(2026, 11, 26)


def _story(log: list[str], name: str, *days: int) -> Story:
    for d in days:
        yield moment(DAY + timedelta(days=d), 10)
        log.append(f"{name}{d}@{timezone.localdate():%m-%d}")
    return len(days)


def test_replay_runs_events_in_time_order_with_the_clock_at_each(db):
    log: list[str] = []
    since = moment(DAY - timedelta(days=30), 9)
    counts = replay(
        [("a", _story(log, "a", -10, -2, 5)), ("b", _story(log, "b", -20, -5)), ("b", _story(log, "c", -3))],
        since=since,
        until=moment(DAY, 23, 59),
    )
    # Events in the order of their moments; one named after `until` runs at `until`.
    assert log == ["b-20@11-06", "a-10@11-16", "b-5@11-21", "c-3@11-23", "a-2@11-24", "a5@11-26"]
    assert counts == {"a": 3, "b": 3}
