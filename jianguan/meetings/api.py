"""The joint meeting over the API: sessions with their attendance, documents and tasks, the tasks with their progress,
and the two task actions as POSTs (409 when the task is already closed or the page was stale). The same scope,
state machine and services as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from jianguan.accounts.permissions import require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.documents.api import DocumentOut, document_out
from jianguan.documents.models import Document
from jianguan.lib.api import (
    UPDATED_SINCE_HELP,
    PageOut,
    PlainText,
    TransitionOut,
    changed_since,
    endpoint_names,
    page,
    responses,
    transitions,
)
from jianguan.meetings import selectors, services, workflow
from jianguan.meetings.choices import SessionAction, SessionStatus, TaskAction, TaskStatus
from jianguan.meetings.models import Attendance, MeetingSession, MeetingTask, TaskProgress, overdue_q

router = Router(tags=["meetings"])


class MeetingAttendanceOut(Schema):
    unit: str
    department_id: int | None
    street_id: int | None
    status: str
    attendee: str


class MeetingProgressOut(Schema):
    author_id: int
    author_name: str
    text: str
    done: bool
    reported_at: datetime


class MeetingTaskOut(Schema):
    id: int
    session_id: int
    session_number: int
    number: int
    decision: str
    department_id: int | None
    street_id: int | None
    unit: str
    deadline: date
    status: str
    overdue: bool
    closed_on: date | None
    close_note: str
    version: int
    progress: list[MeetingProgressOut]
    actions: list[str] = Field(
        ...,
        description="本人现在可以调用的接口（operationId）：meeting_task_progress（报告进展）、meeting_task_close（办结销号）",
    )
    transitions: list[TransitionOut] = Field(..., description="本人现在可以进行的操作（代码与名称）：progress、close")
    updated_at: datetime = Field(..., description="最后变动时间（该记录或其组成部分的任何变动）")


class MeetingSessionOut(Schema):
    id: int
    meeting_id: int
    meeting: str
    number: int
    kind: str
    held_on: date
    place: str
    agenda: str
    status: str
    minutes: str
    materials_from: date | None
    materials_to: date | None
    materials_pdf_url: str = Field(..., description="会议材料 PDF（未生成时为空）")
    materials_docx_url: str
    version: int
    attendees: list[MeetingAttendanceOut]
    documents: list[DocumentOut]
    tasks: list[MeetingTaskOut]
    updated_at: datetime = Field(..., description="最后变动时间（该记录或其组成部分的任何变动）")


class MeetingSessionDetailOut(MeetingSessionOut):
    carried: list[MeetingTaskOut] = Field(..., description="议程中的前次会议督办事项（未召开时为当前仍未办结的）")
    materials: dict[str, Any] | None = Field(None, description="会议材料的数据（与驾驶舱同口径，生成时固定）")
    actions: list[str] = Field(
        ..., description="本人现在可以调用的接口（operationId）；会议的操作在页面上进行，暂无接口"
    )
    transitions: list[TransitionOut] = Field(..., description="本人现在可以在页面上进行的会议操作（代码与名称）")


class MeetingSessionPage(PageOut):
    items: list[MeetingSessionOut]


class MeetingTaskPage(PageOut):
    items: list[MeetingTaskOut]


class MeetingSessionQuery(Schema):
    status: SessionStatus | None = None


class MeetingTaskQuery(Schema):
    status: TaskStatus | None = None
    overdue: bool | None = Field(None, description="true：已超期（办理中且过了办理时限）；false：未超期")


class MeetingTaskProgressIn(Schema):
    text: PlainText = Field(..., min_length=1, max_length=1000)
    done: bool = False
    version: int | None = Field(None, ge=1, le=2_147_483_647)


class MeetingTaskCloseIn(Schema):
    note: PlainText = Field("", max_length=300)
    version: int | None = Field(None, ge=1, le=2_147_483_647)


TASK_ENDPOINTS = {TaskAction.PROGRESS: "meeting_task_progress", TaskAction.CLOSE: "meeting_task_close"}


def _actions(available: list[str], endpoints: dict[str, str], choices: Any) -> dict[str, Any]:
    return {"actions": endpoint_names(available, endpoints), "transitions": transitions(available, choices)}


def _task_out(request: HttpRequest, task: MeetingTask, today: date) -> dict[str, Any]:
    return {
        "id": task.pk, "session_id": task.session_id, "session_number": task.session.number, "number": task.number,
        "decision": task.decision, "department_id": task.department_id, "street_id": task.street_id,
        "unit": task.unit_name, "deadline": task.deadline, "status": task.status, "overdue": task.is_overdue(today),
        "closed_on": task.closed_on, "close_note": task.close_note, "version": task.version,
        "updated_at": task.updated_at,
        "progress": [
            {"author_id": p.author_id, "author_name": p.author.name, "text": p.text, "done": p.done,
             "reported_at": p.reported_at}
            for p in task.progress.all()
        ],
        **_actions(workflow.task_actions(request.user, task), TASK_ENDPOINTS, TaskAction),
    }  # fmt: skip


def _session_out(request: HttpRequest, session: MeetingSession, documents: list[Document], today: date) -> dict:
    materials = bool(session.materials_to)
    url = "meetings:session_materials_download"
    return {
        **{f: getattr(session, f) for f in ("id", "meeting_id", "number", "kind", "held_on", "place", "agenda",
                                            "status", "minutes", "materials_from", "materials_to", "version", "updated_at")},
        "meeting": session.meeting.name,
        "materials_pdf_url": reverse(url, args=[session.pk, "pdf"]) if materials else "",
        "materials_docx_url": reverse(url, args=[session.pk, "docx"]) if materials else "",
        "attendees": [
            {"unit": a.unit.name, "department_id": a.department_id, "street_id": a.street_id, "status": a.status,
             "attendee": a.attendee}
            for a in session.attendance.all()
        ],
        "documents": [document_out(d) for d in documents],
        "tasks": [_task_out(request, t, today) for t in session.tasks.all()],
    }  # fmt: skip


def _documents(user: Any, sessions: list[MeetingSession]) -> dict[str, list[Document]]:
    """The sessions' documents (the minutes) the user may see, by session id (one query)."""
    found: dict[str, list[Document]] = {}
    for d in (
        Document.objects.visible_to(user)
        .filter(source_type="meetings.meetingsession", source_id__in=[str(s.pk) for s in sessions])
        .order_by("issued_at", "pk")
    ):
        found.setdefault(d.source_id, []).append(d)
    return found


PROGRESS = Prefetch("progress", queryset=TaskProgress.objects.select_related("author"))


@router.get(
    "/meetings", response=responses(MeetingSessionPage), summary="联席会议会次（含出席情况、纪要文书和督办事项）"
)
def meeting_list(
    request: HttpRequest,
    filters: Query[MeetingSessionQuery],
    updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP),
    offset: int = Query(0, ge=0, le=1_000_000_000),
    limit: int = Query(20, ge=1, le=100),
) -> dict:
    require(request.user, "meetings.view")
    qs = selectors.sessions_for(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    qs = changed_since(qs, updated_since)
    sessions = list(
        qs.prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.select_related("department", "street")),
            Prefetch(
                "tasks", queryset=MeetingTask.objects.select_related("department", "street").prefetch_related(PROGRESS)
            ),
        )[offset : offset + limit]
    )
    documents = _documents(request.user, sessions)
    today = timezone.localdate()
    return {
        **page(request, qs.count(), offset, limit),
        "items": [_session_out(request, s, documents.get(str(s.pk), []), today) for s in sessions],
    }


@router.get(
    "/meetings/{session_id}",
    response=responses(MeetingSessionDetailOut),
    summary="会次详情（议程中的前次督办事项、会议材料数据）",
)
def meeting_detail(request: HttpRequest, session_id: int) -> dict:
    require(request.user, "meetings.view")
    session = get_visible_or_404(selectors.sessions_for(request.user), request.user, pk=session_id)
    page = selectors.session_page(session)
    today = timezone.localdate()
    session = (
        MeetingSession.objects.prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.select_related("department", "street")),
            Prefetch(
                "tasks", queryset=MeetingTask.objects.select_related("department", "street").prefetch_related(PROGRESS)
            ),
        )
        .select_related("meeting")
        .get(pk=session.pk)
    )
    return {
        **_session_out(request, session, _documents(request.user, [session]).get(str(session.pk), []), today),
        "carried": [_task_out(request, t, today) for t in page.carried],
        "materials": session.materials,
        **_actions(workflow.session_actions(request.user, session, today), {}, SessionAction),
    }


@router.get("/meeting-tasks", response=responses(MeetingTaskPage), summary="督办事项（所在联席会议的全部事项）")
def meeting_task_list(
    request: HttpRequest,
    filters: Query[MeetingTaskQuery],
    updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP),
    offset: int = Query(0, ge=0, le=1_000_000_000),
    limit: int = Query(50, ge=1, le=200),
) -> dict:
    require(request.user, "meetings.view")
    today = timezone.localdate()
    qs = selectors.tasks_for(request.user).order_by("deadline", "pk")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.overdue is True:
        qs = qs.filter(overdue_q(today))
    elif filters.overdue is False:
        qs = qs.exclude(overdue_q(today))
    qs = changed_since(qs, updated_since)
    return {
        **page(request, qs.count(), offset, limit),
        "items": [_task_out(request, t, today) for t in qs[offset : offset + limit]],
    }


def _task(request: HttpRequest, task_id: int) -> MeetingTask:
    require(request.user, "meetings.view")
    return get_visible_or_404(MeetingTask.objects.all(), request.user, pk=task_id)


def _fresh(request: HttpRequest, task: MeetingTask) -> dict:
    task = selectors.tasks_for(request.user).get(pk=task.pk)
    return _task_out(request, task, timezone.localdate())


@router.post("/meeting-tasks/{task_id}/progress", response=responses(MeetingTaskOut, conflict=True),
             summary="报告办理进展（责任部门或责任街道/乡镇的人员）")  # fmt: skip
def meeting_task_progress(request: HttpRequest, task_id: int, payload: MeetingTaskProgressIn) -> dict:
    task = _task(request, task_id)
    services.task_progress_report(
        actor=request.user, task=task, text=payload.text, done=payload.done, version=payload.version
    )
    return _fresh(request, task)


@router.post("/meeting-tasks/{task_id}/close", response=responses(MeetingTaskOut, conflict=True),
             summary="办结销号（联席会议召集人）")  # fmt: skip
def meeting_task_close(request: HttpRequest, task_id: int, payload: MeetingTaskCloseIn) -> dict:
    task = _task(request, task_id)
    services.task_close(actor=request.user, task=task, note=payload.note, version=payload.version)
    return _fresh(request, task)
