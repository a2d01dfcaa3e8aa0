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


# Accessibility: axe-core (vendored from npm, tests/support/vendor) runs on every page a browser test opens, once the
# page has loaded, against WCAG 2.1 A and AA; each violation is recorded for the test's teardown (conftest.py), like
# the CSP violations above.
AXE_VIOLATIONS: list[str] = []
AXE_CHECKED: list[str] = []  # the pages axe-core reported on
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
AXE_RUNNER = """
(() => {
  if (window.top !== window) return;
  window.addEventListener("load", () => {
    window.axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
      .then((result) => window.__jianguanAxe(location.pathname + location.search, result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " :: " + (n.failureSummary || "").split("\\n")[1]),
      }))))
      .catch((error) => window.__jianguanAxe(location.pathname, [{id: "axe-error", help: String(error), nodes: []}]));
  });
})();
"""


def note_axe_violations(_source: Any, url: str, violations: list[dict[str, Any]]) -> None:
    AXE_CHECKED.append(url)
    for v in violations:
        AXE_VIOLATIONS.append(f"{url}: {v['id']} ({v.get('impact')}) {v['help']} — {v['nodes']}")


def check_accessibility(context: Any) -> None:
    """Run axe-core on every page this browser context loads (see AXE_VIOLATIONS)."""
    context.expose_binding("__jianguanAxe", note_axe_violations)
    context.add_init_script(script=AXE_SOURCE + AXE_RUNNER)
