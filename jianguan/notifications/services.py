"""Writes for notifications. Sending is idempotent per recipient, subject, reason and day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from jianguan.audit.services import audit_record
from jianguan.notifications.models import Notification


@dataclass(frozen=True)
class Message:
    recipient_id: int
    reason: str
    subject: str
    text: str
    url: str = ""


@transaction.atomic
def notify_many(messages: Iterable[Message]) -> int:
    """Create the notifications not yet sent today; returns how many are new. One audit event for the batch."""
    day = timezone.localdate()
    messages = list(messages)
    sent_today = set(
        Notification.objects.filter(day=day, subject__in={m.subject for m in messages}).values_list(
            "recipient_id", "subject", "reason"
        )
    )
    new = [
        Notification(
            recipient_id=m.recipient_id, reason=m.reason, subject=m.subject, text=m.text[:300], url=m.url, day=day
        )
        for m in {(m.recipient_id, m.subject, m.reason): m for m in messages}.values()
        if (m.recipient_id, m.subject, m.reason) not in sent_today
    ]
    Notification.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    if new:
        audit_record(
            actor=None,
            action="notification.send",
            object_type="notifications.notification",
            object_label=f"{len(new)}",
            after={"count": len(new), "reasons": sorted({n.reason for n in new}), "day": day},
        )
    return len(new)


@transaction.atomic
def mark_read(*, actor: Any, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all of them when no ids are given). Not audited: a reading receipt."""
    qs = Notification.objects.visible_to(actor).filter(read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
