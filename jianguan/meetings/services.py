"""Writes for the joint meeting. Each locks its row, refuses a stale version (a conflict, never a silent overwrite),
asks workflow.py who may act from which state, and commits the change with its audit event and notifications."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.accounts.permissions import require
from jianguan.audit.services import audit_record
from jianguan.documents.choices import DocumentKind
from jianguan.documents.services import document_issue
from jianguan.lib.conflict import STALE_VERSION
from jianguan.lib.validators import validate_plain_text
from jianguan.meetings import workflow
from jianguan.meetings.choices import AttendanceStatus, SessionAction, SessionKind, TaskAction, TaskStatus
from jianguan.meetings.documents import minutes_content
from jianguan.meetings.materials import materials_figures
from jianguan.meetings.models import Attendance, JointMeeting, MeetingSession, MeetingTask, TaskProgress
from jianguan.meetings.selectors import Unit, carried_tasks, member_units, session_page
from jianguan.meetings.workflow import Conflict
from jianguan.notifications.services import Message, notify_many

MAX_DECISIONS = 30


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写此项。")})
    if len(value) > limit:
        raise ValidationError({field: _("不能超过 %(n)s 个字。") % {"n": limit}})
    validate_plain_text(value)
    return value


def _stale(row: Any, version: int | None, what: str) -> None:
    if version is not None and row.version != version:
        raise Conflict(_("该%(what)s已被他人更新，请刷新页面后再操作。") % {"what": what}, code=STALE_VERSION)


def unit_users(*, department_ids: Iterable[int] = (), street_ids: Iterable[int] = ()) -> list[int]:
    """The active users of these departments (their officers) and streets (their street officers)."""
    q = Q(role=Role.DEPARTMENT_OFFICER, department_id__in=list(department_ids)) | Q(
        role=Role.STREET_OFFICER, streets__in=list(street_ids)
    )
    return sorted(set(User.objects.filter(q, is_active=True).values_list("pk", flat=True)))


def _unit(units: list[Unit], key: str, field: str) -> Unit:
    for unit in units:
        if unit.key == key:
            return unit
    raise ValidationError({field: _("请选择联席会议的成员单位。")})


# ------------------------------------------------------------------------------------------- the standing meeting


@transaction.atomic
def meeting_save(*, actor: Any, meeting: JointMeeting | None = None, name: str, department: Any, convener: Any,
                 departments: Iterable[Any], streets: Iterable[Any], schedule: str, duties: str = "",
                 version: int | None = None) -> JointMeeting:  # fmt: skip
    """Set up or change the standing meeting (its host department issues the minutes; the convener is a lead
    coordinator)."""
    require(actor, "meetings.manage")
    if getattr(convener, "role", None) != Role.LEAD or not convener.is_active:
        raise ValidationError({"convener": _("召集人应为牵头协调人员。")})
    departments, streets = list(departments), list(streets)
    if not departments:
        raise ValidationError({"departments": _("请至少选择一个成员部门。")})
    creating = meeting is None
    if meeting is None:
        meeting = JointMeeting()
    else:
        meeting = JointMeeting.objects.select_for_update().get(pk=meeting.pk)
        _stale(meeting, version, _("联席会议"))
        meeting.version += 1
    before = None if creating else {"name": meeting.name, "department": meeting.department_id}
    meeting.name = _text(name, "name", 80)
    meeting.department, meeting.convener, meeting.schedule = department, convener, schedule
    meeting.duties = _text(duties, "duties", 2000, required=False)
    meeting.full_clean(exclude=["department", "convener"])
    meeting.save()
    meeting.departments.set(departments)
    meeting.streets.set(streets)
    audit_record(
        actor=actor, action="meeting.save", obj=meeting, before=before,
        after={"name": meeting.name, "department": department.pk, "convener": convener.pk, "schedule": schedule,
               "departments": sorted(d.pk for d in departments), "streets": sorted(s.pk for s in streets)},
    )  # fmt: skip
    return meeting


# ------------------------------------------------------------------------------------------------------ sessions


@transaction.atomic
def session_schedule(*, actor: Any, meeting: JointMeeting, held_on: date, place: str, agenda: str,
                     kind: str = SessionKind.REGULAR) -> MeetingSession:  # fmt: skip
    """Schedule the next session (numbered in order; never before the last one). Its agenda lists, besides the
    convener's items, every open task of the earlier sessions (selectors.carried_tasks). Members are told."""
    require(actor, "meetings.manage")
    meeting = JointMeeting.objects.select_for_update().get(pk=meeting.pk)
    last = MeetingSession.objects.filter(meeting=meeting).aggregate(n=Max("number"), day=Max("held_on"))
    if last["day"] is not None and held_on < last["day"]:
        raise ValidationError({"held_on": _("会议日期不能早于上一次会议（%(day)s）。") % {"day": last["day"]}})
    session = MeetingSession(
        meeting=meeting, number=(last["n"] or 0) + 1, kind=kind, held_on=held_on, place=_text(place, "place", 80),
        agenda=_text(agenda, "agenda", 2000), created_by=actor,
    )  # fmt: skip
    session.full_clean(exclude=["meeting", "created_by"])
    session.save()
    audit_record(actor=actor, action="meeting.session_schedule", obj=session,
                 after={"number": session.number, "held_on": held_on, "kind": kind, "place": session.place})  # fmt: skip
    url = reverse("meetings:session_detail", args=[session.pk])
    text = _("%(meeting)s第%(n)s次会议定于 %(day)s 在%(place)s召开，请安排出席。") % {
        "meeting": meeting.name, "n": session.number, "day": held_on.isoformat(), "place": session.place,
    }  # fmt: skip
    people = unit_users(
        department_ids=[meeting.department_id, *meeting.departments.values_list("pk", flat=True)],
        street_ids=meeting.streets.values_list("pk", flat=True),
    )
    notify_many(Message(p, "meeting.scheduled", f"meetings.session:{session.pk}", text, url) for p in people)
    return session


def _locked_session(actor: Any, session: MeetingSession, action: str, version: int | None) -> MeetingSession:
    """The session locked, the actor's right and its state checked, then its version (who may not act is told so
    even from a stale page)."""
    locked = MeetingSession.objects.select_for_update().select_related("meeting").get(pk=session.pk)
    workflow.check_session(actor, locked, action, timezone.localdate())
    _stale(locked, version, _("会议"))
    return locked


@transaction.atomic
def session_attendance_record(*, actor: Any, session: MeetingSession, rows: list[dict[str, str]],
                              version: int | None = None) -> MeetingSession:  # fmt: skip
    """Who came, per member unit: attended (with the name of who came), a deputy (whose name is required), absent.
    Recorded on or after the session's day; replaces what was recorded before."""
    session = _locked_session(actor, session, SessionAction.ATTENDANCE, version)
    units = member_units(session.meeting)
    records: dict[str, Attendance] = {}
    for n, row in enumerate(rows):
        unit = _unit(units, row.get("unit", ""), f"rows.{n}.unit")
        status = row.get("status", "")
        if status not in AttendanceStatus.values:
            raise ValidationError({f"rows.{n}.status": _("请选择出席情况。")})
        attendee = _text(row.get("attendee", ""), f"rows.{n}.attendee", 40, required=status == AttendanceStatus.DEPUTY)
        if status == AttendanceStatus.ABSENT:
            attendee = ""
        records[unit.key] = Attendance(
            session=session, department_id=unit.department_id, street_id=unit.street_id, status=status,
            attendee=attendee,
        )  # fmt: skip
    if not records:
        raise ValidationError(_("请记录各成员单位的出席情况。"))
    session.attendance.all().delete()
    Attendance.objects.bulk_create(records.values())
    session.version += 1
    session.save(update_fields=["version"])
    audit_record(actor=actor, action="meeting.attendance", obj=session,
                 after={key: [a.status, a.attendee] for key, a in records.items()})  # fmt: skip
    return session


@transaction.atomic
def session_materials_generate(*, actor: Any, session: MeetingSession, version: int | None = None) -> MeetingSession:
    """Write the session's materials: the dashboard's figures for the period since the previous session (as the
    convener reads them: the whole district) and the open tasks carried onto the agenda, frozen on the session.
    Made again while the session is not yet held (the figures of that day)."""
    session = _locked_session(actor, session, SessionAction.MATERIALS, version)
    today = timezone.localdate()
    figures = materials_figures(actor, session, today)
    session.materials = figures
    session.materials_from = date.fromisoformat(figures["from"]) if figures["from"] else None
    session.materials_to = today
    session.version += 1
    session.full_clean(exclude=["meeting", "created_by"])
    session.save()
    digest = hashlib.sha256(json.dumps(figures, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    audit_record(actor=actor, action="meeting.materials", obj=session,
                 after={"from": figures["from"], "to": figures["to"], "sha256": digest})  # fmt: skip
    return session


@transaction.atomic
def session_minutes_record(*, actor: Any, session: MeetingSession, minutes: str, decisions: list[dict[str, Any]],
                           version: int | None = None) -> MeetingSession:  # fmt: skip
    """Record the minutes: each decision becomes a task (its unit, its deadline) and its unit's users are told; the
    earlier open tasks the session reviewed are kept with it; the 会议纪要 is issued under the host department's
    number. The session is then held."""
    session = _locked_session(actor, session, SessionAction.MINUTES, version)
    session.minutes = _text(minutes, "minutes", 4000)
    if len(decisions) > MAX_DECISIONS:
        raise ValidationError(_("一次会议最多记录 %(n)s 项议定事项。") % {"n": MAX_DECISIONS})
    units = member_units(session.meeting)
    tasks = []
    for n, row in enumerate(decisions, start=1):
        unit = _unit(units, row.get("unit", ""), f"decisions.{n}.unit")
        deadline = row.get("deadline")
        if not isinstance(deadline, date) or deadline < session.held_on:
            raise ValidationError({f"decisions.{n}.deadline": _("办理时限不能早于会议日期。")})
        tasks.append(MeetingTask(
            session=session, number=n, decision=_text(row.get("decision", ""), f"decisions.{n}.decision", 500),
            department_id=unit.department_id, street_id=unit.street_id, deadline=deadline,
        ))  # fmt: skip
    for task in tasks:
        task.full_clean(exclude=["session", "department", "street"])
    MeetingTask.objects.bulk_create(tasks)
    session.carried.set(list(carried_tasks(session)))
    session.status = workflow.SESSION_TRANSITIONS[SessionAction.MINUTES].target
    session.version += 1
    session.full_clean(exclude=["meeting", "created_by"])
    session.save()
    meeting = session.meeting
    page = session_page(session)
    document = document_issue(
        actor=actor, kind=DocumentKind.MEETING_MINUTES, department=meeting.department, source=session,
        institution=None, build=lambda number: minutes_content(page, number),
    )  # fmt: skip
    audit_record(
        actor=actor, action="meeting.minutes", obj=session,
        after={"number": document.number, "tasks": [[t.decision, t.department_id, t.street_id, t.deadline]
                                                    for t in page.tasks],
               "carried": [t.pk for t in page.carried]},
    )  # fmt: skip
    messages = []
    for task in page.tasks:
        url = reverse("meetings:session_detail", args=[session.pk]) + f"#task-{task.pk}"
        text = _("联席会议督办事项（%(number)s）：%(decision)s，请于 %(day)s 前办理并报告进展。") % {
            "number": document.number, "decision": task.decision[:80], "day": task.deadline.isoformat(),
        }  # fmt: skip
        people = unit_users(department_ids=[task.department_id] if task.department_id else [],
                            street_ids=[task.street_id] if task.street_id else [])  # fmt: skip
        messages += [Message(p, "meeting.task_assigned", f"meetings.task:{task.pk}", text, url) for p in people]
    notify_many(messages)
    return session


# --------------------------------------------------------------------------------------------------------- tasks


def _locked_task(actor: Any, task: MeetingTask, action: str, version: int | None) -> tuple[MeetingTask, Any]:
    locked = MeetingTask.objects.select_for_update().select_related("session__meeting").get(pk=task.pk)
    transition = workflow.check_task(actor, locked, action)
    _stale(locked, version, _("督办事项"))
    return locked, transition


@transaction.atomic
def task_progress_report(*, actor: Any, task: MeetingTask, text: str, done: bool = False,
                         version: int | None = None) -> TaskProgress:  # fmt: skip
    """A user of the task's unit reports progress (and may report it done, asking the convener to close it)."""
    task, _transition = _locked_task(actor, task, TaskAction.PROGRESS, version)
    progress = TaskProgress(task=task, author=actor, text=_text(text, "text", 1000), done=bool(done))
    progress.full_clean(exclude=["task", "author"])
    progress.save()
    task.version += 1
    task.save(update_fields=["version"])
    audit_record(actor=actor, action="meeting.task_progress", obj=task, after={"text": progress.text, "done": done})
    convener = task.session.meeting.convener_id
    if convener != actor.pk:
        message = _("督办事项“%(decision)s”：%(unit)s报告%(state)s。") % {
            "decision": task.decision[:40], "unit": task.unit_name, "state": _("已办理完毕，申请销号") if done else _("办理进展"),
        }  # fmt: skip
        url = reverse("meetings:session_detail", args=[task.session_id]) + f"#task-{task.pk}"
        notify_many([Message(convener, "meeting.task_progress", f"meetings.task:{task.pk}", message, url)])
    return progress


@transaction.atomic
def task_close(*, actor: Any, task: MeetingTask, note: str = "", version: int | None = None) -> MeetingTask:
    """The convener closes a task (办结销号); it leaves the next agendas, the warnings and the dashboard."""
    task, transition = _locked_task(actor, task, TaskAction.CLOSE, version)
    task.status = transition.target or TaskStatus.CLOSED
    task.closed_on = timezone.localdate()
    task.closed_by = actor
    task.close_note = _text(note, "note", 300, required=False)
    task.version += 1
    task.full_clean(exclude=["session", "department", "street", "closed_by"])
    task.save()
    audit_record(actor=actor, action="meeting.task_close", obj=task,
                 after={"closed_on": task.closed_on, "note": task.close_note})  # fmt: skip
    people = unit_users(department_ids=[task.department_id] if task.department_id else [],
                        street_ids=[task.street_id] if task.street_id else [])  # fmt: skip
    text = _("督办事项“%(decision)s”已由召集人办结销号。") % {"decision": task.decision[:40]}
    url = reverse("meetings:session_detail", args=[task.session_id]) + f"#task-{task.pk}"
    notify_many(Message(p, "meeting.task_closed", f"meetings.task:{task.pk}", text, url) for p in people)
    return task
