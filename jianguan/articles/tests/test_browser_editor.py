"""The article editor in a real Chromium: Quill writes its HTML into the form, the formatting reaches the public page,
an existing article opens in the editor, and without JavaScript the plain textarea still works.

Same rules as accounts/tests/test_browser_login.py: all ORM work happens in fixtures before Playwright starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Browser, expect

from jianguan.accounts.demo import DEMO_PASSWORD
from jianguan.accounts.tests.test_browser_login import open_page, sign_in
from jianguan.articles.models import Article
from jianguan.demo.loader import load_demo
from tests.support.browser import SCREENSHOTS, chromium, live_server_settings

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(live_server: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    live_server_settings(settings, tmp_path / "media")
    cache.clear()
    load_demo(today=timezone.localdate(), log=lambda *args, **kwargs: None, inspections=False)
    tip = Article.objects.get(title__startswith="校外培训预付费消费提示")
    return {"tip": tip.pk}


@pytest.fixture
def browser(demo: dict[str, Any]) -> Any:
    with chromium() as browser:  # after the data fixture: no ORM once Playwright runs
        yield browser


def test_the_editor_writes_formatted_html_that_reaches_the_public_page(demo, browser: Browser, live_server):
    page, traffic = open_page(browser, phone=False)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, "lead", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/articles/new/")
    expect(page.locator("textarea[name=body]")).to_be_hidden()
    editor = page.locator(".ql-editor")
    expect(editor).to_be_visible()
    page.get_by_label("栏目").select_option("notice")
    page.get_by_label("标题").fill("浏览器测试通知")
    editor.click()
    page.keyboard.type("Parents please note ")
    page.keyboard.press("Control+b")
    page.keyboard.type("加粗内容")
    page.keyboard.press("Control+b")
    page.keyboard.press("Enter")
    page.locator("button.ql-list[value=bullet]").click()
    page.keyboard.type("第一项")
    page.keyboard.press("Enter")
    page.keyboard.type("第二项")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "article-editor.png"), full_page=True)
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("草稿已保存")
    row = page.locator("tr", has_text="浏览器测试通知")
    expect(row).to_contain_text("草稿")
    row.get_by_role("button", name="发布").click()
    expect(page.locator(".alert-success")).to_contain_text("已发布")
    page.locator("tr", has_text="浏览器测试通知").get_by_role("link", name="公众页面").click()
    body = page.get_by_test_id("article-body")
    expect(body.locator("strong")).to_have_text("加粗内容")
    expect(body.locator("ul > li")).to_have_text(["第一项", "第二项"])
    assert "&nbsp;" not in body.inner_html()
    expect(body).to_contain_text("Parents please note")
    page.screenshot(path=str(SCREENSHOTS / "article-public.png"), full_page=True)
    page.goto(f"{live_server.url}/public/")
    expect(page.get_by_test_id("latest-articles")).to_contain_text("浏览器测试通知")
    page.screenshot(path=str(SCREENSHOTS / "article-portal-search.png"), full_page=True)
    traffic.assert_only_local(live_server.url)

    # An existing article opens in the editor with its formatting.
    page.goto(f"{live_server.url}/articles/{demo['tip']}/")
    expect(page.locator(".ql-editor ol > li").first).to_contain_text("先查证照")
    expect(page.locator(".ql-editor strong").first).to_have_text("先查证照。")
    page.context.close()


def test_without_javascript_the_textarea_still_works(demo, browser: Browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, "lead", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/articles/new/")
    textarea = page.locator("textarea[name=body]")
    expect(textarea).to_be_visible()
    expect(page.locator(".ql-editor")).to_have_count(0)
    page.get_by_label("栏目").select_option("consumer_tip")
    page.get_by_label("标题").fill("无脚本录入")
    textarea.fill("第一段\n\n第二段 <script>alert(1)</script>")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("草稿已保存")
    page.locator("tr", has_text="无脚本录入").get_by_role("link", name="无脚本录入").click()
    expect(page.locator("textarea[name=body]")).to_have_value("<p>第一段</p>\n\n<p>第二段 </p>")
    context.close()
