"""The complaints API: the public files and tracks without an account (rate-limited); staff read what their scope
allows, the reporter's identity only where the page would show it."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from jianguan.accounts.permissions import require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.complaints import selectors, services
from jianguan.complaints.choices import ComplaintCategory, ComplaintKind, ComplaintStatus
from jianguan.complaints.forms import clean_phone
from jianguan.complaints.models import Complaint
from jianguan.lib.api import UPDATED_SINCE_HELP, PageOut, PlainText, changed_since, choice_filter, page, responses
from jianguan.lib.ratelimit import api_within_limit
from jianguan.org.models import Region
from jianguan.registry.models import Institution

public_router = Router(tags=["public"], auth=None)
router = Router(tags=["complaints"])


class ComplaintSubmitIn(Schema):
    institution_id: int | None = Field(
        None, ge=1, le=2_147_483_647, description="机构库中的机构；不知道时填写名称和地址"
    )
    name: PlainText = Field("", max_length=100)
    address: PlainText = Field("", max_length=200)
    street_id: int | None = Field(None, ge=1, le=2_147_483_647)
    kind: ComplaintKind = Field(
        ComplaintKind.REPORT, description="complaint 投诉（本人权益争议，须实名）或 report 举报（违法行为线索）"
    )
    category: ComplaintCategory
    content: PlainText = Field(..., min_length=10, max_length=2000)
    anonymous: bool = False
    reporter_name: PlainText = Field("", max_length=30)
    reporter_phone: str = Field("", max_length=20)


class ComplaintReceiptOut(Schema):
    number: str
    tracking_code: str = Field(..., description="查询码：只在此返回一次，请妥善保存")


class ComplaintTrackIn(Schema):
    code: str = Field(..., min_length=1, max_length=30)


class ComplaintTrackOut(Schema):
    number: str
    received_at: datetime
    category: str
    status: str
    status_label: str
    public_reply: str
    replied_at: datetime | None
    case_filed_on: date | None  # a named 举报 led to a penalty case filed (立案) that day


class ComplaintRowOut(Schema):
    id: int
    number: str
    received_at: datetime
    institution_id: int | None
    subject: str
    kind: str = Field(description="complaint 投诉 / report 举报")
    category: str
    status: str
    unit: str
    deadline: date | None
    accept_due: date | None = Field(description="待受理时：决定是否受理的期限（工作日）")
    overdue: bool
    updated_at: datetime = Field(..., description="最后变动时间（该记录或其组成部分的任何变动）")


class ComplaintPageOut(PageOut):
    items: list[ComplaintRowOut]


class ComplaintReporterOut(Schema):
    anonymous: bool
    name: str
    phone: str


class ComplaintDetailOut(ComplaintRowOut):
    content: str
    public_reply: str
    result: str
    reporter: ComplaintReporterOut | None = Field(None, description="只对牵头部门和承办人返回")


@public_router.post("", response=responses(ComplaintReceiptOut, 201), summary="提交投诉举报")
def complaint_submit(request: HttpRequest, payload: ComplaintSubmitIn) -> Status:
    api_within_limit(request, "complaint", settings.JIANGUAN_COMPLAINT_RATE_LIMIT, 3600)
    institution = None
    if payload.institution_id is not None:
        institution = Institution.objects.filter(pk=payload.institution_id).first()
        if institution is None:
            raise HttpError(404, "机构不存在。")
    street = Region.objects.filter(pk=payload.street_id).first() if payload.street_id else None
    try:
        phone = clean_phone(payload.reporter_phone)
    except ValidationError as exc:
        raise ValidationError({"reporter_phone": exc.messages}) from exc
    complaint, code = services.complaint_submit(
        institution=institution, typed_name=payload.name, typed_address=payload.address, street=street,
        kind=payload.kind, category=payload.category, content=payload.content, anonymous=payload.anonymous,
        reporter_name=payload.reporter_name, reporter_phone=phone,
    )  # fmt: skip
    return Status(201, {"number": complaint.number, "tracking_code": code})


@public_router.post("/track", response=responses(ComplaintTrackOut), summary="凭查询码查询办理进度和答复")
def complaint_track(request: HttpRequest, payload: ComplaintTrackIn) -> dict:
    api_within_limit(request)
    result = selectors.track(payload.code)
    if result is None:
        raise HttpError(404, "查询码不存在。")
    return result.__dict__


def _row(c: Complaint, today: date) -> dict:
    return {
        "id": c.pk, "number": c.number or "", "received_at": c.received_at, "institution_id": c.institution_id,
        "subject": c.subject_name, "kind": c.kind, "category": c.category, "status": c.status, "unit": c.unit_name,
        "deadline": c.deadline, "accept_due": c.accept_due if c.status == ComplaintStatus.RECEIVED else None,
        "overdue": c.is_overdue(today) or c.acceptance_overdue(today), "updated_at": c.updated_at,
    }  # fmt: skip


COMPLAINT_STATUS_FILTER = choice_filter([*ComplaintStatus.choices, ("open", ""), ("overdue", "")])


@router.get("", response=responses(ComplaintPageOut), summary="投诉举报列表（按权限范围）")
def complaint_list(
    request: HttpRequest,
    status: COMPLAINT_STATUS_FILTER | None = Query(  # type: ignore[valid-type]
        None, description="投诉状态，或 open 未办结、overdue 办理超期"
    ),
    category: choice_filter(ComplaintCategory.choices) | None = None,  # type: ignore[valid-type]
    q: str = Query("", max_length=50),
    updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP),
    offset: int = Query(0, ge=0, le=1_000_000),
    limit: int = Query(50, ge=1, le=200),
) -> dict:
    require(request.user, "complaints.view")
    today = timezone.localdate()
    qs = selectors.filtered(
        selectors.complaints_for(request.user), {"status": status or "", "category": category or "", "q": q}, today
    )
    qs = changed_since(qs, updated_since)
    return {**page(request, qs.count(), offset, limit), "items": [_row(c, today) for c in qs[offset : offset + limit]]}


@router.get("/{complaint_id}", response=responses(ComplaintDetailOut), summary="投诉举报详情")
def complaint_detail(request: HttpRequest, complaint_id: int) -> dict:
    require(request.user, "complaints.view")
    c = get_visible_or_404(
        Complaint.objects.select_related("institution", "assigned_department", "assigned_street"), request.user,
        pk=complaint_id,
    )  # fmt: skip
    reporter = None
    if selectors.may_see_reporter(request.user, c):
        reporter = {"anonymous": c.anonymous, "name": c.reporter_name, "phone": c.reporter_phone}
    return {
        **_row(c, timezone.localdate()), "content": c.content, "public_reply": c.public_reply, "result": c.result,
        "reporter": reporter,
    }  # fmt: skip
