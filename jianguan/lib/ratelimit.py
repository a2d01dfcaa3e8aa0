"""A fixed-window rate limit per client and purpose, counted in the shared cache.

With ``JIANGUAN_REDIS_URL`` the cache is Redis and every worker and server counts into the same key: one INCR with
its expiry set in the same MULTI/EXEC, so a limit of 60 stays 60 however many processes serve. Without it (a
developer's machine) the cache is per process and the count is too.
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache
from django.http import HttpRequest
from ninja.errors import HttpError

from jianguan.lib.clientip import client_ip


class RateLimited(HttpError):
    """HTTP 429 for the API, with how many seconds until the window turns (sent as Retry-After)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(429, "请求过于频繁，请稍后再试。")
        self.retry_after = retry_after


def _count(key: str, window_seconds: int) -> int:
    """Add one to the counter and return it; the counter lives a little longer than its window."""
    ttl = window_seconds + 5
    client = getattr(cache, "_cache", None)
    if hasattr(client, "get_client"):  # django.core.cache.backends.redis.RedisCache
        full_key = cache.make_and_validate_key(key)
        redis = client.get_client(full_key, write=True)
        pipe = redis.pipeline(transaction=True)
        pipe.incr(full_key)
        pipe.expire(full_key, ttl, nx=True)
        count, _ = pipe.execute()
        return int(count)
    if cache.add(key, 1, timeout=ttl):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=ttl)
        return 1


def retry_after(request: HttpRequest, purpose: str, limit: int, window_seconds: int) -> int | None:
    """Count this request; None while the client is within ``limit`` in the current window, else the seconds until
    the window turns (for Retry-After)."""
    now = time.time()
    window = int(now // window_seconds)
    if _count(f"ratelimit:{purpose}:{client_ip(request)}:{window}", window_seconds) <= limit:
        return None
    return max(1, math.ceil((window + 1) * window_seconds - now))


def over_limit(request: HttpRequest, purpose: str, limit: int, window_seconds: int) -> bool:
    """Count this request; True once the client has made more than `limit` in the current window."""
    return retry_after(request, purpose, limit, window_seconds) is not None


def api_within_limit(request: HttpRequest, purpose: str = "public", limit: int | None = None, window: int = 60) -> None:
    """For public API operations: raise HTTP 429 with Retry-After (the API answers it in Chinese) once the client is
    over the limit; the default is the public pages' JIANGUAN_PUBLIC_RATE_LIMIT a minute."""
    from django.conf import settings

    wait = retry_after(request, purpose, settings.JIANGUAN_PUBLIC_RATE_LIMIT if limit is None else limit, window)
    if wait is not None:
        raise RateLimited(wait)
