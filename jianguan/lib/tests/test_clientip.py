"""The client IP behind our own proxies: the right-most hop that is not ours, never what the client wrote."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.urls import reverse

from jianguan.audit.models import AuditEvent
from jianguan.lib.clientip import client_ip, parse_trusted_proxies


def _ip(settings, trusted: str, remote: str, forwarded: str | None = None) -> str | None:
    settings.JIANGUAN_TRUSTED_PROXIES = parse_trusted_proxies(trusted)
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    assert _ip(settings, "", "203.0.113.7", "1.2.3.4") == "203.0.113.7"


def test_one_proxy_by_count_takes_the_hop_it_appended_not_the_clients_left_most_entry(settings):
    # nginx appends $remote_addr: the client forged "1.2.3.4", nginx saw 203.0.113.7.
    assert _ip(settings, "1", "127.0.0.1", "1.2.3.4, 203.0.113.7") == "203.0.113.7"
    assert _ip(settings, "1", "127.0.0.1", "203.0.113.7") == "203.0.113.7"
    assert _ip(settings, "2", "127.0.0.1", "9.9.9.9, 203.0.113.7, 10.0.0.5") == "203.0.113.7"


def test_proxies_by_address_skip_every_trusted_hop_from_the_right(settings):
    trusted = "127.0.0.1, 10.0.0.0/8"
    assert _ip(settings, trusted, "127.0.0.1", "1.2.3.4, 203.0.113.7, 10.1.2.3") == "203.0.113.7"
    # A request that did not come through our proxy: its header is the client's own invention.
    assert _ip(settings, trusted, "198.51.100.9", "1.2.3.4") == "198.51.100.9"
    # Garbage where an address should be: the nearest trusted hop is all we know.
    assert _ip(settings, trusted, "127.0.0.1", "<script>") == "127.0.0.1"
    assert _ip(settings, "2001:db8::/32", "2001:db8::1", "2001:db8::2, 2400:cb00::1") == "2400:cb00::1"


def test_a_nonsense_setting_is_refused_at_start_and_the_old_flag_is_gone():
    with pytest.raises(ImproperlyConfigured, match="JIANGUAN_TRUSTED_PROXIES"):
        parse_trusted_proxies("nginx")
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='jianguan.settings'; django.setup()",
        ],
        env={"JIANGUAN_TRUST_X_FORWARDED_FOR": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "JIANGUAN_TRUSTED_PROXIES" in result.stderr


def test_rotating_forged_entries_neither_dodges_the_rate_limit_nor_reaches_the_audit(settings, district):
    settings.JIANGUAN_TRUSTED_PROXIES = parse_trusted_proxies("1")
    settings.JIANGUAN_PUBLIC_RATE_LIMIT = 3
    from django.core.cache import cache

    cache.clear()
    client = Client()
    codes = [
        client.get(
            reverse("portal:search"),
            {"q": "x"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.0.{n}.1, 203.0.113.7",
        ).status_code
        for n in range(6)
    ]
    assert codes == [200, 200, 200, 429, 429, 429]
    client.post(
        reverse("accounts:login"),
        {"username": "nobody", "password": "wrong-password"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.8",
    )
    from jianguan.accounts.models import LoginAttempt

    assert LoginAttempt.objects.filter(username="nobody").get().ip == "203.0.113.8"
    assert not AuditEvent.objects.filter(ip="6.6.6.6").exists()
