"""Operations: /metrics for Prometheus (by address or token only) and one JSON log line per request."""

from __future__ import annotations

import io
import json
import logging

from django.test import Client
from pythonjsonlogger.json import JsonFormatter

from jianguan.lib.requestlog import RequestContextFilter


def test_metrics_are_read_from_the_machine_or_with_the_token_only(district, settings):
    settings.JIANGUAN_METRICS_TOKEN = "s3cret-token-for-prometheus"
    Client().get("/public/")
    local = Client(REMOTE_ADDR="127.0.0.1").get("/metrics")
    assert local.status_code == 200
    text = local.content.decode()
    for name in ("jianguan_requests_total", "jianguan_request_duration_seconds_bucket", "jianguan_task_queue",
                 "jianguan_ledger_overdue_items", "jianguan_cases_open", "jianguan_complaints_overdue"):  # fmt: skip
        assert name in text, name
    assert 'view="portal:search"' in text
    outside = Client(REMOTE_ADDR="203.0.113.9")
    assert outside.get("/metrics").status_code == 404
    assert outside.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert outside.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-for-prometheus").status_code == 200


def test_each_request_is_one_json_line_with_its_id_user_and_view(client_for, personas):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s %(view)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    logger = logging.getLogger("jianguan.request")
    logger.addHandler(handler)
    try:
        client = client_for("lead")
        response = client.get("/ledger/", HTTP_X_REQUEST_ID="req-abc-12345")
        client.get("/public/", HTTP_X_REQUEST_ID="<script>")
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert response["X-Request-ID"] == "req-abc-12345"
    assert first["request_id"] == "req-abc-12345" and first["view"] == "ledger:item_list"
    assert first["user_id"] == personas["lead"].pk and first["status"] == 200 and first["level"] == "INFO"
    assert first["time"] and first["method"] == "GET" and first["path"] == "/ledger/"
    assert len(second["request_id"]) == 32 and second["request_id"] != "<script>"  # an unsafe id is replaced
