"""Signing a webhook body, and the check a receiver makes (kept here as the reference the README describes).

The signature is HMAC-SHA256, keyed with the subscription's secret (its UTF-8 bytes), over "<timestamp>.<raw body>",
sent as `X-Jianguan-Signature: sha256=<hex>` beside `X-Jianguan-Timestamp: <unix seconds>`. Signing the timestamp
with the body lets the receiver refuse a captured request replayed later; the event id (`X-Jianguan-Delivery`, also
the body's `id`) lets it ignore a retry of what it already processed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

SCHEME = "sha256"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A fresh signing secret: 32 random bytes as 64 hex digits."""
    return secrets.token_hex(32)


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, keys sorted, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    header: str,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: the timestamp is recent, and the signature matches (compared in constant time)."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - sent) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, sent, body).encode(), (header or "").encode())
