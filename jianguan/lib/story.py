"""The demo's history as stories: a story is a generator that yields the moment of its next event, then makes the
event when resumed (with the clock at that moment), and returns how many records it created. The demo loader
(`jianguan.demo.loader.replay`) runs all stories' events in the order of their moments."""

from __future__ import annotations

from collections.abc import Generator
from datetime import date, datetime, time, timedelta

from django.utils import timezone

Story = Generator[datetime, None, int]


def moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """The local (Asia/Shanghai) time `hour:minute` of `day`, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def weekday_on_or_after(day: date) -> date:
    """The day, or the Monday after it when it falls on a weekend: officers act on weekdays in the demo's history."""
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day
