"""Which recorded changes become webhook events, in one table, and the listener that queues their deliveries.

Every write records an audit event inside its transaction and `audit.hooks` tells this listener of it there: the
deliveries are rows of the same transaction (a change rolled back sends nothing; a change committed cannot lose its
delivery) and their sending is queued with it (`lib.tasks.enqueue_atomically`). The payload is thin and names no one:
the event, when, and which object, by id and API path. The receiver reads the details through the API with its own
token, which enforces its scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from jianguan.webhooks.choices import WebhookEvent


@dataclass(frozen=True)
class Source:
    """An audit action that makes a webhook event, and how the event names its object."""

    event: str
    object_type: str  # the payload's object.type
    url: str  # the API path of the object ({id} filled in)
    of_institution: bool = False  # the object is the event's institution (a licence's change changes the institution)


_INSTITUTION = Source(WebhookEvent.INSTITUTION_CHANGED, "institution", "/api/v1/institutions/{id}", of_institution=True)

# audit action → webhook event. The actions are the services' own codes (registry, documents, ledger, enforcement).
SOURCES: dict[str, Source] = {
    "institution.create": _INSTITUTION,
    "institution.update": _INSTITUTION,
    "institution.status_change": _INSTITUTION,
    "site.report": _INSTITUTION,  # an unregistered site put on the registry (未登记)
    "licence.create": _INSTITUTION,
    "licence.update": _INSTITUTION,
    "licence.delete": _INSTITUTION,
    # Only the orders among the documents (see ORDER_KINDS); a regenerated document is not issued again.
    "document.issue": Source(WebhookEvent.ORDER_ISSUED, "document", "/api/v1/documents/{id}"),
    "ledger.recheck_pass": Source(WebhookEvent.ITEM_CLOSED, "ledger_item", "/api/v1/ledger/items/{id}"),
    "ledger.close_on_site": Source(WebhookEvent.ITEM_CLOSED, "ledger_item", "/api/v1/ledger/items/{id}"),
    "case.decide": Source(WebhookEvent.CASE_DECIDED, "case", "/api/v1/cases/{id}"),
}

# The orders an inspection ends with: 责令整改通知书, 责令停止…通知书 and 当场责令改正通知书 (each order of the
# inspection's departments); the payload's `kind` tells them apart.
ORDER_KINDS = ("rectification_notice", "stop_order", "on_spot_order")


def _order_kinds(document_ids: list[str]) -> dict[str, str]:
    from jianguan.documents.models import Document

    ids = [int(i) for i in document_ids if str(i).isdigit()]
    rows = Document.objects.filter(pk__in=ids, kind__in=ORDER_KINDS).values_list("pk", "kind")
    return {str(pk): kind for pk, kind in rows}


def payload(event: Any, source: Source, extra: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The thin, non-personal body of one event (None when the event names no object)."""
    object_id = event.institution_id if source.of_institution else event.object_id
    if object_id in (None, ""):
        return None
    object_id = int(object_id) if str(object_id).isdigit() else str(object_id)
    return {
        "id": str(uuid.uuid4()),
        "event": str(source.event),
        "occurred_at": timezone.localtime(event.at).isoformat(),
        "action": event.action,
        "object": {"type": source.object_type, "id": object_id, "url": source.url.format(id=object_id)},
        "institution_id": event.institution_id,
        **(extra or {}),
    }


def on_audit_events(events: Sequence[Any]) -> None:
    """The audit listener: a delivery for each active subscription to each event, queued in this transaction.

    One query when a recorded action is a source of events (none otherwise), one more for the kinds of documents
    issued, then one insert for the deliveries and one queue row each."""
    wanted = [(e, SOURCES[e.action]) for e in events if e.action in SOURCES]
    if not wanted:
        return
    from jianguan.lib.tasks import enqueue_atomically
    from jianguan.webhooks.models import Delivery, Subscription
    from jianguan.webhooks.tasks import deliver

    subscriptions = list(Subscription.objects.filter(is_active=True).only("pk", "events"))
    subscribed = {code for s in subscriptions for code in s.events}
    wanted = [(e, s) for e, s in wanted if s.event in subscribed]
    if not wanted:
        return
    documents = [e.object_id for e, s in wanted if s.event == WebhookEvent.ORDER_ISSUED]
    kinds = _order_kinds(documents) if documents else {}
    deliveries = []
    for event, source in wanted:
        extra = None
        if source.event == WebhookEvent.ORDER_ISSUED:
            if event.object_id not in kinds:
                continue  # a document that is not an order (a record, a penalty case's papers)
            extra = {"kind": kinds[event.object_id]}
        body = payload(event, source, extra)
        if body is None:
            continue
        for subscription in subscriptions:
            if source.event in subscription.events:
                deliveries.append(
                    Delivery(subscription=subscription, event=source.event, event_id=body["id"], payload=body)
                )
    for delivery in Delivery.objects.bulk_create(deliveries):
        enqueue_atomically(deliver, delivery.pk, 0)
