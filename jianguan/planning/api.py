"""The year plans with planned vs done, and a campaign's 双随机 draw, over the API (staff, each within scope)."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from jianguan.accounts.permissions import require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.inspections.models import Campaign
from jianguan.lib.api import UPDATED_SINCE_HELP, PageOut, changed_since, page, responses
from jianguan.planning import selectors, services
from jianguan.planning.choices import PlanStatus
from jianguan.planning.models import YearPlan

router = Router(tags=["plans"])


class PlanCampaignOut(Schema):
    campaign_id: int
    name: str
    quarter: int
    method: str
    targets: int = Field(..., description="检查对象家数")
    inspected: int = Field(..., description="已完成检查的家数")
    rate: float


class CoverageOut(Schema):
    institution_kind: str = Field(..., description="机构类型代码，空为所有类型")
    street_id: int | None
    times: int = Field(..., description="每家至少检查次数")
    institutions: int
    met: int = Field(..., description="年内检查次数已达要求的家数")
    inspections: int
    rate: float


class PlanOut(Schema):
    id: int
    year: int
    title: str
    objectives: str
    check_items: str
    status: PlanStatus
    status_label: str
    published_at: datetime | None
    version: int
    department_ids: list[int]
    campaigns: list[PlanCampaignOut]
    coverage: list[CoverageOut]
    updated_at: datetime = Field(..., description="最后变动时间（该记录或其组成部分的任何变动）")


class PlanPageOut(PageOut):
    items: list[PlanOut]


class PlanVersionIn(Schema):
    version: int = Field(..., ge=1, description="读取时的 version，防止覆盖他人的修改")


class DrawTargetOut(Schema):
    institution_id: int
    kind: str
    level: str
    officers: list[int] = Field(..., description="检查组（用户 id，已回避的不含）")


class DrawOut(Schema):
    campaign_id: int
    seed: str
    seed_source: str
    target_snapshot_hash: str
    officer_snapshot_hash: str
    result_hash: str
    ratios: dict[str, int]
    kind_ratios: dict[str, int]
    max_per_officer: int
    target_pool: int
    officer_pool: int
    made_at: datetime
    targets: list[DrawTargetOut]


def _plan(plan: YearPlan) -> dict:
    campaigns, coverage = selectors.plan_progress(plan)
    return {
        "id": plan.pk, "year": plan.year, "title": plan.title, "objectives": plan.objectives,
        "check_items": plan.check_items, "status": plan.status, "status_label": plan.get_status_display(),
        "published_at": plan.published_at, "version": plan.version, "updated_at": plan.updated_at,
        "department_ids": sorted(d.pk for d in plan.departments.all()),
        "campaigns": [
            {"campaign_id": c.entry.campaign_id, "name": c.entry.campaign.name, "quarter": c.entry.quarter,
             "method": c.entry.campaign.method, "targets": c.targets, "inspected": c.inspected, "rate": c.rate}
            for c in campaigns
        ],
        "coverage": [
            {"institution_kind": c.target.institution_kind, "street_id": c.target.street_id, "times": c.target.times,
             "institutions": c.institutions, "met": c.met, "inspections": c.inspections, "rate": c.rate}
            for c in coverage
        ],
    }  # fmt: skip


@router.get("/plans", response=responses(PlanPageOut), summary="年度联合执法检查工作方案（计划与完成）")
def plan_list(
    request: HttpRequest,
    status: PlanStatus | None = Query(None, description="draft 草拟、published 已公开"),
    updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP),
    offset: int = Query(0, ge=0, le=1_000_000_000),
    limit: int = Query(20, ge=1, le=100),
) -> dict:
    require(request.user, "plans.view")
    plans = YearPlan.objects.visible_to(request.user).prefetch_related("departments")
    if status:
        plans = plans.filter(status=status.value)
    plans = changed_since(plans, updated_since)
    return {**page(request, plans.count(), offset, limit), "items": [_plan(p) for p in plans[offset : offset + limit]]}


@router.get("/plans/{plan_id}", response=responses(PlanOut), summary="一个年度方案（计划与完成）")
def plan_detail(request: HttpRequest, plan_id: int) -> dict:
    require(request.user, "plans.view")
    return _plan(get_visible_or_404(YearPlan.objects.prefetch_related("departments"), request.user, pk=plan_id))


@router.post("/plans/{plan_id}/publish", response=responses(PlanOut, conflict=True), summary="向社会公开方案")
def plan_publish(request: HttpRequest, plan_id: int, body: PlanVersionIn) -> dict:
    require(request.user, "plans.view")
    plan = get_visible_or_404(YearPlan.objects.all(), request.user, pk=plan_id)
    plan = services.plan_publish(actor=request.user, plan=plan, version=body.version)
    return _plan(YearPlan.objects.prefetch_related("departments").get(pk=plan.pk))


@router.get("/campaigns/{campaign_id}/draw", response=responses(DrawOut), summary="专项行动的双随机抽取记录")
def campaign_draw(request: HttpRequest, campaign_id: int) -> dict:
    require(request.user, "campaigns.view")
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=campaign_id)
    draw = selectors.draw_for(campaign)
    if draw is None:
        raise Http404
    return selectors.draw_json(draw)
