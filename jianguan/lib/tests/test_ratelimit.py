"""Rate limits count in the shared cache: atomically in a real Redis across processes, with Retry-After."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.core.cache import cache
from django.test import Client, RequestFactory

from jianguan.lib import ratelimit
from tests.support.redis import require_redis

ROOT = Path(__file__).resolve().parents[3]


def _redis_cache(url: str, prefix: str) -> dict:
    return {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}
    }


def test_a_limit_of_60_holds_across_four_worker_processes_on_redis():
    url = require_redis()
    prefix = f"jgtest-{uuid.uuid4().hex[:8]}"
    purpose, window = "bench", 3600
    # A window turning during the run would split the count; start well inside one.
    if time.time() % window > window - 30:
        time.sleep(window - time.time() % window + 1)
    env = {**os.environ, "JIANGUAN_REDIS_URL": url, "JIANGUAN_CACHE_PREFIX": prefix, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.support.ratelimit_worker", purpose, "40", "60", str(window)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    allowed = [int(w.communicate(timeout=120)[0].strip()) for w in workers]
    assert all(w.returncode == 0 for w in workers)
    # 160 requests from one client in four processes: exactly 60 get through (per process it would be 4 × 40).
    assert sum(allowed) == 60, allowed
    import redis

    client = redis.Redis.from_url(url)
    keys = client.keys(f"{prefix}:*")
    assert keys and all(0 < client.ttl(k) <= window + 5 for k in keys)  # every counter expires
    client.delete(*keys)


def test_the_redis_counter_is_one_atomic_step_with_its_expiry(settings):
    url = require_redis()
    prefix = f"jgtest-{uuid.uuid4().hex[:8]}"
    settings.CACHES = _redis_cache(url, prefix)  # the cache handler is reset by Django
    assert "Redis" in type(cache._cache).__name__  # noqa: SLF001 - the proxy now reaches Redis
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.1")
    results = [ratelimit.retry_after(request, "t", 2, 60) for _ in range(4)]
    assert results[:2] == [None, None] and all(0 < r <= 60 for r in results[2:])
    import redis

    client = redis.Redis.from_url(url)
    client.delete(*client.keys(f"{prefix}:*"))  # not cache.clear(): that would flush the whole test database


def test_the_apis_429_says_when_to_come_back(settings, district):
    settings.JIANGUAN_PUBLIC_RATE_LIMIT = 2
    cache.clear()
    client = Client()
    answers = [client.get("/api/v1/public/institutions", {"q": "甲"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert 1 <= int(answers[2]["Retry-After"]) <= 60
    assert answers[2].json()["message"] == "请求过于频繁，请稍后再试。"
