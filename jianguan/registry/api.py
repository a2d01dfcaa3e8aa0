from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from jianguan.accounts.scoping import get_visible_or_404
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


@router.get("", response=InstitutionPage, summary="机构列表（权限范围内）")
def institution_list(request: HttpRequest, offset: int = 0, limit: int = 50) -> dict:
    limit = max(1, min(limit, 200))
    qs = Institution.objects.visible_to(request.user).order_by("id")
    return {"count": qs.count(), "items": list(qs[max(offset, 0) : max(offset, 0) + limit])}


@router.get("/{institution_id}", response=InstitutionOut, summary="机构详情")
def institution_detail(request: HttpRequest, institution_id: int) -> Institution:
    return get_visible_or_404(Institution.objects.all(), request.user, pk=institution_id)
