"""The public portal (公众查询) at 100,000 institutions: search p95 in-process, and throughput with 20 concurrent clients
over loopback against a real HTTP server, each beside a minimal view measured in the same run.

Data: the registry cases' 100,000 synthetic institutions (`registry_cases._ensure_data`, generated once per database).

* **p95 cases** (`portal_search_*`, `portal_institution`, `portal_api_search`): an anonymous test `Client` (what the
  public is), DEBUG off, the full middleware stack, through `registry_cases._page_case`: page, minimal view and raw SQL
  replay interleaved request by request. The minimal view here is public (no login: an anonymous request loads no
  session and no user) and returns "ok". Floor = p95(minimal view) + p95(raw SQL replay of the page's own queries).
  Searches get the registry's rule (p95 within 3× that floor); the institution page gets the 100 ms every page gets,
  as the registry's detail page does. The ratio to the minimal view alone is reported beside it.
* **throughput case** (`portal_throughput_*`): gunicorn as the README runs it in production (4 sync workers: one
  request per process at a time, no keep-alive) in a subprocess on 127.0.0.1, on a socket this process binds to a
  free port and hands over (`--bind fd://N`), serving `benchmarks.portal_wsgi` (the project's WSGI app plus the
  minimal view). 20 client threads (http.client) each send PER_CLIENT requests (1,000 in all), cycling through the
  p95 cases' URLs (a search, then a profile); the whole run stops at TIME_CAP_S. Requests/s = completed requests /
  wall time; latency p50/p95 over all of them. Any non-200 response or connection error makes the case fail (the
  harness prints FAIL and exits 1); so does a run cut short by the cap. The same 20-client run against the minimal
  view, on the same server, is the floor. Target: the bounded run completes within its cap (≥ 1,000 / 120 s =
  8.3 requests/s) with zero errors; the issue set no throughput figure.

The portal rate-limits each client (settings.JIANGUAN_PUBLIC_RATE_LIMIT per minute, default 60); every request here
comes from 127.0.0.1, so the benchmark raises the limit to RATE_LIMIT for its own run only: `override_settings` in
this process, the JIANGUAN_PUBLIC_RATE_LIMIT environment variable for the server's. The default is unchanged.
With SQLite the server must share the benchmark's database file (an in-memory database is refused).
"""

from __future__ import annotations

import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import override_settings
from django.urls import include, path

from benchmarks import registry_cases

ROOT = Path(__file__).resolve().parent.parent
RATE_LIMIT = 1_000_000_000
PUBLIC_FLOOR_URL = "/__bench__/public-floor/"
CLIENTS = 20
PER_CLIENT = 50
TIME_CAP_S = 120
SERVER_WORKERS = 4  # as the README's production command
SERVER_START_S = 60


def _public_floor_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


# The project's URLs plus the public minimal view: ROOT_URLCONF of the in-process cases and of the server.
urlpatterns = [path(PUBLIC_FLOOR_URL.strip("/") + "/", _public_floor_view), path("", include("jianguan.urls"))]

_state: dict[str, Any] = {}


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def _ensure() -> None:
    """The registry's 100k institutions, an anonymous client and the URLs the cases request."""
    if _state:
        return
    from jianguan.org.models import Region
    from jianguan.registry.models import Institution
    from jianguan.registry.synthetic import SYNTHETIC_NOTE

    registry_cases._ensure_data()
    synthetic = Institution.objects.filter(notes=SYNTHETIC_NOTE).order_by("pk")
    pks = list(synthetic.values_list("pk", flat=True))
    sample = random.Random(registry_cases.SEED).sample(pks, registry_cases.REQUESTS)  # noqa: S311
    # 12 characters of one synthetic institution's code: what a parent types before the list narrows down.
    code = synthetic.exclude(credit_code=None).exclude(credit_code="").values_list("credit_code", flat=True)[500]
    street = Region.objects.get(code="330199001").pk
    # One synthetic name with its last character changed: nothing matches exactly, the page suggests the name.
    name = synthetic.values_list("name", flat=True)[700]
    wrong = name[:-1] + ("院" if name[-1] != "院" else "所")
    _state.update(
        client=Client(HTTP_HOST="127.0.0.1"),
        institutions=[f"/public/institutions/{pk}/" for pk in sample],
        # case key → (label, query)
        searches={
            "q_substring": ("q=培训", {"q": "培训"}),
            "q_pinyin": ("q=qlj (pinyin initials)", {"q": "qlj"}),
            "credit_code": (f"q={code[:12]} (credit code prefix)", {"q": code[:12]}),
            "street": ("street=330199001", {"street": str(street)}),
            "kind": ("kind=meal_care (小饭桌)", {"kind": "meal_care"}),
            "fuzzy": (f"q={wrong} (last character wrong: 您要找的是不是…)", {"q": wrong}),
        },
        fuzzy_name=name,
        total=Institution.objects.count(),
    )


def _at() -> str:
    """100k: the institutions the cases ran on, to the nearest 10,000 (a reused database holds more after an import)."""
    return f"{round(_state['total'], -4) // 1000}k"


def _search_url(params: dict[str, str]) -> str:
    return f"/public/?{urlencode(params)}"


def _api_url(params: dict[str, str]) -> str:
    return f"/api/v1/public/institutions?{urlencode(params)}"


def _matches(params: dict[str, str]) -> str:
    from jianguan.portal import selectors

    street = int(params["street"]) if "street" in params else None
    return f"{selectors.search(params.get('q', ''), street, params.get('kind', '')).count():,} matches"


def _public_case(name: str, urls: list[str], describe: Any = lambda: "", target_ms: float = 0) -> dict:
    with override_settings(JIANGUAN_PUBLIC_RATE_LIMIT=RATE_LIMIT):
        result = registry_cases._page_case(
            name,
            urls,
            describe,
            target_ms,
            client=_state["client"],
            floor_url=PUBLIC_FLOOR_URL,
            urlconf=__name__,
        )
    result["ratio_view"] = result["value"] / result["floor_view"]
    result["note"] += (
        f"; vs minimal view alone {result['ratio_view']:.1f}×; {_state['total']:,} institutions; "
        f"rate limit raised to {RATE_LIMIT:,}/min for the run"
    )
    return result


# Absolute targets where issue 14 set them (SQLite, 100k): no worse than the figures measured before (q=培训 47 ms), and
# the pinyin and credit-code cases under 50 ms (they were 229 and 137 ms: a LIKE over every name); the suggestion
# search scans the names once with a CASE per two-character piece.
SEARCH_TARGET_MS = {"q_substring": 47, "q_pinyin": 50, "credit_code": 50, "fuzzy": 250}


def _search_case(key: str, api: bool = False):  # type: ignore[no-untyped-def]
    """`/public/?…` (or the API's `/api/v1/public/institutions?…`) with the query `key` names in _ensure."""

    def case() -> dict:
        _ensure()
        label, params = _state["searches"][key]
        url = _api_url(params) if api else _search_url(params)
        if key == "fuzzy":  # the page must suggest the name the text was made from
            with override_settings(JIANGUAN_PUBLIC_RATE_LIMIT=RATE_LIMIT):
                html = _state["client"].get(url).content.decode()
            assert "您要找的是不是" in html and _state["fuzzy_name"] in html, "the close name is not suggested"
        return _public_case(
            f"public {'API ' if api else ''}search {label} p95 @{_at()}",
            [url],
            lambda: _matches(params),
            target_ms=0 if api else SEARCH_TARGET_MS.get(key, 0),
        )

    case.__name__ = f"portal_{'api_' if api else ''}search_{key}"
    return case


def portal_institution() -> dict:
    """Public profiles of 50 different synthetic institutions (the registry detail case's sample)."""
    _ensure()
    return _public_case(f"public institution page p95 @{_at()}", _state["institutions"], target_ms=100)


# --- throughput -----------------------------------------------------------------------------------------------------


def _database_file_check() -> None:
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if name in ("", ":memory:") or "mode=memory" in name:
            raise RuntimeError("the throughput cases need the SQLite database in a file, shared with the server")


class _Server:
    """gunicorn serving benchmarks.portal_wsgi on a loopback socket bound here (a free port), in a subprocess."""

    def __init__(self) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1024)
        self.port = self.listener.getsockname()[1]
        log_fd, log_name = tempfile.mkstemp(prefix="jianguan-bench-gunicorn-", suffix=".log")
        self.log_path = Path(log_name)
        env = {**os.environ, "JIANGUAN_PUBLIC_RATE_LIMIT": str(RATE_LIMIT), "PYTHONPATH": str(ROOT)}
        fd = self.listener.fileno()
        command = [sys.executable, "-m", "gunicorn", "benchmarks.portal_wsgi:application", "--bind", f"fd://{fd}"]
        command += ["--workers", str(SERVER_WORKERS), "--chdir", str(ROOT), "--log-level", "warning"]
        self.process = subprocess.Popen(  # noqa: S603
            command,
            env=env,
            pass_fds=(fd,),
            stdout=log_fd,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        os.close(log_fd)  # the server has its own copy
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if self.process.poll() is not None:
                log = self.log_tail()
                self.stop()
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{log}")
            try:
                status, _ms = self.get(PUBLIC_FLOOR_URL)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                log = self.log_tail()
                self.stop()
                raise RuntimeError(f"gunicorn did not answer within {SERVER_START_S} s:\n{log}")
            time.sleep(0.2)

    def get(self, url: str) -> tuple[int, float]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            start = time.perf_counter()
            conn.request("GET", url)
            response = conn.getresponse()
            response.read()
            return response.status, (time.perf_counter() - start) * 1000
        finally:
            conn.close()

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.listener.close()
        self.log_path.unlink(missing_ok=True)


def _load(port: int, urls: list[str], clients: int, per_client: int, cap_s: float) -> dict:
    """`clients` threads, each sending `per_client` GETs (keep-alive when the server allows it), all stopping at
    `cap_s`. Client i starts its walk through `urls` at i × per_client, so every URL is requested about as often."""
    latencies: list[tuple[str, float]] = []
    errors: list[str] = []
    start_line = threading.Barrier(clients + 1)
    deadline: list[float] = []

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start_line.wait()
        for k in range(per_client):
            if time.monotonic() > deadline[0]:
                break
            url = urls[(i * per_client + k) % len(urls)]
            start = time.perf_counter()
            try:
                conn.request("GET", url, headers={"Accept": "text/html,application/json"})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{url}: {type(exc).__name__}: {exc}")
                conn.close()
                continue
            latencies.append((url, (time.perf_counter() - start) * 1000))
            if response.status != 200:
                errors.append(f"{url}: HTTP {response.status}")
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    deadline.append(time.monotonic() + cap_s)
    start = time.perf_counter()
    start_line.wait()
    for t in threads:
        t.join(cap_s + 90)
    wall = time.perf_counter() - start
    samples = [ms for _url, ms in latencies]
    return {
        "planned": clients * per_client,
        "done": len(samples),
        "wall": wall,
        "rps": len(samples) / wall,
        "p50": statistics.median(samples) if samples else float("nan"),
        "p95": _p95(samples) if len(samples) > 1 else float("nan"),
        "errors": errors,
        "capped": len(samples) + len(errors) < clients * per_client or any(t.is_alive() for t in threads),
        "latencies": latencies,
    }


def _throughput_case(name: str, urls_for: Any) -> dict:
    _ensure()
    _database_file_check()
    urls = urls_for()
    server = _Server()
    try:
        # Warm every worker (templates, database connection, pages) with a short unmeasured run of both mixes.
        _load(server.port, [PUBLIC_FLOOR_URL], CLIENTS, 2, TIME_CAP_S)
        _load(server.port, urls, CLIENTS, 2, TIME_CAP_S)
        floor = _load(server.port, [PUBLIC_FLOOR_URL], CLIENTS, PER_CLIENT, TIME_CAP_S)
        run = _load(server.port, urls, CLIENTS, PER_CLIENT, TIME_CAP_S)
        alive = server.process.poll() is None
        log = server.log_tail()
    finally:
        server.stop()
    errors = floor["errors"] + run["errors"]
    if not alive:
        errors.append("gunicorn died during the run")
    failed = bool(errors) or run["capped"] or floor["capped"]
    if failed:
        print(f"\n!!!! {name}: {len(errors)} errors, capped={run['capped'] or floor['capped']}", flush=True)
        for line in errors[:20]:
            print(f"!!!!   {line}", flush=True)
        if log.strip():
            print(f"!!!! gunicorn log (tail):\n{log}", flush=True)
    by_page: dict[str, list[float]] = {}
    for url, ms in run["latencies"]:
        page = "/public/institutions/<id>/" if url.startswith("/public/institutions/") else url
        by_page.setdefault(page, []).append(ms)
    per_url = {
        url: {"p50": statistics.median(v), "p95": _p95(v) if len(v) > 1 else v[0], "n": len(v)}
        for url, v in by_page.items()
    }
    target = round(run["planned"] / TIME_CAP_S, 2)
    return {
        "name": name,
        "value": run["rps"],
        "unit": "req/s",
        "target": target,
        "better": "higher",
        "errors": len(errors),
        "failed": failed,
        "requests": run["done"],
        "wall": run["wall"],
        "p50": run["p50"],
        "p95": run["p95"],
        "floor_rps": floor["rps"],
        "floor_p50": floor["p50"],
        "floor_p95": floor["p95"],
        "floor_requests": floor["done"],
        "ratio": floor["rps"] / run["rps"],
        "per_url": per_url,
        "note": (
            f"{run['done']:,}/{run['planned']:,} requests in {run['wall']:.1f} s, latency p50 {run['p50']:.1f} ms "
            f"p95 {run['p95']:.1f} ms; floor (minimal view, same server, same run) {floor['rps']:,.0f} req/s, "
            f"p95 {floor['p95']:.1f} ms ({floor['done']:,} requests); floor/page {floor['rps'] / run['rps']:.1f}×; "
            f"{len(errors)} errors; {CLIENTS} clients × {PER_CLIENT}, cap {TIME_CAP_S} s, gunicorn "
            f"{SERVER_WORKERS} sync workers; {_state['total']:,} institutions; rate limit raised to {RATE_LIMIT:,}/min"
        ),
    }


def _mix() -> list[str]:
    """Every search of the p95 cases (HTML and the API's q=培训) and the 50 institution pages, interleaved: a search,
    then a profile, as a visitor does."""
    searches = [_search_url(params) for key, (_label, params) in _state["searches"].items() if key != "fuzzy"]
    searches.append(_api_url({"q": "培训"}))
    mix = []
    for i, page in enumerate(_state["institutions"]):
        mix += [searches[i % len(searches)], page]
    return mix


def portal_throughput_20_clients() -> dict:
    return _throughput_case(f"public search+profile, {CLIENTS} clients (loopback)", _mix)


portal_search_q_substring = _search_case("q_substring")
portal_search_q_pinyin = _search_case("q_pinyin")
portal_search_credit_code = _search_case("credit_code")
portal_search_street = _search_case("street")
portal_search_kind = _search_case("kind")
portal_search_fuzzy = _search_case("fuzzy")
portal_api_search_q_substring = _search_case("q_substring", api=True)

ALL = [
    portal_search_q_substring,
    portal_search_q_pinyin,
    portal_search_credit_code,
    portal_search_street,
    portal_search_kind,
    portal_search_fuzzy,
    portal_api_search_q_substring,
    portal_institution,
    portal_throughput_20_clients,
]
