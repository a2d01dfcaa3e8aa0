"""The year's plans, the 双随机 lists and a campaign's draw (staff), and the officers' declared relationships."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.choices import Role
from jianguan.accounts.models import OfficerConflict
from jianguan.accounts.permissions import allowed, require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.accounts.services import officer_conflict_declare, officer_conflict_end
from jianguan.inspections.models import Campaign
from jianguan.lib.forms import add_service_errors, attempt, paginate
from jianguan.planning import selectors, services
from jianguan.planning.forms import (
    ConflictForm,
    CoverageTargetForm,
    DrawForm,
    PlanCampaignForm,
    PlanForm,
    PublishForm,
    RecusalForm,
    drawable,
)
from jianguan.planning.models import DrawMember, YearPlan
from jianguan.registry.choices import InstitutionKind


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "plans.view")
    can_manage = allowed(request.user, "plans.manage")
    form = PlanForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        require(request.user, "plans.manage")
        if form is not None and form.is_valid():
            try:
                plan = services.plan_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("方案已创建。"))
                return redirect("planning:plan_detail", pk=plan.pk)
    plans = YearPlan.objects.visible_to(request.user).annotate(n_campaigns=Count("campaigns"))
    return render(request, "planning/plan_list.html", {"plans": plans, "form": form})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "plans.view")
    plan = get_visible_or_404(YearPlan.objects.prefetch_related("departments"), request.user, pk=pk)
    campaigns, coverage = selectors.plan_progress(plan)
    can_manage = allowed(request.user, "plans.manage")
    context: dict[str, Any] = {"plan": plan, "campaigns": campaigns, "coverage": coverage, "can_manage": can_manage}
    if can_manage:
        context |= {
            "campaign_form": PlanCampaignForm(plan=plan),
            "target_form": CoverageTargetForm(plan=plan),
            "publish_form": PublishForm(plan=plan),
        }
    return render(request, "planning/plan_detail.html", context)


PLAN_ACTIONS = {
    "campaign": (PlanCampaignForm, services.plan_campaign_add, _("专项行动已列入方案。")),
    "target": (CoverageTargetForm, services.coverage_target_add, _("覆盖目标已添加。")),
    "publish": (PublishForm, services.plan_publish, _("方案已公开。")),
}


@login_required
@require_POST
def plan_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    require(request.user, "plans.manage")
    plan = get_visible_or_404(YearPlan.objects.all(), request.user, pk=pk)
    if action not in PLAN_ACTIONS:
        raise Http404
    form_class, service, done = PLAN_ACTIONS[action]
    form = form_class(request.POST, plan=plan)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    else:
        attempt(request, lambda: service(actor=request.user, plan=plan, **form.cleaned_data), done)
    return redirect("planning:plan_detail", pk=plan.pk)


LISTS = {"items": _("抽查事项清单"), "targets": _("检查对象名录库"), "officers": _("执法检查人员名录库")}


@login_required
def directory(request: HttpRequest, which: str) -> HttpResponse:
    """The three lists of 双随机一公开: check items, target institutions (by kind), certified officers (by
    department, with how many relationships each declared)."""
    require(request.user, "plans.view")
    if which not in LISTS:
        raise Http404
    context: dict[str, Any] = {"which": which, "tabs": list(LISTS.items()), "title": LISTS[which]}
    if which == "items":
        context["page"] = paginate(request, selectors.check_items())
    elif which == "targets":
        kind = request.GET.get("kind", "")
        institutions = selectors.target_directory_all(kind if kind in InstitutionKind.values else "")
        context |= {
            "page": paginate(request, institutions.visible_to(request.user).select_related("street")),
            "kinds": InstitutionKind.choices,
            "kind": kind,
        }
    else:
        officers = selectors.officer_directory().select_related("department", "officer_profile")
        context["page"] = paginate(
            request,
            officers.annotate(n_conflicts=Count("conflicts", distinct=True)).order_by("department__name", "name"),
        )
    return render(request, "planning/directory.html", context)


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    require(request.user, "campaigns.view")
    return get_visible_or_404(Campaign.objects.select_related("lead_department"), request.user, pk=pk)


@login_required
def draw_page(request: HttpRequest, campaign: int) -> HttpResponse:
    """A campaign's draw: the form to draw (a 双随机 campaign not started) or the recorded draw with its teams."""
    campaign_obj = _campaign(request, campaign)
    can_manage = allowed(request.user, "campaigns.manage")
    draw = selectors.draw_for(campaign_obj)
    form = None
    if draw is None and can_manage and drawable(campaign_obj):
        form = DrawForm(request.POST or None, campaign=campaign_obj)
        if request.method == "POST" and form.is_valid():
            try:
                services.draw_make(actor=request.user, campaign=campaign_obj, **form.service_kwargs())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("抽签完成，抽取结果已记录并向社会公开。"))
                return redirect("planning:draw", campaign=campaign_obj.pk)
    elif request.method == "POST":
        raise PermissionDenied
    context = {
        "campaign": campaign_obj,
        "draw": draw,
        "rows": selectors.draw_rows(draw) if draw else [],
        "form": form,
        "can_manage": can_manage,
        "can_plan": allowed(request.user, "inspections.plan"),
        "recusal_form": RecusalForm(),
    }
    return render(request, "planning/draw.html", context)


@login_required
@require_POST
def draw_recuse(request: HttpRequest, member: int) -> HttpResponse:
    require(request.user, "campaigns.manage")
    found = get_visible_or_404(DrawMember.objects.select_related("target__draw"), request.user, pk=member)
    form = RecusalForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.draw_recuse(actor=request.user, member=found, reason=form.cleaned_data["reason"]),
            _("已回避并补抽。"),
        )
    else:
        messages.error(request, _("请写明回避原因。"))
    return redirect("planning:draw", campaign=found.target.draw.campaign_id)


@login_required
def conflict_list(request: HttpRequest) -> HttpResponse:
    """关联关系: an officer declares their own; the administrator records them for anyone; district-wide roles read."""
    require(request.user, "conflicts.view")
    user = request.user
    may_declare = user.role == Role.DEPARTMENT_OFFICER and hasattr(user, "officer_profile")
    form = ConflictForm(request.POST or None) if may_declare else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                officer_conflict_declare(actor=user, user=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("关联关系已申报，抽签时不会抽到您检查该机构。"))
                return redirect("planning:conflict_list")
    conflicts = OfficerConflict.objects.visible_to(user).select_related("user", "institution").order_by("-declared_at")
    return render(request, "planning/conflicts.html", {"form": form, "page": paginate(request, conflicts)})


@login_required
@require_POST
def conflict_end(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "conflicts.view")
    conflict = get_visible_or_404(OfficerConflict.objects.all(), request.user, pk=pk)
    try:
        officer_conflict_end(actor=request.user, conflict=conflict)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("关联关系已解除。"))
    return redirect("planning:conflict_list")
