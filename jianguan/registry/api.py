from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import WithJsonSchema

from jianguan.accounts.scoping import get_visible_or_404
from jianguan.lib.api import (
    ERROR_CODES,
    UPDATED_SINCE_HELP,
    ChoiceCode,
    ErrorOut,
    PageOut,
    PlainText,
    changed_since,
    choice_filter,
    page,
    responses,
)
from jianguan.lib.bulk import export_response, export_responses
from jianguan.registry import services
from jianguan.registry.filters import InstitutionFilter
from jianguan.registry.models import Institution
from jianguan.registry.selectors import annotate_licence_state, licence_summary

router = Router(tags=["institutions"])


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
    updated_at: datetime = Field(..., description="最后变动时间（该记录或其组成部分的任何变动）")


class InstitutionListItem(Schema):
    id: int
    name: str
    credit_code: str | None
    kind: str
    street_id: int
    address: str
    status: str
    licence_state: str
    updated_at: datetime = Field(..., description="最后变动时间（该记录或其组成部分的任何变动）")


class InstitutionDetailOut(InstitutionOut):
    licence_state: str
    licence_label: str
    licences: list[LicenceOut]


class InstitutionPage(PageOut):
    items: list[InstitutionListItem]


# Numbers as numbers, with their bounds in the schema (a plain Decimal would let the schema allow any string, such
# as "", that the service then refuses); at most the decimal places stored.
def _number(low: float, high: float, places: int) -> WithJsonSchema:
    return WithJsonSchema({"type": "number", "minimum": low, "maximum": high, "multipleOf": 10**-places})


Latitude = Annotated[Decimal, Field(ge=-90, le=90, decimal_places=6), _number(-90, 90, 6)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, decimal_places=6), _number(-180, 180, 6)]
Area = Annotated[Decimal, Field(ge=0, le=1_000_000, decimal_places=2), _number(0, 1_000_000, 2)]
Capacity = Annotated[int, Field(ge=0, le=100_000)]


class InstitutionIn(Schema):
    name: PlainText
    credit_code: PlainText | None = None
    kind: ChoiceCode
    sub_kind: ChoiceCode = ""
    street_id: int
    address: PlainText = ""
    legal_representative: PlainText = ""
    contact_person: PlainText = ""
    contact_phone: PlainText = ""
    capacity: Capacity | None = None
    floor_area: Area | None = None
    floors: PlainText = ""
    notes: PlainText = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    confirm_duplicate_name: bool = False


class InstitutionPatch(Schema):
    name: PlainText | None = None
    credit_code: PlainText | None = None
    kind: ChoiceCode | None = None
    sub_kind: ChoiceCode | None = None
    street_id: int | None = None
    address: PlainText | None = None
    legal_representative: PlainText | None = None
    contact_person: PlainText | None = None
    contact_phone: PlainText | None = None
    capacity: Capacity | None = None
    floor_area: Area | None = None
    floors: PlainText | None = None
    notes: PlainText | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    confirm_duplicate_name: bool = False


class InstitutionQuery(Schema):
    q: str = Field("", max_length=50)
    street: int | None = Field(None, ge=1, le=2_147_483_647)
    kind: choice_filter(InstitutionFilter.base_fields["kind"].choices) | None = None  # type: ignore[valid-type]
    status: choice_filter(InstitutionFilter.base_fields["status"].choices) | None = None  # type: ignore[valid-type]
    licence: choice_filter(InstitutionFilter.base_fields["licence"].choices) | None = None  # type: ignore[valid-type]
    sort: choice_filter(InstitutionFilter.base_fields["sort"].choices) | None = None  # type: ignore[valid-type]


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
    updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP),
    offset: int = Query(0, ge=0, le=1_000_000_000, description="跳过的条数"),
    limit: int = Query(50, ge=1, le=200, description="每页条数（1–200）"),
) -> dict:
    form = InstitutionFilter({k: v for k, v in filters.model_dump().items() if v not in ("", None)})
    form.is_valid()
    qs = form.apply(Institution.objects.visible_to(request.user))
    qs = annotate_licence_state(qs, timezone.localdate())
    qs = changed_since(qs, updated_since)
    return {**page(request, qs.count(), offset, limit), "items": list(qs[offset : offset + limit])}


EXPORT_FIELDS = [
    "id", "name", "credit_code", "kind", "sub_kind", "street_id", "address", "legal_representative", "contact_person",
    "contact_phone", "capacity", "floor_area", "floors", "status", "latitude", "longitude", "created_at", "updated_at",
]  # fmt: skip


@router.get(
    "/export",
    response={ERROR_CODES: ErrorOut},
    openapi_extra={"responses": export_responses()},
    summary="批量导出机构名录（权限范围内，与列表同一筛选；CSV 或 NDJSON，流式）",
)
def institution_export(
    request: HttpRequest,
    filters: Query[InstitutionQuery],
    format: Literal["csv", "ndjson"] = Query("ndjson", description="csv 或 ndjson（每行一个 JSON 对象）"),
    updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP),
) -> StreamingHttpResponse:
    form = InstitutionFilter({k: v for k, v in filters.model_dump().items() if v not in ("", None)})
    form.is_valid()
    qs = changed_since(form.apply(Institution.objects.visible_to(request.user)), updated_since)
    return export_response(qs, EXPORT_FIELDS, format, "institutions")


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
