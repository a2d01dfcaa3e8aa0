"""Penalty cases in the browser: an institution submits its 陈述申辩 from a phone; the legal reviewer returns a case,
the investigator finishes the investigation again, and the reviewer passes it.

Same rules as accounts/tests/test_browser_login.py: all ORM work happens in fixtures before Playwright starts.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from jianguan.accounts.demo import DEMO_PASSWORD
from jianguan.accounts.models import User
from jianguan.accounts.tests.test_browser_login import open_page, sign_in
from jianguan.enforcement import services
from tests.support.browser import SCREENSHOTS, chromium, live_server_settings
from tests.support.demo import load_demo_district

pytestmark = pytest.mark.browser


@pytest.fixture
def cases(live_server: Any, settings: Any, tmp_path: Path) -> dict[str, int]:
    live_server_settings(settings, tmp_path / "media")
    load_demo_district(today=timezone.localdate(), log=lambda *args, **kwargs: None, inspections=False)
    users = {u.username: u for u in User.objects.filter(username__in=["edu1", "edu2", "eduhead", "inst"])}
    institution = users["inst"].institution

    def filed(provision: str) -> Any:
        case = services.case_open(actor=users["edu1"], department=users["edu1"].department, institution=institution,
                                  clue="家长举报该校周末开设超前学科类培训班。")  # fmt: skip
        case = services.case_propose_filing(actor=users["edu1"], case=case, facts="周末开设超前培训班。",
                                            provision=provision, investigators=[users["edu1"], users["edu2"]])  # fmt: skip
        case = services.case_approve_filing(actor=users["eduhead"], case=case)
        services.case_add_evidence(actor=users["edu2"], case=case, kind="document", title="招生简章",
                                   collected_on=timezone.localdate())  # fmt: skip
        return case

    told = filed("xwpx_18")
    told = services.case_end_investigation(actor=users["edu1"], case=told, outcome="penalty", report="查明属实。",
                                           penalties=["warning"])  # fmt: skip
    told = services.case_notify(actor=users["edu1"], case=told, served_on=timezone.localdate(), method="hand")
    reviewed = filed("xwpx_18_serious")
    reviewed = services.case_end_investigation(actor=users["edu1"], case=reviewed, outcome="penalty",
                                               report="查明收费 3 万元。", penalties=["fine"], fine=Decimal(20000))  # fmt: skip
    return {"told": told.pk, "reviewed": reviewed.pk}


@pytest.fixture
def browser(cases: dict[str, int]) -> Any:
    with chromium() as browser:  # after the data fixture: no ORM once Playwright runs
        yield browser


def test_the_institution_states_its_case_from_a_phone(cases: dict[str, int], browser: Browser, live_server):
    page, traffic = open_page(browser, phone=True)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, "inst", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/cases/")
    page.get_by_role("link", name="青岚启航教育培训学校").click()
    expect(page.get_by_test_id("case-status")).to_contain_text("已告知")
    expect(page.get_by_test_id("documents")).to_contain_text("行政处罚事先告知书")
    expect(page.get_by_test_id("documents")).not_to_contain_text("立案审批表")
    statement = page.get_by_test_id("action-statement")
    expect(statement).to_have_attribute("open", "")
    statement.get_by_label("陈述申辩意见").fill("我校已停止周末培训班并全额退费，请求不予处罚。")
    statement.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("statements")).to_contain_text("已停止周末培训班")
    expect(page.get_by_test_id("statements")).to_contain_text("待复核")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "case-institution-statement.png"), full_page=True)
    traffic.assert_only_local(live_server.url)
    page.context.close()


def test_the_legal_reviewer_returns_a_case_then_passes_it(cases: dict[str, int], browser: Browser, live_server):
    url = f"{live_server.url}/cases/{cases['reviewed']}/"
    page, traffic = open_page(browser, phone=False)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, "legal", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/cases/?status=legal_review")
    page.get_by_role("link", name="青岚启航教育培训学校").click()
    expect(page).to_have_url(url)
    expect(page.get_by_test_id("documents")).to_contain_text("案件调查终结报告")
    back = page.get_by_test_id("action-review_return")
    back.locator("summary").click()
    back.get_by_label("审核意见").fill("违法所得未认定，收费凭证不全，请补充调查。")
    back.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("case-status")).to_contain_text("调查取证")
    expect(page.get_by_test_id("steps")).to_contain_text("请补充调查")
    page.context.close()

    page, traffic = open_page(browser, phone=False)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, "edu1", DEMO_PASSWORD)
    page.goto(url)
    end = page.get_by_test_id("action-end_investigation")
    end.locator("summary").click()
    end.get_by_label("给予行政处罚").check()
    end.get_by_label("调查认定的事实（调查终结报告）").fill("补充调取转账记录，查明收费 3 万元，情节严重。")
    end.get_by_label("罚款", exact=True).check()
    end.get_by_label("罚款（元）").fill("20000")
    end.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("case-status")).to_contain_text("待法制审核")
    page.context.close()

    page, traffic = open_page(browser, phone=False)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, "legal", DEMO_PASSWORD)
    page.goto(url)
    passing = page.get_by_test_id("action-review_pass")
    passing.get_by_label("审核意见").fill("事实清楚，证据确凿，处罚幅度适当。")
    passing.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("case-status")).to_contain_text("待集体讨论")
    expect(page.get_by_test_id("documents")).to_contain_text("法制审核意见书")
    page.screenshot(path=str(SCREENSHOTS / "case-legal-review-passed.png"), full_page=True)
    traffic.assert_only_local(live_server.url)
    page.context.close()
