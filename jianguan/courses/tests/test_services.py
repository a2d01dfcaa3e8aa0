"""课程与班级 services: who may write, within which institution, the audit event, stale pages, hostile input."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jianguan.audit.models import AuditEvent
from jianguan.courses import services
from jianguan.courses.models import ClassGroup, Course
from jianguan.courses.services import ClassConflict

from .conftest import class_fields


def _last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-seq").first()


def test_institution_adds_its_own_course_with_an_audit_event(district, course):
    assert course.institution_id == district.institutions["a"].pk
    event = _last("course.create")
    assert event.object_id == str(course.pk)
    assert event.institution_id == district.institutions["a"].pk
    assert event.actor_id == district.users["institution"].pk
    assert event.after["academic"] is True


@pytest.mark.parametrize("who", ["admin", "lead"])
def test_district_coordinators_may_correct_any_institution(district, who):
    found = services.course_create(
        actor=district.users[who], institution=district.institutions["b"], name="午托", subject="托管"
    )
    assert found.institution_id == district.institutions["b"].pk


@pytest.mark.parametrize("who", ["edu_officer", "fire_officer", "street_a", "street_b", "legal", "leader"])
def test_other_roles_may_not_write(district, who):
    with pytest.raises(PermissionDenied):
        services.course_create(actor=district.users[who], institution=district.institutions["a"], name="X", subject="Y")
    assert not Course.objects.exists()


def test_institution_may_not_write_for_another_institution(district, course):
    with pytest.raises(PermissionDenied):
        services.course_create(
            actor=district.users["institution"], institution=district.institutions["b"], name="X", subject="Y"
        )
    other = services.course_create(
        actor=district.users["admin"], institution=district.institutions["b"], name="午托", subject="托管"
    )
    with pytest.raises(PermissionDenied):
        services.course_update(
            actor=district.users["institution"], course=other, name="改", subject="改", academic=False, mode="offline"
        )
    assert Course.objects.get(pk=other.pk).name == "午托"


def test_class_is_saved_with_its_weekly_pattern_and_audited(district, class_group, teacher):
    assert class_group.weekdays == "135"
    assert class_group.weekdays_display == "周一、周三、周五"
    assert class_group.teacher == teacher
    assert class_group.version == 1
    assert _last("class_group.create").object_id == str(class_group.pk)


@pytest.mark.parametrize(
    ("given", "stored"), [("1,3,5", "135"), ([5, 1, 3], "135"), (["7", "6"], "67"), ("1、1、2", "12")]
)
def test_weekdays_are_normalised(given, stored):
    assert services.normalize_weekdays(given) == stored


@pytest.mark.parametrize("given", ["", "8", "0", "一三五", [9], "1\x003"])
def test_impossible_weekdays_are_refused(given):
    with pytest.raises(ValidationError):
        services.normalize_weekdays(given)


def test_class_with_its_end_before_its_start_is_refused(district, course):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.class_create(
            actor=district.users["institution"], institution=district.institutions["a"],
            **class_fields(course, start_date=today, end_date=today - timedelta(days=1)),
        )  # fmt: skip
    assert "结课日期" in str(exc.value)
    with pytest.raises(ValidationError):
        services.class_create(
            actor=district.users["institution"], institution=district.institutions["a"],
            **class_fields(course, start_time=time(19, 0), end_time=time(18, 0)),
        )  # fmt: skip
    assert not ClassGroup.objects.exists()


def test_late_classes_are_recorded_not_refused(district, course):
    """The 20:30 rule is the checker's: the institution records what really happens."""
    found = services.class_create(
        actor=district.users["institution"], institution=district.institutions["a"],
        **class_fields(course, start_time=time(20, 0), end_time=time(21, 45), weekdays="67"),
    )  # fmt: skip
    assert found.end_time == time(21, 45)


def test_course_and_teacher_of_another_institution_are_refused(district, course, teacher):
    other_course = services.course_create(
        actor=district.users["admin"], institution=district.institutions["b"], name="午托", subject="托管"
    )
    with pytest.raises(ValidationError) as exc:
        services.class_create(
            actor=district.users["admin"], institution=district.institutions["b"], **class_fields(course)
        )
    assert "课程不属于本机构" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.class_create(
            actor=district.users["admin"], institution=district.institutions["b"],
            **class_fields(other_course, teacher=teacher),
        )  # fmt: skip
    assert "授课教师" in str(exc.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "班\x00级"),
        ("name", "长" * 5000),
        ("name", "   "),
        ("capacity", -3),
        ("capacity", 0),
        ("capacity", 10**12),
        ("capacity", "20"),
        ("start_date", "2026-02-30"),
        ("end_time", "25:00"),
    ],
)
def test_hostile_class_input_is_refused_with_nothing_saved(district, course, field, value):
    with pytest.raises(ValidationError):
        services.class_create(
            actor=district.users["institution"], institution=district.institutions["a"],
            **class_fields(course, **{field: value}),
        )  # fmt: skip
    assert not ClassGroup.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("name", "课\x00程"), ("name", "长" * 61), ("subject", ""), ("mode", "x")]
)
def test_hostile_course_input_is_refused(district, field, value):
    fields = {"name": "数学", "subject": "数学", "academic": True, "mode": "offline", field: value}
    with pytest.raises(ValidationError):
        services.course_create(actor=district.users["institution"], institution=district.institutions["a"], **fields)
    assert not Course.objects.exists()


def test_class_update_bumps_the_version_and_a_stale_page_is_refused(district, class_group):
    actor = district.users["institution"]
    updated = services.class_update(actor=actor, class_group=class_group, version=1, capacity=25)
    assert updated.version == 2 and updated.capacity == 25
    event = _last("class_group.update")
    assert event.before["capacity"] == 20 and event.after["capacity"] == 25
    with pytest.raises(ClassConflict):
        services.class_update(actor=actor, class_group=class_group, version=1, capacity=30)
    assert ClassGroup.objects.get(pk=class_group.pk).capacity == 25
    with pytest.raises(ClassConflict):
        services.class_end(actor=actor, class_group=class_group, version=1)
    with pytest.raises(ClassConflict):
        services.class_delete(actor=actor, class_group=class_group, version=1)
    assert ClassGroup.objects.filter(pk=class_group.pk).exists()


def test_ending_a_class_keeps_it_with_today_as_its_last_day(district, class_group):
    today = timezone.localdate()
    ended = services.class_end(actor=district.users["institution"], class_group=class_group, version=1)
    assert ended.end_date == today and ended.version == 2
    assert _last("class_group.end").after == {"end_date": today.isoformat()}
    with pytest.raises(ValidationError):
        services.class_end(actor=district.users["institution"], class_group=ended, version=2)


def test_a_class_not_yet_started_cannot_be_ended_only_removed(district, course):
    today = timezone.localdate()
    later = services.class_create(
        actor=district.users["institution"], institution=district.institutions["a"],
        **class_fields(course, start_date=today + timedelta(days=5), end_date=today + timedelta(days=50)),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.class_end(actor=district.users["institution"], class_group=later, version=1)
    services.class_delete(actor=district.users["institution"], class_group=later, version=1)
    assert not ClassGroup.objects.filter(pk=later.pk).exists()
    assert _last("class_group.delete").before["name"] == "周末提高班"


def test_a_course_with_classes_cannot_be_deleted(district, course, class_group):
    with pytest.raises(ValidationError):
        services.course_delete(actor=district.users["institution"], course=course)
    assert Course.objects.filter(pk=course.pk).exists()
    services.class_delete(actor=district.users["institution"], class_group=class_group, version=1)
    services.course_delete(actor=district.users["institution"], course=course)
    assert not Course.objects.filter(pk=course.pk).exists()
    assert _last("course.delete").before["name"] == "初中数学"


def test_other_roles_may_not_end_or_delete_a_class(district, class_group):
    for who in ("edu_officer", "street_a"):
        with pytest.raises(PermissionDenied):
            services.class_end(actor=district.users[who], class_group=class_group, version=None)
        with pytest.raises(PermissionDenied):
            services.class_delete(actor=district.users[who], class_group=class_group, version=None)
    assert ClassGroup.objects.get(pk=class_group.pk).end_date > date.today() - timedelta(days=1)
