"""The warnings page and API: counts per kind, filters, acknowledging with a POST, and query counts that do not grow
with the number of warnings."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jianguan.alerts.choices import AlertKind
from jianguan.alerts.models import AlertAck
from jianguan.alerts.selectors import alert_counts, alerts_for
from jianguan.audit.models import AuditEvent
from jianguan.complaints import services as complaints
from jianguan.inspections.models import Finding
from jianguan.ledger import services as ledger
from jianguan.ledger.models import LedgerItem
from jianguan.registry import services as registry


def _overdue(district) -> str:  # type: ignore[no-untyped-def]
    LedgerItem.objects.filter(pk=district.ledger["a"].pk).update(deadline=timezone.localdate() - timedelta(days=3))
    return alerts_for(district.users["lead"])[0].key


def _complaint(district, n: int = 0):  # type: ignore[no-untyped-def]
    complaint, _code = complaints.complaint_submit(
        typed_name=f"无名辅导班{n}", typed_address=f"乙街道 {n} 号", street=district.streets["b"],
        category="unlicensed", content="小区里有人开班给小学生补课，没有挂任何牌子。", anonymous=True,
    )  # fmt: skip
    return complaint


CATEGORIES = ["premises", "fees", "staff", "teaching", "advertising", "food_safety"]


def _grow(district, n: int) -> None:
    """n more warnings of every kind."""
    admin, today = district.users["admin"], timezone.localdate()
    source = district.ledger["a"]
    for i in range(n):
        stamp = f"{i}-{timezone.now().timestamp()}"
        inst = registry.institution_create(
            actor=admin, name=f"增长机构{stamp}", credit_code=None, kind="other", street=district.streets["a"]
        )
        registry.licence_save(
            actor=admin, institution=inst, kind="other", number=f"N{stamp}", valid_until=today + timedelta(days=9)
        )
        _complaint(district, i)
        category = CATEGORIES[i % len(CATEGORIES)]
        again = Finding.objects.create(
            inspection=district.inspections["done"], category=category, description=f"复发{stamp}", severity="minor",
            department=source.department,
        )  # fmt: skip
        ledger.items_from_notice(
            inspection=district.inspections["done"], findings=[again], issued_at=timezone.now(),
            actor=district.users["lead"],
        )  # fmt: skip
        for days in (0, -2):  # one due today, one overdue
            finding = Finding.objects.create(
                inspection=source.inspection, category=category, description=f"增长{days}{stamp}", severity="minor",
                department=source.department, deadline=today + timedelta(days=days),
            )  # fmt: skip
            ledger.items_from_notice(
                inspection=source.inspection, findings=[finding], issued_at=timezone.now(), actor=district.users["lead"]
            )
        _meeting_task_overdue(district, stamp)
        _transfer_overdue(district, stamp)
        _rule_violations(inst)


def _rule_violations(inst) -> None:  # type: ignore[no-untyped-def]
    """An open violation of each severity, as the daily rule check stores them."""
    from jianguan.rules.models import RuleViolation

    for rule, otype in (("CLASS_OFFLINE_LATE", "courses.classgroup"), ("FEE_CLOSING", "registry.institution")):
        RuleViolation.objects.create(
            rule=rule, institution=inst, object_type=otype, object_id=inst.pk, record=inst.name, detail="情况",
            first_seen=timezone.localdate(),
        )  # fmt: skip


def _meeting_task_overdue(district, stamp: str) -> None:  # type: ignore[no-untyped-def]
    """A joint meeting's session held ten days ago whose task was due yesterday."""
    from jianguan.meetings import services as meetings
    from jianguan.meetings.models import JointMeeting

    lead, today = district.users["lead"], timezone.localdate()
    meeting = JointMeeting.objects.filter(name="预警测试联席会议").first() or meetings.meeting_save(
        actor=lead, name="预警测试联席会议", department=district.departments["edu"], convener=lead,
        departments=[district.departments["fire"]], streets=[], schedule="quarterly",
    )  # fmt: skip
    session = meetings.session_schedule(
        actor=lead, meeting=meeting, held_on=today - timedelta(days=10), place="会议室", agenda="议程"
    )
    meetings.session_minutes_record(
        actor=lead, session=session, minutes="纪要",
        decisions=[{"decision": f"督办{stamp}", "unit": f"d{district.departments['fire'].pk}",
                    "deadline": today - timedelta(days=1)}],
    )  # fmt: skip


def _transfer_overdue(district, stamp: str) -> None:  # type: ignore[no-untyped-def]
    """A 移送 sent a month ago and never answered (its reply deadline long past)."""
    import time_machine

    from jianguan.transfers.services import transfer_send

    with time_machine.travel(timezone.now() - timedelta(days=30), tick=False):
        transfer_send(
            actor=district.users["edu_officer"], kind="transfer", receiver_department=district.departments["fire"],
            subject=f"移送{stamp}", facts="安全出口堵塞。", category="fire_safety",
        )  # fmt: skip


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_warnings(client_for, district):
    lead = client_for("lead")
    _grow(district, 1)
    few = {url: _queries(lead, url) for url in ("/alerts/", "/api/v1/alerts")}
    with CaptureQueriesContext(connection) as ctx:
        counts_few = alert_counts(district.users["lead"])
    _grow(district, 5)
    many = {url: _queries(lead, url) for url in ("/alerts/", "/api/v1/alerts")}
    with CaptureQueriesContext(connection) as ctx_many:
        counts_many = alert_counts(district.users["lead"])
    assert many == few
    assert len(ctx_many.captured_queries) == len(ctx.captured_queries)
    # Every kind did grow (so the comparison means something).
    assert all(counts_many[k] > counts_few[k] for k in AlertKind.values), (counts_few, counts_many)


def test_the_page_lists_counts_and_links(client_for, district):
    key = _overdue(district)
    _complaint(district)
    html = client_for("lead").get("/alerts/").content.decode()
    assert 'data-testid="alert-counts"' in html and "整改逾期 <strong>1</strong>" in html
    assert "疑似无证办学投诉 <strong>1</strong>" in html and "证照即将到期 <strong>0</strong>" in html
    assert f'href="/ledger/{district.ledger["a"].pk}/"' in html and f'value="{key}"' in html
    assert "无名辅导班0" in html
    only_items = client_for("lead").get("/alerts/", {"kind": "item_overdue"}).content.decode()
    assert f'value="{key}"' in only_items and "无名辅导班0" not in only_items
    street_b = client_for("lead").get("/alerts/", {"street": district.streets["b"].pk}).content.decode()
    assert f'value="{key}"' not in street_b and "无名辅导班0" in street_b
    # Malformed filters are ignored, not errors.
    assert client_for("lead").get("/alerts/", {"kind": "x", "street": "y", "state": "z"}).status_code == 200


def test_the_page_shows_each_persona_its_own_scope(client_for, district):
    key = _overdue(district)
    assert f'value="{key}"' in client_for("institution").get("/alerts/").content.decode()
    assert f'value="{key}"' not in client_for("street_b").get("/alerts/").content.decode()
    assert "没有预警" in client_for("edu_officer").get("/alerts/").content.decode()


def test_acknowledging_on_the_page(client_for, district):
    key = _overdue(district)
    lead = client_for("lead")
    response = lead.post(
        "/alerts/acknowledge/", {"key": key, "note": "已约谈", "query": "kind=item_overdue&next=//evil.example"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/alerts/?kind=item_overdue&next=%2F%2Fevil.example"
    page = lead.get("/alerts/", follow=True).content.decode()
    assert f'value="{key}"' not in page and "整改逾期 <strong>0</strong>" in page
    acknowledged = lead.get("/alerts/", {"state": "acknowledged"}).content.decode()
    assert f'data-key="{key}"' in acknowledged and "已确认" in acknowledged
    assert f'data-key="{key}"' in client_for("admin").get("/alerts/").content.decode()  # still on others' lists
    assert AlertAck.objects.get().note == "已约谈"


def test_acknowledging_outside_ones_scope_on_the_page_writes_nothing(client_for, district):
    key = _overdue(district)
    before = AuditEvent.objects.count()
    response = client_for("street_b").post("/alerts/acknowledge/", {"key": key}, follow=True)
    assert "不在您的权限范围内" in response.content.decode()
    assert AlertAck.objects.count() == 0 and AuditEvent.objects.count() == before
    assert client_for("lead").get("/alerts/acknowledge/").status_code == 405


def test_the_api_lists_filters_and_acknowledges(client_for, district):
    key = _overdue(district)
    _complaint(district)
    lead = client_for("lead")
    data = lead.get("/api/v1/alerts").json()
    assert data["count"] == 2 and data["counts"]["item_overdue"] == 1 and data["counts"]["complaint_unregistered"] == 1
    [item] = lead.get("/api/v1/alerts", {"kind": "item_overdue"}).json()["items"]
    assert item["key"] == key and item["kind_label"] == "整改逾期" and item["object_id"] == district.ledger["a"].pk
    assert item["url"] == f"/ledger/{district.ledger['a'].pk}/" and item["acknowledged"] is False
    assert lead.get("/api/v1/alerts", {"kind": "nope"}).status_code == 422
    response = lead.post(
        "/api/v1/alerts/acknowledge", data={"key": key, "note": "已督办"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["key"] == key and response.json()["note"] == "已督办"
    assert lead.get("/api/v1/alerts", {"kind": "item_overdue"}).json()["count"] == 0
    shown = lead.get("/api/v1/alerts", {"kind": "item_overdue", "include_acknowledged": "true"}).json()
    assert shown["items"][0]["acknowledged"] is True
    refused = client_for("street_b").post(
        "/api/v1/alerts/acknowledge", data={"key": key}, content_type="application/json"
    )
    assert refused.status_code == 400 and "不在您的权限范围内" in refused.json()["message"]
    assert AlertAck.objects.count() == 1


def test_the_navigation_links_to_the_warnings_for_everyone(client_for):
    for name in ("lead", "street_a", "institution"):
        assert 'href="/alerts/"' in client_for(name).get("/").content.decode()
