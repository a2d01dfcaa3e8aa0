"""The replica router's decisions (jianguan/lib/dbrouter.py), without a real replica: where a read goes inside and
outside replica_reads, in a transaction, after a write, and in a user's sticky window after their own write.

The routing against a real streaming replica is in jianguan/reports/tests/test_replica_routing.py."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
import time_machine
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from jianguan.lib import dbrouter
from jianguan.lib.dbrouter import ReplicaRouter, ReplicaStickyMiddleware, replica_reads
from tests.support.replica import replica_database

router = ReplicaRouter()


def where() -> str:
    return router.db_for_read(object)


def _user(pk: int) -> SimpleNamespace:
    return SimpleNamespace(pk=pk, is_authenticated=True)


@pytest.fixture
def replica():
    """A replica alias (the default test database's settings) that the router saw healthy a moment ago, so that
    routing decisions are made without looking at it."""
    with replica_database():
        dbrouter._health.usable, dbrouter._health.checked_at = True, time.monotonic()
        yield


@pytest.fixture
def unreachable_replica(tmp_path):
    """A replica alias whose server cannot be reached (an SQLite file in a folder that does not exist)."""
    with replica_database({**connections[DEFAULT_DB_ALIAS].settings_dict, "ENGINE": "django.db.backends.sqlite3",
                           "NAME": str(tmp_path / "missing" / "replica.sqlite3"), "OPTIONS": {}}):  # fmt: skip
        yield


@pytest.fixture
def user():
    """A signed-in user as the middleware sees one, with no sticky mark left over from another test."""
    found = _user(9_000_000 + int(time.monotonic_ns() % 1_000_000))
    cache.delete(dbrouter._sticky_key(found.pk))
    yield found
    cache.delete(dbrouter._sticky_key(found.pk))


def test_reads_go_to_the_replica_only_inside_replica_reads(replica):
    assert where() == DEFAULT_DB_ALIAS
    with replica_reads():
        assert where() == "replica"
    assert where() == DEFAULT_DB_ALIAS


def test_without_a_replica_database_every_read_goes_to_the_primary():
    assert not dbrouter.replica_configured()
    with replica_reads():
        assert where() == DEFAULT_DB_ALIAS


def test_writes_and_migrations_go_to_the_primary_only(replica):
    with replica_reads():
        assert router.db_for_write(object) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "registry") is True
    assert router.allow_migrate("replica", "registry") is False
    assert router.allow_relation(object(), object()) is True


def test_after_a_write_the_rest_of_the_block_reads_from_the_primary(replica):
    with replica_reads():
        assert where() == "replica"
        router.db_for_write(object)
        assert where() == DEFAULT_DB_ALIAS
    with replica_reads():  # a new block starts afresh
        assert where() == "replica"


def test_a_nested_block_follows_the_outer_one(replica):
    with replica_reads():
        router.db_for_write(object)
        with replica_reads():
            assert where() == DEFAULT_DB_ALIAS
        assert where() == DEFAULT_DB_ALIAS


def test_a_read_inside_a_transaction_on_the_primary_goes_to_the_primary(replica, django_db_blocker):
    # A real atomic block (not a test case's): the router looks at the primary's connection.
    with django_db_blocker.unblock(), replica_reads():
        assert where() == "replica"
        with transaction.atomic():
            assert connections[DEFAULT_DB_ALIAS].in_atomic_block
            assert where() == DEFAULT_DB_ALIAS
        assert where() == "replica"


def test_the_decorator_routes_a_view_and_the_csv_it_streams(replica):
    seen = {}

    def rows():
        seen["streaming"] = where()
        yield b"a,b\n"

    @replica_reads
    def view(request):
        seen["view"] = where()
        return StreamingHttpResponse(rows())

    response = view(RequestFactory().get("/"))
    assert seen == {"view": "replica"}
    assert b"".join(response.streaming_content) == b"a,b\n"
    assert seen["streaming"] == "replica"  # read while the server sends it, after the view returned
    assert where() == DEFAULT_DB_ALIAS

    @replica_reads()
    def called_form(request):
        return HttpResponse(where())

    assert called_form(RequestFactory().get("/")).content == b"replica"


def test_an_unreachable_replica_is_left_out(unreachable_replica, django_db_blocker):
    with django_db_blocker.unblock(), replica_reads():
        assert where() == DEFAULT_DB_ALIAS
    assert not dbrouter.replica_usable()  # remembered: not tried again at every read


def test_a_replica_further_behind_than_allowed_is_left_out(replica, django_db_blocker, settings):
    dbrouter.forget_replica_health()
    settings.JIANGUAN_REPLICA_MAX_LAG_SECONDS = -1  # any lag at all, even none, is too much
    with django_db_blocker.unblock(), replica_reads():
        assert where() == DEFAULT_DB_ALIAS
    settings.JIANGUAN_REPLICA_MAX_LAG_SECONDS = 30
    with replica_reads():
        assert where() == DEFAULT_DB_ALIAS  # what was seen holds for a while (no database access here)
    dbrouter._health.checked_at -= dbrouter.REPLICA_HEALTH_SECONDS + 1  # … and then it is looked at again
    with django_db_blocker.unblock(), replica_reads():
        if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
            assert where() == DEFAULT_DB_ALIAS  # the stand-in is the primary itself, not replaying: still left out
        else:
            assert where() == "replica"


def test_a_view_whose_replica_fails_is_answered_again_from_the_primary(replica):
    from django.db import OperationalError

    seen = []

    @replica_reads
    def view(request):
        seen.append(where())
        if len(seen) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return HttpResponse()

    assert view(RequestFactory().get("/")).status_code == 200
    assert seen == ["replica", DEFAULT_DB_ALIAS]
    with replica_reads():
        assert where() == DEFAULT_DB_ALIAS  # left out for a while


def test_a_view_that_wrote_is_never_run_twice(replica):
    from django.db import OperationalError

    calls = []

    @replica_reads
    def view(request):
        calls.append(1)
        router.db_for_write(object)
        raise OperationalError("lost")

    with pytest.raises(OperationalError):
        view(RequestFactory().get("/"))
    assert calls == [1]


def _middleware(status: int, seen: list[str]) -> ReplicaStickyMiddleware:
    @replica_reads
    def view(request):
        seen.append(where())
        return HttpResponse(status=status)

    return ReplicaStickyMiddleware(view)


def _request(method: str, user):
    request = RequestFactory().generic(method, "/")
    request.user = user
    return request


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_after_a_users_write_their_reads_go_to_the_primary_for_the_sticky_window(replica, user, settings, method):
    settings.JIANGUAN_REPLICA_STICKY_SECONDS = 5
    seen: list[str] = []
    _middleware(302, seen)(_request(method, user))
    _middleware(200, seen)(_request("GET", user))
    _middleware(200, seen)(_request("GET", _user(user.pk + 1)))  # another user is not affected
    with time_machine.travel(time.time() + 6, tick=False):
        _middleware(200, seen)(_request("GET", user))
    assert seen == ["replica", DEFAULT_DB_ALIAS, "replica", "replica"]


def test_a_with_block_inside_a_request_knows_the_requests_user(replica, user):
    dbrouter.mark_wrote(_request("POST", user))
    seen = []

    def view(request):
        with replica_reads():
            seen.append(where())
        return HttpResponse()

    ReplicaStickyMiddleware(view)(_request("GET", user))
    assert seen == [DEFAULT_DB_ALIAS]


@pytest.mark.parametrize(("method", "status"), [("GET", 200), ("HEAD", 200), ("POST", 400), ("POST", 403)])
def test_a_read_or_a_refused_write_does_not_make_a_user_sticky(replica, user, method, status):
    _middleware(status, [])(_request(method, user))
    assert not dbrouter.wrote_recently(_request("GET", user))


def test_an_anonymous_write_marks_nobody(replica):
    from django.contrib.auth.models import AnonymousUser

    _middleware(302, [])(_request("POST", AnonymousUser()))
    seen: list[str] = []
    _middleware(200, seen)(_request("GET", AnonymousUser()))
    assert seen == ["replica"]


def test_the_sign_in_request_marks_the_user_it_signed_in(replica, user):
    """request.user as it is after the view: the login view (or the API's token check) set it."""

    def login(request):
        request.user = user
        return HttpResponse(status=302)

    from django.contrib.auth.models import AnonymousUser

    ReplicaStickyMiddleware(login)(_request("POST", AnonymousUser()))
    assert dbrouter.wrote_recently(_request("GET", user))


def test_without_a_replica_the_middleware_marks_nobody(user):
    _middleware(302, [])(_request("POST", user))
    assert cache.get(dbrouter._sticky_key(user.pk)) is None


@pytest.mark.django_db
def test_readyz_has_no_replica_check_without_a_replica(client):
    assert "replica" not in client.get("/readyz").json()["checks"]


def test_readyz_and_metrics_report_the_replica(django_db_setup, django_db_blocker, replica, client, settings):
    """The stand-in replica here is the primary's own test database: on SQLite it can only be reachable (lag 0); on
    PostgreSQL it is not in recovery, which readyz must refuse. (Outside a test case's transaction, whose guard
    refuses a database alias added during the test; these requests write nothing.)"""
    settings.JIANGUAN_METRICS_ALLOW = "127.0.0.1"
    with django_db_blocker.unblock():
        response = client.get("/readyz")
        metrics = client.get("/metrics").content.decode()
    check = response.json()["checks"]["replica"]
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        assert response.status_code == 503
        assert check["ok"] is False
        assert "不在复制状态" in check["detail"]
        assert "jianguan_replica_up 0.0" in metrics
    else:
        assert check == {"ok": True, "lag_seconds": 0.0, "lag_bytes": 0}
        assert "jianguan_replica_up 1.0" in metrics
        assert "jianguan_replica_lag_seconds 0.0" in metrics
        assert "jianguan_replica_lag_bytes 0.0" in metrics
