"""Each subscribed event is sent by the real services' own writes (through the audit listener), to a real HTTP
receiver on loopback, signed as the README says; a change rolled back sends nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jianguan.enforcement.tests.conftest import LIGHT, drive, people  # noqa: F401 — `people` is a fixture
from jianguan.webhooks.models import Delivery
from jianguan.webhooks.tests.conftest import run_worker

ALL = ["institution.changed", "order.issued", "item.closed", "case.decided"]


def receiver_accepts(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    """The check a receiver makes (written here from the README, not with the platform's code)."""
    timestamp = headers["x-jianguan-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["x-jianguan-signature"])


def _sent(receiver, secret):
    """Every request the receiver got, checked as a receiver would, as (headers, payload)."""
    out = []
    for request in receiver.received:
        assert receiver_accepts(secret, request.headers, request.body)
        assert not receiver_accepts("another secret", request.headers, request.body)
        out.append((request.headers, json.loads(request.body)))
    return out


def test_an_institution_change_is_sent_signed_and_thin(district, receiver, subscribe):
    from jianguan.registry.services import institution_update

    subscription, secret = subscribe(ALL)
    institution = district.institutions["a"]
    institution_update(
        actor=district.users["lead"], institution=institution, contact_person="王老师", contact_phone="13800138000",
        legal_representative="王法人",
    )  # fmt: skip
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.subscription == subscription
    assert not receiver.received  # nothing leaves before the worker runs the task
    assert run_worker() == 1
    [(headers, body)] = _sent(receiver, secret)
    assert receiver.received[0].path == "/hooks/jianguan"
    assert headers["x-jianguan-event"] == "institution.changed"
    assert headers["x-jianguan-delivery"] == body["id"] == str(delivery.event_id)
    assert headers["user-agent"] == "Jianguan-Webhooks/1"
    assert headers["content-type"].startswith("application/json")
    assert abs(int(headers["x-jianguan-timestamp"]) - time.time()) < 60
    assert body["event"] == "institution.changed" and body["action"] == "institution.update"
    assert body["object"] == {
        "type": "institution", "id": institution.pk, "url": f"/api/v1/institutions/{institution.pk}"
    }  # fmt: skip
    assert body["institution_id"] == institution.pk
    assert timezone.datetime.fromisoformat(body["occurred_at"]) <= timezone.now()
    raw = receiver.received[0].body.decode()
    for personal in ("王老师", "13800138000", "王法人", institution.name, "92990100MA00000A1P"):
        assert personal not in raw
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 1 and delivery.last_status_code == 200
    assert run_worker() == 0 and len(receiver.received) == 1  # done: never sent twice


def test_a_licence_change_is_a_change_of_its_institution(district, receiver, subscribe):
    from jianguan.registry.services import licence_save

    subscribe(["institution.changed"])
    licence = district.licences["a"]
    licence_save(
        actor=district.users["admin"], institution=licence.institution, licence=licence, issuer="测试区教育局（新）"
    )
    delivery = Delivery.objects.get()
    assert delivery.payload["action"] == "licence.update"
    assert delivery.payload["object"]["type"] == "institution"
    assert delivery.payload["object"]["id"] == licence.institution_id


def test_a_status_change_is_sent(district, receiver, subscribe):
    from jianguan.registry.services import institution_status_change

    subscribe(["institution.changed"])
    institution_status_change(
        actor=district.users["lead"], institution=district.institutions["b"], to_status="deregistered",
        reason="举办者申请注销",
    )  # fmt: skip
    delivery = Delivery.objects.get()
    assert delivery.payload["action"] == "institution.status_change"
    assert delivery.payload["object"]["id"] == district.institutions["b"].pk
    assert "举办者" not in json.dumps(delivery.payload, ensure_ascii=False)  # the reason is read through the API


def _inspection_with_a_problem(district):
    """A completed inspection of institution b with one failed item: completing it issues the order."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jianguan.inspections import services as inspections
    from tests.support.district import tiny_jpeg

    team = [district.users["edu_officer"], district.users["fire_officer"]]
    inspection = inspections.inspection_create(
        actor=district.users["lead"], institution=district.institutions["b"], scheduled_at=timezone.now(),
        officers=team, lead_department=district.departments["edu"],
    )  # fmt: skip
    inspections.inspection_start(actor=team[0], inspection=inspection)
    for item in inspection.checklist_version.items.all():
        failed = item.text.startswith("疏散通道")
        result = inspections.result_record(
            actor=team[1], inspection=inspection, item=item, outcome="fail" if failed else "pass"
        )
        if failed:
            inspections.evidence_add(
                actor=team[1], inspection=inspection, result=result,
                upload=SimpleUploadedFile("exit.jpg", tiny_jpeg(), "image/jpeg"),
            )  # fmt: skip
    return inspections.inspection_complete(
        certificates_shown=True, recusal_requested=False, actor=team[0], inspection=inspection,
        representative_name="李校长",
    )  # fmt: skip


def test_an_order_issued_on_completing_an_inspection_is_sent(district, receiver, subscribe):
    from jianguan.documents.models import Document

    _subscription, secret = subscribe(["order.issued"])
    inspection = _inspection_with_a_problem(district)
    orders = Document.objects.filter(source_type="inspections.inspection", source_id=str(inspection.pk)).exclude(
        kind="inspection_record"
    )
    assert orders.exists()
    deliveries = list(Delivery.objects.order_by("pk"))
    assert {d.payload["object"]["id"] for d in deliveries} == {o.pk for o in orders}  # the record is not an order
    assert all(d.event == "order.issued" and d.payload["object"]["type"] == "document" for d in deliveries)
    assert {d.payload["kind"] for d in deliveries} <= {"rectification_notice", "stop_order", "on_spot_order"}
    run_worker()
    sent = _sent(receiver, secret)
    assert len(sent) == len(deliveries)
    document = orders.first()
    assert any(b["object"]["url"] == f"/api/v1/documents/{document.pk}" for _, b in sent)
    assert document.number not in receiver.received[0].body.decode()  # the number is read through the API


def test_an_item_closed_by_its_recheck_is_sent(district, receiver, subscribe):
    from jianguan.ledger.services import recheck

    subscribe(["item.closed"])
    item = district.ledger["a"]
    recheck(
        actor=district.users["fire_officer"], officers=[district.users["edu_officer"]], item=item, passed=True,
        note="已复查，通道畅通",
    )  # fmt: skip
    delivery = Delivery.objects.get()
    assert delivery.event == "item.closed" and delivery.payload["action"] == "ledger.recheck_pass"
    assert delivery.payload["object"] == {
        "type": "ledger_item",
        "id": item.pk,
        "url": f"/api/v1/ledger/items/{item.pk}",
    }
    assert delivery.payload["institution_id"] == item.institution_id
    run_worker()
    assert len(receiver.received) == 1


def test_a_failed_recheck_closes_nothing_and_sends_nothing(district, receiver, subscribe):
    from jianguan.ledger.services import recheck

    subscribe(["item.closed"])
    recheck(
        actor=district.users["fire_officer"], officers=[district.users["edu_officer"]], item=district.ledger["a"],
        passed=False, note="通道仍有杂物",
    )  # fmt: skip
    assert not Delivery.objects.exists()


def test_a_penalty_decision_is_sent(district, people, receiver, subscribe):  # noqa: F811 — the fixture
    subscribe(["case.decided"])
    before_decision = []

    def visit(case):
        if case.status != "decided":
            before_decision.append(Delivery.objects.count())

    case = drive(district, people, "decided", LIGHT, visit=visit)
    assert before_decision and set(before_decision) == {0}  # the steps before the decision are not events
    delivery = Delivery.objects.get()
    assert delivery.event == "case.decided" and delivery.payload["action"] == "case.decide"
    assert delivery.payload["object"] == {"type": "case", "id": case.pk, "url": f"/api/v1/cases/{case.pk}"}
    run_worker()
    assert len(receiver.received) == 1


def test_each_subscription_gets_only_its_events_and_an_inactive_one_none(district, receiver, subscribe):
    from jianguan.registry.services import institution_update
    from jianguan.webhooks.services import subscription_deactivate

    wants_changes, _ = subscribe(["institution.changed"], name="甲")
    subscribe(["item.closed"], name="乙")
    off, _ = subscribe(["institution.changed"], name="丙")
    subscription_deactivate(actor=district.users["admin"], subscription=off)
    institution_update(actor=district.users["lead"], institution=district.institutions["a"], address="甲街道 3 号")
    assert [d.subscription for d in Delivery.objects.all()] == [wants_changes]


def test_two_subscriptions_share_the_event_id(district, receiver, subscribe):
    from jianguan.registry.services import institution_update

    subscribe(["institution.changed"], name="甲")
    subscribe(["institution.changed"], name="乙")
    institution_update(actor=district.users["lead"], institution=district.institutions["a"], address="甲街道 5 号")
    first, second = Delivery.objects.all()
    assert first.event_id == second.event_id and first.subscription != second.subscription


def test_a_change_rolled_back_sends_nothing(district, receiver, subscribe):
    from jianguan.registry.services import institution_update

    subscribe(ALL)
    queued = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        institution_update(actor=district.users["lead"], institution=district.institutions["a"], address="回滚路 1 号")
        assert Delivery.objects.count() == 1  # queued with the change …
        raise RuntimeError("the rest of the change failed")
    assert not Delivery.objects.exists()  # … and gone with it
    assert DBTaskResult.objects.count() == queued
    assert run_worker() == 0 and not receiver.received


def test_no_subscription_costs_one_query(district, django_assert_max_num_queries):
    """The listener adds at most one query to a write when nobody subscribes."""
    from jianguan.audit.models import AuditEvent
    from jianguan.webhooks.events import on_audit_events

    event = AuditEvent(action="institution.update", object_id="1", institution_id=1, at=timezone.now())
    with django_assert_max_num_queries(1):
        on_audit_events([event])
    with django_assert_max_num_queries(0):
        on_audit_events([AuditEvent(action="inspection.start", object_id="1", at=timezone.now())])


def test_an_import_of_many_institutions_takes_the_same_queries_as_one(
    district, subscribe, django_assert_max_num_queries
):
    """Many events of one audit call (an import): one query for the subscriptions, one insert, a queue row each."""
    from jianguan.audit.models import AuditEvent
    from jianguan.webhooks.events import on_audit_events

    subscribe(["institution.changed"])
    events = [
        AuditEvent(action="institution.create", object_id=str(n), institution_id=n, at=timezone.now())
        for n in range(1, 31)
    ]
    with transaction.atomic(), django_assert_max_num_queries(2 + 30 * 2):
        on_audit_events(events)
    assert Delivery.objects.count() == 30
