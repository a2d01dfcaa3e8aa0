"""The daily rule check as a background task (django-tasks; `manage.py db_worker`), queuing its next run for tomorrow
at JIANGUAN_RULES_HOUR on a backend that can defer; the cron route is `manage.py check_rules` daily."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django_tasks import task

from jianguan.lib.tasks import next_daily_run, retried, schedule_daily
from jianguan.rules.services import run_checks


def next_run(now: datetime | None = None) -> datetime:
    return next_daily_run(settings.JIANGUAN_RULES_HOUR, now)


@task()
@retried
def check_rules_daily(reschedule: bool = True) -> int:
    try:
        return run_checks().found
    finally:  # tomorrow's run is queued even when today's fails (its retries then find it waiting)
        if reschedule:
            schedule()


def schedule() -> bool:
    """Queue the next run; False when the backend cannot defer (then cron runs `check_rules`)."""
    return schedule_daily(check_rules_daily, settings.JIANGUAN_RULES_HOUR)
