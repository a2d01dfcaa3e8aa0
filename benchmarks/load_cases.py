"""The load test (issue 19): a mixed staff and public workload (benchmarks/locustfile.py) against TWO app servers
sharing one database, one Redis and, when the environment names one, one read replica; `BENCH_CASES=load`.

* Data: the registry cases' 100,000 synthetic institutions and the demo district (`registry_cases._ensure_data`),
  one staff account of this case's own (`loadtest-leader`, role 领导: district-wide reads, no two-step sign-in by
  default) with a password and a read-only personal API token (created through the service, audited).
* Servers: two gunicorn processes (benchmarks/portal_wsgi.py, LOAD_WORKERS sync workers each, default 2) on two free
  loopback ports, each with this process's DATABASE_URL, DATABASE_REPLICA_URL when set (passed through untouched;
  scripts/pg_replica.sh starts one) and JIANGUAN_REDIS_URL = BENCH_REDIS_URL (Redis database 14 by default) under a
  prefix of this run's own, so both share the cache, the rate-limit counters and the portal's invalidations. Every
  simulated client comes from 127.0.0.1, so the public rate limit is raised for the run (as the portal's throughput
  case does); nothing else is changed.
* Locust 2.47 in a subprocess (gevent patches the standard library: it is never imported here), headless and bounded:
  LOAD_USERS (40) users, spawn rate LOAD_SPAWN_RATE (10)/s, LOAD_RUN_TIME (60s), `--host` server A and LOAD_HOSTS
  both servers (each user keeps to one, taken in turn). Its CSV statistics (`--csv`) give each endpoint's request
  count, failures and p50/p95/p99; the Markdown table of them is printed and written to var/bench/load.md.

Results: one figure per endpoint (p95, target LOAD_P95_TARGET_MS = 1,000 ms: a sanity bound chosen here, the issue
set none) and the failures over all requests (target 0: any failure makes the case FAIL).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from benchmarks import portal_cases, registry_cases

ROOT = Path(__file__).resolve().parent.parent
USERS = int(os.environ.get("LOAD_USERS", "40"))
SPAWN_RATE = int(os.environ.get("LOAD_SPAWN_RATE", "10"))
RUN_TIME = os.environ.get("LOAD_RUN_TIME", "60s")
WORKERS = int(os.environ.get("LOAD_WORKERS", "2"))
P95_TARGET_MS = 1_000
USERNAME = "loadtest-leader"
PASSWORD = "Load-test-" + "Jianguan-2026"  # a bench account on a scratch database


def _prepare() -> dict[str, str]:
    """The staff account, its token and the ids the users pick from, as locustfile.py's environment."""
    import random

    from jianguan.accounts.choices import Role
    from jianguan.accounts.models import User
    from jianguan.accounts.services import api_token_create
    from jianguan.ledger.models import LedgerItem
    from jianguan.registry.models import Institution

    registry_cases._ensure_data()
    user, _created = User.objects.get_or_create(username=USERNAME, defaults={"name": "压测领导", "role": Role.LEADER})
    user.role, user.is_active = Role.LEADER, True
    user.set_password(PASSWORD)
    user.save()
    _token, raw = api_token_create(actor=user, name=f"load test {uuid.uuid4().hex[:6]}", days=30, read_only=True)
    rng = random.Random(registry_cases.SEED)  # noqa: S311
    institutions = list(Institution.objects.order_by("pk").values_list("pk", flat=True))
    items = list(LedgerItem.objects.order_by("pk").values_list("pk", flat=True)[:2000])
    return {
        "LOAD_USERNAME": USERNAME,
        "LOAD_PASSWORD": PASSWORD,
        "LOAD_TOKEN": raw,
        "LOAD_INSTITUTIONS": ",".join(map(str, rng.sample(institutions, min(500, len(institutions))))),
        "LOAD_ITEMS": ",".join(map(str, rng.sample(items, min(200, len(items))))),
    }


def _stats(prefix: Path) -> tuple[list[dict], list[dict]]:
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    failures_file = Path(f"{prefix}_failures.csv")
    failures = []
    if failures_file.exists():
        with open(failures_file, newline="", encoding="utf-8") as f:
            failures = list(csv.DictReader(f))
    return rows, failures


def _ms(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _table(rows: list[dict], failures: list[dict], setup: str) -> str:
    lines = [
        setup,
        "",
        "| Endpoint | Requests | Failures | p50 ms | p95 ms | p99 ms | max ms | req/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        name = "**all**" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        lines.append(
            f"| {name} | {int(row['Request Count']):,} | {int(row['Failure Count']):,} | {row['50%']} | {row['95%']} "
            f"| {row['99%']} | {_ms(row['Max Response Time']):,.0f} | {_ms(row['Requests/s']):.1f} |"
        )
    if failures:
        lines += ["", "Failures:", ""]
        lines += [f"- {f['Method']} {f['Name']}: {f['Error']} × {f['Occurrences']}" for f in failures]
    return "\n".join(lines) + "\n"


def load_test_two_servers() -> list[dict]:
    """Locust, headless and bounded, against two gunicorn servers; one figure per endpoint and the failures."""
    from django.db import connection

    if connection.vendor != "postgresql" and not os.environ.get("LOAD_ON_SQLITE"):
        # Four processes writing sign-ins and sessions into one SQLite file measure its lock, not the servers.
        print("skip load test: PostgreSQL only (BENCH_DATABASE_URL=postgres://…; LOAD_ON_SQLITE=1 forces it)")
        return []
    portal_cases._database_file_check()
    env_extra = _prepare()
    redis_url = portal_cases._redis_url()
    prefix = f"jianguan-load-{uuid.uuid4().hex[:12]}"
    replica = os.environ.get("DATABASE_REPLICA_URL", "").strip()
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    csv_prefix = out / "load"
    servers = [portal_cases._Server(redis_url, prefix, workers=WORKERS) for _ in range(2)]
    try:
        hosts = [f"http://127.0.0.1:{s.port}" for s in servers]
        command = [str(Path(sys.executable).parent / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py")]
        command += ["--headless", "-u", str(USERS), "-r", str(SPAWN_RATE), "-t", RUN_TIME, "--host", hosts[0]]
        command += ["--csv", str(csv_prefix), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"]
        env = {**os.environ, **env_extra, "LOAD_HOSTS": ",".join(hosts)}
        started = time.perf_counter()
        locust = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)  # noqa: S603
        wall = time.perf_counter() - started
        alive = all(s.process.poll() is None for s in servers)
        logs = [s.log_tail() for s in servers]
    finally:
        for server in servers:
            server.stop()
    rows, failures = _stats(csv_prefix)
    setup = (
        f"{USERS} users (staff 1 : public 3), spawn rate {SPAWN_RATE}/s, run time {RUN_TIME} ({wall:.0f} s with "
        f"start and stop), 2 gunicorn servers × {WORKERS} sync workers, "
        f"cache {'Redis ' + redis_url if redis_url else 'per process (no Redis)'}, "
        f"{'read replica ' + replica.split('@')[-1] if replica else 'no read replica'}, portal cache "
        f"{portal_cases.CACHE_SECONDS} s, public rate limit raised to {portal_cases.RATE_LIMIT:,}/min, "
        f"{portal_cases.registry_cases.N_INSTITUTIONS:,} synthetic institutions; locust exit status {locust.returncode}"
    )
    table = _table(rows, failures, setup)
    (out / "load.md").write_text(table, encoding="utf-8")
    print(table, flush=True)
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    n_failures = int(total["Failure Count"]) if total else 0
    problems = []
    if locust.returncode not in (0, 1):  # 1: locust's "there were failures", counted below
        problems.append(f"locust exited with {locust.returncode}: {locust.stderr[-2000:]}")
    if not alive:
        problems.append("a gunicorn server died during the run")
    if total is None or int(total["Request Count"]) == 0:
        problems.append("no request was made")
    for line in problems:
        print(f"!!!! {line}", flush=True)
    if problems or n_failures:
        for log in logs:
            print(f"!!!! gunicorn log (tail):\n{log}", flush=True)
    results = [
        {
            "name": f"load test {row['Name']} p95",
            "value": _ms(row["95%"]),
            "unit": "ms",
            "target": P95_TARGET_MS,
            "better": "lower",
            "note": f"{int(row['Request Count']):,} requests, {int(row['Failure Count'])} failures, p50 {row['50%']} ms",
        }
        for row in rows
        if row["Name"] != "Aggregated"
    ]
    results.append(
        {
            "name": "load test: failed requests",
            "value": n_failures,
            "unit": "requests",
            "target": 0,
            "better": "lower",
            "failed": bool(problems) or n_failures > 0,
            "note": (
                f"of {int(total['Request Count']) if total else 0:,}; "
                f"{_ms(total['Requests/s']) if total else 0:.0f} req/s overall; {setup}"
            ),
        }
    )
    return results


ALL = [load_test_two_servers]
