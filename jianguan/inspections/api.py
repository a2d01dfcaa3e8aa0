"""Campaigns and inspections over the API: the same services and scope as the pages."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from jianguan.accounts.models import User
from jianguan.accounts.permissions import require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.checklists.models import ChecklistItem
from jianguan.inspections import services
from jianguan.inspections.choices import InspectionStatus
from jianguan.inspections.models import Campaign, Finding, Inspection, ItemResult
from jianguan.inspections.selectors import (
    campaign_progress,
    inspection_documents,
    inspection_list,
    problems_by_category,
)
from jianguan.lib.api import (
    UPDATED_SINCE_HELP,
    ChoiceCode,
    PageOut,
    PlainText,
    changed_since,
    choice_filter,
    page,
    responses,
)
from jianguan.org.models import Department
from jianguan.registry.models import Institution

router = Router(tags=["inspections"])


class CategoryCountOut(Schema):
    category: str
    institutions: int
    findings: int


class CampaignOut(Schema):
    id: int
    name: str
    round: int
    starts_on: date
    ends_on: date
    status: str
    method: str
    lead_department_id: int
    institution_kinds: list[str]
    joint_notice: bool
    updated_at: datetime = Field(..., description="最后变动时间（该记录或其组成部分的任何变动）")


class CampaignDetailOut(CampaignOut):
    department_ids: list[int]
    street_ids: list[int]
    targets: int
    inspected: int
    with_problems: int
    fixed: int
    problems_by_category: list[CategoryCountOut]


class OfficerOut(Schema):
    user_id: int
    name: str
    department_id: int
    certificate_number: str


class ResultOut(Schema):
    item_id: int
    order: int
    outcome: str
    note: str
    fixed_on_site: bool


class FindingOut(Schema):
    id: int
    item_id: int | None
    category: str
    description: str
    severity: str
    legal_basis: str
    order_basis: str
    remedy: str
    requirement: str
    penalty_basis: str
    department_id: int
    period_days: int
    fixed_on_site: bool
    deadline: date | None


class DocumentRef(Schema):
    id: int
    kind: str
    number: str


class InspectionOut(Schema):
    id: int
    campaign_id: int | None
    institution_id: int
    kind: str
    status: str
    scheduled_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    lead_department_id: int
    checklist_version_id: int
    updated_at: datetime = Field(..., description="最后变动时间（该记录或其组成部分的任何变动）")


class InspectionDetailOut(InspectionOut):
    place: str
    backfilled: bool  # 补录: entered afterwards
    summary: str
    representative_name: str
    signature_refused: bool
    witness_name: str
    cancel_reason: str
    officers: list[OfficerOut]
    results: list[ResultOut]
    findings: list[FindingOut]
    documents: list[DocumentRef]


class InspectionPage(PageOut):
    items: list[InspectionOut]


class InspectionIn(Schema):
    institution_id: int
    scheduled_at: datetime
    officer_ids: list[int]
    campaign_id: int | None = None
    kind: ChoiceCode | None = None
    lead_department_id: int | None = None
    place: PlainText = ""
    backfill: bool = False  # 补录: a time that has passed, entered afterwards


class ResultIn(Schema):
    outcome: ChoiceCode
    note: PlainText = ""
    fixed_on_site: bool = False


class FindingIn(Schema):
    category: ChoiceCode
    description: PlainText
    severity: ChoiceCode
    legal_basis: PlainText = ""
    order_basis: PlainText = ""
    remedy: ChoiceCode = "deadline"
    requirement: PlainText = ""
    penalty_basis: PlainText = ""
    department_id: int | None = None
    period_days: int = 10
    fixed_on_site: bool = False
    deadline: date | None = None


class CompleteIn(Schema):
    representative_name: PlainText = ""
    signature_refused: bool = False
    witness_name: PlainText = ""
    summary: PlainText = ""
    # The record's head as it happened: required (null is refused with a Chinese message).
    certificates_shown: bool | None = None
    recusal_requested: bool | None = None
    recusal_note: PlainText = ""
    recorder_id: int | None = Field(None, description="记录人（检查组成员）；不填为调用者")
    # 教育部令第53号, when a licence item whose remedy is 责令停止举办 fails.
    fixed_site: bool | None = None
    two_or_more_staff: bool | None = None
    organised_teaching: bool | None = None


class EvidenceOut(Schema):
    id: int
    sha256: str
    content_type: str
    size: int
    width: int
    height: int
    taken_at: datetime | None
    item_result_id: int | None
    finding_id: int | None


def _campaign_detail(campaign: Campaign) -> dict:
    progress = campaign_progress(campaign)
    return {
        **CampaignOut.from_orm(campaign).model_dump(),
        "department_ids": sorted(campaign.departments.values_list("pk", flat=True)),
        "street_ids": sorted(campaign.streets.values_list("pk", flat=True)),
        "targets": progress.targets,
        "inspected": progress.inspected,
        "with_problems": progress.with_problems,
        "fixed": progress.fixed,
        "problems_by_category": [c.__dict__ for c in problems_by_category(campaign)],
    }


def _inspection_detail(inspection: Inspection) -> dict:
    return {
        **InspectionOut.from_orm(inspection).model_dump(),
        "place": inspection.place,
        "backfilled": inspection.backfilled,
        "summary": inspection.summary,
        "representative_name": inspection.representative_name,
        "signature_refused": inspection.signature_refused,
        "witness_name": inspection.witness_name,
        "cancel_reason": inspection.cancel_reason,
        "officers": [
            {
                "user_id": o.user_id,
                "name": o.user.name,
                "department_id": o.department_id,
                "certificate_number": o.certificate_number,
            }
            for o in inspection.officers.select_related("user")
        ],  # fmt: skip
        "results": [
            {
                "item_id": r.item_id,
                "order": r.item.order,
                "outcome": r.outcome,
                "note": r.note,
                "fixed_on_site": r.fixed_on_site,
            }
            for r in inspection.results.select_related("item")
        ],  # fmt: skip
        "findings": [FindingOut.from_orm(f).model_dump() for f in inspection.findings.all()],
        "documents": [{"id": d.pk, "kind": d.kind, "number": d.number} for d in inspection_documents(inspection)],
    }


def _item_of(inspection: Inspection, item_id: int) -> ChecklistItem:
    """An item of the checklist version the inspection uses (404 for any other)."""
    item = ChecklistItem.objects.filter(pk=item_id, version_id=inspection.checklist_version_id).first()
    if item is None:
        raise Http404
    return item


def _visible_inspection(request: HttpRequest, inspection_id: int) -> Inspection:
    require(request.user, "inspections.view")
    return get_visible_or_404(Inspection.objects.all(), request.user, pk=inspection_id)


@router.get("/campaigns", response=responses(list[CampaignOut]), summary="专项行动列表（权限范围内）")
def campaign_list(
    request: HttpRequest, updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP)
) -> list[Campaign]:
    require(request.user, "campaigns.view")
    return list(changed_since(Campaign.objects.visible_to(request.user), updated_since))


@router.get("/campaigns/{campaign_id}", response=responses(CampaignDetailOut), summary="专项行动详情与进度")
def campaign_detail(request: HttpRequest, campaign_id: int) -> dict:
    require(request.user, "campaigns.view")
    return _campaign_detail(get_visible_or_404(Campaign.objects.all(), request.user, pk=campaign_id))


@router.get("/inspections", response=responses(InspectionPage), summary="检查列表（权限范围内）")
def inspections(
    request: HttpRequest,
    status: choice_filter(InspectionStatus.choices) | None = None,  # type: ignore[valid-type]
    campaign_id: int | None = Query(None, ge=1, le=2_147_483_647),
    updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP),
    offset: int = Query(0, ge=0, le=1_000_000_000),
    limit: int = Query(50, ge=1, le=200),
) -> dict:
    require(request.user, "inspections.view")
    qs = Inspection.objects.visible_to(request.user)
    if status:
        qs = qs.filter(status=status)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    qs = inspection_list(qs)
    qs = changed_since(qs, updated_since)
    return {**page(request, qs.count(), offset, limit), "items": list(qs[offset : offset + limit])}


@router.get("/inspections/{inspection_id}", response=responses(InspectionDetailOut), summary="检查详情")
def inspection_detail(request: HttpRequest, inspection_id: int) -> dict:
    return _inspection_detail(_visible_inspection(request, inspection_id))


@router.post("/inspections", response=responses(InspectionDetailOut, 201), summary="安排检查")
def inspection_create(request: HttpRequest, payload: InspectionIn) -> Status:
    require(request.user, "inspections.plan")
    institution = get_visible_or_404(Institution.objects.all(), request.user, pk=payload.institution_id)
    campaign = (
        get_visible_or_404(Campaign.objects.all(), request.user, pk=payload.campaign_id)
        if payload.campaign_id
        else None
    )
    officers = list(User.objects.filter(pk__in=payload.officer_ids[:50]))
    department = (
        Department.objects.filter(pk=payload.lead_department_id).first() if payload.lead_department_id else None
    )
    inspection = services.inspection_create(
        actor=request.user,
        institution=institution,
        scheduled_at=payload.scheduled_at,
        officers=officers,
        campaign=campaign,
        kind=payload.kind,
        lead_department=department,
        place=payload.place,
        backfill=payload.backfill,
    )
    return Status(201, _inspection_detail(inspection))


@router.post("/inspections/{inspection_id}/start", response=responses(InspectionDetailOut), summary="开始现场检查")
def inspection_start(request: HttpRequest, inspection_id: int) -> dict:
    inspection = services.inspection_start(actor=request.user, inspection=_visible_inspection(request, inspection_id))
    return _inspection_detail(inspection)


@router.put("/inspections/{inspection_id}/results/{item_id}", response=responses(ResultOut), summary="记录检查项结果")
def result_record(request: HttpRequest, inspection_id: int, item_id: int, payload: ResultIn) -> dict:
    inspection = _visible_inspection(request, inspection_id)
    item = _item_of(inspection, item_id)
    result = services.result_record(actor=request.user, inspection=inspection, item=item, **payload.model_dump())
    return {"item_id": item.pk, "order": item.order, "outcome": result.outcome, "note": result.note,
            "fixed_on_site": result.fixed_on_site}  # fmt: skip


@router.post(
    "/inspections/{inspection_id}/findings", response=responses(FindingOut, 201), summary="记录检查表以外的问题"
)
def finding_create(request: HttpRequest, inspection_id: int, payload: FindingIn) -> Status:
    inspection = _visible_inspection(request, inspection_id)
    data = payload.model_dump()
    department_id = data.pop("department_id")
    department = Department.objects.filter(pk=department_id).first() if department_id else None
    finding = services.finding_add(actor=request.user, inspection=inspection, department=department, **data)
    return Status(201, FindingOut.from_orm(finding).model_dump())


@router.post(
    "/inspections/{inspection_id}/photos",
    response=responses(EvidenceOut, 201),
    summary="上传现场照片（multipart：file，可选 result_item_id 或 finding_id）",
)
def evidence_upload(
    request: HttpRequest,
    inspection_id: int,
    file: UploadedFile = File(...),
    result_item_id: int | None = Form(None, ge=1, le=2_147_483_647),
    finding_id: int | None = Form(None, ge=1, le=2_147_483_647),
    caption: str = Form("", max_length=200),
) -> Status:
    inspection = _visible_inspection(request, inspection_id)
    result = (
        ItemResult.objects.filter(inspection=inspection, item_id=result_item_id).first() if result_item_id else None
    )
    finding = Finding.objects.filter(inspection=inspection, pk=finding_id).first() if finding_id else None
    evidence = services.evidence_add(
        actor=request.user, inspection=inspection, upload=file, result=result, finding=finding, caption=caption
    )
    return Status(201, EvidenceOut.from_orm(evidence).model_dump())


@router.post("/inspections/{inspection_id}/complete", response=responses(InspectionDetailOut), summary="签字并完成检查")
def inspection_complete(request: HttpRequest, inspection_id: int, payload: CompleteIn) -> dict:
    inspection = _visible_inspection(request, inspection_id)
    data = payload.model_dump()
    recorder_id = data.pop("recorder_id")
    recorder = next((o.user for o in inspection.officers.select_related("user") if o.user_id == recorder_id), None)
    if recorder_id is not None and recorder is None:
        raise ValidationError({"recorder_id": _("记录人须是检查组成员。")})
    inspection = services.inspection_complete(actor=request.user, inspection=inspection, recorder=recorder, **data)
    return _inspection_detail(inspection)
