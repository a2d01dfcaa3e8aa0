"""Daily background tasks (django-tasks, database backend, run by `manage.py db_worker`): each run queues the next one
for tomorrow at a set hour. Where the backend cannot defer, cron runs the matching management command instead."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django_tasks import default_task_backend


def next_daily_run(hour: int, now: datetime | None = None) -> datetime:
    """Tomorrow at `hour` o'clock, local time."""
    now = timezone.localtime(now)
    tomorrow = now.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time(hour)))


def schedule_daily(task: Any, hour: int) -> bool:
    """Queue the task's next run for tomorrow at `hour`; False when the backend cannot defer."""
    if not default_task_backend.supports_defer:
        return False
    task.using(run_after=next_daily_run(hour)).enqueue()
    return True
