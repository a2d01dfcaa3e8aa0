"""Joint-meeting fixtures: the test district's standing meeting (hosted by the education bureau, the lead coordinator
convening; the four departments and both streets members) and `hold`, which schedules a session on a day and records
its attendance and minutes through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone


@pytest.fixture
def meeting(district: Any) -> Any:
    from jianguan.meetings.services import meeting_save

    return meeting_save(
        actor=district.users["lead"], name="测试区联席会议", department=district.departments["edu"],
        convener=district.users["lead"], departments=list(district.departments.values()),
        streets=list(district.streets.values()), schedule="quarterly",
    )  # fmt: skip


def unit(district: Any, key: str) -> str:
    """d<pk> for a department key of the district, s<pk> for a street key ("a", "b")."""
    if key in district.streets:
        return f"s{district.streets[key].pk}"
    return f"d{district.departments[key].pk}"


def hold(district: Any, meeting: Any, days_ago: int, decisions: list[tuple[str, str, int]]) -> Any:
    """A session held `days_ago` days ago with its decisions (text, unit key, deadline as days from today)."""
    from jianguan.meetings import services
    from jianguan.meetings.selectors import member_units

    lead = district.users["lead"]
    today = timezone.localdate()
    session = services.session_schedule(
        actor=lead, meeting=meeting, held_on=today - timedelta(days=days_ago), place="会议室", agenda="通报进展"
    )
    services.session_attendance_record(
        actor=lead, session=session,
        rows=[{"unit": u.key, "status": "attended", "attendee": ""} for u in member_units(meeting)],
    )  # fmt: skip
    return services.session_minutes_record(
        actor=lead, session=session, minutes="会议研究了整改推进措施。",
        decisions=[{"decision": text, "unit": unit(district, key), "deadline": today + timedelta(days=days)}
                   for text, key, days in decisions],
    )  # fmt: skip


def later(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)
