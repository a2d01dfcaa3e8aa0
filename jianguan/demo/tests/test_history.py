"""The demo's history carries the days its events happened: the loader replays every story through the services with
the clock at each event's moment, in order, so records, histories and the audit chain say when things happened —
and its rectifications include submissions on time, so 按期整改率 is not 0%."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import F
from django.utils import timezone

from jianguan.accounts.models import User
from jianguan.audit.models import AuditEvent
from jianguan.complaints.demo import REPORTERS
from jianguan.complaints.models import Complaint
from jianguan.demo.loader import replay
from jianguan.documents.models import Document
from jianguan.inspections.demo import CAMPAIGN_NAME
from jianguan.inspections.models import Campaign, Inspection
from jianguan.ledger.models import LedgerItem
from jianguan.lib.story import Story, moment
from jianguan.reports.dashboard import Filters, rectification_counts
from tests.support.demo import load_demo_district

DAY = date(2026, 11, 26)


def _local(at: datetime) -> date:
    return timezone.localtime(at).date()


def test_the_demo_history_is_dated_as_it_happened(db):
    before, first = timezone.now(), AuditEvent.objects.count()  # the test district's own events come first
    load_demo_district(today=DAY, log=lambda *a, **k: None)

    # The demo's events only go forward in time, and none is dated at the load but the derived ratings.
    events = list(AuditEvent.objects.order_by("seq").values_list("at", "action")[first:])
    assert all(a[0] <= b[0] for a, b in zip(events, events[1:], strict=False))
    late = {action for at, action in events if at >= before}
    assert late <= {"risk.refresh"}, late
    assert len({_local(at) for at, _action in events}) > 30  # spread over the campaign's weeks, not one day

    inspections = list(Inspection.objects.filter(campaign__name=CAMPAIGN_NAME).order_by("scheduled_at"))
    assert len(inspections) == 22
    for inspection in inspections:
        assert _local(inspection.started_at) == _local(inspection.scheduled_at) < DAY
        assert inspection.created_at < inspection.scheduled_at  # planned before the day
        starts = AuditEvent.objects.get(action="inspection.start", object_id=str(inspection.pk))
        assert starts.at == inspection.started_at or abs(starts.at - inspection.started_at) < timedelta(seconds=5)
        documents = Document.objects.filter(source_type="inspections.inspection", source_id=str(inspection.pk))
        assert documents and {_local(d.issued_at) for d in documents} == {_local(inspection.completed_at)}

    items = list(LedgerItem.objects.filter(campaign__name=CAMPAIGN_NAME).prefetch_related("events"))
    assert items
    for item in items:
        assert _local(item.created_at) == item.found_on
        if item.closed_on is not None:
            closing = [e for e in item.events.all() if e.to_status == "closed"]
            assert [_local(e.at) for e in closing] == [item.closed_on]
        if item.submitted_on is not None:
            submitted = [e for e in item.events.all() if e.to_status == "submitted"]
            assert _local(submitted[-1].at) == item.submitted_on

    # Some heads answered on time, one late: 按期整改率 is neither 0 nor 100.
    counts = rectification_counts(
        User.objects.get(username="lead"), Filters(campaign=Campaign.objects.get(name=CAMPAIGN_NAME))
    )
    closed, on_time = sum(n[1] for n in counts.values()), sum(n[2] for n in counts.values())
    assert 0 < on_time < closed
    assert LedgerItem.objects.filter(submitted_on__gt=F("deadline")).exists()  # and one head was late

    # The answered complaint was answered after its item was closed out.
    answered = Complaint.objects.get(reporter_phone=REPORTERS[2][1])
    item = answered.ledger_item
    replied = answered.events.get(action="reply")
    assert item.status == "closed" and replied.at > item.events.get(to_status="closed").at


def _story(log: list[str], name: str, *days: int) -> Story:
    for d in days:
        yield moment(DAY + timedelta(days=d), 10)
        log.append(f"{name}{d}@{timezone.localdate():%m-%d}")
    return len(days)


def test_replay_runs_events_in_time_order_with_the_clock_at_each(db):
    log: list[str] = []
    since = moment(DAY - timedelta(days=30), 9)
    counts = replay(
        [("a", _story(log, "a", -10, -2, 5)), ("b", _story(log, "b", -20, -5)), ("b", _story(log, "c", -3))],
        since=since,
        until=moment(DAY, 23, 59),
    )
    # Events in the order of their moments; one named after `until` runs at `until`.
    assert log == ["b-20@11-06", "a-10@11-16", "b-5@11-21", "c-3@11-23", "a-2@11-24", "a5@11-26"]
    assert counts == {"a": 3, "b": 3}
