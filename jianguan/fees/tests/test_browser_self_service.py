"""An institution keeps its courses, classes and prepaid fees from a phone (390 px): nothing wider than the screen,
the weekly pattern shown as 周一、周三, the account number shown masked only.

Same rules as accounts/tests/test_browser_login.py: all ORM work happens in fixtures before Playwright starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from jianguan.accounts.demo import DEMO_PASSWORD
from jianguan.accounts.models import User
from jianguan.accounts.tests.test_browser_login import open_page, sign_in
from tests.support.browser import SCREENSHOTS, chromium, live_server_settings
from tests.support.demo import load_demo_district

pytestmark = pytest.mark.browser

ACCOUNT = "6222020200112233445"


@pytest.fixture
def institution_pk(live_server: Any, settings: Any, tmp_path: Path) -> int:
    live_server_settings(settings, tmp_path / "media")
    load_demo_district(today=timezone.localdate(), log=lambda *args, **kwargs: None, inspections=False)
    return User.objects.get(username="inst").institution_id


@pytest.fixture
def browser(institution_pk: int) -> Any:
    with chromium() as browser:  # after the data fixture: no ORM once Playwright runs
        yield browser


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_institution_keeps_courses_classes_and_fees_from_a_phone(institution_pk: int, browser: Browser, live_server):
    page, traffic = open_page(browser, phone=True)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, "inst", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/courses/institution/{institution_pk}/")
    _fits(page)
    page.get_by_test_id("course-new").click()
    page.get_by_label("课程名称").fill("少儿编程（手机测试）")
    page.get_by_label("科目").fill("编程")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("courses")).to_contain_text("少儿编程（手机测试）")
    page.get_by_test_id("class-new").click()
    page.locator("#id_course").select_option(label="少儿编程（手机测试）")
    page.get_by_label("班级名称").fill("周一三晚班")
    page.get_by_label("班额").fill("15")
    page.get_by_label("开班日期").fill("2026-09-01")
    page.get_by_label("结课日期").fill("2027-01-20")
    page.get_by_label("周一").check()
    page.get_by_label("周三").check()
    page.get_by_label("上课时间").fill("18:30")
    page.get_by_label("下课时间").fill("20:00")
    _fits(page)
    page.get_by_role("button", name="保存").click()
    card = page.get_by_test_id("class-cards").locator(".card", has_text="周一三晚班")
    expect(card.get_by_test_id("weekdays")).to_have_text("周一、周三")
    expect(card).to_contain_text("18:30–20:00")
    _fits(page)
    page.screenshot(path=str(SCREENSHOTS / "courses-institution-phone.png"), full_page=True)

    page.goto(f"{live_server.url}/fees/institution/{institution_pk}/")
    page.get_by_test_id("account").get_by_role("link").click()
    page.get_by_label("资金监管账户").check()
    page.get_by_label("开户银行").fill("中国工商银行青岚支行")
    page.get_by_label("监管账户账号").fill(ACCOUNT)
    page.get_by_label("监管协议签订日期").fill("2026-01-10")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("account-masked")).to_have_text("**** **** 3445")
    page.locator("#add summary").click()
    form = page.get_by_test_id("record-form")
    form.get_by_label("学员姓名").fill("张小明")
    form.get_by_label("课程名称").fill("少儿编程")
    form.get_by_label("课时").fill("40")
    form.get_by_label("金额（元）").fill("3600")
    form.get_by_label("服务期起").fill("2026-09-01")
    form.get_by_label("服务期止").fill("2026-11-30")
    form.get_by_label("缴费日期").fill("2026-08-28")
    _fits(page)
    form.get_by_role("button", name="登记").click()
    expect(page.get_by_test_id("records")).to_contain_text("张** · 少儿编程")
    assert ACCOUNT not in page.content() and "张小明" not in page.content()
    _fits(page)
    page.screenshot(path=str(SCREENSHOTS / "fees-institution-phone.png"), full_page=True)
    traffic.assert_only_local(live_server.url)
