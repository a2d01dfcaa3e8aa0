"""Events tell the people they concern in their inbox: the institution of its order, of each recheck and extension
decision; the supervising officers of each submission and extension request; officers of the inspections they are
put on; handlers of complaint deadlines near or passed. Each event once, however often the same thing happens."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jianguan.complaints.models import Complaint
from jianguan.inspections import services as inspections
from jianguan.ledger import services as ledger
from jianguan.notifications.models import Notification
from jianguan.notifications.reminders import gather
from tests.support.district import tiny_jpeg


def _told(user, reason):
    return list(Notification.objects.filter(recipient=user, reason=reason).values_list("text", flat=True))


def test_recheck_results_and_resubmissions_are_each_told(district):
    users, item = district.users, district.ledger["a"]
    ledger.recheck(
        officers=[users["edu_officer"]], actor=users["fire_officer"], item=item, passed=False, note="通道仍堆放杂物"
    )
    [failed] = _told(users["institution"], "ledger.recheck")
    assert failed.startswith("复查未通过") and "请继续整改" in failed
    ledger.submit(actor=users["institution"], item=item, note="已再次清理",
                  files=[SimpleUploadedFile("b.jpg", tiny_jpeg(), "image/jpeg")])  # fmt: skip
    ledger.recheck(
        officers=[users["edu_officer"]], actor=users["fire_officer"], item=item, passed=True, note="通道畅通"
    )
    assert len(_told(users["institution"], "ledger.recheck")) == 2  # the same day, two events: both told
    submitted = _told(users["fire_officer"], "ledger.submitted")
    assert len(submitted) == 1 and "已提交整改材料" in submitted[0]  # the item's officer, not every colleague
    assert not Notification.objects.filter(recipient=users["edu_officer"], reason="ledger.submitted").exists()
    assert not Notification.objects.filter(recipient=users["institution"], reason="ledger.submitted").exists()


def test_extension_requests_reach_the_supervisor_and_the_decision_the_institution(district):
    users, item = district.users, district.ledger["a"]
    ledger.recheck(officers=[users["edu_officer"]], actor=users["fire_officer"], item=item, passed=False, note="未整改")
    item.refresh_from_db()
    asked = item.deadline + timedelta(days=7)
    ledger.request_extension(actor=users["institution"], item=item, requested_deadline=asked, reason="等待施工")
    [text] = _told(users["fire_officer"], "ledger.extension_asked")
    assert f"延至 {asked}" in text and "请审批" in text
    ledger.decide_extension(actor=users["fire_officer"], item=item, approve=True, note="同意")
    [decided] = _told(users["institution"], "ledger.extension_decided")
    assert decided.startswith("延期申请已批准") and str(asked) in decided


def test_an_order_and_a_team_are_told(district):
    users = district.users
    inspections.inspection_create(
        actor=users["lead"], institution=district.institutions["b"], scheduled_at=timezone.now() + timedelta(days=2),
        officers=[users["edu_officer"], users["fire_officer"]],
    )  # fmt: skip
    for officer in ("edu_officer", "fire_officer"):
        [text] = _told(users[officer], "inspection.team")
        assert text.startswith("您被安排参加检查：") and district.institutions["b"].name in text
    assert not _told(users["lead"], "inspection.team")  # who planned it knows
    # A department officer planning an inspection they are on is not told about their own plan.
    inspections.inspection_create(
        actor=users["edu_officer"], institution=district.institutions["b"],
        scheduled_at=timezone.now() + timedelta(days=3), officers=[users["edu_officer"], users["fire_officer"]],
    )  # fmt: skip
    assert len(_told(users["edu_officer"], "inspection.team")) == 1
    assert len(_told(users["fire_officer"], "inspection.team")) == 2


def test_an_issued_order_tells_the_institution_once(district):
    users = district.users
    problem = inspections.inspection_create(
        actor=users["lead"], institution=district.institutions["a"], scheduled_at=timezone.now(),
        officers=[users["edu_officer"], users["fire_officer"]], lead_department=district.departments["police"],
    )  # fmt: skip
    inspections.inspection_start(actor=users["edu_officer"], inspection=problem)
    for item in problem.checklist_version.items.all():
        failed = item.text.startswith(("疏散通道", "按规定配置灭火器"))  # two problems, both the fire department's
        result = inspections.result_record(
            actor=users["fire_officer"], inspection=problem, item=item, outcome="fail" if failed else "pass"
        )
        if failed:
            inspections.evidence_add(actor=users["fire_officer"], inspection=problem, result=result,
                                     upload=SimpleUploadedFile("p.jpg", tiny_jpeg(), "image/jpeg"))  # fmt: skip
    inspections.inspection_complete(
        certificates_shown=True,
        recusal_requested=False,
        actor=users["edu_officer"],
        inspection=problem,
        representative_name="张校长",
    )
    [text] = _told(users["institution"], "ledger.order")
    assert text.startswith("收到责令整改通知书") and "项问题须整改" in text
    inspections.rectification_notice_issue(actor=users["edu_officer"], inspection=problem)  # issued again
    assert len(_told(users["institution"], "ledger.order")) == 1


def test_complaint_deadlines_remind_the_handler(district):
    complaint = district.complaints["a"]
    today = timezone.localdate()
    assert not [m for m in gather(today) if m.reason.startswith("complaint.")]
    Complaint.objects.filter(pk=complaint.pk).update(deadline=today)
    [due] = [m for m in gather(today) if m.reason.startswith("complaint.")]
    assert due.recipient_id == district.users["fire_officer"].pk and due.reason == "complaint.due_soon"
    Complaint.objects.filter(pk=complaint.pk).update(deadline=today - timedelta(days=1))
    [late] = [m for m in gather(today) if m.reason.startswith("complaint.")]
    assert late.reason == "complaint.overdue" and "已超过办理期限" in late.text
