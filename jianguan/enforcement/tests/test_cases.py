"""Penalty cases: the whole process, who may take each step, the statutory clocks on their boundaries, and the rules
that refuse an unlawful decision."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from jianguan.audit.models import AuditEvent
from jianguan.documents.models import Document
from jianguan.enforcement import clocks, services, workflow
from jianguan.enforcement.choices import CaseAction, CaseStatus
from jianguan.enforcement.models import Case, CaseStep
from jianguan.enforcement.tests.conftest import LIGHT, ORDER, drive
from jianguan.enforcement.workflow import Conflict
from jianguan.lib.workdays import add_working_days

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 10):  # type: ignore[no-untyped-def]
    return time_machine.travel(timezone.make_aware(datetime(day.year, day.month, day.day, hour)), tick=False)


def test_the_heavy_case_runs_from_clue_to_closing_with_its_documents(district, people):
    case = drive(district, people, "closed")
    assert case.filed_on and case.decided_on and case.closed_on
    assert case.legal_review_required and case.legal_review_passed and case.hearing_right and case.serious
    kinds = list(
        Document.objects.filter(source_type="enforcement.casestep", source_id__in=[
            str(pk) for pk in case.steps.values_list("pk", flat=True)
        ]).order_by("issued_at", "pk").values_list("kind", flat=True)
    )  # fmt: skip
    assert kinds == [
        "filing_approval", "investigation_report", "legal_review", "discussion", "penalty_notice", "hearing_notice",
        "hearing_record", "penalty_decision", "service_receipt", "closing_report",
    ]  # fmt: skip
    decision = Document.objects.get(kind="penalty_decision", source_id__in=[str(s.pk) for s in case.steps.all()])
    assert decision.number.startswith("测教罚决〔")
    assert decision.department == district.departments["edu"]
    actions = list(case.steps.values_list("action", flat=True))
    assert actions[0] == "open" and actions[-1] == "close"
    assert AuditEvent.objects.filter(action="case.decide", object_id=str(case.pk)).exists()


def test_the_light_case_skips_review_discussion_and_hearing(district, people):
    case = drive(district, people, "notice_pending", LIGHT)
    assert not case.legal_review_required and not case.hearing_right and not case.serious
    case = drive(district, people, "closed", LIGHT)
    assert case.penalties == ["warning"] and case.fine is None


def test_a_referral_opens_a_case_waiting_for_filing_with_its_clock(district, people):
    from jianguan.ledger import services as ledger

    item = district.ledger["a"]
    referral = ledger.escalate(actor=district.users["fire_officer"], item=item, reason="拒不整改。")
    case = Case.objects.get(referral=referral)
    assert case.status == CaseStatus.CLUE and case.department == item.department
    assert case.clue_on == timezone.localdate() and "拒不整改" in case.clue
    (clock,) = clocks.clocks(case, timezone.localdate())
    assert clock.code == "filing" and clock.due == add_working_days(timezone.localdate(), 15)


# ---------------------------------------------------------------------------------------------------- who may act

PERSONAS = ["admin", "lead", "edu_officer", "edu2", "head", "fire_officer", "street_a", "legal", "leader",
            "institution", "other_institution"]  # fmt: skip


def _users(district, people):  # type: ignore[no-untyped-def]
    from jianguan.accounts import services as accounts
    from jianguan.accounts.choices import Role

    other = accounts.user_create(
        actor=district.users["admin"], username="p_other_inst", name="乙机构", role=Role.INSTITUTION,
        password="Jianguan#2026x", institution=district.institutions["b"],
    )  # fmt: skip
    return {
        **{k: district.users[k] for k in ["admin", "lead", "edu_officer", "fire_officer", "street_a", "legal",
                                          "leader", "institution"]},
        "edu2": people.edu2, "head": people.head, "other_institution": other,
    }  # fmt: skip


# stage -> who may take which action there (the heavy case; "edu_officer" and "edu2" are its investigators).
EXPECTED = {
    "clue": {"edu_officer": {"propose_filing"}, "edu2": {"propose_filing"},
             "head": {"propose_filing", "decline_filing"}},
    "filing_pending": {"head": {"approve_filing", "return_filing", "decline_filing"}},
    "investigating": {"edu_officer": {"evidence", "end_investigation"}, "edu2": {"evidence", "end_investigation"},
                      "head": {"extend", "preserve"}},
    "legal_review": {"legal": {"review_pass", "review_return"}, "head": {"extend"}},
    "discussion": {"head": {"discuss", "extend"}},
    "notice_pending": {"edu_officer": {"notify"}, "edu2": {"notify"}, "head": {"extend"}},
    "notified": {"edu_officer": {"statement", "answer", "waive", "request_hearing"},
                 "edu2": {"statement", "answer", "waive", "request_hearing"},
                 "institution": {"statement", "waive", "request_hearing"}, "head": {"extend"}},
    "hearing": {"edu_officer": {"answer", "schedule_hearing", "record_hearing"},
                "edu2": {"answer", "schedule_hearing", "record_hearing"}, "head": {"extend"}},
    "decision_pending": {"edu_officer": {"answer"}, "edu2": {"answer"}, "head": {"decide", "extend"}},
    "decided": {"edu_officer": {"serve"}, "edu2": {"serve"}},
    "served": {"edu_officer": {"pay"}, "edu2": {"pay"}, "head": {"defer", "withdraw"}},
    "closed": {"head": {"withdraw"}},
}  # fmt: skip


def test_every_action_at_every_stage_for_every_persona(district, people):
    """One heavy case walked from its clue to 结案; at every stage, on its day, each persona is offered exactly the
    actions of EXPECTED (the services refuse the rest: see the tests below)."""
    users = _users(district, people)
    seen = []

    def check(case: Case) -> None:
        case = Case.objects.prefetch_related("officers").get(pk=case.pk)
        today = timezone.localdate()
        for name, user in users.items():
            offered = set(workflow.available(user, case, today))
            assert offered == EXPECTED[case.status].get(name, set()), (case.status, name, offered)
        seen.append(case.status)

    drive(district, people, "closed", visit=check)
    assert seen == ORDER


def test_a_person_without_the_right_is_refused_and_nothing_changes(district, people):
    case = drive(district, people, "filing_pending")
    with pytest.raises(PermissionDenied, match="负责人"):
        services.case_approve_filing(actor=people.edu, case=case)
    with pytest.raises(PermissionDenied):
        services.case_approve_filing(actor=district.users["lead"], case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.FILING_PENDING and case.filed_on is None
    assert not Document.objects.filter(kind="filing_approval").exists()


def test_an_impossible_action_is_a_conflict_and_a_stale_version_too(district, people):
    case = drive(district, people, "investigating")
    with pytest.raises(Conflict):
        services.case_approve_filing(actor=people.head, case=case)
    with pytest.raises(Conflict, match="刷新"):
        services.case_extend(actor=people.head, case=case, reason="案情复杂", version=case.version - 1)


# ---------------------------------------------------------------------------------------------------- 立案 rules


def test_filing_needs_two_certified_investigators_of_the_department(district, people):
    case = services.case_open(actor=people.edu, department=district.departments["edu"],
                              institution=district.institutions["a"], clue="线索")  # fmt: skip
    base = {"actor": people.edu, "case": case, "facts": "事实", "provision": "xwpx_18"}
    with pytest.raises(ValidationError, match="不得少于两人"):
        services.case_propose_filing(**base, investigators=[people.edu])
    with pytest.raises(ValidationError, match="本部门"):
        services.case_propose_filing(**base, investigators=[people.edu, district.users["fire_officer"]])
    with pytest.raises(ValidationError, match="职权"):
        services.case_propose_filing(**{**base, "provision": "xfa_60_1_3"}, investigators=[people.edu, people.edu2])
    case.refresh_from_db()
    assert case.status == CaseStatus.CLUE and not case.officers.exists()


def test_filing_late_is_recorded_on_the_step(district, people):
    clue_day = timezone.localdate() - timedelta(days=60)
    with at(clue_day):
        case = services.case_open(actor=people.edu, department=district.departments["edu"],
                                  institution=district.institutions["a"], clue="线索")  # fmt: skip
        case = services.case_propose_filing(actor=people.edu, case=case, facts="事实", provision="xwpx_18",
                                            investigators=[people.edu, people.edu2])  # fmt: skip
    case = services.case_approve_filing(actor=people.head, case=case)
    assert case.steps.get(action="approve_filing").data["late"] is True


# ---------------------------------------------------------------------------------------------------- penalties


def test_a_penalty_needs_evidence(district, people):
    case = drive(district, people, "investigating")
    with pytest.raises(ValidationError, match="证据不足"):
        services.case_end_investigation(actor=people.edu, case=case, outcome="penalty", report="查明",
                                        penalties=["fine"], fine=Decimal(10000), illegal_gains=Decimal(10000))  # fmt: skip
    # Finding the facts not established needs none.
    case = services.case_end_investigation(actor=people.edu, case=case, outcome="not_established", report="查无实据")
    assert case.status == CaseStatus.DECISION_PENDING


def test_a_fine_outside_the_provisions_range_is_refused(district, people):
    case = drive(district, people, "investigating")
    services.case_add_evidence(actor=people.edu, case=case, kind="document", title="收据", collected_on=case.filed_on)
    base = {"actor": people.edu, "case": case, "outcome": "penalty", "report": "查明", "penalties": ["fine"]}
    with pytest.raises(ValidationError, match="超出"):  # gains 10,000: one to five times
        services.case_end_investigation(**base, fine=Decimal(50001), illegal_gains=Decimal(10000))
    with pytest.raises(ValidationError, match="超出"):
        services.case_end_investigation(**base, fine=Decimal(9999), illegal_gains=Decimal(10000))
    with pytest.raises(ValidationError, match="违法所得"):
        services.case_end_investigation(**base, fine=Decimal(10000))
    with pytest.raises(ValidationError, match="未规定"):
        services.case_end_investigation(**{**base, "penalties": ["revoke"]}, fine=None)
    ok = services.case_end_investigation(**base, fine=Decimal(50000), illegal_gains=Decimal(10000))
    assert ok.status == CaseStatus.LEGAL_REVIEW  # 50,000 is a large fine: 法制审核


@pytest.mark.parametrize(("fine", "review"), [(Decimal(9999), False), (Decimal(10000), True)])
def test_a_large_fine_needs_legal_review_and_gives_a_hearing(settings, fine, review):
    settings.JIANGUAN_CASE_LARGE_FINE_YUAN = 10000
    assert services.needs_legal_review(["fine"], fine) is review
    assert services.gives_hearing_right(["fine"], fine) is review
    assert services.needs_legal_review(["warning"], None) is False
    assert services.needs_legal_review(["revoke"], None) is True


def test_a_decision_without_a_passed_review_is_refused(district, people):
    case = drive(district, people, "legal_review")
    services.case_review(actor=people.legal, case=case, passed=False, opinion="证据不足，补充调查。")
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING and not case.legal_review_passed
    # Forced into the decision stage without a passed review, the decision is still refused.
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.DECISION_PENDING)
    case.refresh_from_db()
    with pytest.raises(Conflict, match="法制审核"):
        services.case_decide(actor=people.head, case=case, reasons="理由", penalties=["fine"], fine=Decimal(20000))


def test_a_review_by_an_investigator_is_refused(district, people):
    case = drive(district, people, "legal_review")
    with pytest.raises(PermissionDenied, match="未参与本案调查"):
        services.case_review(actor=people.edu, case=case, passed=True, opinion="通过")
    case.refresh_from_db()
    assert case.status == CaseStatus.LEGAL_REVIEW


def test_the_decision_is_never_heavier_than_the_notice(district, people):
    case = drive(district, people, "decision_pending")
    with pytest.raises(ValidationError, match="不得重于"):
        services.case_decide(actor=people.head, case=case, reasons="理由", penalties=["stop_running", "fine"],
                             fine=Decimal(25000))  # fmt: skip
    case = services.case_decide(actor=people.head, case=case, reasons="当事人积极退费，从轻。",
                                penalties=["stop_running", "fine"], fine=Decimal(15000))  # fmt: skip
    assert case.fine == Decimal(15000)


def test_the_decision_waits_for_the_statements_to_be_answered(district, people):
    case = drive(district, people, "notified", LIGHT, days_ago=0)
    statement = services.case_statement(actor=people.institution, case=case, text="我们已经停止培训。")
    case.refresh_from_db()
    services.case_waive(actor=people.institution, case=case)
    case.refresh_from_db()
    with pytest.raises(Conflict, match="未复核"):
        services.case_decide(actor=people.head, case=case, reasons="理由", penalties=["warning"])
    services.case_answer(actor=people.edu, case=case, statement=statement, accepted=False, answer="事实清楚。")
    case.refresh_from_db()
    case = services.case_decide(actor=people.head, case=case, reasons="理由", penalties=["warning"])
    assert case.status == CaseStatus.DECIDED


# ---------------------------------------------------------------------------------------------------- clocks


def test_a_hearing_request_on_working_day_5_is_accepted_and_on_day_6_refused(district, people):
    case = drive(district, people, "notified", days_ago=40)
    served = case.notice_served_on
    day5, day6 = add_working_days(served, 5), add_working_days(served, 6)
    with at(day6), pytest.raises(Conflict, match="届满"):
        services.case_request_hearing(actor=people.institution, case=case)
    with at(day5):
        case = services.case_request_hearing(actor=people.institution, case=case)
    assert case.status == CaseStatus.HEARING and case.hearing_requested_on == day5


def test_the_decision_cannot_come_before_the_reply_period_ends(district, people):
    case = drive(district, people, "notified", LIGHT, days_ago=40)
    day5, day6 = add_working_days(case.notice_served_on, 5), add_working_days(case.notice_served_on, 6)
    with at(day5), pytest.raises(Conflict, match="期满"):
        services.case_decide(actor=people.head, case=case, reasons="理由", penalties=["warning"])
    with at(day6):
        case = services.case_decide(actor=people.head, case=case, reasons="理由", penalties=["warning"])
    assert case.decided_on == day6


def test_the_hearing_is_noticed_seven_working_days_ahead_and_not_presided_by_an_investigator(district, people):
    case = drive(district, people, "hearing")
    today = timezone.localdate()
    earliest = add_working_days(today, 7)
    base = {"actor": people.edu, "case": case, "place": "听证室"}
    with pytest.raises(ValidationError, match="七个工作日"):
        services.case_schedule_hearing(**base, hearing_on=earliest - timedelta(days=1), presider=people.legal)
    with pytest.raises(ValidationError, match="非本案调查人员"):
        services.case_schedule_hearing(**base, hearing_on=earliest, presider=people.edu2)
    case = services.case_schedule_hearing(**base, hearing_on=earliest, presider=people.legal)
    assert case.hearing_on == earliest
    with pytest.raises(Conflict, match="尚未举行"):
        services.case_record_hearing(actor=people.edu, case=case, record="笔录")


def test_the_decision_clock_is_90_calendar_days_and_extends_by_approval(district, people, settings):
    case = drive(district, people, "investigating")
    due = case.filed_on + timedelta(days=90)
    (clock,) = clocks.clocks(case, timezone.localdate())
    assert clock.code == "decision" and clock.due == due
    case = services.case_extend(actor=people.head, case=case, reason="案情复杂，需鉴定。")
    assert clocks.decision_due(case.filed_on, case.extension_days) == due + timedelta(days=30)
    with at(due + timedelta(days=31)), pytest.raises(Conflict, match="届满"):
        services.case_extend(actor=people.head, case=case, reason="再延")


def test_service_is_due_in_7_working_days_and_a_late_one_is_recorded(district, people):
    case = drive(district, people, "decided", LIGHT, days_ago=40)
    due = add_working_days(case.decided_on, 7)
    (clock,) = clocks.clocks(case, case.decided_on)
    assert clock.code == "service" and clock.due == due
    with at(due + timedelta(days=3)):
        case = services.case_serve(actor=people.edu, case=case, served_on=due + timedelta(days=1), method="post")
    assert case.steps.get(action="serve").data["late"] is True


def test_the_surcharge_is_three_percent_a_day_and_capped_at_the_fine():
    fine, due = Decimal(1000), date(2026, 3, 2)
    assert clocks.surcharge(fine, due, due) == Decimal(0)
    assert clocks.surcharge(fine, due, due + timedelta(days=1)) == Decimal("30.00")
    assert clocks.surcharge(fine, due, due + timedelta(days=33)) == Decimal("990.00")
    assert clocks.surcharge(fine, due, due + timedelta(days=34)) == Decimal(1000)
    assert clocks.surcharge(fine, due, due + timedelta(days=400)) == Decimal(1000)


def test_the_fine_is_due_15_days_after_service_moved_off_a_holiday():
    from jianguan.lib.workdays import is_working_day

    served = date(2026, 9, 20)  # +15 = 2026-10-05, inside the National Day holiday
    due = clocks.fine_due(served)
    assert due > served + timedelta(days=15) and is_working_day(due)
    assert clocks.fine_due(date(2026, 6, 1)) == date(2026, 6, 16)


def test_a_late_payment_must_cover_the_surcharge(district, people):
    terms = {"provision": "xwpx_18_serious", "penalties": ["fine"], "fine": Decimal(2000), "illegal_gains": None}
    case = drive(district, people, "served", terms, days_ago=60)
    due = clocks.fine_due(case.served_on)
    late = due + timedelta(days=2)
    with at(late):
        case = services.case_pay(actor=people.edu, case=case, amount=Decimal(2000), paid_on=late)
        assert case.paid_on is None  # 120 yuan of surcharge still owed
        with pytest.raises(Conflict, match="缴清"):
            services.case_close(actor=people.head, case=case, report="结案")
        case = services.case_pay(actor=people.edu, case=case, amount=Decimal(120), paid_on=late)
    assert case.paid_on == late


# ---------------------------------------------------------------------------------------------------- who sees it


def test_the_party_sees_its_case_from_the_notice_on_and_only_what_is_addressed_to_it(district, people):
    case = drive(district, people, "notice_pending")
    institution = district.users["institution"]
    assert not Case.objects.visible_to(institution).exists()
    case = services.case_notify(actor=people.edu, case=case, served_on=timezone.localdate(), method="hand")
    assert list(Case.objects.visible_to(institution)) == [case]
    seen = set(CaseStep.objects.visible_to(institution).values_list("action", flat=True))
    assert seen == {CaseAction.NOTIFY}
    docs = set(Document.objects.visible_to(institution).filter(source_type="enforcement.casestep")
               .values_list("kind", flat=True))  # fmt: skip
    assert docs == {"penalty_notice"}
    assert not Case.objects.visible_to(district.users["street_a"]).exists()
    assert not Case.objects.visible_to(district.users["fire_officer"]).exists()
    assert Case.objects.visible_to(district.users["legal"]).exists()


# ---------------------------------------------------------------------------------------------------- warnings


def test_a_clock_about_to_run_out_is_told_to_the_investigators_and_the_head(district, people, settings):
    from jianguan.enforcement.reminders import reminders

    case = drive(district, people, "investigating")
    due = clocks.decision_due(case.filed_on)
    assert reminders(due - timedelta(days=settings.JIANGUAN_CASE_WARN_DAYS + 1)) == []
    soon = reminders(due - timedelta(days=1))
    assert {m.recipient_id for m in soon} == {people.edu.pk, people.edu2.pk, people.head.pk}
    assert {m.reason for m in soon} == {"case.decision_due"}
    late = reminders(due + timedelta(days=1))
    assert {m.reason for m in late} == {"case.decision_overdue"} and "已超期" in late[0].text


def test_the_dashboard_counts_the_clocks(district, people):
    from jianguan.reports.dashboard import Filters, case_clocks

    drive(district, people, "investigating")
    drive(district, people, "clue", days_ago=0)
    section = case_clocks(district.users["lead"], Filters())
    rows = {r[0].value: [c.value for c in r[1:]] for r in section.rows}
    assert rows == {"立案决定期限": [1, 0, 0], "作出处罚决定期限": [1, 0, 0]}
    assert case_clocks(district.users["street_a"], Filters()).rows == []


# ---------------------------------------------------------------------------------------------------- status


def test_a_served_decision_puts_the_institution_under_its_sanction_with_the_number(district, people):
    from jianguan.registry.models import InstitutionStatusChange

    case = drive(district, people, "served")
    institution = case.institution
    institution.refresh_from_db()
    assert institution.status == "banned"  # 责令停止举办
    change = InstitutionStatusChange.objects.get(institution=institution)
    decision = services.decision_document(case)
    assert change.basis_document == decision and change.basis_number == decision.number
    assert change.effective_date == case.served_on and decision.number in change.basis


def test_a_warning_changes_no_status(district, people):
    case = drive(district, people, "served", LIGHT)
    case.institution.refresh_from_db()
    assert case.institution.status == "normal"


# ---------------------------------------------------------------------------------------------------- complaints


def _report(district, *, anonymous: bool = False):  # type: ignore[no-untyped-def]
    from jianguan.complaints import services as complaints

    complaint, code = complaints.complaint_submit(
        institution=district.institutions["a"], category="tutoring", content="周末开设学科类培训班。",
        kind="report", anonymous=anonymous, reporter_name="" if anonymous else "举报人甲",
        reporter_phone="" if anonymous else "13700002222",
    )  # fmt: skip
    complaint = complaints.complaint_assign(
        actor=district.users["lead"], complaint=complaint, department=district.departments["edu"],
        handler=district.users["edu_officer"], deadline=timezone.localdate() + timedelta(days=20),
    )  # fmt: skip
    return complaint, code


def test_a_report_found_true_opens_a_case_and_the_named_reporter_reads_of_the_filing(district, people):
    from jianguan.complaints.selectors import track

    complaint, code = _report(district)
    with pytest.raises(PermissionDenied):
        services.case_from_complaint(actor=district.users["fire_officer"], complaint=complaint)
    case = services.case_from_complaint(actor=people.edu, complaint=complaint)
    assert case.source == "complaint" and case.department == district.departments["edu"]
    assert case.clue_on == timezone.localtime(complaint.received_at).date() and "周末开设" in case.clue
    with pytest.raises(ValidationError, match="已登记"):
        services.case_from_complaint(actor=people.edu, complaint=complaint)
    assert track(code).case_filed_on is None
    case = services.case_propose_filing(actor=people.edu, case=case, facts="事实", provision="xwpx_18",
                                        investigators=[people.edu, people.edu2])  # fmt: skip
    case = services.case_approve_filing(actor=people.head, case=case)
    assert case.steps.get(action="approve_filing").data["reporter_told"] is True
    assert track(code).case_filed_on == timezone.localdate()
    page = Client().post("/public/complaints/track/", {"code": code}).content.decode()
    assert "已于" in page and "立案调查" in page


def test_an_anonymous_report_is_not_told(district, people):
    complaint, code = _report(district, anonymous=True)
    case = services.case_from_complaint(actor=people.edu, complaint=complaint)
    case = services.case_propose_filing(actor=people.edu, case=case, facts="事实", provision="xwpx_18",
                                        investigators=[people.edu, people.edu2])  # fmt: skip
    case = services.case_approve_filing(actor=people.head, case=case)
    assert case.steps.get(action="approve_filing").data["reporter_told"] is False


def test_the_complaint_page_offers_the_one_step(district, people):
    from tests.support.district import persona_client

    complaint, _code = _report(district)
    page = persona_client(people.edu).get(f"/complaints/{complaint.pk}/").content.decode()
    assert 'data-testid="open-case"' in page
    response = persona_client(people.edu).post(f"/cases/from-complaint/{complaint.pk}/")
    case = Case.objects.get(complaint=complaint)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    # Not for a role without the power to open cases, even one who sees the complaint.
    page = persona_client(district.users["leader"]).get(f"/complaints/{complaint.pk}/").content.decode()
    assert 'data-testid="open-case"' not in page


def test_preserved_evidence_is_decided_within_7_working_days(district, people):
    case = drive(district, people, "investigating", days_ago=30)
    start = case.filed_on + timedelta(days=1)
    with at(start):
        with pytest.raises(PermissionDenied):
            services.case_preserve(actor=people.edu, case=case, items="收费账本 1 本")
        case = services.case_preserve(actor=people.head, case=case, items="收费账本 1 本，存放于机构办公室")
        assert Document.objects.filter(kind="preservation_notice").exists()
    due = add_working_days(start, 7)
    (clock,) = [c for c in clocks.clocks(case, start) if c.code == "preservation"]
    assert clock.due == due
    with at(due + timedelta(days=1)), pytest.raises(Conflict, match="自动解除"):
        services.case_preservation_decide(actor=people.edu, case=case, measure="解除")
    with at(due):
        case = services.case_preservation_decide(actor=people.edu, case=case, measure="送检后解除先行登记保存")
    assert case.preservation_decided_on == due
    assert not [c for c in clocks.clocks(case, due) if c.code == "preservation"]


def test_an_approved_deferral_moves_the_fine_and_its_surcharge(district, people):
    terms = {"provision": "xwpx_18_serious", "penalties": ["fine"], "fine": Decimal(2000), "illegal_gains": None}
    case = drive(district, people, "served", terms, days_ago=60)
    due = clocks.fine_due(case.served_on)
    later = due + timedelta(days=30)
    with pytest.raises(PermissionDenied):
        services.case_defer(actor=people.edu, case=case, deferred_to=later, reason="经济困难")
    case = services.case_defer(actor=people.head, case=case, deferred_to=later, reason="经济困难，分两期缴纳")
    assert services.amount_owed(case, later)[1] == 0
    assert services.amount_owed(case, later + timedelta(days=1))[1] == Decimal("60.00")


def test_the_decision_carries_the_six_items_of_article_59_and_the_seal(district, people):
    from jianguan.enforcement import documents

    case = drive(district, people, "decided")
    step = case.steps.get(action="decide")
    content = documents.decision(case, step, "测教罚决〔2026〕1号")
    text = "".join(p for s in content.sections for p in s.paragraphs) + "".join(v for s in content.sections
                                                                              for _k, v in s.fields)  # fmt: skip
    assert "甲街道培训学校" in text and "甲街道 1 号" in text  # (一) the party and its address
    assert "未经审批开展学科类培训" in text and "收费收据" in text  # (二) the facts and the evidence
    assert "《中华人民共和国民办教育促进法》第六十四条" in text and "罚款 20,000.00 元" in text  # (三) penalty, basis
    assert "十五日内" in text and "百分之三" in text  # (四) how and by when
    assert "行政复议" in text and "行政诉讼" in text and "六十日" in text and "六个月" in text  # (五) remedies
    assert content.issuer == "测试区教育局" and content.date == case.decided_on  # (六) the department, the date
    assert content.sealed_by == ["测试区教育局"] and "听证" in text
    assert "。。" not in text
