"""A parent with a phone: searches the portal, opens an institution's page, files a complaint about it, and tracks
it with the code. No account, no outside request.

Same rules as accounts/tests/test_browser_login.py: all ORM work happens in fixtures before Playwright starts."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, expect

from jianguan.accounts.tests.test_browser_login import open_page
from jianguan.demo.loader import load_demo
from jianguan.registry.models import Institution
from tests.support.browser import SCREENSHOTS, chromium, live_server_settings

pytestmark = pytest.mark.browser


@pytest.fixture
def portal(live_server: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    live_server_settings(settings, tmp_path / "media")
    settings.JIANGUAN_FORM_MIN_SECONDS = 1  # a person takes longer than this; the test types as fast as it can
    load_demo(today=timezone.localdate(), log=lambda *args, **kwargs: None, inspections=False)
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 120, 90)).save(buffer, "JPEG")
    photo = tmp_path / "IMG_door.jpg"
    photo.write_bytes(buffer.getvalue())
    return {"name": Institution.objects.get(name="北苑向阳托管班").name, "photo": photo}


@pytest.fixture
def browser(portal: dict[str, Any]) -> Any:
    with chromium() as browser:
        yield browser


def test_a_parent_searches_files_a_complaint_and_tracks_it(portal: dict[str, Any], browser: Browser, live_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, traffic = open_page(browser, phone=True)
    page.goto(f"{live_server.url}/public/")
    page.get_by_role("searchbox").fill("byxy")  # pinyin initials of 北苑向阳
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name=portal["name"]).click()
    expect(page.get_by_role("heading", name=portal["name"])).to_be_visible()
    expect(page.get_by_test_id("badges")).not_to_be_empty()
    qr = page.get_by_test_id("qr")
    qr.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 200", arg=qr.element_handle())  # SVG loaded
    page.screenshot(path=str(SCREENSHOTS / "portal-institution-phone.png"), full_page=True)

    page.get_by_test_id("complain").click()
    expect(page.get_by_test_id("picked")).to_contain_text(portal["name"])
    form = page.get_by_test_id("complaint-form")
    form.get_by_label("举报：机构有违法违规行为（可匿名）").check()
    form.get_by_label("投诉类别").select_option(label="消防安全")
    form.get_by_label("投诉内容").fill("后门安全出口停满电动车，孩子们放学时很拥挤，存在安全隐患。")
    form.locator("input[type=file]").set_input_files(str(portal["photo"]))
    form.get_by_label("您的姓名").fill("刘女士")
    form.get_by_label("联系电话").fill("13955556666")
    page.screenshot(path=str(SCREENSHOTS / "portal-complaint-form-phone.png"), full_page=True)
    page.wait_for_timeout(1100)
    form.get_by_role("button", name="提交投诉").click()
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    assert len(code) == 19
    page.screenshot(path=str(SCREENSHOTS / "portal-complaint-done-phone.png"), full_page=True)

    page.get_by_role("link", name="查询办理进度").click()
    page.get_by_label("查询码").fill(code.lower())
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("tracking-result")).to_contain_text("已收到，等待受理")
    expect(page.locator("body")).not_to_contain_text("13955556666")
    page.screenshot(path=str(SCREENSHOTS / "portal-complaint-track-phone.png"), full_page=True)

    # The form's live registry search (htmx, vendored) finds institutions as one types.
    page.goto(f"{live_server.url}/public/complaints/")
    page.get_by_role("searchbox").fill("北苑")
    expect(page.get_by_test_id("pick-results")).to_contain_text(portal["name"])
    traffic.assert_only_local(live_server.url)
    assert not traffic.errors and not traffic.failed and not traffic.bad_responses, traffic.__dict__
