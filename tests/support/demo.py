"""Loading the demo district into a test database that already holds the personas' district."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any


def load_demo_district(**kwargs: Any) -> dict[str, int]:
    """`load_demo`, with the demo's own responsibility matrix: the personas' district's matrix (its 测* departments)
    is removed first — kept, it would make departments with no officer on the demo's teams competent for the demo's
    problems, and their orders would wait. Inside the test's transaction, so the next test has it back."""
    from jianguan.demo.loader import load_demo
    from jianguan.org.models import Responsibility

    Responsibility.objects.all().delete()
    kwargs.setdefault("log", lambda *a, **k: None)
    return load_demo(**kwargs)


@dataclass(frozen=True)
class DemoLoad:
    """One load of the demo district: what it created, and the clock and audit chain just before it."""

    created: dict[str, int]
    started_at: datetime  # timezone.now() just before the load
    events_before: int  # audit events already in the database (the personas' district's own)


@contextmanager
def demo_district_shared(django_db_blocker: Any, **kwargs: Any) -> Iterator[DemoLoad]:
    """`load_demo_district` once for the tests of a module (the load is the slow part; they only read it, or change
    it inside their own transaction): loaded in a transaction of its own that each test's transaction nests in (as
    a savepoint, rolled back after the test), itself rolled back after the module's last test. For a module-scoped
    fixture; pytest tears it down before another module's test runs, so no other test ever sees the demo."""
    from django.db import transaction
    from django.utils import timezone

    from jianguan.audit.models import AuditEvent
    from jianguan.lib import workdays

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            workdays.clear_cache()
            started_at, events_before = timezone.now(), AuditEvent.objects.count()
            created = load_demo_district(**kwargs)
            workdays.clear_cache()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    try:
        yield DemoLoad(created=created, started_at=started_at, events_before=events_before)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
