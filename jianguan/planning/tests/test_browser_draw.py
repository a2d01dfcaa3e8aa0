"""双随机 in the browser: the lead coordinator draws a campaign's targets and teams at 1280 px, then a parent reads
the public draw on a 390 px phone (institutions and departments, no officer's name).

Same rules as accounts/tests/test_browser_login.py: all ORM work happens in fixtures before Playwright starts.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from jianguan.accounts.demo import DEMO_PASSWORD
from jianguan.accounts.models import User
from jianguan.accounts.tests.test_browser_login import open_page, sign_in
from jianguan.inspections.services import campaign_create
from jianguan.org.models import Department
from tests.support.browser import SCREENSHOTS, chromium, live_server_settings
from tests.support.demo import load_demo_district

pytestmark = pytest.mark.browser


@pytest.fixture
def campaign(live_server: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    live_server_settings(settings, tmp_path / "media")
    load_demo_district(today=timezone.localdate(), log=lambda *args, **kwargs: None, inspections=False)
    lead = User.objects.get(username="lead")
    departments = {d.short_name: d for d in Department.objects.all()}
    made = campaign_create(
        actor=lead, name="浏览器测试双随机抽查", method="random",
        starts_on=timezone.localdate() + timedelta(days=3), ends_on=timezone.localdate() + timedelta(days=30),
        lead_department=departments["青教"], departments=[departments["青消"], departments["青市监"]],
    )  # fmt: skip
    officers = list(User.objects.filter(role="department_officer").values_list("name", flat=True))
    return {"pk": made.pk, "officers": officers}


@pytest.fixture
def browser(campaign: dict[str, Any]) -> Any:
    with chromium() as browser:  # after the data fixture: no ORM once Playwright runs
        yield browser


def test_the_lead_draws_and_a_parent_reads_the_public_draw(campaign: dict[str, Any], browser: Browser, live_server):
    page, traffic = open_page(browser, phone=False)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, "lead", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/inspections/campaigns/{campaign['pk']}/")
    page.get_by_test_id("draw-link").click()
    page.get_by_label("随机种子").fill("20261205-5521")
    page.get_by_label("种子来源").fill("区政府门户网站 2026年12月5日公告")
    page.get_by_label("每名执法人员至多检查对象数").fill("40")
    page.get_by_test_id("draw-submit").click()
    record = page.get_by_test_id("draw-record")
    expect(record).to_contain_text("20261205-5521")
    rows = page.get_by_test_id("draw-targets").locator("tbody tr")
    expect(rows.first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "draw-lead.png"), full_page=True)
    public_url = page.get_by_role("link", name="门户网站公开页面").get_attribute("href")
    traffic.assert_only_local(live_server.url)
    page.context.close()

    phone, traffic = open_page(browser, phone=True)
    phone.goto(f"{live_server.url}{public_url}")
    expect(phone.get_by_test_id("public-draw-record")).to_contain_text("20261205-5521")
    targets = phone.get_by_test_id("public-draw-targets")
    expect(targets).to_contain_text("检查部门")
    text = targets.inner_text()
    assert not any(name in text for name in campaign["officers"])
    phone.screenshot(path=str(SCREENSHOTS / "draw-public-phone.png"), full_page=True)
    traffic.assert_only_local(live_server.url)
    phone.context.close()
