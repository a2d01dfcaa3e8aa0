from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.choices import Role
from jianguan.accounts.permissions import allowed, require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.checklists.choices import Remedy
from jianguan.checklists.models import ChecklistItem
from jianguan.inspections import services
from jianguan.inspections.choices import InspectionKind, InspectionStatus, Outcome
from jianguan.inspections.forms import (
    AmendForm,
    CampaignCopyForm,
    CampaignForm,
    CancelForm,
    CompleteForm,
    EvidenceForm,
    FindingForm,
    InspectionForm,
    ResultForm,
    SiteReportForm,
    TargetForm,
)
from jianguan.inspections.models import Campaign, Evidence, Inspection, ItemResult
from jianguan.inspections.selectors import (
    campaign_progress,
    campaign_targets,
    inspection_documents,
    inspection_items,
    notice_waiting_q,
)
from jianguan.inspections.selectors import (
    inspection_list as inspection_rows,
)
from jianguan.lib.forms import add_service_errors, attempt, paginate
from jianguan.lib.http import login_required_or_401, wants_json
from jianguan.lib.params import choice_param, id_param, ids_param
from jianguan.registry import services as registry_services
from jianguan.registry.models import Institution
from jianguan.rules.selectors import site_facts

# ---------------------------------------------------------------------------------------------------- campaigns


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "campaigns.view")
    campaigns = Campaign.objects.visible_to(request.user).select_related("lead_department")
    context = {"page": paginate(request, campaigns, 30), "can_manage": allowed(request.user, "campaigns.manage")}
    return render(request, "inspections/campaign_list.html", context)


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "campaigns.manage")
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("专项行动已创建，检查对象 %(n)s 家。") % {"n": campaign.targets.count()})
            return redirect("inspections:campaign_detail", pk=campaign.pk)
    return render(request, "inspections/campaign_form.html", {"form": form})


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "campaigns.view")
    campaign = get_visible_or_404(Campaign.objects.select_related("lead_department", "previous"), request.user, pk=pk)
    context = {
        "campaign": campaign,
        "progress": campaign_progress(campaign),
        "targets": campaign_targets(campaign),
        "can_manage": allowed(request.user, "campaigns.manage"),
        "can_plan": allowed(request.user, "inspections.plan"),
        "can_report": allowed(request.user, "reports.campaign"),
        "copy_form": CampaignCopyForm(),
        "target_form": TargetForm(),
    }
    return render(request, "inspections/campaign_detail.html", context)


@login_required
@require_POST
def campaign_status(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=pk)
    attempt(
        request,
        lambda: services.campaign_set_status(actor=request.user, campaign=campaign, status=request.POST.get("status")),
        _("专项行动状态已更新。"),
    )
    return redirect("inspections:campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_copy(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=pk)
    require(request.user, "campaigns.manage")
    form = CampaignCopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写下一轮的开始和结束日期。"))
        return redirect("inspections:campaign_detail", pk=campaign.pk)
    try:
        new = services.campaign_copy(actor=request.user, campaign=campaign, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("inspections:campaign_detail", pk=campaign.pk)
    messages.success(request, _("已创建下一轮专项行动。"))
    return redirect("inspections:campaign_detail", pk=new.pk)


@login_required
@require_POST
def campaign_target_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=pk)
    require(request.user, "campaigns.manage")
    form = TargetForm(request.POST)
    if form.is_valid():
        institution = form.cleaned_data["institution"]
        attempt(
            request,
            lambda: services.campaign_target_add(actor=request.user, campaign=campaign, institution=institution),
            _("已加入检查对象名单。"),
        )
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("inspections:campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_target_remove(request: HttpRequest, pk: int, institution_pk: int) -> HttpResponse:
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=pk)
    institution = get_object_or_404(Institution, pk=institution_pk)
    attempt(
        request,
        lambda: services.campaign_target_remove(actor=request.user, campaign=campaign, institution=institution),
        _("已移出检查对象名单。"),
    )
    return redirect("inspections:campaign_detail", pk=campaign.pk)


# ---------------------------------------------------------------------------------------------------- inspections


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "inspections.view")
    qs = Inspection.objects.visible_to(request.user)
    status = choice_param(request.GET, "status", InspectionStatus.values)
    if status:
        qs = qs.filter(status=status)
    waiting = choice_param(request.GET, "notice", ["waiting"]) == "waiting"
    if waiting:
        qs = qs.filter(notice_waiting_q())
    mine = choice_param(request.GET, "mine", ["1"]) == "1"
    if mine:
        qs = qs.filter(officers__user=request.user)
    institution = None
    if (institution_pk := id_param(request.GET, "institution")) is not None:
        institution = get_visible_or_404(Institution.objects.all(), request.user, pk=institution_pk)
        qs = qs.filter(institution=institution)
    context = {
        "institution": institution,
        "page": paginate(request, inspection_rows(qs), 30),
        "statuses": InspectionStatus.choices,
        "status": status,
        "waiting": waiting,
        "mine": mine,
        "can_plan": allowed(request.user, "inspections.plan"),
        "can_report": allowed(request.user, "sites.report"),
    }
    return render(request, "inspections/inspection_list.html", context)


@login_required
def inspection_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "inspections.plan")
    campaign = None
    if (campaign_pk := id_param(request.GET, "campaign") or id_param(request.POST, "campaign")) is not None:
        campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=campaign_pk)
    initial: dict[str, Any] = {}
    if (institution_pk := id_param(request.GET, "institution")) is not None:
        institution = get_visible_or_404(Institution.objects.all(), request.user, pk=institution_pk)
        initial["institution"] = institution.credit_code or institution.name
    if request.GET.get("kind") in InspectionKind.values:  # e.g. a complaint's on-site verification
        initial["kind"] = request.GET["kind"]
    if officers := ids_param(request.GET.getlist("officer"), name="officer"):  # e.g. the team a draw named
        initial["officers"] = officers
    form = InspectionForm(request.POST or None, campaign=campaign, initial=initial)
    form.fields["institution"].queryset = Institution.objects.visible_to(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_create(actor=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("检查已安排。"))
            return redirect("inspections:inspection_detail", pk=inspection.pk)
    return render(request, "inspections/inspection_form.html", {"form": form, "campaign": campaign})


def _on_team(user: Any, inspection: Inspection) -> bool:
    return any(o.user_id == getattr(user, "pk", None) for o in inspection.officers.all())


def _inspection(request: HttpRequest, pk: int) -> Inspection:
    require(request.user, "inspections.view")
    return get_visible_or_404(
        Inspection.objects.select_related(
            "institution__street", "campaign", "lead_department", "checklist_version__checklist"
        ).prefetch_related("officers__user", "officers__department"),
        request.user,
        pk=pk,
    )


def _team_users(inspection: Inspection) -> list[Any]:
    return [o.user for o in inspection.officers.select_related("user")]


def _waiting_orders(user: Any, inspection: Inspection) -> dict[str, Any]:
    """Orders waiting for a competent department that had nobody on the team, and whether this user may issue one."""
    if inspection.status != InspectionStatus.COMPLETED:
        return {"waiting_message": "", "may_issue_waiting": False}
    waiting = [o for o in services.planned_orders(inspection) if not o.ready]
    return {
        "waiting_message": services.waiting_message(waiting) if waiting else "",
        "may_issue_waiting": bool(services.competent_issuer(user, waiting)),
    }


def _complete_form(inspection: Inspection, user: Any, data: Any = None) -> CompleteForm:
    return CompleteForm(
        data,
        initial={"representative_name": inspection.institution.legal_representative, "recorder": user.pk},
        officers=_team_users(inspection),
        unlicensed_items=inspection.checklist_version.items.filter(remedy=Remedy.STOP_RUNNING).exists(),
    )


def _detail_page(
    request: HttpRequest, inspection: Inspection, complete_form: CompleteForm | None = None, status: int = 200
) -> HttpResponse:
    on_team = _on_team(request.user, inspection)
    rows = inspection_items(inspection, request.user)
    problems: dict[int, str] = {}
    if complete_form is not None and complete_form.is_bound:
        # A refused completion: each item that stands in the way says why, where it is.
        results = {r.result.item_id: r.result for r in rows if r.result is not None}
        labels = {services.MISSING: _("未填写结果"), services.NO_PHOTO: _("不合格须拍照取证")}
        codes = services.completion_problems([r.item for r in rows], results)
        problems = {pk: labels[code] for pk, code in codes.items()}
    for row in rows:
        row.problem = problems.get(row.item.pk, "")
    context = {
        "inspection": inspection,
        "rows": rows,
        "findings": inspection.findings.select_related("department").prefetch_related("evidence"),
        "has_open_findings": inspection.findings.filter(fixed_on_site=False).exists(),
        **_waiting_orders(request.user, inspection),
        "loose_evidence": inspection.evidence.filter(item_result__isnull=True, finding__isnull=True),
        "documents": inspection_documents(inspection),
        "amendments": inspection.amendments.select_related("actor"),
        "on_team": on_team,
        "editing": on_team and inspection.status == InspectionStatus.IN_PROGRESS,
        "can_manage": allowed(request.user, "campaigns.manage"),
        "finding_form": FindingForm(),
        "evidence_form": EvidenceForm(),
        "complete_form": complete_form or _complete_form(inspection, request.user),
        "cancel_form": CancelForm(),
        # The institution's staff, classes and fees with the rule checks' open violations, for the team to confirm
        # or correct on site (not once the inspection is over: the record is what was seen then).
        "site_facts": site_facts(request.user, inspection.institution)
        if inspection.status in (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)
        and request.user.role != Role.INSTITUTION
        else None,
    }
    return render(request, "inspections/inspection_detail.html", context, status=status)


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _inspection(request, pk))


@login_required
@require_POST
def inspection_start(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk)
    attempt(request, lambda: services.inspection_start(actor=request.user, inspection=inspection), _("检查开始。"))
    return redirect("inspections:inspection_detail", pk=inspection.pk)


def _result_json(result: ItemResult | None, actor: Any) -> dict[str, Any]:
    if result is None:
        return {"version": 0}
    mine = next((n.text for n in result.notes.all() if n.author_id == actor.pk), "")
    return {
        "id": result.pk,
        "version": result.version,
        "outcome": result.outcome,
        "outcome_label": result.get_outcome_display(),
        "fixed_on_site": result.fixed_on_site,
        "note": result.note,
        "my_note": mine,
        "by": (result.recorded_by.name or result.recorded_by.username) if result.recorded_by else "",
        "at": timezone.localtime(result.recorded_at).strftime("%H:%M"),
    }


@login_required_or_401
@require_POST
def result_save(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """One item's result from the on-site form, one item at a time. The form's queue asks for JSON and sends the
    version it saw and an idempotency key (a replay records nothing; a stale write that would change the outcome
    is answered 409 with both values); htmx gets the item's row back; a plain form post is redirected."""
    inspection = _inspection(request, pk)
    item = get_object_or_404(ChecklistItem, pk=item_pk, version_id=inspection.checklist_version_id)
    form = ResultForm(request.POST)
    key = request.headers.get("X-Idempotency-Key", "") or request.POST.get("key", "")
    error, status, conflict = "", 200, None
    if form.is_valid():
        try:
            services.result_record(actor=request.user, inspection=inspection, item=item, key=key, **form.cleaned_data)
        except services.StaleResult as exc:
            error, status, conflict = str(exc), 409, exc.current
        except ValidationError as exc:
            error, status = "；".join(exc.messages), 400
    else:
        error, status = "；".join(m for errors in form.errors.values() for m in errors), 400
    if wants_json(request):
        current = ItemResult.objects.filter(inspection=inspection, item=item).select_related("recorded_by").first()
        body = {"status": "saved" if status == 200 else ("conflict" if conflict else "invalid"), "message": error,
                "result": _result_json(current, request.user)}  # fmt: skip
        if conflict is not None:
            data = form.cleaned_data
            body["mine"] = {"outcome": data["outcome"], "outcome_label": Outcome(data["outcome"]).label,
                            "fixed_on_site": data["fixed_on_site"], "note": data["note"]}  # fmt: skip
        return JsonResponse(body, status=status)
    if request.htmx:
        row = next(r for r in inspection_items(inspection, request.user) if r.item.pk == item.pk)
        context = {"row": row, "inspection": inspection, "editing": True, "error": error}
        return render(request, "inspections/partials/item_row.html", context)
    if error:
        messages.error(request, error)
    return redirect(f"{inspection.get_absolute_url()}#item-{item.pk}")


@login_required_or_401
@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    result = None
    if result_pk := request.POST.get("result"):
        result = get_object_or_404(ItemResult, pk=result_pk, inspection=inspection)
    elif item_pk := id_param(request.POST, "item"):  # from the queue, which may not know the result's id yet
        result = ItemResult.objects.filter(item_id=item_pk, inspection=inspection).first()
        if result is None:
            message = _("请先填写该检查项的结果，再拍照。")
            if wants_json(request):
                return JsonResponse({"status": "invalid", "message": message}, status=400)
            messages.error(request, message)
            return redirect(inspection.get_absolute_url())
    anchor = f"#item-{result.item_id}" if result else "#evidence"
    key = request.headers.get("X-Idempotency-Key", "") or request.POST.get("key", "")
    if wants_json(request):
        if not form.is_valid():
            return JsonResponse({"status": "invalid", "message": _("请选择要上传的照片。")}, status=400)
        try:
            evidence = services.evidence_add(
                actor=request.user, inspection=inspection, upload=form.cleaned_data["photo"], result=result,
                caption=form.cleaned_data["caption"], key=key,
            )  # fmt: skip
        except ValidationError as exc:
            return JsonResponse({"status": "invalid", "message": "；".join(exc.messages)}, status=400)
        thumb = reverse("inspections:evidence_file", args=[evidence.pk, "thumb"])
        full = reverse("inspections:evidence_file", args=[evidence.pk, "full"])
        return JsonResponse({"status": "saved", "id": evidence.pk, "thumb": thumb, "full": full})
    if not form.is_valid():
        messages.error(request, _("请选择要上传的照片。"))
    else:
        attempt(
            request,
            lambda: services.evidence_add(
                actor=request.user,
                inspection=inspection,
                upload=form.cleaned_data["photo"],
                result=result,
                caption=form.cleaned_data["caption"],
                key=key,
            ),
            _("照片已上传。"),
        )
    return redirect(f"{inspection.get_absolute_url()}{anchor}")


@login_required
@require_POST
def finding_create(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk)
    form = FindingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写问题类别、描述、严重程度和整改期限。"))
    else:
        attempt(
            request,
            lambda: services.finding_add(actor=request.user, inspection=inspection, **form.cleaned_data),
            _("问题已记录。"),
        )
    return redirect(f"{inspection.get_absolute_url()}#findings")


@login_required
@require_POST
def inspection_complete(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk)
    if not _on_team(request.user, inspection):
        # Who may act is answered before the form is read.
        raise PermissionDenied(_("只有本次检查的检查组成员可以记录检查内容。"))
    form = _complete_form(inspection, request.user, data=request.POST)
    if not form.is_valid():
        return _detail_page(request, inspection, form, status=400)
    try:
        done = services.inspection_complete(actor=request.user, inspection=inspection, **form.service_arguments())
    except ValidationError as exc:
        # Refused: the page comes back with each message beside its control (and the items marked), the first
        # problem in view and focused (site.js), what was typed and drawn kept.
        add_service_errors(form, exc)
        return _detail_page(request, inspection, form, status=400)
    messages.success(request, _("检查已完成，现场检查笔录已生成。"))
    waiting = [o for o in services.planned_orders(done) if not o.ready]
    if waiting:
        messages.warning(request, services.waiting_message(waiting))
    elif done.findings.filter(fixed_on_site=False, deadline__isnull=True).exists():
        messages.warning(
            request,
            _(
                "责令整改通知书暂未生成：整改期限涉及尚未收录节假日安排的年份。请管理员或牵头协调人导入该年的节假日安排通知后，在本页生成。"
            ),
        )
    return redirect("inspections:inspection_detail", pk=done.pk)


@login_required
@require_POST
def notice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    from jianguan.lib.workdays import UnknownCalendarYear

    inspection = _inspection(request, pk)
    try:
        attempt(
            request,
            lambda: services.rectification_notice_issue(actor=request.user, inspection=inspection),
            _("责令改正的通知书已生成。"),
        )
    except UnknownCalendarYear as exc:
        messages.error(request, str(exc))
    return redirect("inspections:inspection_detail", pk=inspection.pk)


@login_required
@require_POST
def inspection_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk)
    attempt(
        request,
        lambda: services.inspection_cancel(
            actor=request.user, inspection=inspection, reason=request.POST.get("reason", "")
        ),
        _("检查已取消。"),
    )
    return redirect("inspections:inspection_detail", pk=inspection.pk)


@login_required
def inspection_amend(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection(request, pk)
    if not (allowed(request.user, "campaigns.manage") or _on_team(request.user, inspection)):
        raise PermissionDenied(_("只有检查组成员或牵头协调人员可以更正检查记录。"))
    initial = {f: getattr(inspection, f) for f in services.AMENDABLE_FIELDS}
    form = AmendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        changes = {k: v for k, v in data.items() if v != initial[k]}
        try:
            services.inspection_amend(actor=request.user, inspection=inspection, reason=reason, **changes)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("更正已记录，现场检查笔录已按原文号重新生成。"))
            return redirect("inspections:inspection_detail", pk=inspection.pk)
    return render(request, "inspections/amend_form.html", {"form": form, "inspection": inspection})


@login_required
def evidence_file(request: HttpRequest, pk: int, size: str) -> HttpResponse:
    """A photo or its thumbnail, to whoever may see its inspection."""
    if size not in ("full", "thumb"):
        raise Http404
    require(request.user, "inspections.view")
    evidence = get_object_or_404(Evidence, pk=pk)
    get_visible_or_404(Inspection.objects.all(), request.user, pk=evidence.inspection_id)
    if size == "thumb":
        return FileResponse(evidence.thumbnail.open("rb"), content_type="image/jpeg")
    return evidence.download()


@login_required
def site_report(request: HttpRequest) -> HttpResponse:
    require(request.user, "sites.report")
    form = SiteReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            site = registry_services.site_report(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("street", str(exc))
        else:
            messages.success(request, _("已登记为“未登记”场所，可以立即安排检查。"))
            if allowed(request.user, "inspections.plan"):
                return redirect(f"{reverse('inspections:inspection_create')}?institution={site.pk}")
            return redirect("registry:institution_detail", pk=site.pk)
    return render(request, "inspections/site_form.html", {"form": form})
