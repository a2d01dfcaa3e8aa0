"""Early warnings: each kind arises from its facts and goes with them, within each persona's scope; acknowledging
one hides it for that person only, is audited, and is refused for a warning the person cannot see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jianguan.alerts.choices import AlertKind
from jianguan.alerts.models import AlertAck
from jianguan.alerts.selectors import alert_by_key, alert_counts, alert_totals, alerts_for
from jianguan.alerts.services import alert_acknowledge
from jianguan.audit.models import AuditEvent
from jianguan.complaints import services as complaints
from jianguan.inspections.models import Finding, Inspection
from jianguan.ledger import services as ledger
from jianguan.ledger.models import LedgerItem
from jianguan.registry import services as registry


def _alerts(user, kind=None, **kwargs):  # type: ignore[no-untyped-def]
    return alerts_for(user, kinds=[kind] if kind else None, **kwargs)


def _keys(user, kind=None, **kwargs) -> set[str]:  # type: ignore[no-untyped-def]
    return {a.key for a in _alerts(user, kind, **kwargs)}


def _seen_by(district, kind: str, key: str) -> set[str]:
    return {name for name, user in district.users.items() if user is not None and key in _keys(user, kind)}


def _unregistered_complaint(district, category: str = "unlicensed", **kwargs):  # type: ignore[no-untyped-def]
    complaint, _code = complaints.complaint_submit(
        typed_name="无名辅导班", typed_address="乙街道 8 号 3 楼", street=district.streets["b"], category=category,
        content="小区里有人开班给小学生补语文数学，没有挂任何牌子。", anonymous=True, **kwargs,
    )  # fmt: skip
    return complaint


def _fire_finding(inspection: Inspection, district, category: str = "fire_safety") -> Finding:
    """A further problem found at a completed inspection, entered in the ledger as the rectification order does and
    closed at once (so that it adds no deadline warning of its own)."""
    inspection.refresh_from_db()
    finding = Finding.objects.create(
        inspection=inspection, category=category, description="灭火器过期", severity="minor",
        department=district.departments["fire"],
    )  # fmt: skip
    ledger.items_from_notice(
        inspection=inspection, findings=[finding], issued_at=inspection.completed_at, actor=district.users["lead"]
    )
    LedgerItem.objects.filter(finding=finding).update(status="closed", closed_on=finding.ledger_item.found_on)
    return finding


def _completed(inspection_id: int, days_ago: int, **changes) -> None:  # type: ignore[no-untyped-def]
    """Moves a completed inspection (and the problems it found) back in time."""
    at = timezone.now() - timedelta(days=days_ago)
    Inspection.objects.filter(pk=inspection_id).update(completed_at=at, **changes)
    LedgerItem.objects.filter(inspection_id=inspection_id).update(found_on=timezone.localtime(at).date())


DISTRICT_WIDE = {"admin", "lead", "leader", "legal"}


def test_the_district_starts_without_warnings(district):
    for name, user in district.users.items():
        assert alerts_for(user) == [], name
    assert alert_counts(district.users["lead"]) == dict.fromkeys(AlertKind.values, 0)


# ---------------------------------------------------------------------------------------------------- licences


def test_a_licence_expiring_within_the_window_warns_and_renewal_ends_it(district):
    admin, today = district.users["admin"], timezone.localdate()
    licence = registry.licence_save(
        actor=admin, institution=district.institutions["a"], licence=district.licences["a"],
        valid_until=today + timedelta(days=30),
    )  # fmt: skip
    [alert] = _alerts(district.users["lead"], AlertKind.LICENCE_EXPIRING)
    assert alert.key == f"licence_expiring:registry.licence:{licence.pk}:{(today + timedelta(days=30)).isoformat()}"
    assert alert.day == today + timedelta(days=30) and alert.institution_id == district.institutions["a"].pk
    assert alert.street_name == "甲街道" and alert.url == f"/institutions/{district.institutions['a'].pk}/"
    assert "办学许可证" in alert.message and "即将到期" in alert.message
    # Everyone who sees institution a; the institution sees its own.
    assert _seen_by(district, AlertKind.LICENCE_EXPIRING, alert.key) == DISTRICT_WIDE | {
        "edu_officer", "fire_officer", "street_a", "institution",
    }  # fmt: skip
    # A new licence of the same kind running longer: renewed, the warning goes.
    registry.licence_save(
        actor=admin, institution=district.institutions["a"], kind="school_permit", number="教民330199002",
        valid_until=today + timedelta(days=3 * 365),
    )  # fmt: skip
    assert _keys(district.users["lead"], AlertKind.LICENCE_EXPIRING) == set()


@pytest.mark.parametrize("days,warns", [(-1, False), (0, True), (30, True), (31, False)])
def test_the_licence_window_is_the_registrys(district, days, warns):
    today = timezone.localdate()
    licence = registry.licence_save(
        actor=district.users["admin"], institution=district.institutions["a"], licence=district.licences["a"],
        valid_until=today + timedelta(days=days),
    )  # fmt: skip
    assert bool(_keys(district.users["lead"], AlertKind.LICENCE_EXPIRING)) is warns
    assert (licence.status_on(today) == "expiring") is warns  # the registry page says the same


def test_a_corrected_valid_until_ends_the_warning_and_a_closed_institution_has_none(district):
    admin, today = district.users["admin"], timezone.localdate()
    lic = registry.licence_save(
        actor=admin, institution=district.institutions["a"], licence=district.licences["a"],
        valid_until=today + timedelta(days=5),
    )  # fmt: skip
    assert _keys(admin, AlertKind.LICENCE_EXPIRING)
    registry.licence_save(
        actor=admin, institution=district.institutions["a"], licence=lic, valid_until=today + timedelta(days=400)
    )
    assert not _keys(admin, AlertKind.LICENCE_EXPIRING)
    registry.licence_save(
        actor=admin, institution=district.institutions["a"], licence=lic, valid_until=today + timedelta(days=5)
    )
    assert _keys(admin, AlertKind.LICENCE_EXPIRING)
    registry.institution_status_change(
        actor=admin, institution=district.institutions["a"], to_status="deregistered", reason="已注销",
        effective_date=today,
    )  # fmt: skip
    assert not _keys(admin, AlertKind.LICENCE_EXPIRING)


# ---------------------------------------------------------------------------------------------------- ledger items


def test_an_item_due_soon_becomes_overdue_with_a_new_key_and_closing_ends_it(district):
    item, today = district.ledger["a"], timezone.localdate()
    LedgerItem.objects.filter(pk=item.pk).update(status="in_progress", deadline=today)
    [soon] = _alerts(district.users["fire_officer"], AlertKind.ITEM_DUE_SOON)
    assert soon.key == f"item_due_soon:ledger.ledgeritem:{item.pk}:{today.isoformat()}"
    assert soon.url == f"/ledger/{item.pk}/" and soon.day == today and "即将到期" in soon.message
    assert not _keys(district.users["fire_officer"], AlertKind.ITEM_OVERDUE)
    alert_acknowledge(actor=district.users["fire_officer"], key=soon.key)
    assert not _keys(district.users["fire_officer"])

    yesterday = today - timedelta(days=1)
    LedgerItem.objects.filter(pk=item.pk).update(status="submitted", deadline=yesterday)
    [overdue] = _alerts(district.users["fire_officer"])
    assert overdue.kind == AlertKind.ITEM_OVERDUE and overdue.key != soon.key  # new facts: it warns again
    assert overdue.key == f"item_overdue:ledger.ledgeritem:{item.pk}:{yesterday.isoformat()}"
    # Supervising department, its street, the institution itself, and the district-wide roles.
    assert _seen_by(district, AlertKind.ITEM_OVERDUE, overdue.key) == DISTRICT_WIDE | {
        "fire_officer", "street_a", "institution",
    }  # fmt: skip

    item.refresh_from_db()
    ledger.recheck(
        officers=[district.users["edu_officer"], district.users["fire_officer"]],
        actor=district.users["fire_officer"],
        item=item,
        passed=True,
        note="通道已清理畅通",
    )
    assert not _keys(district.users["lead"], AlertKind.ITEM_OVERDUE)


def test_submitted_items_are_not_due_soon(district):
    LedgerItem.objects.filter(pk=district.ledger["a"].pk).update(deadline=timezone.localdate())
    assert not _keys(district.users["lead"])  # submitted: waiting for the recheck, not for the institution


# ---------------------------------------------------------------------------------------------------- complaints


def test_a_complaint_about_an_unregistered_site_warns_until_it_is_closed(district):
    lead, street_b = district.users["lead"], district.users["street_b"]
    complaint = _unregistered_complaint(district)
    [alert] = _alerts(lead, AlertKind.COMPLAINT_UNREGISTERED)
    day = timezone.localtime(complaint.received_at).date()
    assert alert.key == f"complaint_unregistered:complaints.complaint:{complaint.pk}:{day.isoformat()}"
    assert alert.label == complaint.number and alert.institution_id is None
    assert alert.institution_name == "无名辅导班" and alert.street_name == "乙街道"
    assert alert.url == f"/complaints/{complaint.pk}/" and "疑似无证办学" in alert.message
    # Not yet assigned: the district-wide roles only.
    assert _seen_by(district, AlertKind.COMPLAINT_UNREGISTERED, alert.key) == DISTRICT_WIDE
    complaint = complaints.complaint_assign(
        actor=lead, complaint=complaint, street=district.streets["b"], handler=street_b
    )
    assert _seen_by(district, AlertKind.COMPLAINT_UNREGISTERED, alert.key) == DISTRICT_WIDE | {"street_b"}
    # Registered as 未登记 while handling it: still a possible unlicensed site, the same warning.
    complaint, site = complaints.complaint_register_site(
        actor=street_b, complaint=complaint, name="无名辅导班", kind="academic", street=district.streets["b"],
        address="乙街道 8 号 3 楼",
    )  # fmt: skip
    assert _keys(lead, AlertKind.COMPLAINT_UNREGISTERED) == {alert.key}
    assert _alerts(lead, AlertKind.COMPLAINT_UNREGISTERED)[0].institution_id == site.pk
    complaint = complaints.complaint_reply(actor=street_b, complaint=complaint, reply="已登记并责令停止办学。")
    assert _keys(lead, AlertKind.COMPLAINT_UNREGISTERED) == {alert.key}  # answered, not yet closed
    complaints.complaint_close(actor=street_b, complaint=complaint, result="substantiated")
    assert not _keys(lead, AlertKind.COMPLAINT_UNREGISTERED)


def test_a_rejected_complaint_and_other_complaints_do_not_warn(district):
    lead = district.users["lead"]
    _unregistered_complaint(district, category="fees")  # not about operating without a licence
    # About a registered institution: the registry's licence state covers it.
    complaints.complaint_submit(
        institution=district.institutions["a"], category="unlicensed", content="这家机构好像没有办学许可证。",
        anonymous=True,
    )  # fmt: skip
    assert not _keys(lead)
    tutoring = _unregistered_complaint(district, category="tutoring")
    assert len(_keys(lead, AlertKind.COMPLAINT_UNREGISTERED)) == 1
    complaints.complaint_reject(actor=lead, complaint=tutoring, reply="重复投诉，已合并办理。")
    assert not _keys(lead)


# ---------------------------------------------------------------------------------------------------- repeated


def test_problems_of_one_category_in_two_inspections_warn(district):
    done = district.inspections["done"]
    assert not _keys(district.users["lead"], AlertKind.REPEATED_PROBLEM)  # one inspection found a fire problem
    _fire_finding(done, district)
    [alert] = _alerts(district.users["lead"], AlertKind.REPEATED_PROBLEM)
    inst = district.institutions["a"]
    day = timezone.localtime(max(done.completed_at, district.ledger["a"].inspection.completed_at)).date()
    assert alert.key == f"repeated_problem:{inst.pk}:fire_safety:{day.isoformat()}"
    assert alert.url == f"/institutions/{inst.pk}/" and "2 次检查" in alert.message and "消防安全" in alert.message
    # The fire department supervises these problems; the education department and the institution are not told.
    assert _seen_by(district, AlertKind.REPEATED_PROBLEM, alert.key) == DISTRICT_WIDE | {"fire_officer", "street_a"}


def test_two_problems_in_one_inspection_are_not_repeated(district):
    _fire_finding(district.ledger["a"].inspection, district)
    assert not _keys(district.users["lead"], AlertKind.REPEATED_PROBLEM)


def _repeats(user) -> int:  # type: ignore[no-untyped-def]
    """How many repeated-problem warnings the user has, checked against the dashboard's COUNT (a separate query)."""
    listed = len(_keys(user, AlertKind.REPEATED_PROBLEM))
    assert alert_totals(user)[AlertKind.REPEATED_PROBLEM] == listed
    return listed


def test_the_repeat_window_and_minimum_are_settings(district, settings):
    lead, done = district.users["lead"], district.inspections["done"]
    _fire_finding(done, district)
    _completed(done.pk, 400)
    assert _repeats(lead) == 0
    settings.JIANGUAN_REPEAT_WINDOW_DAYS = 500
    assert _repeats(lead) == 1
    settings.JIANGUAN_REPEAT_MIN = 3
    assert _repeats(lead) == 0
    third = district.inspections["on_site"]
    _completed(third.pk, 0, institution=district.institutions["a"], status="completed")
    _fire_finding(third, district)
    assert _repeats(lead) == 1
    settings.JIANGUAN_REPEAT_MIN = 4
    assert _repeats(lead) == 0


def test_a_further_inspection_finding_it_again_warns_again(district):
    lead, done = district.users["lead"], district.inspections["done"]
    _fire_finding(done, district)
    _completed(done.pk, 20)
    _completed(district.ledger["a"].inspection_id, 10)
    [first] = _alerts(lead, AlertKind.REPEATED_PROBLEM)
    alert_acknowledge(actor=lead, key=first.key)
    assert not _keys(lead)
    third = district.inspections["on_site"]
    _completed(third.pk, 0, institution=district.institutions["a"], status="completed")
    _fire_finding(third, district)
    [again] = _alerts(lead, AlertKind.REPEATED_PROBLEM)
    assert again.key != first.key and "3 次检查" in again.message


# ---------------------------------------------------------------------------------------------------- acknowledging


def _overdue_item(district) -> str:  # type: ignore[no-untyped-def]
    LedgerItem.objects.filter(pk=district.ledger["a"].pk).update(deadline=timezone.localdate() - timedelta(days=3))
    [alert] = _alerts(district.users["lead"])
    return alert.key


def test_acknowledging_hides_the_warning_for_that_person_only_and_is_audited(district):
    lead, admin = district.users["lead"], district.users["admin"]
    key = _overdue_item(district)
    before = AuditEvent.objects.count()
    ack = alert_acknowledge(actor=lead, key=key, note=" 已电话督促 ")
    assert ack.note == "已电话督促" and ack.user == lead
    assert _keys(lead) == set() and _keys(admin) == {key}
    [shown] = _alerts(lead, include_acknowledged=True)
    assert shown.key == key and shown.acknowledged and shown.acknowledged_at == ack.acknowledged_at
    assert alert_counts(lead)[AlertKind.ITEM_OVERDUE] == 0 and alert_counts(admin)[AlertKind.ITEM_OVERDUE] == 1
    assert alert_counts(lead, include_acknowledged=True)[AlertKind.ITEM_OVERDUE] == 1
    event = AuditEvent.objects.get(action="alert.acknowledge")
    assert AuditEvent.objects.count() == before + 1
    assert event.actor == lead and event.object_type == "alerts.alertack" and event.object_id == str(ack.pk)
    assert event.after["key"] == key and event.after["note"] == "已电话督促"
    assert event.after["object_type"] == "ledger.ledgeritem" and event.after["object_id"] == district.ledger["a"].pk
    assert "整改逾期" in event.object_label
    # A second click changes nothing.
    assert alert_acknowledge(actor=lead, key=key) == ack
    assert AuditEvent.objects.count() == before + 1 and AlertAck.objects.count() == 1


@pytest.mark.parametrize("persona_name", ["street_b", "edu_officer"])
def test_acknowledging_a_warning_outside_ones_scope_is_refused_and_writes_nothing(district, persona_name):
    key = _overdue_item(district)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        alert_acknowledge(actor=district.users[persona_name], key=key)
    assert "不在您的权限范围内" in exc.value.messages[0]
    assert AlertAck.objects.count() == 0 and AuditEvent.objects.count() == before


def test_an_institution_cannot_acknowledge_supervisors_warnings(district):
    _fire_finding(district.inspections["done"], district)
    _unregistered_complaint(district)
    keys = _keys(district.users["lead"])
    assert {k.split(":")[0] for k in keys} == {AlertKind.REPEATED_PROBLEM, AlertKind.COMPLAINT_UNREGISTERED}
    assert not _keys(district.users["institution"])
    for key in keys:
        with pytest.raises(ValidationError):
            alert_acknowledge(actor=district.users["institution"], key=key)
    assert AlertAck.objects.count() == 0


@pytest.mark.parametrize(
    "key",
    [
        "",
        "nonsense",
        "warning:ledger.ledgeritem:{pk}:{deadline}",
        "item_overdue:ledger.ledgeritem:abc:2026-01-01",
        "item_overdue:ledger.ledgeritem:99999999999999999999999:2026-01-01",
        "item_overdue:ledger.ledgeritem:-1:2026-01-01",
        "item_overdue:ledger.ledgeritem:{pk}:2000-01-01",  # the facts changed since: not a current warning
        "item_overdue:registry.licence:{pk}:{deadline}",  # the right row under the wrong type
        "item_due_soon:ledger.ledgeritem:{pk}:{deadline}",  # the right row, the wrong kind
        "repeated_problem:{inst}:nope:{deadline}",
        "repeated_problem:{inst}:fire_safety:not-a-date",
    ],
)
def test_malformed_or_stale_keys_are_refused(district, key):
    _overdue_item(district)
    item = LedgerItem.objects.get(pk=district.ledger["a"].pk)
    key = key.format(pk=item.pk, deadline=item.deadline.isoformat(), inst=item.institution_id)
    assert alert_by_key(district.users["lead"], key) is None
    with pytest.raises(ValidationError):
        alert_acknowledge(actor=district.users["lead"], key=key)
    assert AlertAck.objects.count() == 0


def test_anonymous_sees_no_warnings(district):
    _overdue_item(district)
    assert alerts_for(None) == [] and alerts_for(district.users["anonymous"]) == []


# ---------------------------------------------------------------------------------------------------- filters


def test_kinds_street_and_limit(district):
    lead = district.users["lead"]
    _overdue_item(district)
    _unregistered_complaint(district)
    assert {a.kind for a in alerts_for(lead)} == {AlertKind.ITEM_OVERDUE, AlertKind.COMPLAINT_UNREGISTERED}
    assert [a.kind for a in alerts_for(lead)] == [AlertKind.ITEM_OVERDUE, AlertKind.COMPLAINT_UNREGISTERED]
    assert {a.kind for a in alerts_for(lead, street_id=district.streets["a"].pk)} == {AlertKind.ITEM_OVERDUE}
    assert {a.kind for a in alerts_for(lead, street_id=district.streets["b"].pk)} == {AlertKind.COMPLAINT_UNREGISTERED}
    assert len(alerts_for(lead, limit=1)) == 1
    assert {a.kind for a in alerts_for(lead, kinds=[AlertKind.COMPLAINT_UNREGISTERED])} == {
        AlertKind.COMPLAINT_UNREGISTERED
    }
