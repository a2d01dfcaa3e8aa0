"""Shared pieces of the browser tests (Debian's Chromium driven by Playwright's sync API).

Async safety: while Playwright's sync API is open, Django's ORM refuses to run in that thread. Browser tests do all
their database work in fixtures that run before `chromium()` starts, and close Playwright before pytest-django
flushes the database; the live server answers in its own thread, where the ORM is fine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(django_settings.BASE_DIR) / "test-results" / "browser"


def live_server_settings(settings: Any, media_root: Path | None = None) -> None:
    """What a live-server test needs: plain static storage (the manifest one needs collectstatic), a media folder of
    its own, and the data migrations' rows back (live-server tests flush the database between tests)."""
    from jianguan.checklists.defaults import install_defaults

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if media_root is not None:
        settings.MEDIA_ROOT = media_root
    install_defaults()


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, launched headless; fails with the command that installs it when it is missing."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
            "Run `make setup-browser` (as root it installs the `chromium` package), then try again.",
            pytrace=False,
        )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# Content-Security-Policy violations the pages of the current test reported (Chromium logs each to the console);
# the browser tests' teardown fails the test when there is any (conftest.py).
CSP_VIOLATIONS: list[str] = []


def note_csp_violation(console_text: str) -> None:
    if "Content Security Policy" in console_text or "Content-Security-Policy" in console_text:
        CSP_VIOLATIONS.append(console_text)
