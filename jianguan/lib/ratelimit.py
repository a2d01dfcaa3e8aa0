"""A fixed-window rate limit per client and purpose, kept in Django's cache (no outside service). With the default
local-memory cache it counts per process; point CACHES at a shared cache when running several processes."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

from jianguan.audit.context import client_ip


def over_limit(request: HttpRequest, purpose: str, limit: int, window_seconds: int) -> bool:
    """Count this request; True once the client has made more than `limit` in the current window."""
    window = int(time.time() // window_seconds)
    key = f"ratelimit:{purpose}:{client_ip(request)}:{window}"
    if cache.add(key, 1, timeout=window_seconds + 5):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds + 5)
        return False
    return count > limit


def api_within_limit(request: HttpRequest, purpose: str = "public", limit: int | None = None, window: int = 60) -> None:
    """For public API operations: raise HTTP 429 (the API answers it in Chinese) once the client is over the limit;
    the default is the public pages' JIANGUAN_PUBLIC_RATE_LIMIT a minute."""
    from django.conf import settings
    from ninja.errors import HttpError

    if over_limit(request, purpose, settings.JIANGUAN_PUBLIC_RATE_LIMIT if limit is None else limit, window):
        raise HttpError(429, "请求过于频繁，请稍后再试。")
