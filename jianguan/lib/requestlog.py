"""Which request a log line belongs to: its id, the signed-in user and the view, on every record logged while the
request is served (a logging filter reads them from a context variable), and one JSON line per request."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

# A request id from the proxy (X-Request-ID) is kept when it is a plain token, so one id follows the request
# through nginx and the platform; anything else is replaced.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


@dataclass
class RequestInfo:
    request_id: str = ""
    user_id: int | None = None
    view: str = ""


_current: ContextVar[RequestInfo | None] = ContextVar("jianguan_request", default=None)


def new_request_id(offered: str | None) -> str:
    return offered if offered and _REQUEST_ID.match(offered) else uuid.uuid4().hex


def begin(request_id: str) -> object:
    return _current.set(RequestInfo(request_id=request_id))


def end(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def current() -> RequestInfo | None:
    return _current.get()


class RequestContextFilter(logging.Filter):
    """Adds request_id, user_id and view to every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        info = _current.get()
        record.request_id = info.request_id if info else ""
        record.user_id = info.user_id if info else None
        record.view = info.view if info else ""
        return True
