"""The lead coordinator opens the dashboard: every chart is drawn (ECharts, vendored, animation off for reduced
motion), nothing is fetched from outside, and a screenshot shows it.

Same rules as accounts/tests/test_browser_login.py: all ORM work happens in fixtures before Playwright starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from jianguan.accounts.demo import DEMO_PASSWORD
from jianguan.accounts.tests.test_browser_login import open_page, sign_in
from jianguan.reports.dashboard import BUILDERS
from tests.support.browser import SCREENSHOTS, chromium, live_server_settings
from tests.support.demo import load_demo_district

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(live_server: Any, settings: Any, tmp_path: Path) -> None:
    live_server_settings(settings, tmp_path / "media")
    load_demo_district(today=timezone.localdate(), log=lambda *args, **kwargs: None)


@pytest.fixture
def browser(demo: None) -> Any:
    with chromium() as browser:
        yield browser


def test_the_dashboard_draws_its_charts(browser: Browser, live_server):
    page, traffic = open_page(browser, phone=False)
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, "lead", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/dashboard/")
    # Every section of the dashboard draws its chart (reports.dashboard.BUILDERS: one per section).
    expect(page.locator("html")).to_have_attribute("data-charts-ready", str(len(BUILDERS)))
    expect(page.locator(".jg-chart canvas")).to_have_count(len(BUILDERS))
    expect(page.get_by_test_id("headlines")).to_contain_text("发现问题")
    expect(page.get_by_test_id("riskiest")).to_contain_text("D 高")
    # The category chart's table holds the campaign's 20 problems, each number a link to the ledger.
    categories = page.get_by_test_id("section-categories")
    categories.locator("summary").click()
    expect(categories.locator("table a").first).to_have_attribute("href", "/ledger/?category=qualification")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-lead.png"), full_page=True)
    traffic.assert_only_local(live_server.url)
    assert not traffic.errors, traffic.errors
