"""The stored ratings on the test district: the records move them as documented, the receivers refresh them when the
change commits (once per transaction), the refresh costs the same number of queries for 3 or 30 institutions, and
writes one audit event per call that moved a level."""

from __future__ import annotations

import random
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jianguan.audit.models import AuditEvent
from jianguan.audit.selectors import audit_chain_verify
from jianguan.complaints import services as complaints
from jianguan.ledger import services as ledger
from jianguan.registry import services as registry
from jianguan.registry.choices import LicenceKind, LicenceStatus
from jianguan.registry.models import Institution
from jianguan.registry.selectors import annotate_licence_state, licence_requirements, licence_summary
from jianguan.risk.models import RiskRating
from jianguan.risk.selectors import facts_for
from jianguan.risk.services import risk_refresh, risk_refresh_all
from tests.support.district import DECISION_BASIS

FAR = date(2099, 12, 31)


def _rating(institution) -> RiskRating:
    return RiskRating.objects.get(institution=institution)


def _codes(institution) -> dict[str, int]:
    return {f["code"]: f["points"] for f in _rating(institution).factors}


def _clean_institution(district, name="风险测试托管班", street="a", **extra):
    """A 托管班 holding the one licence its kind requires: nothing against it, level A."""
    admin = district.users["admin"]
    inst = registry.institution_create(
        actor=admin, name=name, kind="after_school", street=district.streets[street], **extra
    )
    registry.licence_save(actor=admin, institution=inst, kind="legal_entity", number=f"L-{name}", valid_until=FAR)
    return inst


def _risk_events():
    return AuditEvent.objects.filter(action="risk.refresh").order_by("seq")


# ---------------------------------------------------------------------------------------------------- the district


def test_the_district_is_rated_from_its_records(district):
    """Set up through the real services outside a test transaction, so the receivers rated it as it was built."""
    a, b = district.institutions["a"], district.institutions["b"]
    # a: no legal-entity registration (25), the blocked fire exit still open (严重, 10), a complaint being handled (3).
    assert _codes(a) == {"licence_missing": 25, "open_severe": 10, "complaint": 3}
    assert (_rating(a).score, _rating(a).level) == (38, "C")
    # b: a 小饭桌 with neither registration nor food licence.
    assert _codes(b) == {"licence_missing": 50} and _rating(b).level == "C"


def test_a_new_institution_is_rated_when_it_commits(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inst = _clean_institution(district)
    assert (_rating(inst).score, _rating(inst).level, _rating(inst).factors) == (0, "A", [])


def test_an_expired_licence_raises_the_level(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inst = _clean_institution(district)
    licence = inst.licences.get()
    with django_capture_on_commit_callbacks(execute=True):
        registry.licence_save(
            actor=district.users["admin"], institution=inst, licence=licence,
            valid_until=timezone.localdate() - timedelta(days=1),
        )  # fmt: skip
    assert _codes(inst) == {"licence_expired": 20} and _rating(inst).level == "B"
    with django_capture_on_commit_callbacks(execute=True):
        registry.licence_delete(actor=district.users["admin"], licence=licence)
    assert _codes(inst) == {"licence_missing": 25}


def test_a_licence_running_out_overnight_is_caught_by_the_daily_refresh(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inst = _clean_institution(district)
        registry.licence_save(
            actor=district.users["admin"], institution=inst, licence=inst.licences.get(),
            valid_until=timezone.localdate(),
        )  # fmt: skip
    assert _rating(inst).level == "A"  # valid through today
    risk_refresh_all(today=timezone.localdate() + timedelta(days=1))
    assert _codes(inst) == {"licence_expired": 20} and _rating(inst).level == "B"


def test_closing_the_ledger_item_lowers_the_level(district, django_capture_on_commit_callbacks):
    a = district.institutions["a"]
    with django_capture_on_commit_callbacks(execute=True):
        registry.licence_save(
            actor=district.users["admin"], institution=a, kind="legal_entity", number="L", valid_until=FAR
        )
    assert _codes(a) == {"open_severe": 10, "complaint": 3} and _rating(a).level == "B"
    with django_capture_on_commit_callbacks(execute=True):
        ledger.recheck(
            officers=[district.users["edu_officer"]],
            actor=district.users["fire_officer"],
            item=district.ledger["a"],
            passed=True,
            note="通道畅通",
        )
    assert _codes(a) == {"complaint": 3} and _rating(a).level == "A"


def test_an_overdue_item_and_a_failed_recheck_raise_the_score(district, django_capture_on_commit_callbacks):
    a, item = district.institutions["a"], district.ledger["a"]
    before = _rating(a).score
    with django_capture_on_commit_callbacks(execute=True):
        ledger.recheck(
            officers=[district.users["edu_officer"]],
            actor=district.users["fire_officer"],
            item=item,
            passed=False,
            note="仍有杂物",
        )
    assert _codes(a)["recheck_failed"] == 8 and _rating(a).score == before + 8
    # The deadline passes: the daily refresh sees it as overdue (严重: 20 more).
    item.refresh_from_db()
    risk_refresh_all(today=item.deadline + timedelta(days=1))
    assert _codes(a)["overdue_severe"] == 20 and _rating(a).level == "D"


def test_escalation_to_penalty_adds_points(district, django_capture_on_commit_callbacks):
    a = district.institutions["a"]
    with django_capture_on_commit_callbacks(execute=True):
        ledger.escalate(actor=district.users["fire_officer"], item=district.ledger["a"], reason="拒不整改")
    # The item is no longer open (10 less); the referral counts instead (30 more).
    assert _codes(a) == {"licence_missing": 25, "referral": 30, "complaint": 3}
    assert (_rating(a).score, _rating(a).level) == (58, "C")


def test_a_substantiated_complaint_adds_points(district, django_capture_on_commit_callbacks):
    a, complaint, handler = district.institutions["a"], district.complaints["a"], district.users["fire_officer"]
    assert _codes(a)["complaint"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        complaint = complaints.complaint_reply(actor=handler, complaint=complaint, reply="已责令清理安全出口。")
        complaints.complaint_close(actor=handler, complaint=complaint, result="substantiated")
    assert "complaint" not in _codes(a) and _codes(a)["complaint_substantiated"] == 10
    assert _rating(a).score == 38 - 3 + 10


def test_untrue_refused_and_old_complaints_count_nothing(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inst = _clean_institution(district)
        handler = district.users["lead"]
        for result in ["unsubstantiated", "partly"]:
            complaint, _code = complaints.complaint_submit(
                institution=inst, category="fees", content="退费困难，多次联系无果。", anonymous=True
            )
            complaint = complaints.complaint_assign(
                actor=handler, complaint=complaint, department=district.departments["edu"],
                handler=district.users["edu_officer"], deadline=timezone.localdate() + timedelta(days=10),
            )  # fmt: skip
            complaint = complaints.complaint_reply(actor=handler, complaint=complaint, reply="已核查。")
            complaints.complaint_close(actor=handler, complaint=complaint, result=result)
        refused, _code = complaints.complaint_submit(
            institution=inst, category="other", content="与培训无关的内容，不予受理。", anonymous=True
        )
        complaints.complaint_reject(actor=handler, complaint=refused, reply="不属于本平台受理范围。")
        complaints.complaint_submit(
            institution=inst, category="fees", content="去年的投诉，早已处理完毕。", anonymous=True,
            received_at=timezone.now() - timedelta(days=400),
        )  # fmt: skip
    assert _codes(inst) == {"complaint_partly": 6}


def test_stop_enrolling_makes_it_d(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inst = _clean_institution(district)
    with django_capture_on_commit_callbacks(execute=True):
        registry.institution_status_change(
            actor=district.users["lead"],
            institution=inst,
            to_status="stop_enrolling",
            reason="超范围招生",
            **DECISION_BASIS,
        )
    assert _codes(inst) == {"status_stop_enrolling": 60} and _rating(inst).level == "D"
    with django_capture_on_commit_callbacks(execute=True):
        registry.institution_status_change(
            actor=district.users["lead"], institution=inst, to_status="normal", reason="整改到位，恢复招生"
        )
    assert _rating(inst).level == "A"


def test_a_banned_institution_is_rated_with_a_note(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inst = _clean_institution(district)
        registry.institution_status_change(
            actor=district.users["lead"],
            institution=inst,
            to_status="banned",
            reason="取缔",
            **DECISION_BASIS,
        )
    assert _codes(inst) == {"status_banned": 0} and _rating(inst).level == "A"
    assert "已不再经营" in _rating(inst).factor_list[0].explanation


def test_changed_weights_change_the_rating(district, settings):
    a = district.institutions["a"]
    settings.JIANGUAN_RISK_WEIGHTS = {**settings.JIANGUAN_RISK_WEIGHTS, "complaint": 30}
    risk_refresh([a.pk])
    assert _codes(a)["complaint"] == 30 and (_rating(a).score, _rating(a).level) == (65, "D")
    settings.JIANGUAN_RISK_LEVELS = {"D": 100, "C": 70, "B": 50}
    risk_refresh([a.pk])
    assert _rating(a).level == "B"


def test_licence_counts_agree_with_the_registry(personas, district):
    """The rating's licence facts follow the registry's rules: missing exactly when the registry says missing, and
    expired kinds exactly when it says expired (random licence sets, as in the registry's own test)."""
    rng = random.Random(11)
    admin = personas["admin"]
    today = timezone.localdate()
    kinds = ["academic", "non_academic", "meal_care", "after_school", "other"]
    for n in range(30):
        inst = registry.institution_create(
            actor=admin, name=f"风险证照随机{n}", kind=rng.choice(kinds), street=district.streets["a"]
        )
        for m in range(rng.randint(0, 4)):
            registry.licence_save(
                actor=admin, institution=inst, kind=rng.choice(LicenceKind.values), number=f"R{n}-{m}",
                valid_until=rng.choice([None, today + timedelta(days=rng.randint(-400, 400))]),
            )  # fmt: skip
    required = licence_requirements()
    institutions = list(Institution.objects.prefetch_related("licences"))
    facts = facts_for([i.pk for i in institutions], today)
    states = dict(annotate_licence_state(Institution.objects.all(), today).values_list("pk", "licence_state"))
    for inst in institutions:
        summary = licence_summary(inst, list(inst.licences.all()), today, required)
        assert facts[inst.pk].licences_missing == len(summary.missing), inst.name
        assert facts[inst.pk].licences_expired == len(summary.expired), inst.name
        if facts[inst.pk].licences_missing:
            assert states[inst.pk] == LicenceStatus.MISSING
        elif facts[inst.pk].licences_expired:
            assert states[inst.pk] == LicenceStatus.EXPIRED


# ---------------------------------------------------------------------------------------------------- receivers


def test_one_transaction_is_one_refresh(district, django_capture_on_commit_callbacks):
    """An import of many rows (institution_create_many, a bulk insert without post_save) and many updates in one
    transaction refresh once, with one audit event."""
    rows = [{"name": f"批量导入机构{n}", "kind": "other", "street": district.streets["a"]} for n in range(40)]
    before = _risk_events().count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        created = registry.institution_create_many(actor=district.users["admin"], rows=rows)
        for inst in created[:5]:
            registry.institution_update(actor=district.users["admin"], institution=inst, address="新地址")
    assert len(callbacks) >= 6  # one per change …
    events = list(_risk_events()[before:])
    assert len(events) == 1  # … one refresh
    assert events[0].after == {"refreshed": 40, "created": 40, "level_changed": 0, "raised": 0, "lowered": 0}
    assert RiskRating.objects.filter(institution__in=created).count() == 40
    assert all(r.level == "B" for r in RiskRating.objects.filter(institution__in=created))  # no registration: 25


def test_a_rolled_back_change_is_not_refreshed(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inst = _clean_institution(district)
        other = _clean_institution(district, name="另一家托管班")
    before = _risk_events().count()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            registry.institution_status_change(
                actor=district.users["lead"],
                institution=inst,
                to_status="suspended",
                reason="停业整顿",
                **DECISION_BASIS,
            )
            raise RuntimeError("rolled back")
        registry.institution_status_change(
            actor=district.users["lead"],
            institution=other,
            to_status="suspended",
            reason="停业整顿",
            **DECISION_BASIS,
        )
    assert _rating(inst).level == "A" and _rating(other).level == "D"
    [event] = _risk_events()[before:]
    assert event.after["refreshed"] == 1 and event.after["raised"] == 1


def test_changes_refresh_only_after_commit(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inst = _clean_institution(district)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        registry.institution_status_change(
            actor=district.users["lead"],
            institution=inst,
            to_status="suspended",
            reason="停业整顿",
            **DECISION_BASIS,
        )
        assert _rating(inst).level == "A"  # not yet: the change has not committed
    assert callbacks and _rating(inst).level == "A"
    for callback in callbacks:  # what the commit runs
        callback()
    assert _rating(inst).level == "D"


def test_requirement_changes_re_rate_the_institutions_of_that_kind(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inst = _clean_institution(district)
    with django_capture_on_commit_callbacks(execute=True):
        registry.licence_requirements_set(
            actor=district.users["admin"], institution_kind="after_school", licence_kinds=["legal_entity", "fire"]
        )
    assert _codes(inst) == {"licence_missing": 25}


# ---------------------------------------------------------------------------------------------------- the refresh


def _grow(district, n: int) -> list[int]:
    """n institutions with licences and a complaint each, in street a."""
    admin = district.users["admin"]
    rows = [{"name": f"查询计数机构{n}-{i}", "kind": "academic", "street": district.streets["a"]} for i in range(n)]
    created = registry.institution_create_many(actor=admin, rows=rows)
    for i, inst in enumerate(created):
        registry.licence_save(actor=admin, institution=inst, kind="school_permit", number=f"Q{n}-{i}", valid_until=FAR)
        complaints.complaint_submit(
            institution=inst, category="fees", content="退费困难，多次联系无果。", anonymous=True
        )
    return [i.pk for i in created]


def test_the_refresh_costs_the_same_queries_for_3_or_30_institutions(district):
    counts = []
    for n in (3, 30):
        ids = _grow(district, n)
        with CaptureQueriesContext(connection) as ctx:
            result = risk_refresh(ids)
        assert result.refreshed == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 20


def test_a_refresh_that_moves_no_level_writes_no_audit_event(district):
    a = district.institutions["a"]
    before = _risk_events().count()
    result = risk_refresh([a.pk, 99999999])  # a missing id is skipped
    assert (result.refreshed, result.created, result.level_changed) == (1, 0, 0)
    assert _risk_events().count() == before
    assert _rating(a).computed_at > timezone.now() - timedelta(minutes=1)  # 评定时间 moves on all the same


def test_a_level_change_writes_one_event_without_an_actor(district, settings):
    before = _risk_events().count()
    settings.JIANGUAN_RISK_WEIGHTS = {**settings.JIANGUAN_RISK_WEIGHTS, "licence_missing": 0}
    risk_refresh([district.institutions["a"].pk, district.institutions["b"].pk])
    [event] = _risk_events()[before:]
    assert event.actor is None and event.institution_id is None and event.object_type == "risk.riskrating"
    assert event.after == {"refreshed": 2, "created": 0, "level_changed": 2, "raised": 0, "lowered": 2}
    assert event.action_label == "更新风险评级"
    assert audit_chain_verify().ok


def test_refresh_all_goes_through_every_institution_in_batches(district):
    ids = _grow(district, 7)
    RiskRating.objects.filter(institution_id__in=ids).delete()
    before = _risk_events().count()
    result = risk_refresh_all(batch=3)
    assert result.refreshed == Institution.objects.count() and result.created == 7
    assert RiskRating.objects.count() == Institution.objects.count()
    [event] = _risk_events()[before:]
    assert event.after["created"] == 7 and event.object_label == "全部机构"


def test_the_command_prints_how_many_were_refreshed(district):
    out = StringIO()
    call_command("risk_refresh", stdout=out)
    assert out.getvalue().splitlines()[-1] == f"refreshed {Institution.objects.count()}"


def test_the_daily_task_refreshes_and_queues_the_next_run(district):
    from django_tasks_db.models import DBTaskResult

    from jianguan.risk.tasks import next_run, refresh_risk_ratings

    result = refresh_risk_ratings.enqueue()
    assert DBTaskResult.objects.filter(pk=result.id).exists()  # queued for the worker, not run in the request
    assert refresh_risk_ratings.call() == Institution.objects.count()
    queued = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert queued.run_after == next_run() and queued.task_path.endswith("refresh_risk_ratings")
    assert next_run().hour == 6 and next_run().date() == timezone.localdate() + timedelta(days=1)
    out = StringIO()
    call_command("risk_refresh", "--schedule", stdout=out)
    assert "下一次评定已排入后台任务" in out.getvalue()


def test_the_demo_district_is_rated(db):
    from jianguan.demo.loader import load_demo

    load_demo(today=date(2026, 11, 26), log=lambda *a: None, inspections=False)
    # Every institution rated (the sites the campaign's orders stop are checked with the whole demo: demo/tests/test_demo_district.py).
    assert not Institution.objects.filter(risk_rating__isnull=True).exists()


def test_a_complaint_moves_the_rating_of_its_institution_only(district, django_capture_on_commit_callbacks):
    """A complaint about an institution moves its rating; one about an unregistered site typed by name moves none."""
    with django_capture_on_commit_callbacks(execute=True):
        inst = _clean_institution(district)
    before = _risk_events().count()
    with django_capture_on_commit_callbacks(execute=True):
        complaints.complaint_submit(
            institution=inst, category="fire", content="楼道堆放杂物，消防通道不畅。", anonymous=True
        )
        complaints.complaint_submit(
            typed_name="无名托管点", typed_address="甲街道某小区", street=district.streets["a"], category="unlicensed",
            content="小区里有人私自开办托管班。", anonymous=True,
        )  # fmt: skip
    assert _codes(inst) == {"complaint": 3}
    assert _risk_events().count() == before  # 0 → 3 points: still A, nothing for the audit trail
