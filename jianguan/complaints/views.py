"""Complaints: the public form and tracking page (no login, rate-limited, bot-trapped) and the staff pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import allowed, require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.complaints import exports, selectors, services
from jianguan.complaints.choices import ComplaintCategory, ComplaintStatus
from jianguan.complaints.forms import (
    AssignForm,
    CloseForm,
    ComplaintForm,
    LinkForm,
    NoteForm,
    RejectForm,
    ReplyForm,
    TrackForm,
)
from jianguan.complaints.models import Complaint, ComplaintPhoto
from jianguan.enforcement.services import complaint_case_refusal
from jianguan.inspections.forms import SiteReportForm
from jianguan.lib.forms import add_service_errors, form_errors_text, paginate
from jianguan.lib.params import id_param, text_param
from jianguan.org.models import Department
from jianguan.org.selectors import streets
from jianguan.portal.views import too_many
from jianguan.registry.models import Institution

# ---------------------------------------------------------------------------------------------------- the public


def _submission_refused(request: HttpRequest) -> HttpResponse | None:
    """Submissions have their own, tighter limit per client (JIANGUAN_COMPLAINT_RATE_LIMIT an hour)."""
    return too_many(
        request, "complaint", settings.JIANGUAN_COMPLAINT_RATE_LIMIT, 3600, _("提交过于频繁，请一小时后再试。")
    )


def complaint_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if (refused := _submission_refused(request)) is not None:
            return refused
    elif (refused := too_many(request)) is not None:
        return refused
    picked = None
    if (pk := id_param(request.POST, "institution") or id_param(request.GET, "institution")) is not None:
        picked = Institution.objects.filter(pk=pk).select_related("street").first()
    form = ComplaintForm(request.POST or None, request.FILES or None)
    q = text_param(request.GET, "q", max_length=50)
    context = {"form": form, "picked": picked, "q": q, "rows": selectors.pick_rows(q)}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        for name in ("website", "started", "institution"):
            data.pop(name)
        try:
            complaint, code = services.complaint_submit(institution=picked, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            request.session["complaint_done"] = {"number": complaint.number, "code": code}
            return redirect("public_complaints:done")
    return render(request, "complaints/public_form.html", context)


def complaint_pick(request: HttpRequest) -> HttpResponse:
    """htmx: registry matches for the public form, as radio buttons that fill the form's `institution`."""
    if (refused := too_many(request)) is not None:
        return refused
    q = text_param(request.GET, "q", max_length=50)
    return render(request, "complaints/partials/pick.html", {"rows": selectors.pick_rows(q), "q": q})


def complaint_done(request: HttpRequest) -> HttpResponse:
    """Shows the tracking code once: it leaves the session as it is shown and is not stored anywhere else."""
    done = request.session.pop("complaint_done", None)
    if not done:
        return redirect("public_complaints:track")
    response = render(request, "complaints/public_done.html", done)
    response["Cache-Control"] = "no-store"
    return response


def complaint_track(request: HttpRequest) -> HttpResponse:
    if (refused := too_many(request)) is not None:
        return refused
    form = TrackForm(request.POST or None)
    result = None
    searched = False
    if request.method == "POST" and form.is_valid():
        searched = True
        result = selectors.track(form.cleaned_data["code"])
    response = render(request, "complaints/public_track.html", {"form": form, "result": result, "searched": searched})
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------------------------------- staff


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "complaints.view")
    today = timezone.localdate()
    qs = selectors.filtered(selectors.complaints_for(request.user), request.GET, today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": paginate(request, qs, 30),
        "today": today,
        "query": query.urlencode(),
        "params": request.GET,
        "statuses": ComplaintStatus.choices,
        "categories": ComplaintCategory.choices,
        "streets": streets(),
        "departments": Department.objects.filter(is_active=True).order_by("pk"),
        "counts": selectors.counts(request.user, today),
    }
    return render(request, "complaints/complaint_list.html", context)


@login_required
def complaint_export(request: HttpRequest) -> FileResponse:
    require(request.user, "complaints.view")
    qs = selectors.filtered(selectors.complaints_for(request.user), request.GET, timezone.localdate())
    path = exports.complaints_xlsx(qs)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=f"投诉举报-{stamp}.xlsx")  # noqa: SIM115
    Path(path).unlink()
    return response


def _complaint(request: HttpRequest, pk: int) -> Complaint:
    require(request.user, "complaints.view")
    return get_visible_or_404(
        Complaint.objects.select_related(
            "institution__street", "street", "assigned_department", "assigned_street", "handler", "inspection",
            "ledger_item",
        ),
        request.user,
        pk=pk,
    )  # fmt: skip


def _forms(user: Any, complaint: Complaint) -> dict[str, Any]:
    initial = {"version": complaint.version}
    forms: dict[str, Any] = {}
    if complaint.status in (ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED) and selectors.may_triage(user):
        forms["assign"] = AssignForm(prefix="assign", initial=initial)
    if complaint.status == ComplaintStatus.RECEIVED and selectors.may_triage(user):
        forms["reject"] = RejectForm(prefix="reject", initial=initial)
    if complaint.status == ComplaintStatus.ASSIGNED and selectors.may_handle(user, complaint):
        forms["note"] = NoteForm(prefix="note", initial=initial)
        if complaint.institution_id:
            forms["link"] = LinkForm(prefix="link", initial=initial, complaint=complaint)
        else:
            forms["register_site"] = SiteReportForm(
                prefix="register_site",
                initial={
                    "name": complaint.typed_name,
                    "address": complaint.typed_address,
                    "street": complaint.street_id,
                },
            )
        forms["reply"] = ReplyForm(prefix="reply", initial=initial)
    if complaint.status == ComplaintStatus.REPLIED and selectors.may_handle(user, complaint):
        forms["close"] = CloseForm(prefix="close", initial=initial)
    return forms


@login_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _complaint(request, pk)
    today = timezone.localdate()
    context = {
        "c": complaint,
        "today": today,
        "overdue": complaint.is_overdue(today) or complaint.acceptance_overdue(today),
        "accept_days": settings.JIANGUAN_COMPLAINT_ACCEPT_WORKING_DAYS,
        "show_reporter": selectors.may_see_reporter(request.user, complaint),
        "photos": complaint.photos.all(),
        "events": complaint.events.select_related("actor"),
        "forms": _forms(request.user, complaint),
        # A complaint found true becomes a penalty case's clue in one step (the same conditions as the service's).
        "may_open_case": complaint_case_refusal(request.user, complaint) is None,
        # A complaint outside one's powers is handed on (移送) or another unit's help asked (协查).
        "may_transfer": allowed(request.user, "transfers.send") and selectors.may_handle(request.user, complaint),
    }
    return render(request, "complaints/complaint_detail.html", context)


FORMS: dict[str, Callable[..., Any]] = {
    "assign": AssignForm,
    "reject": RejectForm,
    "note": NoteForm,
    "link": LinkForm,
    "register_site": SiteReportForm,
    "reply": ReplyForm,
    "close": CloseForm,
}


@login_required
@require_POST
def complaint_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step from the complaint page; refusals by role are 403, impossible steps come back as a message."""
    if action not in FORMS:
        raise Http404
    complaint = _complaint(request, pk)
    user = request.user
    if action in ("assign", "reject"):
        require(user, "complaints.triage")
    elif not selectors.may_handle(user, complaint):
        raise PermissionDenied(_("只有承办单位的人员和牵头部门可以办理该投诉。"))
    extra = {"complaint": complaint} if action == "link" else {}
    form = FORMS[action](request.POST, request.FILES, prefix=action, **extra)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("complaints:complaint_detail", pk=complaint.pk)
    data = dict(form.cleaned_data)
    version = data.pop("version", None)
    calls: dict[str, Callable[[], Any]] = {
        "assign": lambda: services.complaint_assign(actor=user, complaint=complaint, version=version, **data),
        "reject": lambda: services.complaint_reject(actor=user, complaint=complaint, version=version, **data),
        "note": lambda: services.complaint_note(actor=user, complaint=complaint, version=version, **data),
        "link": lambda: services.complaint_link(actor=user, complaint=complaint, version=version, **data),
        "register_site": lambda: services.complaint_register_site(actor=user, complaint=complaint, **data),
        "reply": lambda: services.complaint_reply(actor=user, complaint=complaint, version=version, **data),
        "close": lambda: services.complaint_close(actor=user, complaint=complaint, version=version, **data),
    }
    try:
        calls[action]()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已保存。"))
    return redirect("complaints:complaint_detail", pk=complaint.pk)


@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(ComplaintPhoto, pk=pk)
    _complaint(request, saved.complaint_id)  # 404 unless the user may see the complaint
    return saved.download()
