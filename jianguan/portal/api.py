"""The public API: the portal's search and profile, public fields only, no authentication, rate-limited."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema

from jianguan.enforcement.api import PublicPenaltyOut
from jianguan.lib.api import responses
from jianguan.lib.ratelimit import api_within_limit
from jianguan.portal import selectors
from jianguan.registry.choices import InstitutionKind
from jianguan.registry.models import Institution
from jianguan.registry.search import by_name

router = Router(tags=["公众查询"], auth=None)


class PublicBadgeOut(Schema):
    css: str
    label: str


class PublicItem(Schema):
    id: int
    name: str
    credit_code: str | None
    kind: str
    street: str
    address: str
    badges: list[PublicBadgeOut]


class PublicPage(Schema):
    count: int
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


def _item(row: selectors.PublicRow) -> dict:
    return {
        "id": row.pk, "name": row.name, "credit_code": row.credit_code, "kind": row.kind, "street": row.street,
        "address": row.address, "badges": [b.__dict__ for b in row.badges],
    }  # fmt: skip


@router.get("/institutions", response=responses(PublicPage), summary="公众查询机构（名称、拼音首字母、信用代码）")
def public_search(
    request: HttpRequest,
    q: str = Query("", max_length=50),
    street: int | None = Query(None, ge=1, le=2_147_483_647),
    kind: str = Query("", max_length=20),
    offset: int = Query(0, ge=0, le=10_000),
    limit: int = Query(20, ge=1, le=50),
) -> dict:
    api_within_limit(request)
    kind = kind if kind in InstitutionKind.values else ""
    qs = selectors.search(q, street, kind).order_by(*by_name(q))
    page = list(qs.values_list("pk", flat=True)[offset : offset + limit])
    rows = selectors.rows(Institution.objects.filter(pk__in=page).order_by("name", "pk"), timezone.localdate())
    return {"count": qs.count(), "items": [_item(r) for r in rows]}


@router.get("/institutions/{institution_id}", response=responses(PublicDetail), summary="机构公开信息")
def public_detail(request: HttpRequest, institution_id: int) -> dict:
    api_within_limit(request)
    inst = get_object_or_404(Institution.objects.select_related("street"), pk=institution_id)
    p = selectors.profile(inst, timezone.localdate())
    [row] = selectors.rows(Institution.objects.filter(pk=inst.pk), timezone.localdate())
    return {
        **_item(row),
        "phone": p.phone,
        "legal_representative": p.legal_representative,
        "status_since": p.status_since,
        "status_reason": p.status_reason,
        "status_basis": p.status_basis,
        "licences": [{"kind": k, "number": n, "valid_until": u, "state": s} for k, n, u, s in p.licences],
        "inspections": [i.__dict__ for i in p.inspections],
        "penalties": selectors.penalties(inst, timezone.localdate()),
    }
