"""Triage, assignment, handling, reply and close: who may, what is refused, and that the reporter's identity never
leaves the complaint row."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jianguan.audit.models import AuditEvent
from jianguan.complaints import services
from jianguan.complaints.models import Complaint, ComplaintEvent
from jianguan.lib import workdays
from jianguan.notifications.models import Notification
from tests.support.district import REPORTER_NAME, REPORTER_PHONE


def _new(district, **extra):  # type: ignore[no-untyped-def]
    data = {"institution": district.institutions["b"], "category": "fees", "content": "预收了一年学费，拒绝退费。",
            "reporter_name": REPORTER_NAME, "reporter_phone": REPORTER_PHONE}  # fmt: skip
    data.update(extra)
    return services.complaint_submit(**data)[0]


def test_assignment_defaults_to_15_working_days_and_notifies_the_handler(district):
    complaint = _new(district)
    lead, edu = district.users["lead"], district.users["edu_officer"]
    complaint = services.complaint_assign(
        actor=lead, complaint=complaint, department=district.departments["edu"], handler=edu
    )
    today = timezone.localdate()
    assert complaint.status == "assigned" and complaint.deadline == workdays.add_working_days(today, 15)
    assert Notification.objects.filter(recipient=edu, reason="complaint_assigned").exists()
    assert Notification.objects.filter(recipient=lead, reason="complaint_received").exists()


def test_when_the_calendar_does_not_know_the_year_the_coordinator_sets_the_date(district, monkeypatch):
    def unknown(start, n):  # type: ignore[no-untyped-def]
        raise workdays.UnknownCalendarYear(2027)

    monkeypatch.setattr(workdays, "add_working_days", unknown)
    complaint = _new(district)
    kwargs = {"actor": district.users["lead"], "complaint": complaint, "department": district.departments["edu"],
              "handler": district.users["edu_officer"]}  # fmt: skip
    with pytest.raises(ValidationError, match="请填写期限"):
        services.complaint_assign(**kwargs)
    assert Complaint.objects.get(pk=complaint.pk).status == "received"
    chosen = timezone.localdate() + timedelta(days=20)
    assert services.complaint_assign(**kwargs, deadline=chosen).deadline == chosen


@pytest.mark.parametrize(
    "persona", ["admin", "edu_officer", "fire_officer", "street_a", "leader", "legal", "institution"]
)
def test_only_the_lead_coordinator_triages(district, persona):
    complaint = _new(district)
    with pytest.raises(PermissionDenied):
        services.complaint_assign(
            actor=district.users[persona], complaint=complaint, department=district.departments["edu"],
            handler=district.users["edu_officer"],
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.complaint_reject(actor=district.users[persona], complaint=complaint, reply="重复投诉")


def test_assignment_is_checked(district):
    complaint = _new(district)
    lead = district.users["lead"]
    with pytest.raises(ValidationError, match="承办人须是所选部门"):
        services.complaint_assign(
            actor=lead,
            complaint=complaint,
            department=district.departments["edu"],
            handler=district.users["fire_officer"],
        )
    with pytest.raises(ValidationError, match="一个承办部门或一个承办街道"):
        services.complaint_assign(
            actor=lead, complaint=complaint, department=district.departments["edu"], street=district.streets["b"],
            handler=district.users["edu_officer"],
        )  # fmt: skip
    with pytest.raises(ValidationError, match="不能早于交办日期"):
        services.complaint_assign(
            actor=lead, complaint=complaint, street=district.streets["b"], handler=district.users["street_b"],
            deadline=timezone.localdate() - timedelta(days=1),
        )  # fmt: skip
    done = services.complaint_assign(
        actor=lead, complaint=complaint, street=district.streets["b"], handler=district.users["street_b"]
    )
    assert done.assigned_street_id == district.streets["b"].pk and done.assigned_department_id is None


def test_reject_needs_a_reason_and_only_before_assignment(district):
    lead = district.users["lead"]
    with pytest.raises(ValidationError, match="不予受理的理由"):
        services.complaint_reject(actor=lead, complaint=_new(district), reply=" ")
    rejected = services.complaint_reject(actor=lead, complaint=_new(district), reply="与校外培训无关，请向物业反映。")
    assert rejected.status == "rejected" and rejected.closed_at is not None
    with pytest.raises(ValidationError, match="只有待受理的投诉"):
        services.complaint_reject(actor=lead, complaint=district.complaints["a"], reply="x")


def test_only_the_assigned_unit_handles(district):
    complaint = district.complaints["a"]  # fire department, fire_officer
    for persona in ("edu_officer", "street_a", "admin", "leader", "legal"):
        with pytest.raises(PermissionDenied):
            services.complaint_note(actor=district.users[persona], complaint=complaint, note="x")
    services.complaint_note(actor=district.users["fire_officer"], complaint=complaint, note="已电话核实")
    services.complaint_note(actor=district.users["lead"], complaint=complaint, note="督办")
    assert complaint.events.filter(action="note").count() == 2


def test_reply_then_close_and_impossible_steps_change_nothing(district):
    complaint = district.complaints["a"]
    fire = district.users["fire_officer"]
    with pytest.raises(ValidationError, match="请先答复投诉人"):
        services.complaint_close(actor=fire, complaint=complaint, result="substantiated")
    with pytest.raises(ValidationError, match="请填写答复内容"):
        services.complaint_reply(actor=fire, complaint=complaint, reply="")
    replied = services.complaint_reply(actor=fire, complaint=complaint, reply="已责令清理安全出口，复查合格。")
    assert replied.status == "replied"
    with pytest.raises(ValidationError, match="不能再办理"):
        services.complaint_note(actor=fire, complaint=replied, note="x")
    with pytest.raises(ValidationError, match="核查结论"):
        services.complaint_close(actor=fire, complaint=replied, result="maybe")
    closed = services.complaint_close(actor=fire, complaint=replied, result="substantiated")
    assert closed.status == "closed" and closed.result == "substantiated"
    with pytest.raises(ValidationError):
        services.complaint_assign(
            actor=district.users["lead"], complaint=closed, department=district.departments["edu"],
            handler=district.users["edu_officer"],
        )  # fmt: skip
    assert Complaint.objects.get(pk=closed.pk).status == "closed"


def test_a_stale_page_gets_a_conflict(district):
    complaint = district.complaints["a"]
    fire = district.users["fire_officer"]
    services.complaint_note(actor=fire, complaint=complaint, note="first", version=complaint.version)
    with pytest.raises(ValidationError, match="刚被他人处理过"):
        services.complaint_note(actor=fire, complaint=complaint, note="second", version=complaint.version)


def test_an_unregistered_site_is_put_on_the_registry(district):
    lead, street_b = district.users["lead"], district.users["street_b"]
    complaint = _new(district, institution=None, typed_name="阳光花园家庭托管", typed_address="阳光花园 3 幢 501",
                     street=district.streets["b"], category="unlicensed")  # fmt: skip
    complaint = services.complaint_assign(
        actor=lead, complaint=complaint, street=district.streets["b"], handler=street_b
    )
    with pytest.raises(ValidationError, match="请先登记该场所"):
        services.complaint_link(actor=street_b, complaint=complaint, inspection=district.inspections["done"])
    complaint, site = services.complaint_register_site(
        actor=street_b, complaint=complaint, name="阳光花园家庭托管", kind="after_school", street=district.streets["b"],
        address="阳光花园 3 幢 501",
    )  # fmt: skip
    assert site.status == "unregistered" and complaint.institution_id == site.pk
    with pytest.raises(ValidationError, match="已是机构库中的机构"):
        services.complaint_register_site(
            actor=street_b, complaint=complaint, name="x", kind="other", street=district.streets["b"], address="y"
        )


def test_links_must_concern_the_same_institution(district):
    complaint = district.complaints["a"]  # institution a
    fire = district.users["fire_officer"]
    other = _new(district)  # institution b
    assert other.institution_id != complaint.institution_id
    from jianguan.inspections.models import Inspection

    foreign = Inspection.objects.exclude(institution=complaint.institution).first()
    if foreign is not None:
        with pytest.raises(ValidationError, match="不属于被投诉机构"):
            services.complaint_link(actor=fire, complaint=complaint, inspection=foreign)
    own = district.ledger["a"]
    linked = services.complaint_link(actor=fire, complaint=complaint, ledger_item=own)
    assert linked.ledger_item_id == own.pk


def test_the_reporter_never_leaves_the_complaint_row(district):
    """Audit trail, history and notifications of a complaint's whole life hold neither the name nor the phone."""
    lead, edu = district.users["lead"], district.users["edu_officer"]
    complaint = _new(district)
    complaint = services.complaint_assign(
        actor=lead, complaint=complaint, department=district.departments["edu"], handler=edu
    )
    complaint = services.complaint_note(actor=edu, complaint=complaint, note="已核实")
    complaint = services.complaint_reply(actor=edu, complaint=complaint, reply="已责令退费。")
    services.complaint_close(actor=edu, complaint=complaint, result="substantiated")
    texts = [json.dumps([e.before, e.after, e.object_label], ensure_ascii=False, default=str)
             for e in AuditEvent.objects.filter(action__startswith="complaint.")]  # fmt: skip
    texts += [e.note for e in ComplaintEvent.objects.all()]
    texts += [n.text for n in Notification.objects.all()]
    assert len(texts) > 10
    for text in texts:
        assert REPORTER_NAME not in text and REPORTER_PHONE not in text, text


def test_submission_refuses_a_future_time_and_control_characters(district):
    with pytest.raises(ValidationError):
        _new(district, received_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(ValidationError):
        _new(district, content="正常内容\x00后面有控制字符")


def test_the_decision_to_accept_is_due_in_seven_working_days_and_the_lead_is_reminded(district, client_for):
    from jianguan.complaints.reminders import reminders

    complaint = _new(district)
    received = timezone.localtime(complaint.received_at).date()
    due = workdays.add_working_days(received, 7)
    assert complaint.accept_due == due and complaint.kind == "report"
    assert not complaint.acceptance_overdue(due) and complaint.acceptance_overdue(due + timedelta(days=1))
    page = client_for("lead").get(f"/complaints/{complaint.pk}/").content.decode()
    assert 'data-testid="accept-due"' in page and f"{due:%Y-%m-%d}前决定是否受理" in page
    lead = district.users["lead"].pk
    on_time = [m for m in reminders(received) if m.subject == f"complaints.complaint:{complaint.pk}"]
    assert on_time == []  # seven working days ahead: not yet
    late = [m for m in reminders(due + timedelta(days=1)) if m.subject == f"complaints.complaint:{complaint.pk}"]
    assert [(m.recipient_id, m.reason) for m in late] == [(lead, "complaint.accept_overdue")]
    assert "已超过受理期限" in late[0].text
    services.complaint_reject(actor=district.users["lead"], complaint=complaint, reply="不属于本平台受理范围。")
    assert not [m for m in reminders(due + timedelta(days=1)) if m.subject == f"complaints.complaint:{complaint.pk}"]
