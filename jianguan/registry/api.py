from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from jianguan.accounts.scoping import get_visible_or_404
from jianguan.lib.api import PlainText, responses
from jianguan.registry import services
from jianguan.registry.filters import InstitutionFilter
from jianguan.registry.models import Institution
from jianguan.registry.selectors import annotate_licence_state, licence_summary

router = Router(tags=["机构名录"])


class LicenceOut(Schema):
    id: int
    kind: str
    number: str
    issuer: str
    issue_date: date | None
    valid_until: date | None
    status: str


class InstitutionOut(Schema):
    id: int
    name: str
    credit_code: str | None
    kind: str
    sub_kind: str
    street_id: int
    address: str
    legal_representative: str
    contact_person: str
    contact_phone: str
    capacity: int | None
    floor_area: Decimal | None
    floors: str
    status: str
    notes: str
    pinyin_initials: str
    latitude: Decimal | None
    longitude: Decimal | None


class InstitutionListItem(Schema):
    id: int
    name: str
    credit_code: str | None
    kind: str
    street_id: int
    address: str
    status: str
    licence_state: str


class InstitutionDetailOut(InstitutionOut):
    licence_state: str
    licence_label: str
    licences: list[LicenceOut]


class InstitutionPage(Schema):
    count: int
    items: list[InstitutionListItem]


class InstitutionIn(Schema):
    name: PlainText
    credit_code: PlainText | None = None
    kind: str
    sub_kind: str = ""
    street_id: int
    address: PlainText = ""
    legal_representative: PlainText = ""
    contact_person: PlainText = ""
    contact_phone: PlainText = ""
    capacity: int | None = None
    floor_area: Decimal | None = None
    floors: PlainText = ""
    notes: PlainText = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    confirm_duplicate_name: bool = False


class InstitutionPatch(Schema):
    name: PlainText | None = None
    credit_code: PlainText | None = None
    kind: str | None = None
    sub_kind: str | None = None
    street_id: int | None = None
    address: PlainText | None = None
    legal_representative: PlainText | None = None
    contact_person: PlainText | None = None
    contact_phone: PlainText | None = None
    capacity: int | None = None
    floor_area: Decimal | None = None
    floors: PlainText | None = None
    notes: PlainText | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    confirm_duplicate_name: bool = False


class InstitutionQuery(Schema):
    q: str = ""
    street: int | None = None
    kind: str = ""
    status: str = ""
    licence: str = ""
    sort: str = ""


def _detail(institution: Institution) -> dict:
    today = timezone.localdate()
    licences = list(institution.licences.all())
    summary = licence_summary(institution, licences, today)
    data = InstitutionOut.from_orm(institution).model_dump()
    data.update(
        licence_state=summary.state,
        licence_label=summary.label,
        licences=[
            {**LicenceOut.from_orm(lic).model_dump(exclude={"status"}), "status": lic.status_on(today)}
            for lic in licences
        ],
    )
    return data


@router.get("", response=responses(InstitutionPage), summary="机构列表（权限范围内，与列表页同一筛选）")
def institution_list(
    request: HttpRequest,
    filters: Query[InstitutionQuery],
    offset: int = Query(0, ge=0, le=1_000_000_000, description="跳过的条数"),
    limit: int = Query(50, ge=1, le=200, description="每页条数（1–200）"),
) -> dict:
    form = InstitutionFilter({k: v for k, v in filters.model_dump().items() if v not in ("", None)})
    form.is_valid()
    qs = form.apply(Institution.objects.visible_to(request.user))
    qs = annotate_licence_state(qs, timezone.localdate())
    return {"count": qs.count(), "items": list(qs[offset : offset + limit])}


@router.get("/{institution_id}", response=responses(InstitutionDetailOut), summary="机构详情（含证照）")
def institution_detail(request: HttpRequest, institution_id: int) -> dict:
    return _detail(get_visible_or_404(Institution.objects.all(), request.user, pk=institution_id))


@router.post("", response=responses(InstitutionDetailOut, 201), summary="登记机构")
def institution_create(request: HttpRequest, payload: InstitutionIn) -> Status:
    data = payload.model_dump()
    confirm = data.pop("confirm_duplicate_name")
    institution = services.institution_create(actor=request.user, confirm_duplicate_name=confirm, **data)
    return Status(201, _detail(institution))


@router.patch("/{institution_id}", response=responses(InstitutionDetailOut), summary="修改机构信息")
def institution_update(request: HttpRequest, institution_id: int, payload: InstitutionPatch) -> dict:
    institution = get_visible_or_404(Institution.objects.all(), request.user, pk=institution_id)
    data = payload.model_dump(exclude_unset=True)
    confirm = data.pop("confirm_duplicate_name", False)
    services.institution_update(actor=request.user, institution=institution, confirm_duplicate_name=confirm, **data)
    return _detail(institution)
