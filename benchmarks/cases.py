"""The measured cases. Each returns name, value, unit, target and which direction is better."""

from __future__ import annotations

import statistics
import time
from datetime import date

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks import (
    dashboard_cases,
    document_cases,
    draw_cases,
    hardening_cases,
    ledger_cases,
    load_cases,
    meeting_cases,
    portal_cases,
    registry_cases,
    rules_cases,
)
from jianguan.audit.selectors import audit_chain_verify
from jianguan.audit.services import audit_batch, audit_record
from jianguan.demo.loader import load_demo
from jianguan.lib import workdays

CHAIN_EVENTS = 100_000


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def audit_write_latency() -> dict:
    """One service-sized transaction writing one audit event, as every change does."""
    samples = []
    for i in range(2000):
        start = time.perf_counter()
        with transaction.atomic():
            audit_record(actor=None, action="bench.write", object_type="bench", object_id=i, after={"i": i, "名": "值"})
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "name": "audit event write p95 (own transaction)",
        "value": _p95(samples),
        "unit": "ms",
        "target": 10,
        "better": "lower",
        "note": f"median {statistics.median(samples):.2f} ms, n=2000",
    }


def audit_verify_100k() -> dict:
    """verify_audit over a chain of 100k events (the daily cron check)."""
    from jianguan.audit.models import AuditEvent

    missing = CHAIN_EVENTS - AuditEvent.objects.count()
    with transaction.atomic(), audit_batch():
        for i in range(max(missing, 0)):
            audit_record(actor=None, action="bench.fill", object_type="bench", object_id=i, after={"i": i})
    start = time.perf_counter()
    report = audit_chain_verify()
    elapsed = time.perf_counter() - start
    assert report.ok, report
    return {
        "name": f"verify_audit over {report.checked:,} events",
        "value": elapsed,
        "unit": "s",
        "target": 30,
        "better": "lower",
        "note": f"{report.checked / elapsed:,.0f} events/s",
    }


def workday_arithmetic() -> dict:
    """add_working_days for 10k deadlines (overdue lists compute one per row)."""
    workdays.clear_cache()
    start_day = date(2026, 1, 5)
    workdays.add_working_days(start_day, 1)
    t = time.perf_counter()
    for i in range(10_000):
        workdays.add_working_days(date.fromordinal(start_day.toordinal() + i % 300), 15)
    per_call = (time.perf_counter() - t) / 10_000 * 1e6
    return {"name": "add_working_days(15) per call", "value": per_call, "unit": "µs", "target": 50, "better": "lower"}


def home_page_latency() -> dict:
    """The admin's home page on the demo district: p95 over 200 requests, and its query count."""
    load_demo(today=date(2026, 11, 26), log=lambda *a: None)
    from jianguan.accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="admin"))
    client.get("/")
    samples = []
    for _ in range(200):
        t = time.perf_counter()
        response = client.get("/")
        samples.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
    return {
        "name": "admin home page p95 (in-process)",
        "value": _p95(samples),
        "unit": "ms",
        "target": 100,
        "better": "lower",
        "note": f"{len(ctx.captured_queries)} queries",
    }


ALL = [
    *hardening_cases.ALL,
    workday_arithmetic,
    audit_write_latency,
    home_page_latency,
    *document_cases.ALL,
    audit_verify_100k,
    # The portal runs at 100k institutions: after the registry's reads, before its import adds 10,000 more.
    *[case for case in registry_cases.ALL if case is not registry_cases.registry_import_xlsx],
    *portal_cases.ALL,
    # On the same 100k: two servers, staff and the public at once (locust; PostgreSQL only).
    *load_cases.ALL,
    registry_cases.registry_import_xlsx,
    *ledger_cases.ALL,
    # After the ledger's cases: the dashboard's data adds ~30,000 ledger items (its campaigns' findings).
    *dashboard_cases.ALL,
    # On the dashboard's data: the joint meeting's pack is built from the dashboard's sections.
    *meeting_cases.ALL,
    *draw_cases.ALL,
    # Last: its 1.2M rows of staff, classes and charges are its own.
    *rules_cases.ALL,
]
