"""Prometheus metrics at /metrics: requests and latencies by view, and what operators watch — the task queue, overdue
ledger items, cases waiting (referrals to penalty not yet filed), overdue complaints, the read replica's lag.

Readable from JIANGUAN_METRICS_ALLOW (addresses/CIDRs, default the machine itself) or with
``Authorization: Bearer $JIANGUAN_METRICS_TOKEN``; anyone else gets 404. With several gunicorn workers set
PROMETHEUS_MULTIPROC_DIR (an empty directory, cleared at service start): request counters are then summed over the
workers (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from jianguan.lib.clientip import client_ip

logger = logging.getLogger("jianguan.metrics")

REQUESTS = Counter(
    "jianguan_requests", "HTTP requests served, by view, method and status class", ["view", "method", "status"]
)
LATENCY = Histogram(
    "jianguan_request_duration_seconds",
    "Time to serve a request, by view",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def observe(view: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(view=view, method=method, status=f"{status // 100}xx").inc()
    LATENCY.labels(view=view).observe(seconds)


class PlatformCollector(Collector):
    """Counted from the database at each scrape (a few COUNT queries)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django.utils import timezone

        from jianguan.complaints.models import Complaint
        from jianguan.ledger.models import LedgerItem, Referral
        from jianguan.ledger.selectors import overdue_q

        today = timezone.localdate()
        yield from _task_queue()
        yield GaugeMetricFamily(
            "jianguan_ledger_overdue_items",
            "Open ledger items past their deadline",
            value=LedgerItem.objects.filter(overdue_q(today)).count(),
        )
        yield GaugeMetricFamily(
            "jianguan_cases_open",
            "Escalations to penalty (移交处罚) not yet filed as a case",
            value=Referral.objects.filter(status="awaiting").count(),
        )
        yield GaugeMetricFamily(
            "jianguan_complaints_overdue",
            "Complaints in hand past their deadline",
            value=Complaint.objects.filter(status="assigned", deadline__lt=today).count(),
        )
        yield from _replica_metrics()


def _replica_metrics() -> Iterator[GaugeMetricFamily]:
    """The streaming replica's lag, measured at the scrape (none without DATABASE_REPLICA_URL)."""
    from django.db import DatabaseError

    from jianguan.lib.dbrouter import replica_configured, replica_lag

    if not replica_configured():
        return
    try:
        lag = replica_lag()
    except DatabaseError:
        yield GaugeMetricFamily("jianguan_replica_up", "Whether the read replica answers and replays WAL", value=0)
        return
    yield GaugeMetricFamily("jianguan_replica_up", "Whether the read replica answers and replays WAL",
                            value=int(lag.in_recovery))  # fmt: skip
    yield GaugeMetricFamily(
        "jianguan_replica_lag_seconds", "How long the read replica has been behind the primary", value=lag.lag_seconds
    )
    yield GaugeMetricFamily(
        "jianguan_replica_lag_bytes", "Bytes of WAL the read replica has not replayed yet", value=lag.lag_bytes
    )


def _task_queue() -> Iterator[GaugeMetricFamily]:
    """Background tasks by status (ready, running, failed) on the configured backend: the database queue, or RQ's
    queue and its scheduled, started and failed registries on Redis. When Redis does not answer the gauge is left out
    and jianguan_task_queue_up is 0 (an alert on it is the way to notice)."""
    from jianguan.lib.tasks import queue_counts

    try:
        counts = queue_counts()
    except Exception:  # Redis down: the other gauges still answer
        logger.warning("task queue not readable", exc_info=True)
        yield GaugeMetricFamily("jianguan_task_queue_up", "Whether the task queue could be read", value=0)
        return
    queue = GaugeMetricFamily("jianguan_task_queue", "Background tasks by status", labels=["status"])
    for status, count in counts.items():
        queue.add_metric([status], count)
    yield queue
    yield GaugeMetricFamily("jianguan_task_queue_up", "Whether the task queue could be read", value=1)


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in (REQUESTS, LATENCY):
            registry.register(collector)
    registry.register(PlatformCollector())
    return registry


def _allowed(request: HttpRequest) -> bool:
    token = settings.JIANGUAN_METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    ip = client_ip(request)
    if not ip:
        return False
    address = ipaddress.ip_address(ip)
    return any(address in ipaddress.ip_network(net.strip(), strict=False)
               for net in settings.JIANGUAN_METRICS_ALLOW.split(",") if net.strip())  # fmt: skip


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        raise Http404
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
