"""Webhook fixtures: a real HTTP receiver on loopback that records what it is sent and answers as it is told, the
database worker run inside the test's transaction, and a subscription made through the service."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_worker(limit: int = 50) -> int:
    """What `manage.py db_worker` does with each ready task, inside the test's transaction."""
    worker = Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test", excluded_queue_names=[],
    )  # fmt: skip
    ran = 0
    while ran < limit and (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        result.claim("test")
        worker.run_task(result)
        ran += 1
    return ran


def let_pauses_pass() -> None:
    """The retries' waits are over (the queued tasks become ready now)."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 200
    body: bytes = b'{"ok": true}'
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    stream_bytes: int = 0  # instead of body: this many bytes, sent in chunks (a huge answer)


class Receiver:
    """Another system's endpoint on loopback: records every request and gives the next queued answer (200 when none
    is queued)."""

    def __init__(self) -> None:
        self.received: list[Request] = []
        self.answers: deque[Answer] = deque()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.received.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                answer = receiver.answers.popleft() if receiver.answers else Answer()
                if answer.delay:
                    time.sleep(answer.delay)
                # A sender that stops reading after its 4 KiB closes the connection under the writes: expected.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    size = answer.stream_bytes or len(answer.body)
                    self.send_header("Content-Length", str(size))
                    self.end_headers()
                    if answer.stream_bytes:
                        chunk = b"x" * 65536
                        for _ in range(answer.stream_bytes // len(chunk)):
                            self.wfile.write(chunk)
                    else:
                        self.wfile.write(answer.body)

            do_POST = _handle  # noqa: N815
            do_GET = _handle  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/jianguan"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def subscribe(district, receiver):
    """subscribe(events, url=receiver.url) → (subscription, secret), made by the admin through the service."""
    from jianguan.webhooks import services

    def make(events: list[str], url: str | None = None, name: str = "市数据中心") -> tuple[Any, str]:
        return services.subscription_create(
            actor=district.users["admin"], name=name, target_url=url or receiver.url, events=events
        )

    return make
