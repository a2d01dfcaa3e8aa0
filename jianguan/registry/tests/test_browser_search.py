"""Search as people use it, in Chromium: the planning form's 机构 field offers matching institutions as the officer
types; a parent who mistypes a name on a phone is asked 您要找的是不是… instead of being told it may be unregistered.

Same rules as accounts/tests/test_browser_login.py: all ORM work happens in fixtures before Playwright starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from jianguan.accounts.demo import DEMO_PASSWORD
from jianguan.accounts.tests.test_browser_login import open_page, sign_in
from jianguan.demo.loader import load_demo
from tests.support.browser import SCREENSHOTS, chromium, live_server_settings

pytestmark = pytest.mark.browser

QIHANG = "青岚启航教育培训学校"


@pytest.fixture
def demo(live_server: Any, settings: Any, tmp_path: Path) -> None:
    live_server_settings(settings, tmp_path / "media")
    load_demo(today=timezone.localdate(), log=lambda *args, **kwargs: None, inspections=False)


@pytest.fixture
def browser(demo: None) -> Any:
    with chromium() as browser:  # after the data fixture: no ORM once Playwright runs
        yield browser


def test_the_planning_form_offers_institutions_as_the_officer_types(browser: Browser, live_server):
    page, traffic = open_page(browser, phone=False)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, "edu1", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/inspections/new/")
    field = page.get_by_label("机构（信用代码或完整名称）")
    field.press_sequentially("启航", delay=50)
    expect(page.locator("#institution-options option")).to_have_count(1)
    option = page.locator("#institution-options option").first
    assert QIHANG in option.inner_text() or QIHANG in (option.get_attribute("label") or option.text_content() or "")
    assert option.get_attribute("value") == "91440300MA5H0HLK5U"
    traffic.assert_only_local(live_server.url)


def test_a_mistyped_name_is_answered_with_did_you_mean_on_a_phone(browser: Browser, live_server):
    page, traffic = open_page(browser, phone=True)
    page.goto(f"{live_server.url}/public/")
    page.get_by_role("searchbox").fill("青岚启航教育培训学院")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("did-you-mean")).to_be_visible()
    expect(page.get_by_test_id("suggestions").get_by_role("link", name=QIHANG)).to_be_visible()
    expect(page.get_by_text("可能未经登记")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "public-search-did-you-mean.png"), full_page=True)
    page.get_by_test_id("suggestions").get_by_role("link", name=QIHANG).click()
    expect(page.get_by_role("heading", name=QIHANG)).to_be_visible()
    traffic.assert_only_local(live_server.url)
