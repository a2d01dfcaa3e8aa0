"""Two app servers, one truth: two gunicorn servers on two ports, against one PostgreSQL database and one Redis, driven
alternately over real HTTP. Sessions, the sign-in lockout, the public rate limit, document numbers and ledger versions
behave as with one server.

The servers run against a copy of this test run's database (CREATE DATABASE … TEMPLATE: the district's committed
rows, nothing of other tests), dropped afterwards; the cache is Redis database 12 under a key prefix of this run.
Their background tasks stay on the database queue: RQ itself is test_rq_tasks.py's (the two may run side by side).
Skipped unless DATABASE_URL is PostgreSQL and Redis answers."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.support.district import PASSWORD
from tests.support.redis import TEST_REDIS_URL

BASE_DIR = Path(settings.BASE_DIR)
READY_SECONDS = 30
RATE_LIMIT = 5


def _redis_url() -> str:
    return re.sub(r"(/\d*)?$", "/12", TEST_REDIS_URL.split("?")[0], count=1)


def _skip_reason() -> str | None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL (DATABASE_URL=postgres://…): two servers share one database"
    try:
        import redis

        redis.Redis.from_url(_redis_url(), socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis at {_redis_url()} does not answer ({exc})"
    return None


# django_db: pytest-django creates the test database only for the tests that are marked (the servers' copy is made
# from it, with the district the session's fixture committed there); the tests themselves only speak HTTP.
pytestmark = [pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or ""), pytest.mark.django_db]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Servers:
    a: str
    b: str
    ids: dict[str, int]
    version: int  # ledger item a's version when the servers started


def _admin_connection(database: str) -> Any:
    import psycopg

    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=database, user=db["USER"], password=db.get("PASSWORD") or None, host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432, autocommit=True,
    )  # fmt: skip


def _wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    import requests

    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn at {url} exited:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"gunicorn at {url} not ready within {READY_SECONDS} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def servers(_district_rows: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Servers]:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.db import connections

    d = _district_rows
    with django_db_blocker.unblock():
        from jianguan.ledger.models import LedgerItem

        version = LedgerItem.objects.get(pk=d.ledger["a"].pk).version
        template = connections["default"].settings_dict["NAME"]
        connections.close_all()  # CREATE DATABASE … TEMPLATE needs the template without connections
    clone = f"{template}_servers_{uuid.uuid4().hex[:8]}"
    admin = _admin_connection("postgres")
    admin.execute(f'CREATE DATABASE "{clone}" TEMPLATE "{template}"')
    prefix = f"jianguan-test-servers-{uuid.uuid4().hex[:8]}"  # the servers' cache keys in Redis
    processes: list[subprocess.Popen] = []
    urls = []
    try:  # from here on the copy is dropped and the servers stopped, whatever fails
        # The test run hashes passwords with MD5 (conftest); the servers know only the production hashers.
        with _admin_connection(clone) as db:
            hashed = PBKDF2PasswordHasher().encode(PASSWORD, "servers", iterations=1000)
            db.execute("UPDATE accounts_user SET password = %s", [hashed])

        work = tmp_path_factory.mktemp("servers")
        db = settings.DATABASES["default"]
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db.get('HOST') or '127.0.0.1'}:"
            f"{db.get('PORT') or 5432}/{clone}",
            "JIANGUAN_REDIS_URL": _redis_url(),
            "JIANGUAN_CACHE_PREFIX": prefix,
            "JIANGUAN_TASKS_BACKEND": "db",
            "JIANGUAN_SECRET_KEY": settings.SECRET_KEY,  # one key: sessions, CSRF and sealed fields read on both
            "JIANGUAN_FIELD_KEY": settings.JIANGUAN_FIELD_KEY,
            "JIANGUAN_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "JIANGUAN_DEBUG": "0",
            "JIANGUAN_MANIFEST_STATIC": "0",
            "JIANGUAN_MEDIA_ROOT": str(work / "media"),  # one shared media path
            "JIANGUAN_PUBLIC_RATE_LIMIT": str(RATE_LIMIT),
            "JIANGUAN_LOG_FORMAT": "text",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        env.pop("JIANGUAN_TEST_NOW", None)
        env.pop("DATABASE_REPLICA_URL", None)  # the copy has no replica
        for name in ("a", "b"):
            port = free_port()
            log = work / f"gunicorn-{name}.log"
            command = [str(Path(sys.executable).with_name("gunicorn")), "jianguan.wsgi", "-b", f"127.0.0.1:{port}",
                       "-w", "2", "--timeout", "60", "--error-logfile", "-"]  # fmt: skip
            with log.open("w") as out:
                processes.append(
                    subprocess.Popen(  # noqa: S603
                        command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                    )
                )
            urls.append((f"http://127.0.0.1:{port}", processes[-1], log))
        for url, process, log in urls:
            _wait_ready(url, process, log)
        ids = {
            "edu_department": d.departments["edu"].pk if "edu" in d.departments else 0,
            "fire_department": d.users["fire_officer"].department_id,
            "edu_officer": d.users["edu_officer"].pk,
            "ledger_a": d.ledger["a"].pk,
        }
        yield Servers(a=urls[0][0], b=urls[1][0], ids=ids, version=version)
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        admin.execute(f'DROP DATABASE IF EXISTS "{clone}" WITH (FORCE)')
        admin.close()
        import redis

        cache = redis.Redis.from_url(_redis_url())
        keys = list(cache.scan_iter(f"{prefix}:*"))
        if keys:
            cache.delete(*keys)
        cache.close()


def sign_in(base: str, username: str) -> Any:
    """A browser's session signed in on one server (the login page, its CSRF cookie, the form)."""
    import requests

    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=10)
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302 and "sessionid" in session.cookies, response.text[-2000:]
    return session


def _signed_in(session: Any, base: str) -> bool:
    response = session.get(f"{base}/notifications/", allow_redirects=False, timeout=10)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def _api_post(session: Any, url: str, payload: dict) -> Any:
    return session.post(url, json=payload, headers={"X-CSRFToken": session.cookies["csrftoken"]}, timeout=30)


def test_a_session_made_on_one_server_works_on_the_other_and_ends_on_both(servers: Servers) -> None:
    session = sign_in(servers.a, "p_leader")
    assert _signed_in(session, servers.b)  # signed in on A, recognised by B
    assert _signed_in(session, servers.a)
    response = session.post(
        f"{servers.b}/accounts/logout/", data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False, timeout=10,
    )  # fmt: skip
    assert response.status_code == 302
    assert not _signed_in(session, servers.a)  # signed out on B: gone on A too


def test_the_sign_in_lockout_counts_failures_on_both_servers(servers: Servers) -> None:
    import requests

    failures = settings.LOGIN_LOCKOUT_USER_FAILURES
    for n in range(failures):
        base = (servers.a, servers.b)[n % 2]
        browser = requests.Session()
        browser.get(f"{base}/accounts/login/", timeout=10)
        wrong = {
            "username": "p_legal",
            "password": "wrong-password-1",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        }
        assert browser.post(f"{base}/accounts/login/", data=wrong, allow_redirects=False, timeout=30).status_code == 200
    browser = requests.Session()
    browser.get(f"{servers.a}/accounts/login/", timeout=10)
    right = {"username": "p_legal", "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
    refused = browser.post(f"{servers.a}/accounts/login/", data=right, allow_redirects=False, timeout=30)
    assert refused.status_code == 200 and "已暂时锁定" in refused.text  # the right password, but locked


def test_the_public_rate_limit_counts_requests_on_both_servers(servers: Servers) -> None:
    import requests

    if time.time() % 60 > 50:  # the limit's window is the clock's minute: start at the beginning of one
        time.sleep(61 - time.time() % 60)
    answers = [requests.get(f"{(servers.a, servers.b)[n % 2]}/public/", timeout=10).status_code for n in range(8)]
    assert answers == [200] * RATE_LIMIT + [429] * (8 - RATE_LIMIT), answers  # 5 a minute in all, not 5 each


def test_document_numbers_issued_alternately_are_unique_and_consecutive(servers: Servers) -> None:
    session = sign_in(servers.a, "p_edu_officer")
    numbers = []
    for n in range(4):
        base = (servers.a, servers.b)[n % 2]
        response = _api_post(
            session, f"{base}/api/v1/transfers",
            {"kind": "assistance", "receiver_department_id": servers.ids["fire_department"],
             "subject": f"协查请求 {n}", "facts": "需要核实该机构的消防情况。", "request": "请协助核查。"},
        )  # fmt: skip
        assert response.status_code == 201, response.text
        numbers.append(response.json()["letter_number"])
    serials = [int(re.search(r"〔\d{4}〕(\d+)号", number).group(1)) for number in numbers]  # type: ignore[union-attr]
    assert len(set(numbers)) == 4
    assert serials == list(range(serials[0], serials[0] + 4)), numbers


def test_a_stale_ledger_version_is_refused_on_the_other_server(servers: Servers) -> None:
    session = sign_in(servers.b, "p_fire_officer")
    item = f"/api/v1/ledger/items/{servers.ids['ledger_a']}"
    version = session.get(f"{servers.a}{item}", timeout=10).json()["version"]
    assert version == servers.version
    recheck = {"passed": False, "note": "通道仍有杂物堆放。", "officer_ids": [servers.ids["edu_officer"]],
               "version": version}  # fmt: skip
    changed = _api_post(session, f"{servers.a}{item}/recheck", recheck)
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == version + 1
    stale = _api_post(session, f"{servers.b}{item}/recheck", recheck)  # the same page, sent again on server B
    assert stale.status_code == 409, stale.text
    assert stale.json()["code"] == "stale_version" and "已被他人更新" in stale.json()["message"]
    assert session.get(f"{servers.b}{item}", timeout=10).json()["version"] == version + 1
