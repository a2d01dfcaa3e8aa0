"""Streets, departments, the responsibility matrix, the working-day overrides and the demo district."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from jianguan.accounts.demo import ACCOUNTS, HEADS
from jianguan.accounts.models import User
from jianguan.audit.models import AuditEvent
from jianguan.audit.selectors import audit_chain_verify
from jianguan.demo.loader import load_demo
from jianguan.lib import workdays
from jianguan.org import services
from jianguan.org.choices import CheckCategory
from jianguan.org.models import Department, Region, Responsibility
from jianguan.org.selectors import responsibility_problems
from jianguan.registry.demo import INSTITUTIONS
from jianguan.registry.models import Institution
from tests.support.demo import load_demo_district


def test_check_responsibilities_reports_gaps_and_overlaps(personas, district, capsys):
    call_command("check_responsibilities")
    assert "每类机构的每个检查类别均有唯一牵头部门" in capsys.readouterr().out
    services.responsibility_set(actor=personas["admin"], category=CheckCategory.FEES, lead=None, supporting=[])
    Responsibility.objects.filter(category=CheckCategory.TEACHING).update(is_lead=True)
    Responsibility.objects.create(
        category=CheckCategory.TEACHING, department=district.departments["police"], is_lead=True
    )
    problems = {row.category: row.problem for row in responsibility_problems()}
    assert problems == {CheckCategory.FEES: "gap", CheckCategory.TEACHING: "overlap"}
    with pytest.raises(CommandError, match="10 处"):  # two categories, for each of the five kinds
        call_command("check_responsibilities")
    out = capsys.readouterr().out
    assert "收费与资金" in out and "空白" in out and "交叉" in out


def test_responsibility_page_shows_problems(client_for, personas):
    services.responsibility_set(actor=personas["admin"], category=CheckCategory.STAFF, lead=None, supporting=[])
    html = client_for("lead").get("/org/responsibilities/").content.decode()
    assert "从业人员 · 学科类培训：空白：无牵头部门" in html
    assert "编辑" not in html  # the lead coordinator sees the matrix; only the admin edits it


def test_admin_edits_the_matrix_in_the_ui(client_for, district):
    fire, police = district.departments["fire"], district.departments["police"]
    response = client_for("admin").post(
        "/org/responsibilities/premises/", {"lead": fire.pk, "supporting": [police.pk, fire.pk]}
    )
    assert response.status_code == 302
    rows = set(Responsibility.objects.filter(category="premises").values_list("department_id", "is_lead"))
    assert rows == {(fire.pk, True), (police.pk, False)}
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "responsibility.set" and event.object_id == "*:premises:*"  # every kind, whole category
    # One kind's own row, for one item of a category.
    response = client_for("admin").post(
        "/org/responsibilities/fees/", {"institution_kind": "meal_care", "item_code": "", "lead": police.pk}
    )
    assert response.status_code == 302
    assert Responsibility.objects.get(institution_kind="meal_care", category="fees").department == police


def test_only_admin_may_change_org_data(personas, district):
    for name in ["lead", "edu_officer", "street_a", "leader", "institution", "legal"]:
        with pytest.raises(PermissionDenied):
            services.department_save(actor=personas[name], name="x", short_name="x", kind="other")
        with pytest.raises(PermissionDenied):
            services.responsibility_set(actor=personas[name], category="fees", lead=None, supporting=[])


def test_only_admin_and_lead_may_change_the_calendar(personas, district):
    for name in ["edu_officer", "street_a", "leader", "institution", "legal"]:
        with pytest.raises(PermissionDenied):
            services.workday_override_set(actor=personas[name], day=date(2030, 1, 1), is_working_day=False)
    for name in ["admin", "lead"]:
        services.workday_override_set(actor=personas[name], day=date(2030, 1, 1), is_working_day=False)


def test_bad_department_input_is_refused_in_chinese(client_for):
    response = client_for("admin").post("/org/departments/new/", {"name": "", "short_name": "测教", "kind": "other"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "这个字段是必填项。" in html
    duplicate = client_for("admin").post(
        "/org/departments/new/", {"name": "另一个", "short_name": "测教", "kind": "other"}
    )
    assert "文号简称" in duplicate.content.decode() and "已存在" in duplicate.content.decode()
    assert not Department.objects.filter(name="另一个").exists()


def test_workday_override_makes_an_unknown_year_countable(personas):
    with pytest.raises(workdays.UnknownCalendarYear):
        workdays.add_working_days(date(2098, 12, 30), 3)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.workday_override_set(actor=personas["admin"], day=date(2099, 1, 1), is_working_day=False, note="元旦")
    # 2098 is still unknown; 2099 is now covered by the override table.
    assert workdays.add_working_days(date(2099, 1, 1), 1) == date(2099, 1, 2)
    assert not workdays.is_working_day(date(2099, 1, 1))


def test_region_codes_are_unique(personas, district):
    with pytest.raises(ValidationError):
        services.region_save(actor=personas["admin"], code="990100001", name="重复", level="street", parent=None)


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


def test_load_demo_is_idempotent_and_complete(db):
    first = load_demo_district(today=date(2026, 11, 26), log=lambda *a: None)
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
