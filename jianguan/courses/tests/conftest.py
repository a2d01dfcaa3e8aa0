"""Course fixtures: a course and a running class at institution a, and a teacher on its staff, made through the real
services (the staff member directly: the staff app's own services are tested there)."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.utils import timezone


@pytest.fixture
def teacher(district: Any) -> Any:
    from jianguan.staff.models import StaffMember

    return StaffMember.objects.create(
        institution=district.institutions["a"], name="王老师", role="teacher", start_date=date(2024, 9, 1)
    )


@pytest.fixture
def course(district: Any) -> Any:
    from jianguan.courses.services import course_create

    return course_create(
        actor=district.users["institution"], institution=district.institutions["a"], name="初中数学",
        subject="数学", academic=True, mode="offline",
    )  # fmt: skip


def class_fields(course: Any, **kw: Any) -> dict[str, Any]:
    today = timezone.localdate()
    fields = {
        "course": course, "name": "周末提高班", "capacity": 20, "start_date": today - timedelta(days=10),
        "end_date": today + timedelta(days=80), "weekdays": "135", "start_time": time(18, 0),
        "end_time": time(19, 30),
    }  # fmt: skip
    fields.update(kw)
    return fields


@pytest.fixture
def class_group(district: Any, course: Any, teacher: Any) -> Any:
    from jianguan.courses.services import class_create

    return class_create(
        actor=district.users["institution"], institution=district.institutions["a"],
        **class_fields(course, teacher=teacher),
    )  # fmt: skip
