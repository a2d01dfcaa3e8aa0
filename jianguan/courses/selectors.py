"""Reads for 课程与班级: what the user may see, with what each row shows (one query for any number of rows)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from jianguan.courses.models import ClassGroup, Course
from jianguan.registry.models import Institution

CLASS_STATES = ("current", "upcoming", "ended")


def courses_of(user: Any, institution: Institution) -> QuerySet[Course]:
    """An institution's courses, each with how many classes it has."""
    return (
        Course.objects.visible_to(user)
        .filter(institution=institution)
        .annotate(class_count=Count("classes"))
        .order_by("name", "pk")
    )


def classes_for(user: Any) -> QuerySet[ClassGroup]:
    """The classes the user may see (an institution its own), with their course, teacher and institution."""
    return ClassGroup.objects.visible_to(user).select_related("course", "teacher", "institution__street")


def classes_of(user: Any, institution: Institution) -> QuerySet[ClassGroup]:
    return classes_for(user).filter(institution=institution).order_by("-end_date", "name", "pk")


def state_q(state: str, today: date) -> Q:
    """A class is upcoming before its first day, current until its last day, then ended (derived, never stored)."""
    if state == "upcoming":
        return Q(start_date__gt=today)
    if state == "ended":
        return Q(end_date__lt=today)
    return Q(start_date__lte=today, end_date__gte=today)


def class_state(class_group: ClassGroup, today: date) -> str:
    if class_group.start_date > today:
        return "upcoming"
    return "ended" if class_group.end_date < today else "current"


def filtered_classes(
    queryset: QuerySet[ClassGroup],
    today: date,
    *,
    q: str = "",
    street: int | None = None,
    academic: str = "",
    mode: str = "",
    state: str = "",
) -> QuerySet[ClassGroup]:
    """The district list's one filter. Values are parsed by the caller (lib.params)."""
    if q:
        queryset = queryset.filter(
            Q(institution__name__icontains=q) | Q(name__icontains=q) | Q(course__name__icontains=q)
        )
    if street is not None:
        queryset = queryset.filter(institution__street_id=street)
    if academic:
        queryset = queryset.filter(course__academic=academic == "1")
    if mode:
        queryset = queryset.filter(course__mode=mode)
    if state:
        queryset = queryset.filter(state_q(state, today))
    return queryset.order_by("institution__name", "institution_id", "start_date", "name", "pk")


def teachers_of(institution: Institution, today: date, keep: int | None = None) -> QuerySet[Any]:
    """The institution's staff who may be named as a class's teacher: those still working there (and `keep`, the
    class's present teacher)."""
    from jianguan.staff.models import StaffMember

    current = Q(end_date__isnull=True) | Q(end_date__gte=today)
    if keep is not None:
        current |= Q(pk=keep)
    return StaffMember.objects.filter(institution=institution).filter(current).order_by("name", "pk")
