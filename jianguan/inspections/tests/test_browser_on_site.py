"""An officer fills the on-site form on a phone in a real Chromium: starts the inspection, answers every item (one
at a time over htmx), photographs a failed item with the camera input, signs and completes; the documents appear.

Same rules as accounts/tests/test_browser_login.py: all ORM work happens in fixtures before Playwright starts.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, expect

from jianguan.accounts.demo import DEMO_PASSWORD
from jianguan.accounts.models import User
from jianguan.accounts.tests.test_browser_login import open_page, sign_in
from jianguan.inspections import services
from jianguan.registry.models import Institution
from tests.support.browser import SCREENSHOTS, chromium, live_server_settings
from tests.support.demo import load_demo_district

pytestmark = pytest.mark.browser


@pytest.fixture
def planned(live_server: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    live_server_settings(settings, tmp_path / "media")
    load_demo_district(today=timezone.localdate(), log=lambda *args, **kwargs: None, inspections=False)
    users = {u.username: u for u in User.objects.filter(username__in=["lead", "edu1", "fire1"])}
    institution = Institution.objects.get(name="城东明德文化培训学校")
    inspection = services.inspection_create(
        actor=users["lead"],
        institution=institution,
        scheduled_at=timezone.now(),
        officers=[users["edu1"], users["fire1"]],
    )
    # An item that needs a photo and is ordered with a date by education (on the team): the public notices.
    items = [
        (pk, order, photo and remedy == "deadline" and code == "public_notices")
        for pk, order, photo, remedy, code in inspection.checklist_version.items.values_list(
            "pk", "order", "photo_required", "remedy", "code"
        )
    ]
    photo = tmp_path / "IMG_20261126_093000.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 60, 60)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    return {"pk": inspection.pk, "items": items, "photo": photo}


@pytest.fixture
def browser(planned: dict[str, Any]) -> Any:
    with chromium() as browser:  # after the data fixture: no ORM once Playwright runs
        yield browser


def test_an_officer_fills_the_on_site_form_on_a_phone(planned: dict[str, Any], browser: Browser, live_server: Any):
    page, traffic = open_page(browser, phone=True)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, "edu1", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/inspections/{planned['pk']}/")
    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("inspection-status")).to_contain_text("检查中")

    failed_pk, failed_order, _photo = next(i for i in planned["items"] if i[2])
    for pk, order, _needs_photo in planned["items"]:
        row = page.locator(f"#item-{pk}")
        if pk == failed_pk:
            row.get_by_text("不合格", exact=True).click()
            expect(page.locator(f"#item-{pk}")).to_have_class("list-group-item list-group-item-danger")
            note = page.locator(f"#item-{pk} input[name=note]")
            note.fill("现场未公示收费标准")
            note.dispatch_event("change")
        else:
            row.get_by_text("合格", exact=True).click()
        # The queue sends it: the item says 已保存 once the server has it.
        expect(row.get_by_test_id("sync-state")).to_have_text("已保存")

    # The 拍照 control is reachable by keyboard: Tab from the item's 当场整改 box lands on its file input.
    page.locator(f"#f-{failed_pk}").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "photo"
    # The camera input on the failed item (submits on change and comes back to the item).
    page.locator(f"#item-{failed_pk} input[type=file]").set_input_files(str(planned["photo"]))
    expect(page.locator(f"#item-{failed_pk} img")).to_have_count(1)
    expect(page.locator(f"#item-{failed_pk}").get_by_test_id("sync-state")).to_have_text("已保存")
    expect(page.locator(f"#item-{failed_pk} img.jg-photo-pending")).to_have_count(0)
    expect(page.locator(f"#item-{failed_pk} input[name=note]")).to_have_value("现场未公示收费标准")

    # Signatures drawn with a finger on the party's pad and the officer's own.
    for pad in page.locator("[data-signature-pad]").all()[:1] + page.locator("[data-signature-pad]").all()[-2:-1]:
        pad.locator("canvas").scroll_into_view_if_needed()
        box = pad.locator("canvas").bounding_box()
        page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
        page.mouse.down()
        for step in range(1, 12):
            page.mouse.move(box["x"] + 20 + step * 25, box["y"] + box["height"] * (0.3 if step % 2 else 0.7))
        page.mouse.up()
        assert pad.locator("input").input_value().startswith("data:image/png;base64,")
    # The record's head as it happened: certificates shown, the party's answer to the recusal question.
    page.get_by_label("执法人员已向当事人出示执法证件，表明身份").check()
    page.locator("input[name=recusal_requested][value='0']").check()
    # Completing without the party's name: the page comes back with the message beside the field, in view and
    # focused, and the drawn signatures kept.
    name = page.get_by_label("机构负责人/现场负责人签名")
    name.fill("")
    page.get_by_test_id("complete").click()
    expect(name).to_be_focused()
    expect(page.locator("#complete ~ form [role=alert]").first).to_contain_text("请填写在场负责人姓名")
    assert page.locator("[data-signature-pad] input").first.input_value().startswith("data:image/png;base64,")
    assert traffic.bad_responses == [f"400 {live_server.url}/inspections/{planned['pk']}/complete/"]  # the refusal
    traffic.bad_responses.clear()
    name.fill("黄志强")
    page.get_by_test_id("complete").click()
    expect(page.get_by_test_id("inspection-status")).to_contain_text("已完成")
    documents = page.get_by_test_id("documents")
    expect(documents).to_contain_text("现场检查笔录")
    expect(documents).to_contain_text("责令整改通知书")
    expect(page.locator("body")).to_contain_text("手写签名 2 份")
    expect(page.locator("#findings + ul")).to_contain_text("现场未公示收费标准")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "on-site-form-completed.png"), full_page=True)
    traffic.assert_only_local(live_server.url)
    assert failed_order >= 1
