"""Daily background tasks (django-tasks, database backend, run by `manage.py db_worker`): each run queues the next one
for tomorrow at a set hour. Where the backend cannot defer, cron runs the matching management command instead."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend


def next_daily_run(hour: int, now: datetime | None = None) -> datetime:
    """Tomorrow at `hour` o'clock, local time."""
    now = timezone.localtime(now)
    tomorrow = now.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time(hour)))


def schedule_daily(task: Any, hour: int) -> bool:
    """Queue the task's next run for tomorrow at `hour`, unless a run is already waiting (a second `make run` or a
    cron line beside the worker must not start a second chain); False when the backend cannot defer."""
    if not default_task_backend.supports_defer:
        return False
    if not _waiting(task):
        task.using(run_after=next_daily_run(hour)).enqueue()
    return True


def _waiting(task: Any) -> bool:
    """A run of the task is on the database queue, not yet started (other backends: assume not)."""
    if not _on_database(task):
        return False
    from django_tasks_db.models import DBTaskResult, get_date_max

    # A run queued "now" is stored with the latest date as its run_after: only a deferred run counts as the chain.
    waiting = DBTaskResult.objects.filter(
        task_path=task.module_path, status="READY", run_after__gt=timezone.now(), run_after__lt=get_date_max()
    )
    return waiting.exists()


def enqueue_atomically(task: Any, *args: Any, run_after: datetime | None = None) -> None:
    """Queue a task with the caller's transaction: on the database backend the queue row is written inside it (it
    commits, or vanishes, with the change that asked for it); on any other backend it is queued once the transaction
    has committed, so a worker never looks for rows that are not there yet."""
    task = task.using(run_after=run_after) if run_after is not None else task
    if _on_database(task):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


def _on_database(task: Any) -> bool:
    """The task's backend keeps its queue in this database (django-tasks-db), inside the callers' transactions."""
    return type(task.get_backend()).__module__.startswith("django_tasks_db")
