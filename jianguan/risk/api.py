"""The risk rating API: the stored ratings within the caller's scope, riskiest first, and one institution's factors.
Staff only (`risk.view`): institution users get 403."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from jianguan.accounts.permissions import require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.lib.api import UPDATED_SINCE_HELP, PageOut, changed_since, page, responses
from jianguan.registry.models import Institution
from jianguan.risk import selectors
from jianguan.risk.choices import RiskLevel
from jianguan.risk.models import RiskRating

router = Router(tags=["risk"])


class RiskFactorOut(Schema):
    code: str = Field(..., description="因素代码，即 JIANGUAN_RISK_WEIGHTS 的键")
    label: str
    count: int
    points: int
    explanation: str = Field(..., description="如“证照过期 1 项 +20”")


class RiskRatingRowOut(Schema):
    institution_id: int
    name: str
    street_id: int
    status: str
    level: str
    level_label: str
    score: int
    computed_at: datetime
    updated_at: datetime = Field(..., description="评级的计算时间（每日重新计算；updated_since 按它筛选）")


class RiskRatingPageOut(PageOut):
    items: list[RiskRatingRowOut]


class RiskRatingDetailOut(Schema):
    institution_id: int
    name: str
    level: str | None = Field(None, description="尚未评定时为空")
    level_label: str
    score: int | None
    computed_at: datetime | None
    factors: list[RiskFactorOut]


def _row(r: RiskRating) -> dict:
    return {
        "institution_id": r.institution_id, "name": r.institution.name, "street_id": r.institution.street_id,
        "status": r.institution.status, "level": r.level, "level_label": str(RiskLevel(r.level).label),
        "score": r.score, "computed_at": r.computed_at, "updated_at": r.computed_at,
    }  # fmt: skip


@router.get(
    "/institutions", response=responses(RiskRatingPageOut), summary="机构风险评级列表（权限范围内，风险高的在前）"
)
def rating_list(
    request: HttpRequest,
    level: RiskLevel | None = Query(None, description="只看某一等级：A 低、B 中、C 较高、D 高"),
    updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP),
    offset: int = Query(0, ge=0, le=1_000_000_000, description="跳过的条数"),
    limit: int = Query(50, ge=1, le=200, description="每页条数（1–200）"),
) -> dict:
    require(request.user, "risk.view")
    qs = selectors.ratings(request.user, level.value if level else "")
    qs = changed_since(qs, updated_since, "computed_at")
    return {**page(request, qs.count(), offset, limit), "items": [_row(r) for r in qs[offset : offset + limit]]}


@router.get(
    "/institutions/{institution_id}", response=responses(RiskRatingDetailOut), summary="机构的风险评级及计分因素"
)
def rating_detail(request: HttpRequest, institution_id: int) -> dict:
    require(request.user, "risk.view")
    institution = get_visible_or_404(Institution.objects.all(), request.user, pk=institution_id)
    rating = selectors.rating_for(institution)
    factors = rating.factor_list if rating else []
    return {
        "institution_id": institution.pk,
        "name": institution.name,
        "level": rating.level if rating else None,
        "level_label": str(RiskLevel(rating.level).label) if rating else _("尚未评定"),
        "score": rating.score if rating else None,
        "computed_at": rating.computed_at if rating else None,
        "factors": [
            {"code": f.code, "label": f.label, "count": f.count, "points": f.points, "explanation": f.explanation}
            for f in factors
        ],
    }
