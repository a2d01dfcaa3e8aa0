"""Every demo account signs in through a real Chromium and sees its name, its role and its role's navigation.

Run by `make test-browser` and CI (`pytest -m browser -p no:xdist`). Uses Debian's Chromium at /usr/bin/chromium
through Playwright's sync API (no Playwright browser download); screenshots go to test-results/browser/.

Async safety: Playwright's sync API runs an asyncio event loop in this thread (in a greenlet), and while it is open
Django's ORM refuses to run here ("SynchronousOnlyOperation: You cannot call this from an async context"). Rather
than setting DJANGO_ALLOW_ASYNC_UNSAFE, which would switch the guard off for the whole pytest process and every
other test in it, these tests do all their database work (loading the demo district, computing what each account
should see) in fixtures that run before Playwright starts, and Playwright is closed again before pytest-django
flushes the database. The live server answers in its own thread, where no event loop runs, so its ORM calls are
fine. Do not add ORM calls inside the `with sync_playwright()` block.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, expect

from jianguan.accounts.choices import Role
from jianguan.accounts.context_processors import MAIN, NAVIGATION
from jianguan.accounts.demo import ACCOUNTS, DEMO_PASSWORD, DemoAccount
from jianguan.accounts.models import User
from jianguan.accounts.permissions import allowed
from jianguan.demo.loader import load_demo
from tests.support.browser import (
    SCREENSHOTS,
    check_accessibility,
    chromium,
    live_server_settings,
    note_csp_violation,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# Institution staff and street officers mostly work from their phones; everyone else gets a desktop window.
PHONE_ACCOUNTS = {"inst", "east"}
TITLE = "校外培训机构监管信息平台"


@dataclass(frozen=True)
class Expected:
    """What a signed-in account should see, computed from the database before the browser starts."""

    username: str
    name: str
    role_label: str
    nav: list[str]
    main: list[str] = field(default_factory=list)  # the entries standing in the bar; the rest are under 更多
    hidden: list[str] = field(default_factory=list)


def expected_for(user: User) -> Expected:
    # The same rule as jianguan.accounts.context_processors.navigation, from the same two tables.
    with translation.override("zh-hans"):
        shown = [str(label) for label, _name, perm in NAVIGATION if perm is None or allowed(user, perm)]
        every = [str(label) for label, _name, _perm in NAVIGATION]
        return Expected(
            username=user.username,
            name=user.name,
            role_label=str(user.get_role_display()),
            nav=shown,
            main=[str(label) for label, _name, perm in NAVIGATION[:MAIN] if perm is None or allowed(user, perm)],
            hidden=[label for label in every if label not in shown],
        )


@pytest.fixture
def demo(live_server: Any, settings: Any) -> dict[str, Expected]:
    """The demo district, committed so the live server's thread sees it; returns what each account should see."""
    # The manifest storage (the default without DEBUG) needs `collectstatic` to have run, and its hashed names are not
    # what the live server's static handler (the finders) serves; plain storage serves the same vendored files.
    live_server_settings(settings)
    # `live_server` brings pytest-django's transactional_db: these rows are committed, not in a test transaction.
    load_demo(today=timezone.localdate(), log=lambda *args, **kwargs: None, inspections=False)
    users = User.objects.filter(username__in=[a.username for a in ACCOUNTS])
    expected = {user.username: expected_for(user) for user in users}
    assert sorted(expected) == sorted(a.username for a in ACCOUNTS), "load_demo did not create every demo account"
    return expected


@pytest.fixture
def browser(demo: dict[str, Expected]) -> Iterator[Browser]:
    # Depends on `demo` so the database work is done before Playwright's event loop starts (see the module docstring).
    with chromium() as browser:
        yield browser


@dataclass
class Traffic:
    """Every request the page made, so a test can prove nothing came from outside the platform (no CDN)."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)

    def assert_only_local(self, base_url: str) -> None:
        # data: URIs (Bootstrap's inline SVG icons) and the page's own blob: URLs (a photo waiting in the on-site
        # form's queue) never leave the browser, so they are not network requests.
        network = [url for url in self.requests if not url.startswith(("data:", f"blob:{base_url}/"))]
        assert network, "the page made no requests at all"
        assert any("/static/" in url for url in network), f"no static assets were loaded: {network}"
        foreign = [url for url in network if not url.startswith(base_url + "/")]
        assert not foreign, f"requests left the platform (CDN or other external host): {foreign}"
        assert not self.failed, f"requests failed: {self.failed}"
        assert not self.bad_responses, f"error responses: {self.bad_responses}"
        assert not self.errors, f"JavaScript errors: {self.errors}"


def open_page(browser: Browser, *, phone: bool) -> tuple[Page, Traffic]:
    context = browser.new_context(
        viewport=PHONE if phone else DESKTOP,
        is_mobile=phone,
        has_touch=phone,
        # The platform's users run Chinese browsers; LocaleMiddleware would follow an English Accept-Language.
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    check_accessibility(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    traffic = Traffic()
    page.on("request", lambda request: traffic.requests.append(request.url))
    # A request the browser itself aborted (net::ERR_ABORTED: the page navigated on while the favicon was loading) is
    # not a failure of the platform; refused, reset or unreachable ones are.
    page.on(
        "requestfailed",
        lambda request: (
            "ERR_ABORTED" not in (request.failure or "") and traffic.failed.append(f"{request.url} ({request.failure})")
        ),
    )
    page.on("response", lambda r: r.status >= 400 and traffic.bad_responses.append(f"{r.status} {r.url}"))
    page.on("pageerror", lambda error: traffic.errors.append(str(error)))
    # A Content-Security-Policy violation is a failure of its own (recorded for the test's teardown to report,
    # whatever the test itself checks): the page relied on inline script or style, or on a foreign source.
    page.on("console", lambda message: note_csp_violation(f"{message.text} [{page.url} {message.location}]"))
    return page, traffic


def open_login(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()


_LAST_STEP: dict[str, int] = {}


def _demo_code(username: str) -> str:
    """The demo account's code for a time step not used before (a code is accepted once, one step either side)."""
    import time

    import pyotp

    from jianguan.accounts.demo import DEMO_TOTP_SECRETS

    totp = pyotp.TOTP(DEMO_TOTP_SECRETS[username])
    step = max(int(time.time() // 30), _LAST_STEP.get(username, 0) + 1)
    while step > int(time.time() // 30) + 1:  # used up to the next step already: wait for the clock
        time.sleep(1)
    _LAST_STEP[username] = step
    return totp.at(step * 30)


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()
    if "/accounts/login/verify/" in page.url:  # admin and lead sign in in two steps
        page.get_by_label("验证码").fill(_demo_code(username))
        page.get_by_role("button", name="验证").click()
        page.wait_for_load_state()


def screenshot_path(username: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{username}.png"


def test_personas_cover_every_role_on_phone_and_desktop() -> None:
    usernames = {a.username for a in ACCOUNTS}
    assert {a.role for a in ACCOUNTS} == set(Role.values), "the demo district should have an account for every role"
    assert usernames >= PHONE_ACCOUNTS, "a phone persona is not a demo account any more"
    assert usernames - PHONE_ACCOUNTS, "no desktop persona left"


@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda a: a.username)
def test_demo_account_signs_in_and_sees_its_role_navigation(
    account: DemoAccount, demo: dict[str, Expected], browser: Browser, live_server: Any
) -> None:
    want = demo[account.username]
    phone = account.username in PHONE_ACCOUNTS

    # Spot checks, so that a mistake in computing `want` (or an empty NAVIGATION) cannot pass unnoticed.
    assert want.name == account.name
    assert "首页" in want.nav
    if account.username == "admin":
        assert {"账户", "审计", "职责分工"} <= set(want.nav)
    if account.username == "lead":
        assert "职责分工" in want.nav
        assert "账户" not in want.nav
    if account.username == "inst":
        assert "职责分工" not in want.nav
        assert "审计" not in want.nav

    page, traffic = open_page(browser, phone=phone)
    open_login(page, live_server.url)
    sign_in(page, account.username, DEMO_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    links = page.locator("#jg-nav ul.navbar-nav.me-auto .nav-link:not(.dropdown-toggle)")
    if phone:
        # Below Bootstrap's lg breakpoint the menu is collapsed behind the toggler.
        expect(page.locator("#jg-nav")).to_be_hidden()
        toggler = page.get_by_role("button", name="菜单")
        expect(toggler).to_be_visible()
        toggler.click()
        expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#jg-nav")).to_be_visible()

    current_user = page.get_by_test_id("current-user")
    expect(current_user).to_be_visible()
    expect(current_user).to_contain_text(want.name)
    expect(current_user).to_contain_text(want.role_label)

    main, more = want.nav[: len(want.main)], want.nav[len(want.main) :]
    expect(links).to_have_text(main)  # exactly these entries, in this order
    for label in main:
        # Whole-text match: 检查 is also the start of 检查表.
        expect(links.filter(has_text=re.compile(f"^{re.escape(label)}$"))).to_be_visible()
    if more:  # the rest sit in the 更多 menu
        page.get_by_test_id("nav-more").click()
        expect(page.locator("#jg-nav ul.me-auto .dropdown-menu .dropdown-item")).to_have_text(more)
        page.keyboard.press("Escape")
    else:
        expect(page.get_by_test_id("nav-more")).to_have_count(0)
    for label in want.hidden:
        expect(page.get_by_role("link", name=label, exact=True)).to_have_count(0)
    expect(links.filter(has_text="首页")).to_have_attribute("aria-current", "page")
    # The same spot checks on the page itself.
    if account.username == "admin":
        page.get_by_test_id("nav-more").click()
        expect(page.get_by_role("link", name="审计", exact=True)).to_be_visible()
        page.keyboard.press("Escape")
    if account.username == "inst":
        expect(page.get_by_role("link", name="审计", exact=True)).to_have_count(0)
        expect(page.get_by_role("link", name="职责分工", exact=True)).to_have_count(0)

    page.screenshot(path=screenshot_path(account.username), full_page=True)
    traffic.assert_only_local(live_server.url)
    page.context.close()


def test_repeated_wrong_passwords_lock_the_account(
    demo: dict[str, Expected], browser: Browser, live_server: Any, settings: Any
) -> None:
    threshold = settings.LOGIN_LOCKOUT_USER_FAILURES  # 5 by default: the 6th attempt meets the lock
    account = "east"
    page, traffic = open_page(browser, phone=False)
    open_login(page, live_server.url)
    # The first Tab reaches the skip link, which moves focus to the page's content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    alert = page.locator(".alert-danger[role=alert]")

    for attempt in range(1, threshold + 2):
        sign_in(page, account, "Wrong#Password1")
        expect(page.get_by_test_id("current-user")).to_have_count(0)
        if attempt <= threshold:
            expect(alert).to_have_text("用户名或密码不正确。")
        else:
            expect(alert).to_contain_text("锁定")

    # While locked even the right password is refused, and the message does not reveal that it was right.
    sign_in(page, account, DEMO_PASSWORD)
    expect(alert).to_contain_text("锁定")
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    page.screenshot(path=screenshot_path(f"{account}-locked"), full_page=True)
    traffic.assert_only_local(live_server.url)
    page.context.close()
