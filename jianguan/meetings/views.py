from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import allowed, require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.documents.models import Document
from jianguan.documents.rendering import render_docx, render_pdf
from jianguan.lib.forms import add_service_errors, paginate
from jianguan.meetings import selectors, services, workflow
from jianguan.meetings.choices import SessionAction, TaskAction
from jianguan.meetings.forms import (
    AttendanceForm,
    CloseForm,
    MeetingForm,
    MinutesForm,
    ProgressForm,
    SessionForm,
    TaskFilter,
    VersionForm,
)
from jianguan.meetings.materials import materials_content
from jianguan.meetings.models import JointMeeting, MeetingSession, MeetingTask, overdue_q

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _session(request: HttpRequest, pk: int) -> MeetingSession:
    require(request.user, "meetings.view")
    return get_visible_or_404(selectors.sessions_for(request.user), request.user, pk=pk)


def _refused(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, str(exc) if isinstance(exc, workflow.Conflict) else "；".join(exc.messages))  # type: ignore[attr-defined]


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    """The standing meetings the user belongs to, each with its sessions (newest first)."""
    require(request.user, "meetings.view")
    meetings = list(
        JointMeeting.objects.visible_to(request.user)
        .select_related("department", "convener")
        .prefetch_related("departments", "streets")
    )
    sessions = selectors.sessions_for(request.user).filter(meeting__in=meetings)
    by_meeting: dict[int, list[MeetingSession]] = {}
    for s in sessions:
        by_meeting.setdefault(s.meeting_id, []).append(s)
    rows = [(m, by_meeting.get(m.pk, [])) for m in meetings]
    return render(request, "meetings/meeting_list.html",
                  {"rows": rows, "may_manage": allowed(request.user, "meetings.manage")})  # fmt: skip


@login_required
def meeting_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Set up (or change) a standing meeting: the convener's."""
    require(request.user, "meetings.manage")
    meeting = get_visible_or_404(JointMeeting.objects.all(), request.user, pk=pk) if pk else None
    initial: dict[str, Any] = {"convener": request.user.pk, "department": request.user.department_id}
    if meeting is not None:
        initial = {
            "name": meeting.name, "department": meeting.department_id, "convener": meeting.convener_id,
            "departments": list(meeting.departments.all()), "streets": list(meeting.streets.all()),
            "schedule": meeting.schedule, "duties": meeting.duties, "version": meeting.version,
        }  # fmt: skip
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_save(
                actor=request.user, meeting=meeting, name=data["name"], department=data["department"],
                convener=data["convener"], departments=data["departments"], streets=data["streets"],
                schedule=data["schedule"], duties=data["duties"], version=data["version"],
            )  # fmt: skip
        except workflow.Conflict as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存联席会议。"))
            return redirect("meetings:meeting_list")
    title = _("修改联席会议") if meeting else _("设立联席会议")
    return render(request, "meetings/form.html", {"form": form, "title": title}, status=400 if form.errors else 200)


@login_required
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Schedule a session of a standing meeting."""
    require(request.user, "meetings.manage")
    meeting = get_visible_or_404(JointMeeting.objects.all(), request.user, pk=pk)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_schedule(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已安排会议并通知成员单位。"))
            return redirect("meetings:session_detail", pk=session.pk)
    return render(
        request, "meetings/form.html",
        {"form": form, "title": _("安排会议"), "subtitle": meeting.name}, status=400 if form.errors else 200,
    )  # fmt: skip


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    page = selectors.session_page(session)
    today = timezone.localdate()
    actions = workflow.session_actions(request.user, session, today)
    minutes = (
        Document.objects.visible_to(request.user)
        .filter(source_type="meetings.meetingsession", source_id=str(session.pk))
        .first()
    )
    tasks = [(t, t.is_overdue(today), workflow.task_actions(request.user, t)) for t in page.tasks]
    carried = [(t, t.is_overdue(today), workflow.task_actions(request.user, t)) for t in page.carried]
    context = {
        "session": session, "page": page, "may_attendance": SessionAction.ATTENDANCE in actions,
        "may_materials": SessionAction.MATERIALS in actions, "may_minutes": SessionAction.MINUTES in actions, "minutes_document": minutes, "tasks": tasks,
        "carried": carried, "version_form": VersionForm(initial={"version": session.version}),
        "may_manage": allowed(request.user, "meetings.manage"), "today": today,
    }  # fmt: skip
    return render(request, "meetings/session_detail.html", context)


@login_required
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    require(request.user, "meetings.manage")
    units = selectors.member_units(session.meeting)
    recorded = {
        (f"d{a.department_id}" if a.department_id else f"s{a.street_id}"): (a.status, a.attendee)
        for a in session.attendance.all()
    }
    form = AttendanceForm(
        request.POST or None, units=units, initial_rows=recorded, initial={"version": session.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_attendance_record(
                actor=request.user, session=session, rows=form.rows(), version=form.cleaned_data["version"]
            )
        except workflow.Conflict as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已记录出席情况。"))
            return redirect("meetings:session_detail", pk=session.pk)
    return render(
        request, "meetings/form.html",
        {"form": form, "title": _("记录出席情况"), "subtitle": str(session), "back": session},
        status=400 if form.errors else 200,
    )  # fmt: skip


@login_required
@require_POST
def session_materials(request: HttpRequest, pk: int) -> HttpResponse:
    """Generate (again) the session's materials pack."""
    session = _session(request, pk)
    require(request.user, "meetings.manage")
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求无效，请刷新页面后重试。"))
        return redirect("meetings:session_detail", pk=session.pk)
    try:
        services.session_materials_generate(actor=request.user, session=session, version=form.cleaned_data["version"])
    except (workflow.Conflict, ValidationError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已生成会议材料。"))
    return redirect("meetings:session_detail", pk=session.pk)


@login_required
def session_materials_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The pack as PDF or DOCX, rendered from the figures frozen on the session."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    session = _session(request, pk)
    if not session.materials:
        raise Http404
    content = materials_content(session)
    data = render_pdf(content) if fmt == "pdf" else render_docx(content)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    from urllib.parse import quote

    name = quote(f"{session}会议材料.{fmt}")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@login_required
def session_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    require(request.user, "meetings.manage")
    form = MinutesForm(request.POST or None, units=selectors.member_units(session.meeting),
                       initial={"version": session.version})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.session_minutes_record(
                actor=request.user, session=session, minutes=form.cleaned_data["minutes"],
                decisions=form.decisions(), version=form.cleaned_data["version"],
            )  # fmt: skip
        except workflow.Conflict as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已记录会议纪要，议定事项已交办。"))
            return redirect("meetings:session_detail", pk=session.pk)
    carried = list(selectors.carried_tasks(session))
    return render(
        request, "meetings/form.html",
        {"form": form, "title": _("记录会议纪要"), "subtitle": str(session), "back": session, "carried": carried},
        status=400 if form.errors else 200,
    )  # fmt: skip


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "meetings.view")
    form = TaskFilter(request.GET or None)
    tasks = selectors.tasks_for(request.user).order_by("deadline", "pk")
    today = timezone.localdate()
    if form.is_valid():
        if form.cleaned_data["status"]:
            tasks = tasks.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["overdue"] == "true":
            tasks = tasks.filter(overdue_q(today))
        elif form.cleaned_data["overdue"] == "false":
            tasks = tasks.exclude(overdue_q(today))
    page = paginate(request, tasks, 30)
    query = request.GET.copy()
    query.pop("page", None)
    rows = [(t, t.is_overdue(today)) for t in page]
    return render(request, "meetings/task_list.html",
                  {"form": form, "page": page, "rows": rows, "query": query.urlencode()})  # fmt: skip


def _task(request: HttpRequest, pk: int) -> MeetingTask:
    require(request.user, "meetings.view")
    return get_visible_or_404(MeetingTask.objects.select_related("session__meeting"), request.user, pk=pk)


def _task_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    task = _task(request, pk)
    form = (ProgressForm if action == TaskAction.PROGRESS else CloseForm)(request.POST)
    back = reverse("meetings:session_detail", args=[task.session_id]) + f"#task-{task.pk}"
    try:
        workflow.check_task(request.user, task, action)  # who may not is refused (403) whatever the form holds
    except workflow.Conflict as exc:
        _refused(request, exc)
        return redirect(back)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    data = form.cleaned_data
    try:
        if action == TaskAction.PROGRESS:
            services.task_progress_report(actor=request.user, task=task, text=data["text"], done=data["done"],
                                          version=data["version"])  # fmt: skip
        else:
            services.task_close(actor=request.user, task=task, note=data["note"], version=data["version"])
    except (workflow.Conflict, ValidationError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已报告办理进展。") if action == TaskAction.PROGRESS else _("已办结销号。"))
    return redirect(back)


@login_required
@require_POST
def task_progress(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_action(request, pk, TaskAction.PROGRESS)


@login_required
@require_POST
def task_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_action(request, pk, TaskAction.CLOSE)
