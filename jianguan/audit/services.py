"""Writing audit events. Every domain service calls `audit_record` inside its own transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from jianguan.audit import hooks
from jianguan.audit.context import current
from jianguan.audit.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


def jsonable(value: Any) -> Any:
    """A JSON-safe copy: dates as ISO strings, Decimals as strings, models as their pks, sets sorted."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (set, frozenset, tuple, list)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def snapshot(obj: models.Model, fields: list[str] | None = None, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """A JSON-safe picture of a model instance's concrete fields (foreign keys as ids, many-to-many as id lists).
    `updated_at` is bookkeeping (audit.freshness sets it from the event itself), never part of the picture."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in exclude or field.name == "updated_at":
            continue
        data[field.name] = jsonable(getattr(obj, field.attname))
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            if (fields is None or field.name in fields) and field.name not in exclude:
                data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return data


def event_hash(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def event_payload(event: AuditEvent) -> dict[str, Any]:
    """The content an event's hash covers: everything but the hash itself."""
    return {
        "seq": event.seq,
        "at": event.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "institution_id": event.institution_id,
        "before": event.before,
        "after": event.after,
        "source": event.source,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
    }


@dataclass
class _Batch:
    head: AuditChainHead


_batch: ContextVar[_Batch | None] = ContextVar("jianguan_audit_batch", default=None)


@contextmanager
def audit_batch() -> Iterator[None]:
    """Many events in one transaction (an import, the demo loader): the chain head is written once, at the end.

    Updating the one head row for every event of a long transaction makes PostgreSQL walk an ever longer chain of
    row versions that cannot be pruned before commit (quadratic time); inside a batch the head stays locked and is
    kept in memory instead. Must be entered inside the transaction, and nesting is allowed.
    """
    if _batch.get() is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("audit_batch must be used inside a transaction")
    # Locked here, outside any savepoint a row of the batch may roll back, and held until commit.
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    batch = _Batch(head=head)
    token = _batch.set(batch)
    try:
        yield
        head.last_seq, head.last_hash = _last_event()
        head.save(update_fields=["last_seq", "last_hash"])
    finally:
        _batch.reset(token)


def _last_event() -> tuple[int, str]:
    # Read back rather than remembered: a savepoint rolled back inside the batch takes its events with it.
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return last if last else (0, GENESIS_HASH)


@dataclass
class Entry:
    """One event to append: what happened to which object (see audit_record for the fields)."""

    action: str
    obj: models.Model | None = None
    object_type: str = ""
    object_id: str | int = ""
    object_label: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    institution: Any = None


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    institution: Any = None,
) -> AuditEvent:
    """Append one event to the audit chain. Must run inside the transaction of the change it records."""
    entry = Entry(action, obj, object_type, object_id, object_label, before, after, institution)
    return audit_record_many(actor=actor, entries=[entry])[0]


def audit_record_many(*, actor: Any, entries: list[Entry]) -> list[AuditEvent]:
    """Append events in order, chained, with one insert per thousand (a bulk change such as an import).

    Must run inside the transaction of the changes they record."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction")
    if not entries:
        return []
    actor_obj = actor if getattr(actor, "pk", None) else None
    actor_label = (getattr(actor_obj, "name", "") or getattr(actor_obj, "username", "")) if actor_obj else ""
    ctx = current()
    batch = _batch.get()
    events = []
    with transaction.atomic():
        if batch is None:
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
            last_seq, last_hash = head.last_seq, head.last_hash
        else:
            last_seq, last_hash = _last_event()
        now = timezone.now()
        for entry in entries:
            obj = entry.obj
            object_type, object_id, object_label = entry.object_type, entry.object_id, entry.object_label
            if obj is not None:
                if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
                    obj.updated_at = now  # what audit.freshness writes to its row: the caller's copy says the same
                object_type = object_type or obj._meta.label_lower
                object_id = object_id or obj.pk
                object_label = object_label or str(obj)[:200]
            event = AuditEvent(
                seq=last_seq + 1,
                at=now,
                actor=actor_obj,
                actor_label=actor_label,
                action=entry.action,
                object_type=object_type,
                object_id=str(object_id) if object_id != "" else "",
                object_label=str(object_label)[:200],
                institution_id=getattr(entry.institution, "pk", entry.institution),
                before=jsonable(entry.before) if entry.before is not None else None,
                after=jsonable(entry.after) if entry.after is not None else None,
                source=ctx.source,
                ip=ctx.ip,
                prev_hash=last_hash,
            )
            event.hash = event_hash(event_payload(event))
            last_seq, last_hash = event.seq, event.hash
            events.append(event)
        if len(events) == 1:
            events[0].save(force_insert=True)
        else:
            AuditEvent.objects.bulk_create(events, batch_size=1000)
        if batch is None:
            head.last_seq, head.last_hash = last_seq, last_hash
            head.save(update_fields=["last_seq", "last_hash"])
        hooks.notify(events)
    return events


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, for compact before/after records."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
