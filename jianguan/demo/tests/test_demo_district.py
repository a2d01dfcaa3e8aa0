"""The whole demo district (青岚区), loaded once for this module's tests (the load is the slow part; each test runs in
a transaction of its own inside the load's, rolled back after it): complete and idempotent, its history dated as it
happened, and its campaign's figures the same on every page that shows them."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from jianguan.accounts.demo import ACCOUNTS, HEADS
from jianguan.accounts.models import User
from jianguan.audit.models import AuditEvent
from jianguan.audit.selectors import audit_chain_verify
from jianguan.complaints.demo import REPORTERS
from jianguan.complaints.models import Complaint
from jianguan.demo.loader import load_demo
from jianguan.documents.models import Document
from jianguan.inspections.demo import CAMPAIGN_NAME
from jianguan.inspections.models import Campaign, Inspection
from jianguan.ledger.models import LedgerItem
from jianguan.org.models import Department, Region
from jianguan.org.selectors import responsibility_problems
from jianguan.registry.demo import INSTITUTIONS
from jianguan.registry.models import Institution
from jianguan.reports.dashboard import Filters, rectification_counts
from jianguan.reports.statistics import campaign_statistics
from tests.support.demo import demo_district_shared
from tests.support.district import persona_client

DAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_district_shared(django_db_blocker, today=DAY) as loaded:
        yield loaded


def _local(at: datetime) -> date:
    return timezone.localtime(at).date()


def _the_sector_rules_are_checked_on_the_records() -> None:
    """Staff, classes and charges of the speech's six institutions and thirty more, with a handful of violations of
    every rule, found by the day's check (rules.demo)."""
    from jianguan.rules.catalogue import RULES
    from jianguan.rules.models import RuleRun, RuleViolation
    from jianguan.staff.models import BarredPerson

    run = RuleRun.objects.get()
    assert set(run.by_rule) == {r.code for r in RULES}, run.by_rule
    assert all(1 <= n <= 5 for n in run.by_rule.values()), run.by_rule
    barred = BarredPerson.objects.get()
    [match] = RuleViolation.objects.filter(rule="STAFF_BARRED")
    assert barred.basis_number in match.detail
    closing = set(RuleViolation.objects.filter(rule="FEE_CLOSING").values_list("institution__name", flat=True))
    assert "南湖佳苑家庭托管点" in closing


def test_load_demo_is_idempotent_and_complete(demo, db):
    first = demo.created
    counts = (Region.objects.count(), Department.objects.count(), User.objects.count(), Institution.objects.count())
    events = AuditEvent.objects.count()
    second = load_demo(today=date(2026, 11, 26), log=lambda *a: None)
    # The test database already holds the personas' district, so the demo's matrix rows may already exist.
    from jianguan.registry import demo_data

    assert first["users"] == len(ACCOUNTS) + len(HEADS) and first["regions"] == 9
    assert first["institutions"] == len(INSTITUTIONS) + len(demo_data.INSTITUTIONS)
    # The unlicensed sites ordered to stop enrolling (the orders set the status): the speech's three that complied and
    # 南湖佳苑, which did not; 城东小创客, ordered to stop running, is 已取缔.
    assert Institution.objects.filter(status="stop_enrolling").count() == 4
    assert Institution.objects.filter(status="banned").count() == 1
    # Rated as of the day, the sites ordered to stop enrolling at the top (risk).
    from jianguan.risk.models import RiskRating

    assert {r.level for r in RiskRating.objects.filter(institution__status="stop_enrolling")} == {"D"}
    # The demo's penalty cases, in several stages (enforcement.demo); the warning is not published.
    from jianguan.enforcement.models import Case, Publication

    stages = {c.party_name: c.status for c in Case.objects.filter(department__short_name="青教")}
    assert stages == {
        "城东小创客编程工作室": "served", "南湖佳苑家庭托管点": "legal_review", "北苑好学小饭桌": "hearing",
        "城西小蜜蜂托管班": "served",
    }  # fmt: skip
    assert [p.party_name for p in Publication.objects.shown_on(date(2026, 11, 26))] == ["城东小创客编程工作室"]
    _the_year_plan_and_its_draw_are_in_the_records()
    _the_transfers_and_subscriptions_are_in_the_records()
    _the_sector_rules_are_checked_on_the_records()
    assert sum(second.values()) == 0
    assert counts == (
        Region.objects.count(),
        Department.objects.count(),
        User.objects.count(),
        Institution.objects.count(),
    )
    assert AuditEvent.objects.count() == events
    assert {a.username for a in ACCOUNTS} <= set(User.objects.values_list("username", flat=True))
    assert responsibility_problems() == []
    assert audit_chain_verify().ok
    officers = User.objects.filter(role="department_officer")
    assert all(u.officer_profile.certificate_valid_on(date(2026, 11, 26)) for u in officers)
    _the_speechs_campaign_is_in_the_records(first)


def _the_transfers_and_subscriptions_are_in_the_records() -> None:
    """The education bureau's 移送 of a 小饭桌's food problem to the market regulator, accepted and answered with a
    result, an open 协查 to 城东街道, and the two subscriptions filling feeds (transfers.demo)."""
    from django.utils import timezone

    from jianguan.transfers import feed
    from jianguan.transfers.demo import TRANSFER_SUBJECT
    from jianguan.transfers.models import Subscription, Transfer

    day = date(2026, 11, 26)
    food = Transfer.objects.get(subject=TRANSFER_SUBJECT)
    assert food.kind == "transfer" and food.status == "closed" and food.result
    assert food.sender_department.short_name == "青教" and food.receiver_department.short_name == "青市监"
    assert food.letter_number.startswith("青教移〔2026〕")
    assert [s.action for s in food.steps.all()] == ["send", "comment", "comment", "accept", "report"]
    assert food.replied_on <= food.reply_due and timezone.localtime(food.sent_at).date() < food.replied_on
    assistance = Transfer.objects.get(kind="assistance")
    assert assistance.status == "sent" and assistance.receiver_street.name == "城东街道"
    assert assistance.letter_number.startswith("青消协查〔2026〕")
    fire = Subscription.objects.get(department__short_name="青消")
    items = feed.feed([fire], User.objects.get(username="fire1"), since=date(2026, 9, 1), until=day)
    assert items and {i.category for i in items if i.category} == {"fire_safety"}
    east = Subscription.objects.get(street__name="城东街道")
    east_items = feed.feed([east], User.objects.get(username="east"), since=date(2026, 9, 1), until=day)
    assert any(i.event == "transfer_received" for i in east_items)
    assert {i.street_name for i in east_items if i.street_name} == {"城东街道"}


def _the_year_plan_and_its_draw_are_in_the_records() -> None:
    """The published plan lists the speech's campaign and the 双随机 one; the draw runs again to its recorded hash
    from its stored snapshot, every team has two officers, and the officer who declared a relationship is not sent."""
    from jianguan.accounts.models import OfficerConflict
    from jianguan.inspections.demo import CAMPAIGN_NAME
    from jianguan.planning import draw as lottery
    from jianguan.planning.demo import RANDOM_NAME
    from jianguan.planning.models import Draw, DrawMember, YearPlan

    plan = YearPlan.objects.get(year=2026)
    assert plan.status == "published"
    assert set(plan.campaigns.values_list("campaign__name", flat=True)) == {CAMPAIGN_NAME, RANDOM_NAME}
    draw = Draw.objects.get(campaign__name=RANDOM_NAME)
    again = lottery.draw(
        seed=draw.seed, snapshot=lottery.Snapshot.from_json(draw.snapshot), ratios=draw.ratios,
        kind_ratios=draw.kind_ratios, max_per_officer=draw.max_per_officer,
    )  # fmt: skip
    assert again.digest() == draw.result_hash
    assert all(t.members.count() >= 2 for t in draw.targets.all())
    conflict = OfficerConflict.objects.get()
    assert not DrawMember.objects.filter(
        target__draw=draw, user=conflict.user, target__institution=conflict.institution
    ).exists()


def _the_speechs_campaign_is_in_the_records(first):  # type: ignore[no-untyped-def]
    """Section 二 of the speech, from the demo's inspection records: 20-odd sites covered; problems at 5 (办学资质),
    3 (教学内容), 4 (食品安全) and 6 (消防安全) institutions; the documents handed over on site."""
    from collections import Counter

    from jianguan.documents.models import Document
    from jianguan.inspections.demo import CAMPAIGN_NAME
    from jianguan.inspections.models import Campaign
    from jianguan.inspections.selectors import campaign_progress, problems_by_category

    campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
    assert first["inspections"] == 22
    progress = campaign_progress(campaign)
    assert (progress.targets, progress.inspected, progress.with_problems) == (22, 22, 18)
    by_category = {c.category: c.institutions for c in problems_by_category(campaign)}
    assert by_category == {"qualification": 5, "teaching": 3, "food_safety": 4, "fire_safety": 6}
    documents = Document.objects.filter(
        source_type="inspections.inspection", institution__campaign_targets__campaign=campaign
    )
    kinds = Counter(documents.values_list("kind", "department__short_name"))
    assert kinds[("inspection_record", "青教")] == 22  # the joint record, numbered by the planning department
    # Each problem ordered by the department competent for it (职权法定): fire by the fire brigade, food and business
    # licences by market regulation, teaching by education; the unlicensed sites told to stop (53号令).
    assert kinds[("rectification_notice", "青消")] == 6 and kinds[("rectification_notice", "青市监")] == 6
    assert kinds[("rectification_notice", "青教")] == 3 and kinds[("stop_order", "青教")] == 5
    ordered = documents.filter(kind__in=["rectification_notice", "stop_order"]).values("institution").distinct()
    assert ordered.count() == 18  # every site with a problem left with an order
    # Section 二's progress, from the ledger: closed out per category (家), and the foot-dragging 托管班 of section 三.
    from jianguan.ledger.models import LedgerItem, Referral

    closed = {
        category: LedgerItem.objects.filter(category=category, status="closed").values("institution").distinct().count()
        for category in by_category
    }
    assert closed == {"qualification": 3, "teaching": 2, "food_safety": 3, "fire_safety": 4}
    xiangyang = LedgerItem.objects.get(institution__name="北苑向阳托管班")
    assert xiangyang.status == "in_progress" and xiangyang.deadline < date(2026, 11, 26)
    assert xiangyang.rechecks.get().passed is False
    assert Referral.objects.filter(item__institution__name="南湖佳苑家庭托管点").exists()
    # 擅自举办 (a fixed site, several tutors, organised classes): 责令停止举办 and a case at once.
    assert Referral.objects.filter(
        item__institution__name__contains="小创客", item__finding__remedy="stop_running"
    ).exists()
    # The speech's "3家违规办学机构停止招生": the 责令停止招生 orders that were carried out and closed.
    stopped = LedgerItem.objects.filter(finding__remedy="stop_enrolling", status="closed")
    assert stopped.values("institution").distinct().count() == 3
    _the_speechs_figures_come_from_the_statistics(campaign)
    notice = documents.filter(kind="rectification_notice", department__short_name="青教").order_by("serial").first()
    assert notice.number == "青教责改〔2026〕1号" and notice.issued_at.date() < date(2026, 11, 1)


def _the_speechs_figures_come_from_the_statistics(campaign):  # type: ignore[no-untyped-def]
    """Issue 7: the campaign statistics (and `campaign_stats --json`, and the briefing) say what section 二 says —
    5/3/4/6 institutions with problems per category, of which 3/2/3/4 rectified — with the problem counts beside."""
    import io
    import json

    from django.core.management import call_command

    from jianguan.reports.briefing import briefing_content
    from jianguan.reports.statistics import campaign_statistics

    stats = campaign_statistics(campaign, date(2026, 11, 26))
    speech = {"qualification": (5, 3), "teaching": (3, 2), "food_safety": (4, 3), "fire_safety": (6, 4)}
    assert {c.category: (c.institutions, c.rectified_institutions) for c in stats.categories} == speech
    assert (stats.targets, stats.inspected, stats.with_problems) == (22, 22, 18)
    assert all(
        c.findings >= c.institutions and c.rectified_findings >= c.rectified_institutions for c in stats.categories
    )
    out = io.StringIO()
    call_command("campaign_stats", campaign.pk, "--json", "--date", "2026-11-26", stdout=out)
    printed = json.loads(out.getvalue())
    assert {c["category"]: (c["institutions"], c["rectified_institutions"]) for c in printed["categories"]} == speech
    assert printed["findings"] == stats.findings and printed["overdue_findings"] == stats.overdue_findings
    text = " ".join(briefing_content(campaign, date(2026, 11, 26)).sections[0].paragraphs)
    assert (
        f"共检查培训点{stats.inspected}家" in text and "办学资质方面5家" in text and "消防安全方面4家已整改到位" in text
    )


def test_the_demo_history_is_dated_as_it_happened(demo, db):
    """The loader replays every story through the services with the clock at each event's moment, in order, so
    records, histories and the audit chain say when things happened — and its rectifications include submissions on
    time, so 按期整改率 is not 0%."""
    before, first = demo.started_at, demo.events_before  # the test district's own events come first

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


def test_the_campaign_page_the_statistics_and_the_dashboard_agree(demo, db):
    """已整改 is one definition (inspections.selectors.rectified_q): the campaign page, the campaign statistics and
    the dashboard give the demo campaign the same problems, the same rectified and the same rate."""
    campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
    lead = User.objects.get(username="lead")
    stats = campaign_statistics(campaign)

    counts = rectification_counts(lead, Filters(campaign=campaign))
    found = sum(n[0] for n in counts.values())
    closed = sum(n[1] for n in counts.values())

    html = persona_client(lead).get(reverse("inspections:campaign_detail", kwargs={"pk": campaign.pk})).content.decode()
    shown = re.search(r'data-testid="rectified">(\d+) <span[^>]*>个 / (\d+) 个（([\d.]+)%）', html)
    page_rectified, page_found, page_rate = int(shown[1]), int(shown[2]), float(shown[3])

    assert stats.rectified_findings > 0  # the speech's campaign: 12 of 20 problems rectified by the meeting
    assert (page_found, page_rectified) == (stats.findings, stats.rectified_findings) == (found, closed)
    assert page_rate == round(100 * closed / found, 1)
    stats_page = persona_client(lead).get(reverse("reports:campaign_statistics", kwargs={"pk": campaign.pk}))
    assert f"{stats.rectified_findings} <small" in stats_page.content.decode()
