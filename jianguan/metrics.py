"""Prometheus metrics at /metrics: requests and latencies by view, and what operators watch — the task queue, overdue
ledger items, cases waiting (referrals to penalty not yet filed), overdue complaints.

Readable from JIANGUAN_METRICS_ALLOW (addresses/CIDRs, default the machine itself) or with
``Authorization: Bearer $JIANGUAN_METRICS_TOKEN``; anyone else gets 404. With several gunicorn workers set
PROMETHEUS_MULTIPROC_DIR (an empty directory, cleared at service start): request counters are then summed over the
workers (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from jianguan.lib.clientip import client_ip

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
        from django_tasks_db.models import DBTaskResult

        from jianguan.complaints.models import Complaint
        from jianguan.ledger.models import LedgerItem, Referral
        from jianguan.ledger.selectors import overdue_q

        today = timezone.localdate()
        queue = GaugeMetricFamily("jianguan_task_queue", "Background tasks by status", labels=["status"])
        for status in ("READY", "RUNNING", "FAILED"):
            queue.add_metric([status.lower()], DBTaskResult.objects.filter(status=status).count())
        yield queue
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
