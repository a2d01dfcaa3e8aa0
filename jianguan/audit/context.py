"""Where the current change comes from (web, api, command) and the client IP, for the audit events it writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from jianguan.audit.choices import Source


@dataclass(frozen=True)
class AuditContext:
    source: str = Source.COMMAND
    ip: str | None = None


_current: ContextVar[AuditContext] = ContextVar("jianguan_audit_context", default=AuditContext())  # noqa: B039 (frozen)


def current() -> AuditContext:
    return _current.get()


@contextmanager
def audit_context(*, source: str, ip: str | None = None) -> Iterator[None]:
    token = _current.set(AuditContext(source=source, ip=ip))
    try:
        yield
    finally:
        _current.reset(token)
