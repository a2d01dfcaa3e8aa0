"""Run as its own process (like one gunicorn worker): count N requests of one client into the shared rate limit
and print how many were let through. Used by lib/tests/test_ratelimit.py against a real Redis."""

from __future__ import annotations

import os
import sys


def main(purpose: str, n: int, limit: int, window: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianguan.settings")
    import django

    django.setup()
    from django.test import RequestFactory

    from jianguan.lib.ratelimit import retry_after

    factory = RequestFactory()
    allowed = sum(
        retry_after(factory.get("/", REMOTE_ADDR="203.0.113.9"), purpose, limit, window) is None for _ in range(n)
    )
    print(allowed)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
