"""Reads on a streaming replica, writes on the primary (DATABASE_REPLICA_URL; see README, 只读副本).

With DATABASE_REPLICA_URL set, settings add the ``replica`` database and install :class:`ReplicaRouter`. Where a
query goes:

* **The replica** takes only the reads made inside :func:`replica_reads` — a decorator on a view (or a ``with``
  block). It is put on the heavy, read-only pages whose figures may be a moment old: the dashboard and its Excel
  exports (reports:dashboard, reports:dashboard_export), a campaign's statistics and briefing, the open data (page
  and zip), the Excel/CSV list exports of the registry and the ledger, and the API's list endpoints (each app's
  ``api.py``). A CSV streamed after the view returned is still read from the replica.
* **The primary** takes every write (``db_for_write``), every migration, every read outside ``replica_reads``, and,
  even inside it:

  - every read made inside an atomic block on the primary: a transaction that writes (every service), or one that
    locks (``select_for_update``), must see its own rows and the newest ones;
  - the reads after a write in the same ``replica_reads`` block (a view that records something — an audited
    export — reads its own write);
  - all reads of a user who made a successful POST/PUT/PATCH/DELETE in the last JIANGUAN_REPLICA_STICKY_SECONDS
    (default 5): after saving a form, the page they are sent to shows what they saved, whatever the replica's lag.
    :class:`ReplicaStickyMiddleware` keeps the mark in the shared cache (Redis with several workers) under the
    user's id, so it holds for sessions and API tokens alike and across workers. Anonymous writers (the public
    complaint form) are not marked: the pages they see next do not read from the replica.

A replica that cannot be reached, is not replaying, or is further behind than JIANGUAN_REPLICA_MAX_LAG_SECONDS is
left out: each process looks at its lag at most every REPLICA_HEALTH_SECONDS (at a read that would go there), and a
view whose replica fails to answer (OperationalError) is answered again from the primary, once, if it wrote nothing.

Without a ``replica`` database every read goes to the primary and this module changes nothing. The replica's lag
(:func:`replica_lag`) is a check of /readyz (failing above JIANGUAN_REPLICA_MAX_LAG_SECONDS, default 30) and the
``jianguan_replica_lag_seconds`` / ``jianguan_replica_lag_bytes`` metrics.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, OperationalError, connections
from django.http import HttpRequest, StreamingHttpResponse

REPLICA_DB_ALIAS = "replica"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# How long a process trusts what it last saw of the replica (reachable and not too far behind).
REPLICA_HEALTH_SECONDS = 10

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class _Reads:
    """One replica_reads block: whether it may use the replica at all, and whether it has written since."""

    use_replica: bool
    wrote: bool = False


_reads: ContextVar[_Reads | None] = ContextVar("jianguan_replica_reads", default=None)
_request: ContextVar[HttpRequest | None] = ContextVar("jianguan_replica_request", default=None)


def replica_configured() -> bool:
    return REPLICA_DB_ALIAS in connections.settings


def _in_primary_transaction() -> bool:
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


# --- the sticky window after a user's write ------------------------------------------------------------------------


def _sticky_key(user_id: object) -> str:
    return f"dbrouter:wrote:{user_id}"


def _user_id(request: HttpRequest | None) -> object | None:
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


def mark_wrote(request: HttpRequest) -> None:
    """Sends the request's user's reads to the primary for the next JIANGUAN_REPLICA_STICKY_SECONDS."""
    user_id = _user_id(request)
    seconds = settings.JIANGUAN_REPLICA_STICKY_SECONDS
    if user_id is not None and seconds > 0:
        cache.set(_sticky_key(user_id), time.time(), timeout=seconds + 1)


def wrote_recently(request: HttpRequest | None) -> bool:
    user_id = _user_id(request)
    if user_id is None:
        return False
    at = cache.get(_sticky_key(user_id))
    return at is not None and time.time() - float(at) < settings.JIANGUAN_REPLICA_STICKY_SECONDS


# --- whether the replica may be used now ---------------------------------------------------------------------------


@dataclass
class _Health:
    usable: bool = True
    checked_at: float = float("-inf")  # time.monotonic() of the last look


_health = _Health()


def replica_usable() -> bool:
    """Reachable, replaying, and within JIANGUAN_REPLICA_MAX_LAG_SECONDS, as last seen (looked at again when older
    than REPLICA_HEALTH_SECONDS)."""
    now = time.monotonic()
    if now - _health.checked_at < REPLICA_HEALTH_SECONDS:
        return _health.usable
    try:
        lag = replica_lag(settle_seconds=0)
        usable = lag.in_recovery and lag.lag_seconds <= settings.JIANGUAN_REPLICA_MAX_LAG_SECONDS
    except DatabaseError:
        usable = False
    _health.usable, _health.checked_at = usable, time.monotonic()
    return usable


def forget_replica_health() -> None:
    """Look at the replica afresh at the next read (after it was replaced, or between tests)."""
    _health.usable, _health.checked_at = True, float("-inf")


def _replica_failed() -> None:
    _health.usable, _health.checked_at = False, time.monotonic()


# --- replica_reads -------------------------------------------------------------------------------------------------


class _ReplicaReads:
    def __init__(self, request: HttpRequest | None = None) -> None:
        self.request = request
        self.token: Any = None

    def __enter__(self) -> _ReplicaReads:
        if _reads.get() is not None:  # nested: the outer block decides
            return self
        request = self.request if self.request is not None else _request.get()
        use = replica_configured() and not wrote_recently(request)
        self.token = _reads.set(_Reads(use_replica=use))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.token is not None:
            _reads.reset(self.token)
            self.token = None

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            request = args[0] if args and isinstance(args[0], HttpRequest) else None
            with _ReplicaReads(request):
                state = _reads.get()
                try:
                    result = func(*args, **kwargs)
                except OperationalError:
                    if state is None or not state.use_replica or state.wrote:
                        raise
                    # The replica went away since it was last looked at: answer from the primary, and leave the
                    # replica out for a while.
                    _replica_failed()
                    state.use_replica = False
                    result = func(*args, **kwargs)
            if isinstance(result, StreamingHttpResponse) and not result.is_async and state is not None:
                # The rows of a streamed CSV are read while the server sends it, after the view returned.
                result.streaming_content = _iterate_within(state, result.streaming_content)
            return result

        return wrapper  # type: ignore[return-value]


def _iterate_within(state: _Reads, chunks: Iterable[Any]) -> Iterator[Any]:
    iterator = iter(chunks)
    while True:
        token = _reads.set(state)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _reads.reset(token)
        yield chunk


def replica_reads(func: F | None = None) -> Any:
    """Lets the reads inside go to the replica (see the module's docstring for when they still go to the primary).

    ``@replica_reads`` (or ``@replica_reads()``) on a view or an API operation — below ``@login_required``, so the
    user is known — or ``with replica_reads():`` around a block.
    """
    if func is None:
        return _ReplicaReads()
    return _ReplicaReads()(func)


# --- the router and the middleware ---------------------------------------------------------------------------------


class ReplicaRouter:
    """DATABASE_ROUTERS entry: reads inside replica_reads on the replica, the rest on the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        state = _reads.get()
        if state is None or not state.use_replica or state.wrote or _in_primary_transaction():
            return DEFAULT_DB_ALIAS
        return REPLICA_DB_ALIAS if replica_usable() else DEFAULT_DB_ALIAS

    def db_for_write(self, model: type, **hints: Any) -> str:
        state = _reads.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same rows on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica replays the primary's schema


class ReplicaStickyMiddleware:
    """After a user's successful unsafe request, their reads go to the primary for a few seconds; also makes the
    request known to ``with replica_reads():`` blocks deeper down. Placed after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        token = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        # request.user as it is now: the one who signed in by this request, or the API token's owner.
        if request.method in UNSAFE_METHODS and response.status_code < 400 and replica_configured():
            mark_wrote(request)
        return response


# --- lag -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplicaLag:
    in_recovery: bool
    lag_bytes: int
    lag_seconds: float


def replica_lag(*, settle_seconds: float = 0.5) -> ReplicaLag:
    """How far the replica is behind the primary: bytes of WAL it has not replayed, and for how long.

    Compares WAL positions rather than the age of the last replayed transaction, which grows on an idle primary.
    When the replica is behind it gets ``settle_seconds`` to catch up (a write a moment ago is not lag); if it does
    not, the lag in seconds is the time since it last replayed a transaction. Raises DatabaseError when either
    server cannot be reached.
    """
    replica = connections[REPLICA_DB_ALIAS]
    if replica.vendor != "postgresql":  # a development stand-in (e.g. SQLite): reachable is all there is
        with replica.cursor() as cursor:
            cursor.execute("SELECT 1")
        return ReplicaLag(in_recovery=True, lag_bytes=0, lag_seconds=0.0)
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        primary_lsn = cursor.fetchone()[0]
    started = time.monotonic()
    with replica.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT pg_is_in_recovery(),"
                " COALESCE(pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()), 0)::bigint,"
                " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8",
                [primary_lsn],
            )
            in_recovery, behind, since_replay = cursor.fetchone()
            if not in_recovery:
                return ReplicaLag(in_recovery=False, lag_bytes=0, lag_seconds=0.0)
            if behind <= 0:
                return ReplicaLag(in_recovery=True, lag_bytes=0, lag_seconds=0.0)
            waited = time.monotonic() - started
            if waited >= settle_seconds:
                return ReplicaLag(in_recovery=True, lag_bytes=int(behind), lag_seconds=max(since_replay or 0, waited))
            time.sleep(0.05)
