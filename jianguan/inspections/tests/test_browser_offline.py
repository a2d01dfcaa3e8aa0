"""The on-site form on a phone with a bad network, an expired session and a second officer, in a real Chromium: the
answers and the photo made offline are kept on the phone and reach the server once when the network returns; an
expired session asks for the password and loses nothing; two officers on one item get the conflict and choose.

Same rules as accounts/tests/test_browser_login.py: all ORM work happens in fixtures before Playwright starts; what
the server holds is read back through its pages.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from jianguan.accounts.demo import DEMO_PASSWORD
from jianguan.accounts.models import User
from jianguan.accounts.tests.test_browser_login import open_page, sign_in
from jianguan.inspections import services
from jianguan.registry.models import Institution
from tests.support.browser import SCREENSHOTS, chromium, live_server_settings
from tests.support.demo import load_demo_district

pytestmark = pytest.mark.browser


@pytest.fixture
def on_site(live_server: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    live_server_settings(settings, tmp_path / "media")
    load_demo_district(today=timezone.localdate(), log=lambda *args, **kwargs: None, inspections=False)
    users = {u.username: u for u in User.objects.filter(username__in=["lead", "edu1", "fire1"])}
    inspection = services.inspection_create(
        actor=users["lead"], institution=Institution.objects.get(name="城东明德文化培训学校"),
        scheduled_at=timezone.now(), officers=[users["edu1"], users["fire1"]],
    )  # fmt: skip
    services.inspection_start(actor=users["edu1"], inspection=inspection)
    items = list(inspection.checklist_version.items.values_list("pk", flat=True))
    photo = tmp_path / "IMG_big.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), (40, 120, 60)).save(buffer, "JPEG", quality=95)  # a phone camera's size
    photo.write_bytes(buffer.getvalue())
    return {"url": f"{live_server.url}/inspections/{inspection.pk}/", "items": items, "photo": photo}


@pytest.fixture
def browser(on_site: dict[str, Any]) -> Any:
    with chromium() as browser:  # after the data fixture: no ORM once Playwright runs
        yield browser


def _signed_in(browser: Browser, base: str, username: str, url: str) -> Page:
    page, _traffic = open_page(browser, phone=True)
    page.goto(f"{base}/accounts/login/")
    sign_in(page, username, DEMO_PASSWORD)
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # the offline copy is kept from here on
    return page


def _state(page: Page, pk: int) -> Any:
    return page.locator(f"#item-{pk}").get_by_test_id("sync-state")


def test_answers_and_a_photo_made_offline_reach_the_server_once(on_site, browser, live_server):
    page = _signed_in(browser, live_server.url, "edu1", on_site["url"])
    page.reload()  # the page is now also in the service worker's cache
    first, second, third = on_site["items"][:3]
    page.context.set_offline(True)
    page.locator(f"#item-{first}").get_by_text("合格", exact=True).click()
    page.locator(f"#item-{second}").get_by_text("不合格", exact=True).click()
    note = page.locator(f"#item-{second} input[name=note]")
    note.fill("消防通道堆放杂物")
    note.blur()  # offline: queued at once
    page.locator(f"#item-{third}").get_by_text("不适用", exact=True).click()
    page.locator(f"#item-{second} input[type=file]").set_input_files(str(on_site["photo"]))
    for pk in (first, second, third):
        expect(_state(page, pk)).to_have_text("待同步")
    banner = page.get_by_test_id("sync-banner")
    expect(banner).to_contain_text("当前离线")
    expect(page.locator(f"#item-{second} img.jg-photo-pending")).to_have_count(1)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "on-site-offline.png"), full_page=True)

    # Still offline, the page opens again from the phone, with what was answered.
    page.reload()
    expect(page.locator(f"#item-{second} input[value=fail]")).to_be_checked()
    expect(_state(page, second)).to_have_text("待同步")

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    for pk in (first, second, third):
        expect(_state(page, pk)).to_have_text("已保存")
    expect(page.locator(f"#item-{second} img.jg-photo-pending")).to_have_count(0)
    expect(banner).to_be_hidden()

    # The server has them, once: a fresh page shows the three answers, the note and one photo, compressed.
    page.reload()
    expect(page.locator(f"#item-{first} input[value=pass]")).to_be_checked()
    expect(page.locator(f"#item-{second} input[value=fail]")).to_be_checked()
    expect(page.locator(f"#item-{third} input[value=na]")).to_be_checked()
    expect(page.locator(f"#item-{second} input[name=note]")).to_have_value("消防通道堆放杂物")
    expect(page.locator(f"#item-{second} [data-photos] img")).to_have_count(1)
    size = page.evaluate(
        """async (src) => { const r = await fetch(src); const b = await createImageBitmap(await r.blob());
           return Math.max(b.width, b.height); }""",
        page.locator(f"#item-{second} [data-photos] a").get_attribute("href"),
    )
    assert size <= 2560
    # A replay of a write already recorded (the same idempotency key) records nothing new.
    replay = page.evaluate(
        """async ([url, key]) => {
             const data = new FormData(); data.append("outcome", "pass"); data.append("version", "0");
             const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
             const headers = {"Accept": "application/json", "X-CSRFToken": token, "X-Idempotency-Key": key};
             const one = await fetch(url, {method: "POST", body: data, headers});
             const two = await fetch(url, {method: "POST", body: data, headers});
             return [(await one.json()).result.version, (await two.json()).result.version]; }""",
        [f"{on_site['url']}items/{on_site['items'][3]}/", "replayed-key-1"],
    )
    assert replay[0] == replay[1] == 1


def test_an_expired_session_asks_for_the_password_and_loses_nothing(on_site, browser, live_server):
    page = _signed_in(browser, live_server.url, "edu1", on_site["url"])
    first = on_site["items"][0]
    page.context.clear_cookies(name="sessionid")  # the session ran out while the officer was on site
    page.locator(f"#item-{first}").get_by_text("不合格", exact=True).click()
    dialog = page.locator("#reauth")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("没有丢失")
    expect(_state(page, first)).to_have_text("待同步")
    expect(page.locator("#items")).not_to_contain_text("用户名")  # no login page pasted into the checklist
    dialog.get_by_label("密码").fill("wrong-password")
    dialog.get_by_role("button", name="登录并继续同步").click()
    expect(dialog.locator("[data-reauth-message]")).not_to_be_empty()
    dialog.get_by_label("密码").fill(DEMO_PASSWORD)
    dialog.get_by_role("button", name="登录并继续同步").click()
    expect(dialog).to_be_hidden()
    expect(_state(page, first)).to_have_text("已保存")
    page.reload()
    expect(page.locator(f"#item-{first} input[value=fail]")).to_be_checked()


def test_two_officers_on_one_item_get_the_conflict_and_keep_both_notes(on_site, browser, live_server):
    edu = _signed_in(browser, live_server.url, "edu1", on_site["url"])
    fire = _signed_in(browser, live_server.url, "fire1", on_site["url"])  # saw the item unanswered
    item = on_site["items"][0]
    edu.locator(f"#item-{item}").get_by_text("合格", exact=True).click()
    edu_note = edu.locator(f"#item-{item} input[name=note]")
    edu_note.fill("证照齐全")
    with edu.expect_response(lambda r: r.request.method == "POST" and f"/items/{item}/" in r.url):
        edu_note.blur()
    expect(_state(edu, item)).to_have_text("已保存")

    fire.locator(f"#item-{item}").get_by_text("不合格", exact=True).click()
    expect(_state(fire, item)).to_have_text("同步失败")
    conflict = fire.locator(f"#item-{item}").get_by_test_id("conflict")
    expect(conflict).to_contain_text("合格")
    expect(conflict).to_contain_text("您的：不合格")
    expect(fire.locator(f"#item-{item} [role=alert]")).to_contain_text("请核对后选择")
    fire.screenshot(path=str(SCREENSHOTS / "on-site-conflict.png"), full_page=True)
    fire.locator(f"#item-{item}").get_by_role("button", name="保留我的结果").click()
    expect(_state(fire, item)).to_have_text("已保存")
    fire_note = fire.locator(f"#item-{item} input[name=note]")
    fire_note.fill("灭火器过期")
    with fire.expect_response(lambda r: r.request.method == "POST" and f"/items/{item}/" in r.url):
        fire_note.blur()
    expect(_state(fire, item)).to_have_text("已保存")

    # Both notes are kept, each with who wrote it; the outcome is the one the fire officer chose to keep.
    edu.reload()
    expect(edu.locator(f"#item-{item} input[value=fail]")).to_be_checked()
    expect(edu.locator(f"#item-{item} input[name=note]")).to_have_value("证照齐全")
    expect(edu.locator(f"#item-{item}").get_by_test_id("other-notes")).to_contain_text("陈消防：灭火器过期")


def test_the_days_inspections_are_kept_ahead_from_the_to_do_list(on_site, browser, live_server):
    """Signed in at the office, the officer never opens the inspection; its page is kept anyway (the home page's
    to-do list names it) and opens in the basement without a network."""
    page, _traffic = open_page(browser, phone=True)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, "fire1", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("todo").locator("[data-section=inspections] a[data-prefetch]")).to_have_count(1)
    path = on_site["url"].removeprefix(live_server.url)
    page.wait_for_function(
        """async (path) => { await navigator.serviceWorker.ready;
             return !!(await (await caches.open("jg-pages")).match(path)); }""",
        arg=path,
    )
    page.context.set_offline(True)
    page.goto(on_site["url"])
    expect(page.get_by_test_id("inspection-status")).to_contain_text("检查中")
    expect(page.locator("[data-result-form]")).not_to_have_count(0)
