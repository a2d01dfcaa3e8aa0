"""Reading and verifying the audit chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from jianguan.audit.models import AuditChainHead, AuditEvent
from jianguan.audit.services import GENESIS_HASH, event_hash, event_payload


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def audit_chain_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the chain in order; the first missing, edited or inserted event is named by its sequence number."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            if event.seq > expected_seq:
                return ChainReport(False, checked, expected_seq, f"第 {expected_seq} 号事件缺失（已被删除）")
            return ChainReport(False, checked, event.seq, f"第 {event.seq} 号事件序号重复")
        if event.prev_hash != prev_hash:
            return ChainReport(False, checked, event.seq, f"第 {event.seq} 号事件与前一事件的链接不符（插入或篡改）")
        if event_hash(event_payload(event)) != event.hash:
            return ChainReport(False, checked, event.seq, f"第 {event.seq} 号事件内容被修改")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    last_seq, last_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    if last_seq != checked or last_hash != prev_hash:
        if last_seq > checked:
            return ChainReport(False, checked, checked + 1, f"第 {checked + 1} 号事件缺失（链尾被删除）")
        return ChainReport(False, checked, last_seq + 1, f"第 {last_seq + 1} 号事件是链外插入的记录")
    return ChainReport(True, checked)


def chain_head() -> tuple[int, str]:
    """The chain's last sequence number and hash (what an anchor outside the database records)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    return (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)


def chain_holds(seq: int, digest: str) -> bool:
    """Whether the event numbered ``seq`` still has the hash an earlier anchor recorded (0: the empty chain)."""
    if seq == 0:
        return digest == GENESIS_HASH
    return AuditEvent.objects.filter(seq=seq, hash=digest).exists()


def audit_events_filter(
    user: Any,
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
):  # type: ignore[no-untyped-def]
    """Audit events the user may see, filtered; used by the audit page and the API alike."""
    qs = AuditEvent.objects.visible_to(user).select_related("actor")
    if actor:
        qs = qs.filter(Q(actor_label__icontains=actor) | Q(actor__username=actor))
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    tz = timezone.get_current_timezone()
    # Dates at the ends of the calendar would overflow when converted to UTC; they limit nothing anyway.
    if date_from and date_from.year > 1:
        qs = qs.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to and date_to.year < 9999:
        qs = qs.filter(at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))
    return qs.order_by("-seq")
