"""Early warnings over the API: the same derived, scoped list as the page, and acknowledging one."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jianguan.accounts.permissions import require
from jianguan.alerts import services
from jianguan.alerts.choices import AlertKind
from jianguan.alerts.selectors import Alert, alerts_for, count_by_kind
from jianguan.lib.api import PageOut, PlainText, page, responses

router = Router(tags=["alerts"])


class AlertOut(Schema):
    kind: str
    kind_label: str
    key: str
    object_type: str
    object_id: int
    label: str
    institution_id: int | None
    institution_name: str
    street_id: int | None
    street_name: str
    message: str
    day: date = Field(..., description="预警产生之日：整改期限、证照有效期至、投诉收到日或最近一次发现问题的检查日")
    url: str
    acknowledged: bool
    acknowledged_at: datetime | None


class AlertPageOut(PageOut):
    counts: dict[str, int] = Field(..., description="按类型的数量（不受 kind 筛选影响）")
    items: list[AlertOut]


class AlertQuery(Schema):
    kind: AlertKind | None = None
    street: int | None = Field(None, ge=1, le=2_147_483_647)
    include_acknowledged: bool = False


class AlertAckIn(Schema):
    key: str = Field(..., min_length=1, max_length=120)
    note: PlainText = Field("", max_length=300)


class AlertAckOut(Schema):
    key: str
    note: str
    acknowledged_at: datetime


def _out(alert: Alert) -> dict:
    data = {f: getattr(alert, f) for f in AlertOut.model_fields}
    data["kind_label"] = alert.kind_label
    return data


@router.get("", response=responses(AlertPageOut), summary="当前预警（权限范围内；默认不含本人已确认的）")
def alert_list(
    request: HttpRequest,
    filters: Query[AlertQuery],
    offset: int = Query(0, ge=0, le=1_000_000_000),
    limit: int = Query(100, ge=1, le=500),
) -> dict:
    require(request.user, "alerts.view")
    alerts = alerts_for(request.user, include_acknowledged=filters.include_acknowledged, street_id=filters.street)
    counts = count_by_kind(alerts)
    if filters.kind is not None:
        alerts = [a for a in alerts if a.kind == filters.kind]
    return {
        **page(request, len(alerts), offset, limit),
        "counts": counts,
        "items": [_out(a) for a in alerts[offset : offset + limit]],
    }


@router.post("/acknowledge", response=responses(AlertAckOut), summary="确认预警（仅对本人隐藏；事实变化后会再次出现）")
def alert_acknowledge(request: HttpRequest, payload: AlertAckIn) -> dict:
    ack = services.alert_acknowledge(actor=request.user, key=payload.key, note=payload.note)
    return {"key": ack.key, "note": ack.note, "acknowledged_at": ack.acknowledged_at}
