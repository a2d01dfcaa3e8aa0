"""The public API: the portal's search and profile, public fields only, no authentication, rate-limited."""

from __future__ import annotations

from datetime import date, datetime

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from jianguan.enforcement.api import PublicPenaltyOut
from jianguan.lib.api import UPDATED_SINCE_HELP, PageOut, changed_since, choice_filter, page, responses
from jianguan.lib.ratelimit import api_within_limit
from jianguan.portal import selectors
from jianguan.registry.choices import InstitutionKind
from jianguan.registry.models import Institution

router = Router(tags=["public"], auth=None)


class PublicBadgeOut(Schema):
    css: str
    label: str


class PublicItem(Schema):
    id: int
    name: str
    credit_code: str | None
    kind: InstitutionKind = Field(..., description="机构类型代码（与工作人员接口相同）")
    kind_label: str
    street_id: int
    street: str = Field(..., description="街道/乡镇名称")
    address: str
    badges: list[PublicBadgeOut]
    updated_at: datetime = Field(..., description="机构登记信息（含证照）的最后变动时间；updated_since 按它筛选")


class PublicPage(PageOut):
    items: list[PublicItem]


class PublicLicenceOut(Schema):
    kind: str
    number: str
    valid_until: date | None
    state: str


class PublicInspectionOut(Schema):
    day: date
    categories: list[str]
    problems: dict[str, int]
    rectified: int
    open: int


class PublicDetail(PublicItem):
    phone: str
    legal_representative: str
    status_since: date | None
    status_reason: str
    status_basis: str  # the decision behind a sanction: its issuer, number and date
    licences: list[PublicLicenceOut]
    inspections: list[PublicInspectionOut]
    penalties: list[PublicPenaltyOut]  # 行政处罚信息公示 in its display period


@router.get("/institutions", response=responses(PublicPage), summary="公众查询机构（名称、拼音首字母、信用代码）")
def public_search(
    request: HttpRequest,
    q: str = Query("", max_length=50),
    street: int | None = Query(None, ge=1, le=2_147_483_647),
    kind: choice_filter(InstitutionKind.choices) | None = None,  # type: ignore[valid-type]
    updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP),
    offset: int = Query(0, ge=0, le=10_000),
    limit: int = Query(20, ge=1, le=50),
) -> dict:
    api_within_limit(request)
    if updated_since is None:  # the portal's cached search (made fresh by any change, portal/cache.py)
        data = selectors.public_search_data(q, street, kind or "", offset, limit)
        return {**page(request, data["count"], offset, limit), "items": data["items"]}
    qs = changed_since(selectors.search(q, street, kind or ""), updated_since)
    shown = list(qs.values_list("pk", flat=True)[offset : offset + limit])
    found = {r.pk: r for r in selectors.rows(Institution.objects.filter(pk__in=shown), timezone.localdate())}
    items = [selectors.public_item(found[pk]) for pk in shown if pk in found]
    return {**page(request, qs.count(), offset, limit), "items": items}


@router.get("/institutions/{institution_id}", response=responses(PublicDetail), summary="机构公开信息")
def public_detail(request: HttpRequest, institution_id: int) -> dict:
    api_within_limit(request)
    data = selectors.public_detail_data(institution_id)
    if data is None:
        raise Http404
    return data
