"""An institution's head, on a phone (390 px), registers a 学科类 teacher on the self-service page, records the
criminal-record check, and the public page then shows the teacher's name and 教师资格证 number, nothing else.

Same rules as accounts/tests/test_browser_login.py: all ORM work happens in fixtures before Playwright starts."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from jianguan.accounts.demo import DEMO_PASSWORD
from jianguan.accounts.tests.test_browser_login import open_page, sign_in
from jianguan.demo.loader import load_demo
from jianguan.staff.tests.support import id_number
from tests.support.browser import SCREENSHOTS, chromium, live_server_settings

pytestmark = pytest.mark.browser

NUMBER = id_number(88)
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def demo(live_server: Any, settings: Any) -> dict[str, Any]:
    from jianguan.accounts.models import User

    live_server_settings(settings)
    load_demo(today=timezone.localdate(), log=lambda *args, **kwargs: None, inspections=False)
    return {"institution": User.objects.get(username="inst").institution_id}


@pytest.fixture
def browser(demo: dict[str, Any]) -> Any:
    with chromium() as browser:
        yield browser


def test_an_institution_keeps_its_staff_from_a_phone(demo: dict[str, Any], browser: Browser, live_server: Any):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, _traffic = open_page(browser, phone=True)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, "inst", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/staff/mine/")
    expect(page.get_by_role("heading", name="从业人员")).to_be_visible()
    page.get_by_test_id("staff-add").click()
    page.get_by_label("姓名").fill("林老师")
    page.get_by_label("身份证号码").fill(NUMBER)
    page.get_by_label("岗位").select_option(label="教师（培训人员）")
    page.get_by_label("从事学科类培训").check()
    page.get_by_label("教师资格证编号").fill("20234400099887")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.screenshot(path=str(SCREENSHOTS / "staff-form-phone.png"), full_page=True)
    page.get_by_role("button", name="保存").click()

    current = page.get_by_test_id("staff-current")
    expect(current).to_contain_text("林老师")
    expect(current).to_contain_text(NUMBER)  # the institution reads its own staff's full numbers
    expect(current).to_contain_text("未登记违法犯罪记录查询")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    current.get_by_role("link", name="记录查询").click()
    page.get_by_label("查询日期").fill(timezone.localdate().isoformat())
    page.get_by_label("查询结果").select_option(label="未发现违法犯罪记录")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("staff-current")).not_to_contain_text("未登记违法犯罪记录查询")
    page.screenshot(path=str(SCREENSHOTS / "staff-list-phone.png"), full_page=True)

    page.goto(f"{live_server.url}/public/institutions/{demo['institution']}/")
    teachers = page.get_by_test_id("teachers")
    expect(teachers).to_contain_text("林老师")
    expect(teachers).to_contain_text("20234400099887")
    expect(page.locator("body")).not_to_contain_text(NUMBER[-4:])
