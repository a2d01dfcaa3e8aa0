"""A ``replica`` database and the replica router for the length of a test, whatever DATABASE_REPLICA_URL says.

The suite normally runs with no replica (no ``replica`` alias, no router). ``replica_database()`` adds the alias (or
replaces it), installs jianguan.lib.dbrouter.ReplicaRouter, and puts everything back afterwards. ``real_replica()``
points the alias at the streaming replica of JIANGUAN_TEST_REPLICA_URL (scripts/pg_replica.sh): its host, port and
login, and the primary's *test* database — the one Django created (test_<name>, test_<name>_gw0 under xdist) and
replication copied; the database named in the URL is not used.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dj_database_url
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import override_settings

from jianguan.lib.dbrouter import forget_replica_health

REPLICA_URL = os.environ.get("JIANGUAN_TEST_REPLICA_URL", "").strip()
ALIAS = "replica"


@contextmanager
def replica_database(settings_dict: dict[str, Any] | None = None) -> Iterator[None]:
    """The ``replica`` alias with these settings (default: the default test database's own) and the router."""
    if settings_dict is None:
        settings_dict = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    # Like settings.py: a test mirror, never created, migrated or flushed by the test runner.
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS}
    previous = connections.settings.get(ALIAS)
    # A connection already made under the alias is set aside, not closed (a test case's transaction may be open on
    # it), and put back afterwards.
    kept = getattr(connections._connections, ALIAS, None)  # type: ignore[attr-defined]
    if kept is not None:
        del connections[ALIAS]
    connections.settings[ALIAS] = settings_dict
    forget_replica_health()
    try:
        with override_settings(DATABASE_ROUTERS=["jianguan.lib.dbrouter.ReplicaRouter"]):
            yield
    finally:
        forget_replica_health()
        made = getattr(connections._connections, ALIAS, None)  # type: ignore[attr-defined]
        if made is not None:
            made.close()
            del connections[ALIAS]
        if previous is None:
            connections.settings.pop(ALIAS, None)
        else:
            connections.settings[ALIAS] = previous
        if kept is not None:
            connections[ALIAS] = kept


@contextmanager
def real_replica(url: str = REPLICA_URL) -> Iterator[None]:
    """The alias on the real streaming replica's copy of the primary's test database."""
    parsed = dj_database_url.parse(url)
    settings_dict = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    for key in ("HOST", "PORT", "USER", "PASSWORD"):
        settings_dict[key] = parsed[key]
    settings_dict["CONN_MAX_AGE"] = 0
    with replica_database(settings_dict):
        yield


def wait_for_replica(timeout: float = 15.0) -> None:
    """Until the replica has replayed everything the primary had committed when this was called."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    with connections[ALIAS].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()) <= 0", [target])
            if cursor.fetchone()[0]:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the replica has not replayed up to {target} after {timeout} s")
            time.sleep(0.05)
