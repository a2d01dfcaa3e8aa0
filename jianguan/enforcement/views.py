from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jianguan.accounts.choices import Role
from jianguan.accounts.permissions import allowed, require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.enforcement import clocks, selectors, services, workflow
from jianguan.enforcement.choices import CaseAction, CaseStatus
from jianguan.enforcement.forms import FORMS, OpenForm
from jianguan.enforcement.models import Case, CaseStep
from jianguan.lib.forms import add_service_errors, paginate, workflow_step
from jianguan.org.models import Department
from jianguan.registry.models import Institution


class CaseFilter(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"), required=False, choices=[("", gettext_lazy("全部状态")), *CaseStatus.choices]
    )
    q = forms.CharField(label=gettext_lazy("当事人"), required=False, max_length=50)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "cases.view")
    form = CaseFilter(request.GET or None)
    cases = selectors.cases_for(request.user)
    if form.is_valid():
        if form.cleaned_data["status"]:
            cases = cases.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["q"]:
            cases = cases.filter(party_name__icontains=form.cleaned_data["q"])
    today = timezone.localdate()
    page = paginate(request, cases, 30)
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.status_counts(request.user)
    queues = [(code, label, counts[code]) for code, label in CaseStatus.choices if counts.get(code)]
    context = {
        "form": form, "page": page, "rows": selectors.case_rows(page, today), "query": query.urlencode(),
        "queues": queues, "current": request.GET.get("status", ""),
    }  # fmt: skip
    return render(request, "enforcement/case_list.html", context)


@login_required
def case_new(request: HttpRequest, institution: int) -> HttpResponse:
    """登记案件线索 for an institution of the registry (直接发现); the lead coordinator names the department."""
    require(request.user, "cases.open")
    party = get_visible_or_404(Institution.objects.all(), request.user, pk=institution)
    form = OpenForm(request.POST or None)
    if request.user.role == Role.LEAD:
        form.fields["department"] = forms.ModelChoiceField(
            label=_("办案部门"), queryset=Department.objects.filter(is_active=True)
        )
    if request.method == "POST" and form.is_valid():
        department = form.cleaned_data.get("department") or request.user.department
        try:
            case = services.case_open(
                actor=request.user, department=department, institution=party, clue=form.cleaned_data["clue"],
                clue_on=form.cleaned_data["clue_on"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记案件线索。"))
            return redirect("enforcement:case_detail", pk=case.pk)
    return render(
        request, "enforcement/case_new.html", {"form": form, "party": party}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def case_from_complaint(request: HttpRequest, complaint: int) -> HttpResponse:
    """A complaint found true, registered as a case's clue in one step (from the complaint's page)."""
    from jianguan.complaints.models import Complaint

    require(request.user, "cases.open")
    found = get_visible_or_404(Complaint.objects.select_related("institution"), request.user, pk=complaint)
    try:
        case = services.case_from_complaint(actor=request.user, complaint=found)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("complaints:complaint_detail", pk=found.pk)
    messages.success(request, _("已登记为案件线索，待立案。"))
    return redirect("enforcement:case_detail", pk=case.pk)


def _case(request: HttpRequest, pk: int) -> Case:
    require(request.user, "cases.view")
    return get_visible_or_404(
        Case.objects.select_related("department", "institution", "hearing_presider").prefetch_related("officers__user"),
        request.user,
        pk=pk,
    )


def _page(request: HttpRequest, case: Case, refused: tuple[str, Any] | None = None) -> HttpResponse:
    today = timezone.localdate()
    user = request.user
    forms_ = {
        action: FORMS[action](prefix=action, initial={"version": case.version}, case=case, user=user)
        for action in workflow.available(user, case, today)
    }
    if refused:
        forms_[refused[0]] = refused[1]
    actions = [(name, CaseAction(name).label, form) for name, form in forms_.items()]
    steps = list(CaseStep.objects.visible_to(user).filter(case=case).select_related("actor"))
    party = user.role == Role.INSTITUTION
    context = {
        "case": case,
        "actions": actions,
        "open_form": refused[0] if refused else "",
        "clocks": clocks.clocks(case, today),
        "steps": steps,
        "documents": selectors.case_documents(user, steps),
        "evidence": [] if party else list(case.evidence.select_related("collected_by")),
        "statements": list(case.statements.select_related("submitted_by", "answered_by")),
        "party": party,
        "owed": services.amount_owed(case, today),
        # A case outside the department's powers is handed to the competent one (移送); help asked (协查).
        "may_transfer": not party and allowed(user, "transfers.send"),
    }
    return render(request, "enforcement/case_detail.html", context, status=400 if refused else 200)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _case(request, pk))


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step from the case page. A refused role is 403 before the form is read; an impossible step (the case moved
    on, a stale page, a period run out) comes back as a message, nothing saved."""
    if action not in FORMS:
        raise Http404
    case = _case(request, pk)
    return workflow_step(
        request, record=case, action=action, workflow=workflow,
        form=FORMS[action](request.POST, prefix=action, case=case, user=request.user),
        act=lambda **data: services.ACTIONS[action](actor=request.user, case=case, **data),
        page=lambda refused: _page(request, case, refused=refused),
        done_url=reverse("enforcement:case_detail", args=[case.pk]),
    )  # fmt: skip
