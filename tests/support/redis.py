"""The real Redis the tests use: JIANGUAN_TEST_REDIS_URL, by default database 15 of the one on 127.0.0.1:6379.
CI starts or finds one (.ci/run); elsewhere a test that needs it is skipped when none answers."""

from __future__ import annotations

import os

import pytest

TEST_REDIS_URL = os.environ.get("JIANGUAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def require_redis() -> str:
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        message = f"Redis at {TEST_REDIS_URL} does not answer ({exc})"
        if os.environ.get("CI"):
            pytest.fail(message + ": CI must provide it")
        pytest.skip(message)
    return TEST_REDIS_URL
