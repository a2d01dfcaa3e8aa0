"""Penalty cases over the API: the same scope, state machine and forms as the pages. One POST per action, its body
the action's form fields (the schema is made from the form), 409 when the case cannot take it now."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django import forms as django_forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field, WithJsonSchema, create_model

from jianguan.accounts.permissions import require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.documents.api import DocumentOut, document_out
from jianguan.enforcement import clocks, selectors, services, workflow
from jianguan.enforcement.choices import CaseAction, CaseStatus
from jianguan.enforcement.forms import FORMS
from jianguan.enforcement.models import Case, CaseStep, Publication
from jianguan.lib.api import (
    UPDATED_SINCE_HELP,
    PageOut,
    TransitionOut,
    changed_since,
    endpoint_names,
    page,
    responses,
    transitions,
)
from jianguan.lib.ratelimit import api_within_limit
from jianguan.lib.workdays import UnknownCalendarYear

router = Router(tags=["cases"])
public_router = Router(tags=["public"], auth=None)


class ClockOut(Schema):
    code: str
    label: str
    due: date
    days_left: int
    state: str


class StepOut(Schema):
    action: str
    from_status: str
    to_status: str
    at: datetime
    note: str
    actor_id: int | None
    document_number: str


class CaseOut(Schema):
    id: int
    department_id: int
    institution_id: int
    party_name: str
    source: str
    status: str
    filed_on: date | None
    decision_due: date | None
    hearing_request_due: date | None
    provision: str
    proposed_penalties: list[str]
    proposed_fine: Decimal | None
    legal_review_required: bool
    legal_review_passed: bool
    hearing_right: bool
    penalties: list[str]
    fine: Decimal | None
    decided_on: date | None
    served_on: date | None
    paid: Decimal
    paid_on: date | None
    closed_on: date | None
    version: int
    updated_at: datetime = Field(..., description="最后变动时间（该记录或其组成部分的任何变动）")


class CaseDetailOut(CaseOut):
    facts: str
    clocks: list[ClockOut]
    actions: list[str] = Field(..., description="本人现在可以调用的接口（operationId），如 case_decide")
    transitions: list[TransitionOut] = Field(..., description="本人现在可以进行的案件操作（代码与名称）")
    documents: list[DocumentOut]  # the documents API's own shape (GET /api/v1/documents/{id} downloads)
    steps: list[StepOut]


class CasePage(PageOut):
    items: list[CaseOut]


def _due(compute: Any, *args: Any) -> date | None:
    if any(a is None for a in args):
        return None
    try:
        return compute(*args)
    except UnknownCalendarYear:
        return None


def _out(case: Case) -> dict[str, Any]:
    return {
        **{name: getattr(case, name) for name in CaseOut.model_fields if hasattr(case, name)},
        "decision_due": _due(clocks.decision_due, case.filed_on, case.extension_days) if case.filed_on else None,
        "hearing_request_due": _due(clocks.party_reply_due, case.notice_served_on) if case.hearing_right else None,
    }


def _detail(request: HttpRequest, case: Case) -> dict[str, Any]:
    today = timezone.localdate()
    case = Case.objects.prefetch_related("officers").get(pk=case.pk)
    steps = list(CaseStep.objects.visible_to(request.user).filter(case=case))
    available = workflow.available(request.user, case, today)
    return {
        **_out(case),
        "facts": case.facts,
        "clocks": [{**c.__dict__, "state": c.state} for c in clocks.clocks(case, today)],
        "actions": endpoint_names(available, {action: f"case_{action}" for action in FORMS}),
        "transitions": transitions(available, CaseAction),
        "documents": [document_out(d) for d in selectors.case_documents(request.user, steps)],
        "steps": [
            {
                "action": s.action, "from_status": s.from_status, "to_status": s.to_status, "at": s.at,
                "note": s.note, "actor_id": s.actor_id, "document_number": s.data.get("number", ""),
            }
            for s in steps
        ],
    }  # fmt: skip


def _visible(request: HttpRequest, case_id: int) -> Case:
    require(request.user, "cases.view")
    return get_visible_or_404(Case.objects.select_related("department", "institution"), request.user, pk=case_id)


class CaseQuery(Schema):
    status: CaseStatus | None = None


@router.get("", response=responses(CasePage), summary="行政处罚案件（权限范围内）")
def case_list(
    request: HttpRequest,
    filters: Query[CaseQuery],
    updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP),
    offset: int = Query(0, ge=0, le=1_000_000_000),
    limit: int = Query(50, ge=1, le=200),
) -> dict:
    require(request.user, "cases.view")
    qs = selectors.cases_for(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    qs = changed_since(qs, updated_since)
    return {**page(request, qs.count(), offset, limit), "items": [_out(c) for c in qs[offset : offset + limit]]}


@router.get("/{case_id}", response=responses(CaseDetailOut), summary="案件详情（期限、可进行的操作、文书和办案过程）")
def case_detail(request: HttpRequest, case_id: int) -> dict:
    return _detail(request, _visible(request, case_id))


# ---------------------------------------------------------------------------------------------------- one POST each


# An amount in yuan: a number, or its text (at most 12 digits, 2 after the point).
MONEY = Annotated[
    Decimal,
    Field(max_digits=12, decimal_places=2, ge=0),
    WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0},
                              {"type": "string", "maxLength": 16, "pattern": r"^\d{1,10}(\.\d{1,2})?$"}]}),
]  # fmt: skip


def _field_type(field: django_forms.Field) -> Any:
    """The JSON type of a form field: choices as enums (an unknown value is refused with 422), text bounded."""
    if isinstance(field, django_forms.ModelMultipleChoiceField):
        return list[int]
    if isinstance(field, django_forms.ModelChoiceField):
        return int
    if isinstance(field, django_forms.TypedChoiceField):
        return bool  # 复核结论: true 采纳
    if isinstance(field, django_forms.ChoiceField):
        values = tuple(str(v) for v, _label in field.choices if v)
        return list[Literal[values]] if isinstance(field, django_forms.MultipleChoiceField) else Literal[values]
    if isinstance(field, django_forms.DecimalField):
        return MONEY
    for cls, kind in ((django_forms.DateField, date), (django_forms.BooleanField, bool),
                      (django_forms.IntegerField, int)):  # fmt: skip
        if isinstance(field, cls):
            return kind
    return Annotated[str, Field(max_length=getattr(field, "max_length", None) or 2000)]


def _schema(action: str) -> type[Schema]:
    """The action's body, made from its form: the same fields, types and required ones."""
    form = FORMS[action]()
    fields: dict[str, Any] = {}
    for name, field in form.fields.items():
        kind = _field_type(field)
        if name == "version":
            fields[name] = (int | None, None)
        elif field.required:
            fields[name] = (kind, ...)
        else:
            fields[name] = (kind | None, None)
    return create_model(f"Case{''.join(p.title() for p in action.split('_'))}In", __base__=Schema, **fields)


def _form_data(form_class: type, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the form reads a POST: dates as ISO text, booleans of a choice as "1"/"0", lists kept."""
    data: dict[str, Any] = {}
    fields = form_class().fields
    for name, value in payload.items():
        if value is None:
            continue
        if isinstance(fields.get(name), django_forms.TypedChoiceField):
            value = "1" if value else "0"
        elif isinstance(value, date):
            value = value.isoformat()
        data[name] = value
    return data


def _route(action: str) -> None:
    body = _schema(action)

    def handler(request: HttpRequest, case_id: int, payload: body) -> dict:  # type: ignore[valid-type]
        case = _visible(request, case_id)
        rule = workflow.TRANSITIONS[action]
        if not workflow.may_act(request.user, case, rule.who):
            raise PermissionDenied(str(workflow.WHO_LABELS[rule.who]))
        form = FORMS[action](_form_data(FORMS[action], payload.model_dump()), case=case, user=request.user)
        if not form.is_valid():
            raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        services.ACTIONS[action](actor=request.user, case=case, version=version, **data)
        return _detail(request, case)

    handler.__name__ = f"case_{action}"
    # Set here, not written: the body's schema is a local value the annotation's text could not name.
    handler.__annotations__ = {"request": HttpRequest, "case_id": int, "payload": body, "return": dict}
    router.post(
        f"/{{case_id}}/{action.replace('_', '-')}",
        response=responses(CaseDetailOut, conflict=True),
        summary=str(CaseAction(action).label),
        operation_id=f"case_{action}",
    )(handler)


for _action in FORMS:
    _route(_action)


# ---------------------------------------------------------------------------------------------------- the public


class PublicPenaltyOut(Schema):
    number: str
    party_name: str
    credit_code: str
    violation: str
    penalty: str
    authority: str
    decided_on: date
    published_on: date
    display_until: date


class PublicPenaltyPage(PageOut):
    items: list[PublicPenaltyOut]


@public_router.get("", response=responses(PublicPenaltyPage), summary="行政处罚信息公示（公示期内的决定摘要）")
def public_penalties(
    request: HttpRequest,
    q: str = Query("", max_length=50),
    offset: int = Query(0, ge=0, le=10_000),
    limit: int = Query(20, ge=1, le=50),
) -> dict:
    api_within_limit(request)
    shown = Publication.objects.shown_on(timezone.localdate())
    if q.strip():
        shown = shown.filter(party_name__icontains=q.strip())
    return {**page(request, shown.count(), offset, limit), "items": list(shown[offset : offset + limit])}
