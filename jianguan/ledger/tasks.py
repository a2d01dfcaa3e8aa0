"""The reminders as a background task (django-tasks with the database backend, run by `manage.py db_worker`): each run
sends today's reminders and, on a backend that can defer, puts the next run on the queue for tomorrow morning. The
cron route (`manage.py ledger_remind` daily) does the same without a worker; both can run, as a notification is never
sent twice a day."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from jianguan.lib.tasks import next_daily_run, retried, schedule_daily
from jianguan.notifications.reminders import send_all


def next_run(now: datetime | None = None) -> datetime:
    """Tomorrow at JIANGUAN_REMIND_HOUR (local time)."""
    return next_daily_run(settings.JIANGUAN_REMIND_HOUR, now)


@task()
@retried
def send_ledger_reminders(reschedule: bool = True) -> int:
    try:
        return send_all(timezone.localdate())
    finally:  # tomorrow's run is queued even when today's fails (its retries then find it waiting)
        if reschedule:
            schedule()


def schedule() -> bool:
    """Queue the next run; False when the backend cannot defer (then cron runs `ledger_remind`)."""
    return schedule_daily(send_ledger_reminders, settings.JIANGUAN_REMIND_HOUR)
