"""Writes for early warnings: acknowledging one (确认). The warnings themselves are never stored."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jianguan.accounts.permissions import require
from jianguan.alerts.models import AlertAck
from jianguan.alerts.selectors import alert_by_key
from jianguan.audit.services import audit_record


@transaction.atomic
def alert_acknowledge(*, actor: Any, key: str, note: str = "") -> AlertAck:
    """The actor has seen a warning that is current and within their scope; it leaves their list (not anyone
    else's) until its facts change. Acknowledging it again returns the first acknowledgement and writes nothing."""
    require(actor, "alerts.view")
    alert = alert_by_key(actor, key)
    if alert is None:
        raise ValidationError(_("该预警不存在或已消除，或不在您的权限范围内。"))
    existing = AlertAck.objects.visible_to(actor).filter(key=alert.key).first()
    if existing is not None:
        return existing
    ack = AlertAck(key=alert.key, user=actor, note=(note or "").strip())
    ack.full_clean(exclude=["user"])
    try:
        with transaction.atomic():
            ack.save()
    except IntegrityError:  # the same person's second click, a moment later
        return AlertAck.objects.get(user=actor, key=alert.key)
    audit_record(
        actor=actor,
        action="alert.acknowledge",
        obj=ack,
        object_label=f"{alert.kind_label}：{alert.institution_name} {alert.label}"[:200],
        after={
            "key": alert.key,
            "kind": alert.kind,
            "object_type": alert.object_type,
            "object_id": alert.object_id,
            "note": ack.note,
        },
    )
    return ack
