from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.documents.models import Document
from jianguan.ledger import exports, services, workflow
from jianguan.ledger.choices import Action, ExtensionStatus
from jianguan.ledger.filters import LedgerFilter
from jianguan.ledger.forms import (
    DecisionForm,
    EscalateForm,
    ExtensionForm,
    GuidanceForm,
    NoteForm,
    RecheckForm,
    SubmitForm,
)
from jianguan.ledger.models import Attachment, LedgerItem
from jianguan.ledger.selectors import ledger_rows, overdue_q, recheck_due_by
from jianguan.lib.dbrouter import replica_reads
from jianguan.lib.forms import add_service_errors, paginate


def _filtered(request: HttpRequest) -> tuple[LedgerFilter, Any]:
    require(request.user, "ledger.view")
    form = LedgerFilter(request.GET or None, user=request.user)
    return form, form.apply(LedgerItem.objects.visible_to(request.user))


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    page = paginate(request, ledger_rows(qs), 30)
    overdue_ids = set(qs.filter(overdue_q(today)).filter(pk__in=[i.pk for i in page]).values_list("pk", flat=True))
    context = {
        "form": form, "page": page, "query": query.urlencode(), "overdue_ids": overdue_ids, "today": today,
        # On a phone the filters fold behind one button that says how many are in use.
        "active_filters": sum(1 for name in form.fields if request.GET.get(name)),
    }  # fmt: skip
    return render(request, "ledger/item_list.html", context)


@login_required
@replica_reads
def item_export(request: HttpRequest) -> FileResponse:
    _form, qs = _filtered(request)
    path = exports.ledger_xlsx(ledger_rows(qs))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=f"整改台账-{stamp}.xlsx")  # noqa: SIM115
    Path(path).unlink()
    return response


FORMS: dict[str, Callable[..., Any]] = {
    Action.ACKNOWLEDGE: NoteForm,
    Action.SUBMIT: SubmitForm,
    "recheck": RecheckForm,
    Action.REQUEST_EXTENSION: ExtensionForm,
    "decide_extension": DecisionForm,
    Action.ESCALATE: EscalateForm,
    Action.GUIDANCE: GuidanceForm,
}


# The page's actions that stand for two transitions of the state machine.
WORKFLOW_ACTION = {"recheck": Action.RECHECK_PASS, "decide_extension": Action.APPROVE_EXTENSION}


def _item(request: HttpRequest, pk: int) -> LedgerItem:
    require(request.user, "ledger.view")
    return get_visible_or_404(
        LedgerItem.objects.select_related(
            "institution__street", "department", "officer", "inspection", "campaign", "finding"
        ),
        request.user,
        pk=pk,
    )


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _item(request, pk))


def _detail_page(request: HttpRequest, item: LedgerItem, refused: tuple[str, Any] | None = None) -> HttpResponse:
    """The item page; `refused` is an action's form that was refused, shown open with what was typed and the errors
    beside its fields (400)."""
    today = timezone.localdate()
    actions = set(workflow.available(request.user, item, today))
    pending_extension = item.extensions.filter(status=ExtensionStatus.PENDING).first()
    forms = {}
    if Action.ACKNOWLEDGE in actions:
        forms["acknowledge"] = NoteForm(prefix="acknowledge", initial={"version": item.version})
    if Action.SUBMIT in actions:
        forms["submit"] = SubmitForm(prefix="submit", initial={"version": item.version})
    if Action.REQUEST_EXTENSION in actions and not pending_extension:
        forms["request_extension"] = ExtensionForm(prefix="request_extension", initial={"version": item.version})
    if Action.RECHECK_PASS in actions:
        forms["recheck"] = RecheckForm(
            prefix="recheck", initial={"version": item.version}, item=item, user=request.user
        )
    if Action.APPROVE_EXTENSION in actions and pending_extension:
        forms["decide_extension"] = DecisionForm(prefix="decide_extension", initial={"version": item.version})
    if Action.ESCALATE in actions:
        forms["escalate"] = EscalateForm(prefix="escalate", initial={"version": item.version})
    if Action.GUIDANCE in actions:
        forms["guidance"] = GuidanceForm(prefix="guidance")
    context = {
        "item": item,
        "today": today,
        "overdue": item.deadline < today and item.status in ("pending", "in_progress", "submitted"),
        "recheck_due_by": recheck_due_by(item),
        "events": item.events.select_related("actor").prefetch_related("attachments"),
        "evidence": item.finding.evidence.all(),
        "rechecks": item.rechecks.prefetch_related("officers"),
        "extensions": item.extensions.select_related("requested_by", "decided_by"),
        "guidance": item.guidance.all(),
        "pending_extension": pending_extension,
        "documents": Document.objects.filter(
            source_type="inspections.inspection", source_id=str(item.inspection_id)
        ).order_by("kind")
        | Document.objects.filter(source_type="ledger.recheck", source_id__in=[str(r.pk) for r in item.rechecks.all()]),
        "forms": forms,
        "open_form": refused[0] if refused else "",
    }
    if refused is not None and refused[0] in forms:
        forms[refused[0]] = refused[1]
    return render(request, "ledger/item_detail.html", context, status=400 if refused else 200)


@login_required
@require_POST
def item_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One transition from the item page. A refusal by role is 403; an impossible one (the item moved on, a stale
    page) comes back as a message on the page, nothing saved."""
    if action not in FORMS:
        raise Http404
    item = _item(request, pk)
    # Who may act is answered before the form is read: a refused role never learns what the form would accept.
    rule = workflow.TRANSITIONS[WORKFLOW_ACTION.get(action, action)]
    if not workflow.may_act(request.user, item, rule.who):
        raise PermissionDenied(str(workflow.WHO_LABELS[rule.who]))
    # Each action's form has its own prefix: several forms share the item page, and their fields must not share ids.
    extra = {"item": item, "user": request.user} if action == "recheck" else {}
    form = FORMS[action](request.POST, request.FILES, prefix=action, **extra)
    if not form.is_valid():
        # Back on the page with what was typed (a file must be chosen again: browsers never refill file inputs).
        return _detail_page(request, item, refused=(action, form))
    data = dict(form.cleaned_data)
    version = data.pop("version", None)
    user = request.user
    calls: dict[str, Callable[[], Any]] = {
        Action.ACKNOWLEDGE: lambda: services.acknowledge(actor=user, item=item, version=version, **data),
        Action.SUBMIT: lambda: services.submit(actor=user, item=item, version=version, **data),
        "recheck": lambda: services.recheck(actor=user, item=item, version=version, **data),
        Action.REQUEST_EXTENSION: lambda: services.request_extension(actor=user, item=item, version=version, **data),
        "decide_extension": lambda: services.decide_extension(actor=user, item=item, version=version, **data),
        Action.ESCALATE: lambda: services.escalate(actor=user, item=item, version=version, **data),
        Action.GUIDANCE: lambda: services.guidance_add(actor=user, item=item, **data),
    }
    try:
        calls[action]()
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _detail_page(request, item, refused=(action, form))
    except workflow.Conflict as exc:
        # The item moved on since the page was drawn: the fresh page, with why.
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已保存。"))
    return redirect(item.get_absolute_url())


@login_required
def attachment_file(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(Attachment, pk=pk)
    _item(request, attachment.item_id)  # 404 unless the user may see the item
    return attachment.download(filename=attachment.name)
