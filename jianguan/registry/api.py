from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema

from jianguan.accounts.scoping import get_visible_or_404
from jianguan.lib.api import responses
from jianguan.registry.models import Institution

router = Router(tags=["机构名录"])


class InstitutionOut(Schema):
    id: int
    name: str
    credit_code: str | None
    kind: str
    street_id: int
    address: str
    status: str


class InstitutionPage(Schema):
    count: int
    items: list[InstitutionOut]


@router.get("", response=responses(InstitutionPage), summary="机构列表（权限范围内）")
def institution_list(
    request: HttpRequest,
    offset: int = Query(0, ge=0, le=1_000_000_000, description="跳过的条数"),
    limit: int = Query(50, ge=1, le=200, description="每页条数（1–200）"),
) -> dict:
    qs = Institution.objects.visible_to(request.user).order_by("id")
    return {"count": qs.count(), "items": list(qs[offset : offset + limit])}


@router.get("/{institution_id}", response=responses(InstitutionOut), summary="机构详情")
def institution_detail(request: HttpRequest, institution_id: int) -> Institution:
    return get_visible_or_404(Institution.objects.all(), request.user, pk=institution_id)
