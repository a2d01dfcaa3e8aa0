"""The load test (issue 19): staff and the public at once, against one app server or several.

`BENCH_CASES=load` (benchmarks/load_cases.py) prepares the data, starts two gunicorn servers and runs this file
headless; by hand, against servers already running:

    LOAD_HOSTS=http://127.0.0.1:8000,http://127.0.0.1:8001 LOAD_USERNAME=… LOAD_PASSWORD=… LOAD_TOKEN=jg_… \\
    LOAD_INSTITUTIONS=1,2,3 LOAD_ITEMS=4,5 .venv/bin/locust -f benchmarks/locustfile.py --headless \\
        -u 40 -r 10 -t 60s --host http://127.0.0.1:8000 --csv var/bench/load

Each simulated user keeps to one server, the servers taken in turn (LOAD_HOSTS; else --host alone): what a load
balancer with sticky sessions does. Staff (one user in four) sign in with a password (a role without two-step
sign-in), then look at the dashboard, the ledger, one ledger item, the institution list with and without a search, and
the API's lists with a personal token. The public search the portal, open institutions' pages and ask the public API.
Requests are grouped by endpoint (`name=`), so locust's statistics hold one row per endpoint.

FastHttpUser (geventhttpclient) keeps the load generator's own CPU low: it shares the 2 cores with the servers.
Locust runs in its own process (gevent patches the standard library): never import this file into Django's.
"""

from __future__ import annotations

import itertools
import os
import random
import re
from urllib.parse import urlencode

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

HOSTS = [h.strip().rstrip("/") for h in os.environ.get("LOAD_HOSTS", "").split(",") if h.strip()]
USERNAME = os.environ.get("LOAD_USERNAME", "")
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
TOKEN = os.environ.get("LOAD_TOKEN", "")
INSTITUTIONS = [int(i) for i in os.environ.get("LOAD_INSTITUTIONS", "").split(",") if i.strip()]
ITEMS = [int(i) for i in os.environ.get("LOAD_ITEMS", "").split(",") if i.strip()]
# What people type: common words, pinyin initials, a street's name, a credit-code prefix (LOAD_QUERIES overrides).
QUERIES = [q for q in os.environ.get("LOAD_QUERIES", "培训|教育|艺术|qlj|托管|小饭桌|青岚|9133").split("|") if q]
KINDS = ["", "", "", "academic", "non_academic", "meal_care", "after_school"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_turn = itertools.count()


class _OnOneServer(FastHttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        if HOSTS:
            self.client.base_url = HOSTS[next(_turn) % len(HOSTS)]

    def _ok(self, path: str, name: str, **kwargs) -> None:
        """GET; anything but 200 counts as a failure (a redirect to the sign-in page included)."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


class Staff(_OnOneServer):
    weight = 1

    def on_start(self) -> None:
        super().on_start()
        page = self.client.get("/accounts/login/", name="staff: sign-in page")
        token = CSRF.search(page.text)
        data = {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        with self.client.post(
            "/accounts/login/", data=urlencode(data), headers=headers, name="staff: sign in", allow_redirects=False,
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 302 or "/accounts/login" in response.headers.get("Location", ""):
                response.failure(f"sign-in refused (HTTP {response.status_code})")

    @task(2)
    def home(self) -> None:
        self._ok("/", "staff: home")

    @task(2)
    def dashboard(self) -> None:
        self._ok("/reports/dashboard/", "staff: dashboard")

    @task(3)
    def ledger_list(self) -> None:
        self._ok("/ledger/", "staff: ledger list")

    @task(3)
    def ledger_item(self) -> None:
        if ITEMS:
            self._ok(f"/ledger/{random.choice(ITEMS)}/", "staff: ledger item")  # noqa: S311

    @task(2)
    def institution_list(self) -> None:
        self._ok("/institutions/", "staff: institution list")

    @task(3)
    def institution_search(self) -> None:
        self._ok("/institutions/?" + urlencode({"q": random.choice(QUERIES)}), "staff: institution search")  # noqa: S311

    @task(2)
    def api_list(self) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        self._ok("/api/v1/institutions?limit=20", "staff API: institutions (token)", headers=headers)
        self._ok("/api/v1/ledger/items?limit=20", "staff API: ledger items (token)", headers=headers)


class Public(_OnOneServer):
    weight = 3

    @task(4)
    def search(self) -> None:
        q, kind = random.choice(QUERIES), random.choice(KINDS)  # noqa: S311
        self._ok("/public/?" + urlencode({"q": q, **({"kind": kind} if kind else {})}), "public: search")

    @task(4)
    def institution(self) -> None:
        if INSTITUTIONS:
            self._ok(f"/public/institutions/{random.choice(INSTITUTIONS)}/", "public: institution page")  # noqa: S311

    @task(2)
    def api_search(self) -> None:
        query = urlencode({"q": random.choice(QUERIES)})  # noqa: S311
        self._ok(f"/api/v1/public/institutions?{query}", "public API: search")

    @task(1)
    def api_detail(self) -> None:
        if INSTITUTIONS:
            pk = random.choice(INSTITUTIONS)  # noqa: S311
            self._ok(f"/api/v1/public/institutions/{pk}", "public API: institution")
