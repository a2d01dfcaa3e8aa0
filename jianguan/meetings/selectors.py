"""Reads for the joint meeting: sessions and tasks within the reader's meetings, the agenda's carried tasks, and the
counts the dashboard, the warnings and the reminders share (one definition of an overdue task: `TaskQuerySet.overdue`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q, QuerySet

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope
from jianguan.meetings.choices import SessionStatus, TaskStatus
from jianguan.meetings.models import Attendance, JointMeeting, MeetingSession, MeetingTask, TaskProgress, overdue_q


def sessions_for(user: Any) -> QuerySet[MeetingSession]:
    return MeetingSession.objects.visible_to(user).select_related("meeting__department", "meeting__convener")


def tasks_for(user: Any) -> QuerySet[MeetingTask]:
    """Every task of the reader's meetings (a joint meeting's decisions are shared with all its members), with the
    latest progress report of each (one more query for the page, however many rows)."""
    return (
        MeetingTask.objects.visible_to(user)
        .select_related("session__meeting", "department", "street")
        .prefetch_related(Prefetch("progress", queryset=TaskProgress.objects.select_related("author")))
    )


def due_soon_q(today: date) -> Q:
    """Open and due within JIANGUAN_MEETING_TASK_WARN_DAYS calendar days (the deadline is a day the convener set)."""
    until = today + timedelta(days=settings.JIANGUAN_MEETING_TASK_WARN_DAYS)
    return Q(status=TaskStatus.OPEN, deadline__gte=today, deadline__lte=until)


def responsible_q(user: Any) -> Q | None:
    """The tasks a user's own unit answers for (None: all, for the district-wide roles): whom a warning concerns."""
    scope = Scope.for_user(user)
    if scope.district_wide:
        return None
    if scope.role == Role.DEPARTMENT_OFFICER:
        return Q(department_id=scope.department_id)
    if scope.role == Role.STREET_OFFICER:
        return Q(street_id__in=scope.street_ids)
    return Q(pk__in=[])


def carried_tasks(session: MeetingSession) -> QuerySet[MeetingTask]:
    """The earlier sessions' tasks on this session's agenda: once it is held, those it reviewed; before, every task
    of an earlier session still open now (carried from session to session until the convener closes it)."""
    if session.status == SessionStatus.HELD:
        tasks = session.carried.all()
    else:
        tasks = MeetingTask.objects.filter(
            session__meeting_id=session.meeting_id, session__number__lt=session.number, status=TaskStatus.OPEN
        )
    return tasks.select_related("session", "department", "street").order_by("session__number", "number")


def previous_session(session: MeetingSession) -> MeetingSession | None:
    return (
        MeetingSession.objects.filter(meeting_id=session.meeting_id, number__lt=session.number)
        .order_by("-number")
        .first()
    )


@dataclass
class Unit:
    """A member unit of a meeting: a department or a street, keyed "d<pk>" or "s<pk>" in forms."""

    key: str
    name: str
    department_id: int | None = None
    street_id: int | None = None


def member_units(meeting: JointMeeting) -> list[Unit]:
    departments = [meeting.department, *meeting.departments.exclude(pk=meeting.department_id).order_by("pk")]
    return [Unit(f"d{d.pk}", d.name, department_id=d.pk) for d in departments] + [
        Unit(f"s{s.pk}", s.name, street_id=s.pk) for s in meeting.streets.order_by("code")
    ]


@dataclass
class SessionPage:
    session: MeetingSession
    attendance: list[Attendance] = field(default_factory=list)
    tasks: list[MeetingTask] = field(default_factory=list)
    carried: list[MeetingTask] = field(default_factory=list)


def _with_progress(tasks: QuerySet[MeetingTask]) -> list[MeetingTask]:
    return list(tasks.prefetch_related(Prefetch("progress", queryset=TaskProgress.objects.select_related("author"))))


def session_page(session: MeetingSession) -> SessionPage:
    """What a session's page and the API's detail show (a fixed number of queries)."""
    return SessionPage(
        session=session,
        attendance=list(session.attendance.select_related("department", "street")),
        tasks=_with_progress(session.tasks.select_related("department", "street").order_by("number")),
        carried=_with_progress(carried_tasks(session)),
    )


def unit_counts(
    user: Any, *, department: Any = None, street: Any = None, today: date
) -> list[tuple[str, int, int, int]]:
    """Per responsible unit, its open tasks: (unit name, open, due soon, overdue) — one grouped query, for the
    dashboard's section."""
    tasks = MeetingTask.objects.visible_to(user).filter(status=TaskStatus.OPEN)
    if department is not None:
        tasks = tasks.filter(department=department)
    if street is not None:
        tasks = tasks.filter(street=street)
    rows = (
        tasks.values_list("department__name", "street__name", "department_id", "street_id")
        .annotate(
            n=Count("*"),
            soon=Count("pk", filter=due_soon_q(today)),
            overdue=Count("pk", filter=overdue_q(today)),
        )
        .order_by(F("department_id").asc(nulls_last=True), "street_id")
    )
    return [(d or s, n, soon, overdue) for d, s, _d, _s, n, soon, overdue in rows]
