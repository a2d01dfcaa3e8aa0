"""gunicorn settings for deploy/jianguan.service (the README's production section)."""

bind = "127.0.0.1:8000"
workers = 4
timeout = 60
# Above JIANGUAN_MAX_QUERY_STRING, so that the platform (JSON on the API), not gunicorn, answers a long query.
limit_request_line = 8190
# The platform logs one JSON line per request itself (jianguan.request); gunicorn's access log would repeat it.
accesslog = None
errorlog = "-"
forwarded_allow_ips = "127.0.0.1"


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    """A worker's metrics stop counting as live when it exits (prometheus-client's multiprocess mode)."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
