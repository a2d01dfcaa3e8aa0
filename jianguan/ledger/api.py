"""The ledger over the API: the same filter, scope and state machine as the pages; an impossible transition is 409."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from jianguan.accounts.models import User
from jianguan.accounts.permissions import require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.ledger import services, workflow
from jianguan.ledger.choices import Action
from jianguan.ledger.filters import LedgerFilter
from jianguan.ledger.models import LedgerItem
from jianguan.ledger.selectors import ledger_rows
from jianguan.lib.api import (
    ERROR_CODES,
    UPDATED_SINCE_HELP,
    ErrorOut,
    PageOut,
    PlainText,
    TransitionOut,
    changed_since,
    choice_filter,
    endpoint_names,
    page,
    responses,
    transitions,
)
from jianguan.lib.bulk import export_response, export_responses
from jianguan.lib.validators import validate_plain_text

router = Router(tags=["ledger"])


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    note: str
    at: datetime
    actor_id: int | None


class ItemOut(Schema):
    id: int
    institution_id: int
    inspection_id: int
    campaign_id: int | None
    category: str
    description: str
    measure: str
    responsible_person: str
    department_id: int
    officer_id: int | None
    deadline: date
    status: str
    overdue: bool
    submitted_on: date | None
    closed_on: date | None
    version: int
    updated_at: datetime = Field(..., description="最后变动时间（该记录或其组成部分的任何变动）")


class ItemDetailOut(ItemOut):
    actions: list[str] = Field(..., description="本人现在可以调用的接口（operationId），如 ledger_item_recheck")
    transitions: list[TransitionOut] = Field(..., description="本人现在可以进行的台账操作（代码与名称），与台账页相同")
    events: list[EventOut]


class ItemPage(PageOut):
    items: list[ItemOut]


class ItemQuery(Schema):
    q: str = Field("", max_length=50)
    campaign: int | None = Field(None, ge=1, le=2_147_483_647)
    street: int | None = Field(None, ge=1, le=2_147_483_647)
    department: int | None = Field(None, ge=1, le=2_147_483_647)
    category: choice_filter(LedgerFilter.base_fields["category"].choices) | None = None  # type: ignore[valid-type]
    status: choice_filter(LedgerFilter.base_fields["status"].choices) | None = Field(  # type: ignore[valid-type]
        None,
        description="事项状态，或 open 未销号、overdue 逾期、due_soon 即将到期、recheck_due 待复查、extension_pending 延期待批",
    )


class VersionIn(Schema):
    version: int | None = None


class NoteIn(VersionIn):
    note: PlainText = ""


class RecheckIn(VersionIn):
    passed: bool
    note: PlainText
    checked_on: date | None = None
    officer_ids: list[int] = []
    new_deadline: date | None = None


class ExtensionIn(VersionIn):
    requested_deadline: date
    reason: PlainText


class DecisionIn(VersionIn):
    approve: bool
    note: PlainText = ""
    # Approving: the new deadline, from the day after the current one up to the requested one (default).
    granted_deadline: date | None = None


class EscalateIn(VersionIn):
    reason: PlainText


def _out(item: LedgerItem) -> dict:
    today = timezone.localdate()
    data = {f: getattr(item, f) for f in ItemOut.model_fields if f != "overdue"}
    data["overdue"] = item.deadline < today and item.status in ("pending", "in_progress", "submitted")
    return data


# The ledger's actions and the endpoints that take them (整改指导 has no endpoint yet: the page records it).
ENDPOINTS = {
    Action.ACKNOWLEDGE: "ledger_item_acknowledge",
    Action.SUBMIT: "ledger_item_submit",
    Action.REQUEST_EXTENSION: "ledger_item_request_extension",
    Action.RECHECK_PASS: "ledger_item_recheck",
    Action.RECHECK_FAIL: "ledger_item_recheck",
    Action.APPROVE_EXTENSION: "ledger_item_decide_extension",
    Action.REFUSE_EXTENSION: "ledger_item_decide_extension",
    Action.ESCALATE: "ledger_item_escalate",
}


def _detail(request: HttpRequest, item: LedgerItem) -> dict:
    available = workflow.available(request.user, item, timezone.localdate())
    return {
        **_out(item),
        "actions": endpoint_names(available, ENDPOINTS),
        "transitions": transitions(available, Action),
        "events": [EventOut.from_orm(e).model_dump() for e in item.events.all()],
    }


def _visible(request: HttpRequest, item_id: int) -> LedgerItem:
    require(request.user, "ledger.view")
    return get_visible_or_404(LedgerItem.objects.all(), request.user, pk=item_id)


@router.get("/items", response=responses(ItemPage), summary="台账事项（权限范围内，与台账页同一筛选）")
def item_list(
    request: HttpRequest,
    filters: Query[ItemQuery],
    updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP),
    offset: int = Query(0, ge=0, le=1_000_000_000),
    limit: int = Query(50, ge=1, le=200),
) -> dict:
    require(request.user, "ledger.view")
    form = LedgerFilter({k: v for k, v in filters.model_dump().items() if v not in ("", None)}, user=request.user)
    qs = ledger_rows(form.apply(LedgerItem.objects.visible_to(request.user)))
    qs = changed_since(qs, updated_since)
    return {**page(request, qs.count(), offset, limit), "items": [_out(i) for i in qs[offset : offset + limit]]}


EXPORT_FIELDS = [
    "id", "institution_id", "inspection_id", "campaign_id", "category", "description", "measure", "responsible_person",
    "department_id", "officer_id", "street_id", "found_on", "deadline", "status", "submitted_on", "closed_on",
    "version", "created_at", "updated_at",
]  # fmt: skip


@router.get(
    "/items/export",
    response={ERROR_CODES: ErrorOut},
    openapi_extra={"responses": export_responses()},
    summary="批量导出整改台账（权限范围内，与列表同一筛选；CSV 或 NDJSON，流式）",
)
def item_export(
    request: HttpRequest,
    filters: Query[ItemQuery],
    format: Literal["csv", "ndjson"] = Query("ndjson", description="csv 或 ndjson（每行一个 JSON 对象）"),
    updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP),
) -> StreamingHttpResponse:
    require(request.user, "ledger.view")
    form = LedgerFilter({k: v for k, v in filters.model_dump().items() if v not in ("", None)}, user=request.user)
    qs = changed_since(form.apply(LedgerItem.objects.visible_to(request.user)), updated_since)
    return export_response(qs, EXPORT_FIELDS, format, "ledger-items")


@router.get("/items/{item_id}", response=responses(ItemDetailOut), summary="台账事项详情（含可进行的操作和记录）")
def item_detail(request: HttpRequest, item_id: int) -> dict:
    return _detail(request, _visible(request, item_id))


@router.post("/items/{item_id}/acknowledge", response=responses(ItemDetailOut, conflict=True), summary="机构确认整改")
def acknowledge(request: HttpRequest, item_id: int, payload: NoteIn) -> dict:
    item = services.acknowledge(actor=request.user, item=_visible(request, item_id), **payload.model_dump())
    return _detail(request, item)


@router.post(
    "/items/{item_id}/submit",
    response=responses(ItemDetailOut, conflict=True),
    summary="机构提交整改材料（multipart：note，files 可多个）",
)
def submit(
    request: HttpRequest,
    item_id: int,
    note: str = Form("", max_length=2000),
    version: int | None = Form(None, ge=1, le=2_147_483_647),
    files: list[UploadedFile] = File(None),
) -> dict:
    item = _visible(request, item_id)
    validate_plain_text(note)  # a Chinese 400 for control characters, as PlainText gives JSON bodies
    item = services.submit(actor=request.user, item=item, note=note, files=files or [], version=version)
    return _detail(request, item)


@router.post("/items/{item_id}/recheck", response=responses(ItemDetailOut, conflict=True), summary="记录复查")
def recheck(request: HttpRequest, item_id: int, payload: RecheckIn) -> dict:
    item = _visible(request, item_id)
    data = payload.model_dump()
    officers = list(User.objects.filter(pk__in=data.pop("officer_ids")[:20]))
    services.recheck(actor=request.user, item=item, officers=officers, **data)
    item.refresh_from_db()
    return _detail(request, item)


@router.post(
    "/items/{item_id}/request-extension", response=responses(ItemDetailOut, conflict=True), summary="机构申请延期"
)
def request_extension(request: HttpRequest, item_id: int, payload: ExtensionIn) -> dict:
    item = _visible(request, item_id)
    services.request_extension(actor=request.user, item=item, **payload.model_dump())
    item.refresh_from_db()
    return _detail(request, item)


@router.post("/items/{item_id}/decide-extension", response=responses(ItemDetailOut, conflict=True), summary="审批延期")
def decide_extension(request: HttpRequest, item_id: int, payload: DecisionIn) -> dict:
    item = _visible(request, item_id)
    services.decide_extension(actor=request.user, item=item, **payload.model_dump())
    item.refresh_from_db()
    return _detail(request, item)


@router.post("/items/{item_id}/escalate", response=responses(ItemDetailOut, conflict=True), summary="移交处罚")
def escalate(request: HttpRequest, item_id: int, payload: EscalateIn) -> dict:
    item = _visible(request, item_id)
    services.escalate(actor=request.user, item=item, **payload.model_dump())
    item.refresh_from_db()
    return _detail(request, item)
