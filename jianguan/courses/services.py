"""Writes for 课程与班级. The institution keeps its own courses and classes (self-service); the district's
coordinators may correct any. Only plain data are checked here (dates in order, the course and the teacher of the
same institution); the sector's rules (end times, 学科类 on holidays) are the rule checker's, which flags what the
institution really does instead of refusing to record it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.audit.services import audit_record, snapshot
from jianguan.courses.choices import Mode
from jianguan.courses.models import ClassGroup, Course
from jianguan.lib.conflict import STALE_VERSION, Conflict
from jianguan.lib.validators import field_text
from jianguan.registry.models import Institution
from jianguan.registry.services import kept_institution


class ClassConflict(Conflict):
    """The class was changed by someone else since the page was shown."""


def managed_institution(actor: Any, institution: Institution) -> Institution:
    return kept_institution(actor, institution, "courses.manage", _("只能维护本机构的课程与班级。"))


def normalize_weekdays(value: Any) -> str:
    """The days a class meets as ISO weekday digits in order ("135"), from "135", "1,3,5", [1, 3, 5] or ["1", "3"]."""
    if isinstance(value, str):
        parts: Iterable[Any] = [ch for ch in value if ch not in " ,，、;；"]
    elif isinstance(value, Iterable):
        parts = list(value)
    else:
        parts = []
    days: set[int] = set()
    for part in parts:
        text = str(part).strip()
        if not (len(text) == 1 and "1" <= text <= "7"):
            raise ValidationError({"weekdays": _("上课日请填 1–7 的数字（周一为 1）。")})
        days.add(int(text))
    if not days:
        raise ValidationError({"weekdays": _("请至少选择一个上课日。")})
    return "".join(str(d) for d in sorted(days))


def _check_types(**values: Any) -> None:
    """Dates and times must be real ones (a form or the importer parses them; an API caller may send anything)."""
    for field, value in values.items():
        kind = time if field.endswith("_time") else date
        if not isinstance(value, kind):
            raise ValidationError({field: _("日期或时间无效。")})


# ---------------------------------------------------------------------------------------------------- courses


def _course_fields(course: Course, name: Any, subject: Any, academic: Any, mode: Any) -> None:
    course.name = field_text(name, "name", 60)
    course.subject = field_text(subject, "subject", 30)
    course.academic = bool(academic)
    if mode not in Mode.values:
        raise ValidationError({"mode": _("请选择线上或线下。")})
    course.mode = mode


@transaction.atomic
def course_create(
    *, actor: Any, institution: Institution, name: str, subject: str, academic: bool = False, mode: str = Mode.OFFLINE
) -> Course:
    """Add a course to an institution."""
    managed_institution(actor, institution)
    course = Course(institution=institution)
    _course_fields(course, name, subject, academic, mode)
    course.full_clean()
    course.save()
    audit_record(actor=actor, action="course.create", obj=course, after=snapshot(course), institution=institution)
    return course


@transaction.atomic
def course_update(*, actor: Any, course: Course, name: str, subject: str, academic: bool, mode: str) -> Course:
    """Correct a course (its fee records keep the name they were taken under)."""
    course = Course.objects.select_for_update().select_related("institution").get(pk=course.pk)
    managed_institution(actor, course.institution)
    before = snapshot(course)
    _course_fields(course, name, subject, academic, mode)
    course.full_clean()
    course.save()
    audit_record(
        actor=actor, action="course.update", obj=course, before=before, after=snapshot(course),
        institution=course.institution,
    )  # fmt: skip
    return course


@transaction.atomic
def course_delete(*, actor: Any, course: Course) -> None:
    """Remove a course entered by mistake. A course with classes is refused: its classes are ended or removed
    first, so no schedule disappears with it."""
    course = Course.objects.select_for_update().select_related("institution").get(pk=course.pk)
    managed_institution(actor, course.institution)
    if course.classes.exists():
        raise ValidationError(_("该课程下还有班级，请先结束或删除这些班级。"))
    before = snapshot(course)
    audit_record(actor=actor, action="course.delete", obj=course, before=before, institution=course.institution)
    course.delete()


# ---------------------------------------------------------------------------------------------------- classes


def _locked(class_group: ClassGroup, version: int | None) -> ClassGroup:
    locked = ClassGroup.objects.select_for_update().select_related("institution", "course").get(pk=class_group.pk)
    if version is not None and version != locked.version:
        raise ClassConflict(_("该班级已被他人修改，请刷新页面后再操作；您的修改未保存。"), code=STALE_VERSION)
    return locked


def _class_fields(class_group: ClassGroup, fields: dict[str, Any]) -> None:
    course = fields["course"]
    teacher = fields.get("teacher")
    if course is None or course.institution_id != class_group.institution_id:
        raise ValidationError({"course": _("课程不属于本机构。")})
    if teacher is not None and teacher.institution_id != class_group.institution_id:
        raise ValidationError({"teacher": _("授课教师不是本机构的从业人员。")})
    _check_types(
        start_date=fields["start_date"], end_date=fields["end_date"],
        start_time=fields["start_time"], end_time=fields["end_time"],
    )  # fmt: skip
    class_group.course = course
    class_group.teacher = teacher
    class_group.name = field_text(fields["name"], "name", 60)
    capacity = fields["capacity"]
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= 10000:
        raise ValidationError({"capacity": _("班额应为 1–10000 的整数。")})
    class_group.capacity = capacity
    class_group.start_date = fields["start_date"]
    class_group.end_date = fields["end_date"]
    class_group.weekdays = normalize_weekdays(fields["weekdays"])
    class_group.start_time = fields["start_time"]
    class_group.end_time = fields["end_time"]


CLASS_FIELDS = ("course", "name", "teacher", "capacity", "start_date", "end_date", "weekdays", "start_time", "end_time")


@transaction.atomic
def class_create(
    *,
    actor: Any,
    institution: Institution,
    course: Course,
    name: str,
    capacity: int,
    start_date: date,
    end_date: date,
    weekdays: Any,
    start_time: time,
    end_time: time,
    teacher: Any = None,
) -> ClassGroup:
    """Add a class: its course and teacher of the same institution, the weekly pattern, dates and times."""
    managed_institution(actor, institution)
    class_group = ClassGroup(institution=institution)
    _class_fields(class_group, {
        "course": course, "name": name, "teacher": teacher, "capacity": capacity, "start_date": start_date,
        "end_date": end_date, "weekdays": weekdays, "start_time": start_time, "end_time": end_time,
    })  # fmt: skip
    class_group.full_clean()
    class_group.save()
    audit_record(
        actor=actor, action="class_group.create", obj=class_group, after=snapshot(class_group),
        institution=institution,
    )  # fmt: skip
    return class_group


@transaction.atomic
def class_update(*, actor: Any, class_group: ClassGroup, version: int | None, **fields: Any) -> ClassGroup:
    """Correct a class; a page showing an older version is refused (ClassConflict), nothing saved."""
    unknown = set(fields) - set(CLASS_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    managed_institution(actor, class_group.institution)
    class_group = _locked(class_group, version)
    before = snapshot(class_group)
    _class_fields(class_group, {f: fields.get(f, getattr(class_group, f)) for f in CLASS_FIELDS})
    class_group.full_clean()
    class_group.version += 1
    class_group.save()
    audit_record(
        actor=actor, action="class_group.update", obj=class_group, before=before, after=snapshot(class_group),
        institution=class_group.institution,
    )  # fmt: skip
    return class_group


@transaction.atomic
def class_end(*, actor: Any, class_group: ClassGroup, version: int | None, on: date | None = None) -> ClassGroup:
    """End a running class early (its last day becomes `on`, today by default); the schedule stays on record. A
    class that has not started yet is removed instead, one already over cannot be ended again."""
    managed_institution(actor, class_group.institution)
    class_group = _locked(class_group, version)
    day = on or timezone.localdate()
    if class_group.end_date <= day:
        raise ValidationError(_("该班级已于 %(day)s 结课。") % {"day": class_group.end_date.isoformat()})
    if class_group.start_date > day:
        raise ValidationError(_("该班级尚未开班；如不再开设，请删除。"))
    before = snapshot(class_group, fields=["end_date"])
    class_group.end_date = day
    class_group.version += 1
    class_group.save()
    audit_record(
        actor=actor, action="class_group.end", obj=class_group, before=before,
        after=snapshot(class_group, fields=["end_date"]), institution=class_group.institution,
    )  # fmt: skip
    return class_group


@transaction.atomic
def class_delete(*, actor: Any, class_group: ClassGroup, version: int | None) -> None:
    """Remove a class entered by mistake (the audit event keeps what it was)."""
    managed_institution(actor, class_group.institution)
    class_group = _locked(class_group, version)
    audit_record(
        actor=actor, action="class_group.delete", obj=class_group, before=snapshot(class_group),
        institution=class_group.institution,
    )  # fmt: skip
    class_group.delete()
