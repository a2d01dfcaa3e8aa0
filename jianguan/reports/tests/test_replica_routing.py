"""Reads on a real streaming replica (scripts/pg_replica.sh, JIANGUAN_TEST_REPLICA_URL): the dashboard, statistics,
briefing, exports and open data read from the replica; writes, reads in a writing transaction and a user's requests
just after their own write use the primary; a committed row reaches the replica; /readyz and /metrics show the lag.

These need committed rows, which a test case's transaction never gives the replica: they use the primary through a
connection of their own in autocommit (the test case's transaction stays open, unused, on the usual one), read the
session's district (committed when the test database was built, so replication copied it), and write nothing but a
session (deleted afterwards) and the rows they create and delete themselves. No flush: the district stays for the
rest of the suite.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.urls import reverse
from django.utils import timezone

from jianguan.lib.dbrouter import forget_replica_health, replica_reads
from jianguan.registry.models import Institution
from tests.support.district import persona_client
from tests.support.replica import REPLICA_URL, real_replica, wait_for_replica

pytestmark = [
    pytest.mark.skipif(
        not REPLICA_URL,
        reason="JIANGUAN_TEST_REPLICA_URL is not set: these tests need a real streaming replica of the PostgreSQL "
        'primary (url=$(scripts/pg_replica.sh "$DATABASE_URL" | tail -n1))',
    ),
    # The replica is a test mirror: nothing is created, migrated or flushed there (the test case only opens and rolls
    # back a read-only transaction on it).
    pytest.mark.django_db(databases=["default", "replica"]),
]

# What a request reads before its view, always from the primary: the session and the signed-in user; and the WAL
# position the router compares the replica's with (every few seconds).
BEFORE_THE_VIEW = re.compile(
    r'FROM "(django_session|accounts_user)"|^UPDATE "django_session"|^SAVEPOINT|^RELEASE|pg_current_wal_lsn'
)


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup):
    """The replica alias on the real replica, before the tests' database guard is set up (it refuses an alias that
    appears later)."""
    with real_replica():
        yield


@contextmanager
def _own_connection() -> Iterator[None]:
    """The default alias on a connection of its own, in autocommit: the test case's transaction stays open (and is
    rolled back) on the other one, and what is written here is committed, so replication copies it."""
    kept = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS].close()
        connections[DEFAULT_DB_ALIAS] = kept


@pytest.fixture
def live(_district_rows, settings, tmp_path):
    """The session's district (committed when the test database was built, so on the replica too), read and written
    outside the test's transaction."""
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        pytest.skip("streaming replication needs DATABASE_URL on PostgreSQL")
    settings.MEDIA_ROOT = str(tmp_path)  # the open-data zip is built here, never kept for another test
    settings.JIANGUAN_REPLICA_STICKY_SECONDS = 5
    with _own_connection():
        assert not connections[DEFAULT_DB_ALIAS].in_atomic_block
        wait_for_replica()
        forget_replica_health()
        yield _district_rows.reload()
    forget_replica_health()


@pytest.fixture
def lead(live):
    client = persona_client(live.users["lead"])
    yield client
    client.logout()  # deletes its session row


@contextmanager
def queries() -> Iterator[dict[str, list[str]]]:
    """The SQL each database received."""
    log: dict[str, list[str]] = {"default": [], "replica": []}

    def recorder(alias: str):
        def record(execute, sql, params, many, context):
            log[alias].append(sql)
            return execute(sql, params, many, context)

        return record

    with ExitStack() as stack:
        for alias in log:
            stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
        yield log


def _domain_reads_on_primary(log: dict[str, list[str]]) -> list[str]:
    return [sql for sql in log["default"] if not BEFORE_THE_VIEW.search(sql)]


def _read_from_replica(log: dict[str, list[str]], table: str) -> None:
    assert any(f'"{table}"' in sql for sql in log["replica"]), (f"no read of {table} on the replica", log)
    assert not _domain_reads_on_primary(log), _domain_reads_on_primary(log)


def _pages(district) -> list[tuple[str, str]]:
    campaign = district.campaigns["a"].pk
    return [
        (reverse("reports:dashboard"), "registry_institution"),
        (reverse("reports:dashboard_export", args=["streets"]), "reports_ledgertotalrollup"),
        (reverse("reports:campaign_statistics", args=[campaign]), "inspections_inspection"),
        (reverse("reports:campaign_briefing", args=[campaign, "docx"]), "inspections_inspection"),
        (reverse("registry:institution_export_xlsx"), "registry_institution"),
        (reverse("registry:institution_export_csv"), "registry_institution"),
        (reverse("ledger:item_export"), "ledger_ledgeritem"),
    ]


def test_inside_a_test_cases_transaction_even_these_pages_read_from_the_primary(district):
    """The rest of the suite runs in a transaction per test, which the replica never sees: nothing goes there."""
    with queries() as log:
        for url, _table in _pages(district):
            assert persona_client(district.users["lead"]).get(url).status_code == 200
    assert not log["replica"]
    assert log["default"]


def test_the_heavy_read_pages_and_exports_read_from_the_replica(live, lead):
    for url, table in _pages(live):
        with queries() as log:
            response = lead.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, url
        assert body
        _read_from_replica(log, table)


@pytest.mark.parametrize(
    "url,table",
    [("/api/v1/institutions", "registry_institution"), ("/api/v1/ledger/items", "ledger_ledgeritem")],
)
def test_the_api_lists_read_from_the_replica_and_details_from_the_primary(live, lead, url, table):
    with queries() as log:
        assert lead.get(url).status_code == 200
    _read_from_replica(log, table)
    with queries() as log:
        assert lead.get(f"/api/v1/institutions/{live.institutions['a'].pk}").status_code == 200
    assert not log["replica"]


def test_the_csv_export_streams_rows_read_on_the_replica(live, lead):
    with queries() as log:
        response = lead.get(reverse("registry:institution_export_csv"))
        assert not log["replica"]  # nothing read yet: the rows are read while the file is sent
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert live.institutions["a"].name in body
    _read_from_replica(log, "registry_institution")


def test_the_open_data_is_built_from_the_replica(live, client):
    with queries() as log:
        assert client.get(reverse("open_data:page")).status_code == 200
        response = client.get(reverse("open_data:download"))
        assert b"".join(response.streaming_content)[:2] == b"PK"
    _read_from_replica(log, "registry_institution")


def test_a_write_and_the_reads_after_it_go_to_the_primary(live):
    key = f"replicatest{time.monotonic_ns()}"[:40]
    with queries() as log, replica_reads():
        Institution.objects.count()
        Session.objects.create(session_key=key, session_data="", expire_date=timezone.now() + timedelta(hours=1))
        Institution.objects.count()
    try:
        assert len([s for s in log["replica"] if "registry_institution" in s]) == 1
        assert any(s.startswith('INSERT INTO "django_session"') for s in log["default"])
        assert len([s for s in log["default"] if "registry_institution" in s]) == 1
    finally:
        Session.objects.filter(session_key=key).delete()


def test_a_read_inside_a_transaction_goes_to_the_primary(live):
    key = f"replicatest{time.monotonic_ns()}"[:40]
    with queries() as log, replica_reads(), transaction.atomic():
        Session.objects.create(session_key=key, session_data="", expire_date=timezone.now())
        assert Session.objects.filter(session_key=key).exists()  # its own uncommitted row: on the primary only
        Institution.objects.count()
        transaction.set_rollback(True)
    assert not log["replica"]
    assert not Session.objects.filter(session_key=key).exists()


def test_a_row_committed_on_the_primary_reaches_the_replica(live):
    key = f"replicatest{time.monotonic_ns()}"[:40]
    Session.objects.create(session_key=key, session_data="", expire_date=timezone.now() + timedelta(hours=1))
    try:
        deadline = time.monotonic() + 15
        while not Session.objects.using("replica").filter(session_key=key).exists():
            assert time.monotonic() < deadline, "the committed row did not reach the replica within 15 s"
            time.sleep(0.05)
    finally:
        Session.objects.filter(session_key=key).delete()
    wait_for_replica()
    assert not Session.objects.using("replica").filter(session_key=key).exists()


def test_after_a_users_write_their_dashboard_reads_the_primary_until_the_window_ends(live, lead, client_factory):
    dashboard = reverse("reports:dashboard")
    # A successful POST (choosing the language; any unsafe request that succeeded counts).
    assert lead.post(reverse("set_language"), {"language": "zh-hans", "next": dashboard}).status_code == 302
    with queries() as log:
        assert lead.get(dashboard).status_code == 200
    assert not log["replica"]
    assert any('"registry_institution"' in sql for sql in log["default"])

    other = client_factory(live.users["leader"])  # another user's reads are not affected
    with queries() as log:
        assert other.get(dashboard).status_code == 200
    _read_from_replica(log, "registry_institution")

    with time_machine.travel(timezone.now() + timedelta(seconds=6), tick=True), queries() as log:
        assert lead.get(dashboard).status_code == 200
    _read_from_replica(log, "registry_institution")


@pytest.fixture
def client_factory(live):
    made = []

    def make(user):
        made.append(persona_client(user))
        return made[-1]

    yield make
    for client in made:
        client.logout()


def test_readyz_and_metrics_show_the_replicas_lag(live, client, settings):
    settings.JIANGUAN_METRICS_ALLOW = "127.0.0.1"
    check = client.get("/readyz").json()["checks"]["replica"]
    assert check["ok"] is True, check
    assert check["lag_bytes"] == 0 or check["lag_seconds"] < settings.JIANGUAN_REPLICA_MAX_LAG_SECONDS
    metrics = client.get("/metrics").content.decode()
    assert "jianguan_replica_up 1.0" in metrics
    assert re.search(r"^jianguan_replica_lag_seconds \d", metrics, re.M)
    assert re.search(r"^jianguan_replica_lag_bytes \d", metrics, re.M)


def test_readyz_fails_when_the_replica_falls_behind(live, client, settings):
    """Replay paused on the replica and a row committed on the primary: WAL bytes behind, for longer than allowed."""
    settings.JIANGUAN_REPLICA_MAX_LAG_SECONDS = 0
    key = f"replicatest{time.monotonic_ns()}"[:40]
    replica = connections["replica"]
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        Session.objects.create(session_key=key, session_data="", expire_date=timezone.now() + timedelta(hours=1))
        response = client.get("/readyz")
    finally:
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
        Session.objects.filter(session_key=key).delete()
    check = response.json()["checks"]["replica"]
    assert response.status_code == 503
    assert check["ok"] is False
    assert check["lag_bytes"] > 0
    assert check["lag_seconds"] >= 0.5  # given half a second to catch up, it did not
    assert "落后主库" in check["detail"]
    wait_for_replica()


def test_with_the_replica_down_the_pages_are_served_from_the_primary(live, lead):
    with real_replica("postgres://postgres@127.0.0.1:1/unused"), queries() as log:  # nothing listens on port 1
        response = lead.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    assert not log["replica"]
    assert any('"registry_institution"' in sql for sql in log["default"])
