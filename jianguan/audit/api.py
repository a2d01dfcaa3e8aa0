from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from jianguan.accounts.permissions import require
from jianguan.audit.selectors import audit_events_filter
from jianguan.lib.api import UPDATED_SINCE_HELP, PageOut, changed_since, page, responses

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    seq: int
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_label: str
    before: Any
    after: Any
    source: str
    ip: str | None


class AuditPage(PageOut):
    items: list[AuditEventOut]


@router.get("/events", response=responses(AuditPage), summary="审计事件（仅平台管理员）")
def event_list(
    request: HttpRequest,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP),
    offset: int = Query(0, ge=0, le=1_000_000_000, description="跳过的条数"),
    limit: int = Query(50, ge=1, le=200, description="每页条数（1–200）"),
) -> dict:
    require(request.user, "audit.view")
    qs = audit_events_filter(
        request.user,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        date_from=date_from,
        date_to=date_to,
    )
    qs = changed_since(qs, updated_since, "at")
    return {**page(request, qs.count(), offset, limit), "items": list(qs[offset : offset + limit])}
