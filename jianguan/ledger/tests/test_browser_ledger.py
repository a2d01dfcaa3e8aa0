"""An institution submits its rectification from a phone; the supervising officer rechecks and closes the item.

Same rules as accounts/tests/test_browser_login.py: all ORM work happens in fixtures before Playwright starts.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, expect

from jianguan.accounts.demo import DEMO_PASSWORD
from jianguan.accounts.models import User
from jianguan.accounts.tests.test_browser_login import open_page, sign_in
from jianguan.inspections import services as inspections
from jianguan.ledger.models import LedgerItem
from tests.support.browser import SCREENSHOTS, chromium, live_server_settings
from tests.support.demo import load_demo_district

pytestmark = pytest.mark.browser


@pytest.fixture
def item(live_server: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    live_server_settings(settings, tmp_path / "media")
    load_demo_district(today=timezone.localdate(), log=lambda *args, **kwargs: None, inspections=False)
    users = {u.username: u for u in User.objects.filter(username__in=["lead", "edu1", "fire1", "inst"])}
    institution = users["inst"].institution
    start = timezone.now() - timedelta(hours=2)
    inspection = inspections.inspection_create(
        actor=users["lead"], institution=institution, scheduled_at=start, officers=[users["edu1"], users["fire1"]]
    )
    inspections.inspection_start(actor=users["edu1"], inspection=inspection, at=start)
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 90, 200)).save(buffer, "JPEG")
    photo = tmp_path / "IMG_after.jpg"
    photo.write_bytes(buffer.getvalue())
    from django.core.files.uploadedfile import SimpleUploadedFile

    for check in inspection.checklist_version.items.all():
        failed = check.text.startswith("按规定配置灭火器")
        result = inspections.result_record(
            actor=users["fire1"], inspection=inspection, item=check, outcome="fail" if failed else "pass",
            note="灭火器过期" if failed else "",
        )  # fmt: skip
        if failed:
            inspections.evidence_add(
                actor=users["fire1"], inspection=inspection, result=result,
                upload=SimpleUploadedFile("before.jpg", buffer.getvalue(), "image/jpeg"),
            )  # fmt: skip
    inspections.inspection_complete(
        certificates_shown=True,
        recusal_requested=False,
        actor=users["edu1"],
        inspection=inspection,
        representative_name="何校长",
    )
    ledger_item = LedgerItem.objects.get(inspection=inspection)
    return {"pk": ledger_item.pk, "photo": photo}


@pytest.fixture
def browser(item: dict[str, Any]) -> Any:
    with chromium() as browser:  # after the data fixture: no ORM once Playwright runs
        yield browser


def test_institution_submits_from_a_phone_and_the_officer_closes(item: dict[str, Any], browser: Browser, live_server):
    url = f"{live_server.url}/ledger/{item['pk']}/"
    page, traffic = open_page(browser, phone=True)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, "inst", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/ledger/?status=pending")
    # On a phone the filters fold behind one button that counts those in use.
    toggle = page.get_by_test_id("filters-toggle")
    expect(toggle).to_have_text("筛选（1）")
    expect(page.locator("#ledger-filters")).to_be_hidden()
    toggle.click()
    expect(page.locator("#ledger-filters")).to_be_visible()
    # Printed: no navigation, filters or buttons; the list and its badges stay.
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("#ledger-filters")).to_be_hidden()
    expect(page.get_by_role("link", name="按规定配置灭火器")).to_be_visible()
    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/ledger/")
    page.get_by_role("link", name="按规定配置灭火器").click()
    expect(page).to_have_url(url)
    expect(page.get_by_test_id("item-status")).to_contain_text("待整改")
    submit = page.get_by_test_id("action-submit")
    submit.locator("summary").click()
    submit.get_by_label("整改情况").fill("已更换 3 具灭火器，附购买凭证和现场照片")
    submit.locator("input[type=file]").set_input_files(str(item["photo"]))
    submit.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("item-status")).to_contain_text("待复查")
    expect(page.get_by_test_id("history")).to_contain_text("已更换 3 具灭火器")
    page.screenshot(path=str(SCREENSHOTS / "ledger-institution-submitted.png"), full_page=True)
    traffic.assert_only_local(live_server.url)
    page.context.close()

    page, traffic = open_page(browser, phone=False)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, "fire1", DEMO_PASSWORD)
    # The officer was told (the inbox's count) and finds the item on the home page's to-do list.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("unread")).to_be_visible()
    rechecks = page.get_by_test_id("todo").locator("[data-section=rechecks]")
    row = rechecks.locator("li", has_text="按规定配置灭火器")
    expect(row).to_contain_text("已提交整改材料")
    row.get_by_role("link").click()
    expect(page).to_have_url(url)
    recheck = page.get_by_test_id("action-recheck")
    recheck.get_by_label("通过，予以销号").check()
    recheck.get_by_label("复查情况").fill("现场查看，灭火器压力正常、在有效期内")
    # Two certified officers recheck: those who inspected are ticked already (here 张教育 with fire1).
    expect(recheck.get_by_label("张教育（青岚区教育局）")).to_be_checked()
    recheck.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ledger-officer-after-recheck.png"), full_page=True)
    expect(page.get_by_test_id("item-status")).to_contain_text("已销号")
    expect(page.locator("body")).to_contain_text("整改复查意见书")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ledger-officer-closed.png"), full_page=True)
    traffic.assert_only_local(live_server.url)
    page.context.close()

    # The institution hears of the result in its inbox.
    page, traffic = open_page(browser, phone=True)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, "inst", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/notifications/")
    expect(page.get_by_test_id("notifications")).to_contain_text("复查通过，已销号")
    expect(page.get_by_test_id("notifications")).to_contain_text("收到责令整改通知书")
    traffic.assert_only_local(live_server.url)
