"""Shared test fixtures: the named personas every view and API test uses, on a small district.

The district is built once per test database (per xdist worker) through the real services; each test then runs in a
transaction that is rolled back, and gets fresh instances of the district's rows.
"""

from __future__ import annotations

import itertools
import types

import pytest
from django.test import Client

from tests.support.district import PERSONAS, make_district, persona_client

_travel = None


def pytest_configure(config):
    from django.conf import settings
    from hypothesis import settings as hypothesis_settings

    # No per-example deadline: speed is measured in benchmarks/, never timed in the unit suite (a cold calendar
    # cache or a busy CI machine made the first example of a property test "too slow").
    hypothesis_settings.register_profile("jianguan", deadline=None)
    hypothesis_settings.load_profile("jianguan")

    # JIANGUAN_TEST_NOW=2026-12-28T10:00+08:00 runs the suite with the clock set to that moment (and ticking):
    # deadlines counted from "today" run into next year, whose holidays the calendar package may not know.
    import os

    if now := os.environ.get("JIANGUAN_TEST_NOW"):
        import time_machine

        global _travel
        _travel = time_machine.travel(now, tick=True)
        _travel.start()

    # PBKDF2's real cost protects production passwords; tests only need a working hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests never commit, so the portal's cache (invalidated on commit) could hand one test another's page: off,
    # except in portal/tests/test_cache.py, which turns it on itself.
    settings.JIANGUAN_PORTAL_CACHE_SECONDS = 0
    # The manifest storage needs `collectstatic` first; a fresh clone (CI) has not run it.
    # Uploaded and generated files (licence scans, documents) go to a directory of this run, never to var/media.
    import tempfile

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="jianguan-test-media-")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """The calendar's process-wide cache is cleared around every test: a test's rolled-back rows never outlive it."""
    from jianguan.lib import workdays

    workdays.clear_cache()
    yield
    workdays.clear_cache()


_RATE_WINDOWS = itertools.count(1)


@pytest.fixture(autouse=True)
def _a_fresh_rate_window(monkeypatch):
    """Rate limits count in fixed windows of the clock (a minute, an hour). In-process, each test's limiter clock is
    shifted to the middle of a window no other test used: its few requests never straddle a window's turn (CI failed
    once on a first request at 06:11:59.998 and the next two at 06:12:00), and never share a count with the test
    before it in the same minute. The clock still ticks, and follows time_machine's travels."""
    import time

    from jianguan.lib import ratelimit

    start = time.time()
    offset = next(_RATE_WINDOWS) * 10**8 + 1830 - start % 3600  # 30 s into a minute, 30 min into an hour
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: time.time() + offset))


@pytest.fixture(autouse=True)
def _no_csp_violations(request):
    """Browser tests fail on any Content-Security-Policy violation a page reported (ECharts, htmx and Quill must work
    without inline script or style), and on any accessibility violation axe-core found on a page they opened."""
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    from tests.support.browser import AXE_CHECKED, AXE_VIOLATIONS, CSP_VIOLATIONS

    CSP_VIOLATIONS.clear()
    AXE_VIOLATIONS.clear()
    AXE_CHECKED.clear()
    yield
    assert not CSP_VIOLATIONS, f"Content-Security-Policy violations: {CSP_VIOLATIONS}"
    assert not AXE_VIOLATIONS, "Accessibility (axe-core, WCAG 2.1 AA) violations:\n" + "\n".join(AXE_VIOLATIONS)


@pytest.fixture(scope="session")
def _district_rows(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return make_district()


@pytest.fixture
def district(_district_rows, db):
    """Two streets, four departments, the matrix, an institution in each street, and every persona."""
    from jianguan.lib import workdays

    workdays.clear_cache()
    return _district_rows.reload()


@pytest.fixture
def personas(district):
    return district.users


@pytest.fixture(params=PERSONAS)
def persona(request, district):
    """Parametrises a test over every persona: (name, user), with None for anonymous."""
    return request.param, district.users.get(request.param)


@pytest.fixture
def client_for(district):
    def make(name: str) -> Client:
        return persona_client(district.users.get(name))

    return make
