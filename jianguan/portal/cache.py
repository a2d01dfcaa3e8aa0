"""The portal's cache of what is public: search results and each institution's public page, for
JIANGUAN_PORTAL_CACHE_SECONDS (0: off), in Django's cache (Redis with JIANGUAN_REDIS_URL, so every worker and server
shares it and sees the same invalidations; per process otherwise).

What is cached is public data or a fragment rendered from it without the request (no CSP nonce, no CSRF token, no
signed-in user: context processors do not run), keyed by the normalised parameters, the language, the day and the
settings that change what the public sees. The page around a fragment is rendered per request.

Invalidation: every audit event is heard inside its transaction (`audit.hooks`); on commit a fresh random token is
written to the version keys the event concerns: the institution's own (`portal:v:i:<id>`) when the event names one,
else the one of every institution page (`portal:v:pages`), and in both cases the one of every search
(`portal:v:search`). An entry stores the tokens it was computed under and is used only while they are still the
current ones, so a change shows on the very next request anywhere, and a rolled-back change bumps nothing. Tokens are
never reused: a version key that expired or was evicted comes back as a new token, never as an old one. A reader
takes the tokens before it reads the database, so an entry computed from data a concurrent commit made stale carries
tokens that commit has already replaced. A transaction with changes not yet committed reads the database, never
the cache.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

T = TypeVar("T")

SEARCH = "portal:v:search"
PAGES = "portal:v:pages"
VERSION_TIMEOUT = 7 * 24 * 3600
# Bumped when what an entry holds changes shape, so servers of the old and the new code never read each other's.
LAYOUT = 1
# Events that change nothing the public sees: they bump nothing (signing in must not empty the cache). Any other
# action, including ones added later, bumps.
IGNORED_PREFIXES = (
    "auth.",
    "user.",
    "api_token.",
    "two_factor.",
    "notification.",
    "subscription.",
    "alert.",
    "officer_profile.",
)
IGNORED_ACTIONS = frozenset({"staff.export_ids"})


def seconds() -> int:
    return max(0, int(settings.JIANGUAN_PORTAL_CACHE_SECONDS))


def institution_key(institution_id: int) -> str:
    return f"portal:v:i:{int(institution_id)}"


def _token() -> str:
    return secrets.token_hex(8)


def _versions(found: dict[str, Any], keys: Sequence[str]) -> tuple[str, ...]:
    """The current token of each key; a missing one is created (`add`: whichever process wins, all use its token)."""
    missing = [k for k in keys if k not in found]
    for key in missing:
        cache.add(key, _token(), VERSION_TIMEOUT)
    if missing:
        found.update(cache.get_many(missing))
    return tuple(str(found.get(k, "")) for k in keys)


def entry_key(kind: str, *parts: Any) -> str:
    """A short key for the parameters (free text included), the language, the day and the public settings."""
    raw = json.dumps(
        [
            LAYOUT,
            kind,
            translation.get_language() or "",
            timezone.localdate().isoformat(),
            bool(settings.JIANGUAN_PUBLIC_LEGAL_REPRESENTATIVE),
            *parts,
        ],
        ensure_ascii=False,
        default=str,
    )
    return f"portal:{kind}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


def cached(key: str, version_keys: Sequence[str], compute: Callable[[], T]) -> T:
    """`compute()`, or what it returned for `key` under the current versions (one cache round trip on a hit).

    `compute` must return public data only and may raise (e.g. Http404): nothing is stored then."""
    timeout = seconds()
    if not timeout or _uncommitted_changes():
        return compute()
    found = cache.get_many([*version_keys, key])
    versions = _versions(found, version_keys)
    entry = found.get(key)
    if entry is not None and entry[0] == versions:
        return entry[1]
    value = compute()
    cache.set(key, (versions, value), timeout)
    return value


def search_keys() -> list[str]:
    return [SEARCH]


def page_keys(institution_id: int) -> list[str]:
    return [PAGES, institution_key(institution_id)]


# --- invalidation ---------------------------------------------------------------------------------------------------


def _bump(keys: set[str]) -> None:
    token = _token()
    cache.set_many(dict.fromkeys(keys, token), VERSION_TIMEOUT)


def keys_for(events: Sequence[Any]) -> set[str]:
    """The version keys the events make stale."""
    keys: set[str] = set()
    for event in events:
        action = getattr(event, "action", "") or ""
        if action in IGNORED_ACTIONS or action.startswith(IGNORED_PREFIXES):
            continue
        keys.add(SEARCH)
        institution_id = getattr(event, "institution_id", None)
        keys.add(institution_key(institution_id) if institution_id else PAGES)
    return keys


class _Pending:
    """The keys the connection's current transaction will bump when it commits (once, however many events)."""

    def __init__(self, outermost: Any) -> None:
        self.outermost = outermost
        self.keys: set[str] = set()


def on_audit_events(events: Sequence[Any]) -> None:
    """audit.hooks listener: schedule the bump of what the events make stale for when their transaction commits.

    Keys collect per connection and outermost transaction; every call registers a flush with `on_commit` (so one
    surviving a rolled-back savepoint still flushes), the first flush bumps them all and the others find nothing."""
    keys = keys_for(events)
    if not keys:
        return
    connection = transaction.get_connection()
    outermost = connection.atomic_blocks[0] if connection.atomic_blocks else None
    pending = getattr(connection, "_jianguan_portal_pending", None)
    if pending is None or pending.outermost is not outermost:
        # A new transaction: what a rolled-back one collected is dropped with it.
        pending = _Pending(outermost)
        connection._jianguan_portal_pending = pending
    pending.keys |= keys

    def flush() -> None:
        if pending.keys:
            keys_now, pending.keys = pending.keys, set()
            _bump(keys_now)

    flush.portal_pending = pending  # type: ignore[attr-defined]
    # robust: the change is committed whatever happens here; a cache that does not answer is logged, never the
    # writer's error (its entries then expire within JIANGUAN_PORTAL_CACHE_SECONDS).
    transaction.on_commit(flush, robust=True)


def _uncommitted_changes() -> bool:
    """Whether this connection's open transaction holds changes the portal has not been told of yet (their flush is
    still waiting for the commit). Such a transaction reads the database, never the cache, and stores nothing: it
    sees its own writes, and no other request sees them before they commit."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return False
    return any(
        getattr(func, "portal_pending", None) and func.portal_pending.keys for _s, func, _r in connection.run_on_commit
    )
