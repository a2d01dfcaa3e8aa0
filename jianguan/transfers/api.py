"""移送 / 协查 over the API: the same scope, filter, state machine and services as the pages. 409 when the transfer
cannot take the action now (workflow.Conflict, registered with the 409 handler in jianguan/api.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from jianguan.accounts.permissions import require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.complaints.models import Complaint
from jianguan.documents.api import DocumentOut, document_out
from jianguan.enforcement.models import Case
from jianguan.ledger.models import LedgerItem
from jianguan.lib.api import (
    UPDATED_SINCE_HELP,
    PageOut,
    PlainText,
    TransitionOut,
    changed_since,
    endpoint_names,
    page,
    responses,
    transitions,
)
from jianguan.org.choices import CheckCategory
from jianguan.org.models import Department, Region
from jianguan.registry.models import Institution
from jianguan.transfers import selectors, services, workflow
from jianguan.transfers.choices import Direction, TransferAction, TransferKind, TransferStatus
from jianguan.transfers.models import Transfer

router = Router(tags=["transfers"])
ID = Field(None, ge=1, le=2_147_483_647)


class TransferUnitOut(Schema):
    department_id: int | None
    street_id: int | None
    name: str


class TransferOut(Schema):
    id: int
    kind: TransferKind
    status: TransferStatus
    sender: TransferUnitOut
    receiver: TransferUnitOut
    subject: str
    category: str
    institution_id: int | None
    letter_number: str
    sent_at: datetime
    reply_due: date = Field(..., description="答复期限：发出之日起 JIANGUAN_TRANSFER_REPLY_WORKING_DAYS 个工作日")
    overdue: bool = Field(..., description="逾期未答复：待答复且已过答复期限")
    replied_on: date | None
    closed_on: date | None
    version: int
    updated_at: datetime = Field(..., description="最后变动时间（该记录或其组成部分的任何变动）")


class TransferStepOut(Schema):
    action: str
    from_status: str
    to_status: str
    at: datetime
    actor_id: int
    note: str


class TransferDetailOut(TransferOut):
    facts: str
    request: str
    suspected_crime: bool
    refusal_reason: str
    result: str
    ledger_item_id: int | None
    complaint_id: int | None
    case_id: int | None
    actions: list[str] = Field(..., description="本人现在可以调用的接口（operationId），如 transfer_accept")
    transitions: list[TransitionOut] = Field(..., description="本人现在可以进行的移送操作（代码与名称）")
    documents: list[DocumentOut]
    steps: list[TransferStepOut]


class TransferPage(PageOut):
    items: list[TransferOut]


class TransferQuery(Schema):
    kind: TransferKind | None = None
    status: TransferStatus | None = None
    overdue: bool = False
    direction: Direction | None = None


class TransferIn(Schema):
    kind: TransferKind
    receiver_department_id: int | None = ID
    receiver_street_id: int | None = ID
    sender_street_id: int | None = ID
    subject: PlainText = Field(..., max_length=120)
    facts: PlainText = Field(..., max_length=2000)
    request: PlainText = Field("", max_length=1000)
    category: CheckCategory | None = None
    institution_id: int | None = ID
    ledger_item_id: int | None = ID
    complaint_id: int | None = ID
    case_id: int | None = ID
    suspected_crime: bool = False


class TransferVersionIn(Schema):
    version: int | None = Field(None, ge=1, le=2_147_483_647)


class TransferNoteIn(TransferVersionIn):
    note: PlainText = Field("", max_length=1000)


class TransferReasonIn(TransferVersionIn):
    reason: PlainText = Field(..., max_length=1000)


class TransferResultIn(TransferVersionIn):
    result: PlainText = Field(..., max_length=2000)


class TransferCommentIn(Schema):
    text: PlainText = Field(..., max_length=2000)


def _unit(department: Any, street: Any) -> dict[str, Any]:
    unit = department or street
    return {"department_id": getattr(department, "pk", None), "street_id": getattr(street, "pk", None),
            "name": unit.name}  # fmt: skip


def _out(t: Transfer, today: date) -> dict[str, Any]:
    return {
        **{f: getattr(t, f) for f in TransferOut.model_fields if f not in ("sender", "receiver", "overdue")},
        "sender": _unit(t.sender_department, t.sender_street),
        "receiver": _unit(t.receiver_department, t.receiver_street),
        "overdue": t.is_overdue(today),
    }


# The actions with an endpoint of their own, and the body each takes.
STEP_BODIES: dict[str, type[Schema]] = {
    TransferAction.ACCEPT: TransferNoteIn,
    TransferAction.REFUSE: TransferReasonIn,
    TransferAction.REPORT: TransferResultIn,
    TransferAction.WITHDRAW: TransferReasonIn,
    TransferAction.COMMENT: TransferCommentIn,
}


def _detail(request: HttpRequest, transfer: Transfer) -> dict[str, Any]:
    transfer = selectors.transfers_for(request.user).get(pk=transfer.pk)
    data = _out(transfer, timezone.localdate())
    for name in ("facts", "request", "suspected_crime", "refusal_reason", "result", "ledger_item_id",
                 "complaint_id", "case_id"):  # fmt: skip
        data[name] = getattr(transfer, name)
    available = workflow.available(request.user, transfer)
    data["actions"] = endpoint_names(available, {action: f"transfer_{action}" for action in STEP_BODIES})
    data["transitions"] = transitions(available, TransferAction)
    data["documents"] = [document_out(d) for d in selectors.letters(request.user, transfer)]
    data["steps"] = [
        {"action": s.action, "from_status": s.from_status, "to_status": s.to_status, "at": s.at,
         "actor_id": s.actor_id, "note": s.note}
        for s in selectors.thread(request.user, transfer)
    ]  # fmt: skip
    return data


def _visible(request: HttpRequest, transfer_id: int) -> Transfer:
    require(request.user, "transfers.view")
    return get_visible_or_404(selectors.transfers_for(request.user), request.user, pk=transfer_id)


@router.get("", response=responses(TransferPage), summary="移送协查（权限范围内，含答复期限；与列表页同一筛选）")
def transfer_list(
    request: HttpRequest,
    filters: Query[TransferQuery],
    updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP),
    offset: int = Query(0, ge=0, le=1_000_000_000),
    limit: int = Query(50, ge=1, le=200),
) -> dict:
    require(request.user, "transfers.view")
    today = timezone.localdate()
    qs = selectors.filtered(
        selectors.transfers_for(request.user), request.user, today, kind=filters.kind or "",
        status=filters.status or "", overdue=filters.overdue, direction=filters.direction or "",
    )  # fmt: skip
    qs = changed_since(qs, updated_since)
    return {**page(request, qs.count(), offset, limit), "items": [_out(t, today) for t in qs[offset : offset + limit]]}


@router.get(
    "/{transfer_id}", response=responses(TransferDetailOut), summary="移送协查详情（往来记录、函件、可进行的操作）"
)
def transfer_detail(request: HttpRequest, transfer_id: int) -> dict:
    return _detail(request, _visible(request, transfer_id))


def _get(model: Any, request: HttpRequest, pk: int | None) -> Any:
    """A linked record by id: one the caller may see (404 otherwise, like its own page)."""
    return None if pk is None else get_visible_or_404(model.objects.all(), request.user, pk=pk)


def _unit_by_id(model: Any, pk: int | None) -> Any:
    """A department or a street by id: every user picks among the active ones (as in the page's form)."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk, is_active=True).first()
    if found is None:
        raise Http404
    return found


@router.post(
    "", response=responses(TransferDetailOut, status=201), summary="发出移送或协查（部门发出的自动编号并生成函件）"
)
def transfer_send(request: HttpRequest, payload: TransferIn) -> Status:
    require(request.user, "transfers.send")
    data = payload.model_dump()
    transfer = services.transfer_send(
        actor=request.user, kind=data["kind"], subject=data["subject"], facts=data["facts"], request=data["request"],
        category=data["category"] or "", suspected_crime=data["suspected_crime"],
        receiver_department=_unit_by_id(Department, data["receiver_department_id"]),
        receiver_street=_unit_by_id(Region, data["receiver_street_id"]),
        sender_street=_unit_by_id(Region, data["sender_street_id"]),
        institution=_get(Institution, request, data["institution_id"]),
        ledger_item=_get(LedgerItem, request, data["ledger_item_id"]),
        complaint=_get(Complaint, request, data["complaint_id"]), case=_get(Case, request, data["case_id"]),
    )  # fmt: skip
    return Status(201, _detail(request, transfer))


def _step(action: str, body: type[Schema]) -> None:
    def handler(request: HttpRequest, transfer_id: int, payload: Any) -> dict:
        transfer = _visible(request, transfer_id)
        rule = workflow.TRANSITIONS[action]
        if not workflow.may_act(request.user, transfer, rule.who):
            raise PermissionDenied(str(workflow.WHO_LABELS[rule.who]))
        data = payload.model_dump()
        version = data.pop("version", None)
        services.ACTIONS[action](actor=request.user, transfer=transfer, version=version, **data)
        return _detail(request, transfer)

    handler.__name__ = f"transfer_{action}"
    # Set here, not written: the body's schema is chosen per action.
    handler.__annotations__ = {"request": HttpRequest, "transfer_id": int, "payload": body, "return": dict}
    router.post(
        f"/{{transfer_id}}/{action}",
        response=responses(TransferDetailOut, conflict=True),
        summary=str(TransferAction(action).label),
        operation_id=f"transfer_{action}",
    )(handler)


for _action, _body in STEP_BODIES.items():
    _step(_action, _body)
