"""Listeners hear each recorded event inside its transaction; a failing listener takes the change back with it."""

import pytest
from django.db import transaction

from jianguan.audit import hooks
from jianguan.audit.models import AuditEvent
from jianguan.audit.services import Entry, audit_record, audit_record_many

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    seen = []

    def listener(events):
        seen.append([(e.action, e.object_id, transaction.get_connection().in_atomic_block) for e in events])

    hooks.listen(listener)
    hooks.listen(listener)  # twice: still told once
    yield seen
    hooks.unlisten(listener)


def test_listener_hears_each_call_inside_the_transaction(heard):
    with transaction.atomic():
        audit_record(actor=None, action="test.one", object_type="x", object_id=1)
        audit_record_many(actor=None, entries=[Entry("test.many", object_type="x", object_id=i) for i in (2, 3)])
    assert heard == [[("test.one", "1", True)], [("test.many", "2", True), ("test.many", "3", True)]]


def test_failing_listener_rolls_the_change_back():
    def broken(events):
        raise RuntimeError("listener failed")

    hooks.listen(broken)
    try:
        before = AuditEvent.objects.count()
        with pytest.raises(RuntimeError), transaction.atomic():
            audit_record(actor=None, action="test.broken", object_type="x", object_id=1)
        assert AuditEvent.objects.count() == before
    finally:
        hooks.unlisten(broken)
