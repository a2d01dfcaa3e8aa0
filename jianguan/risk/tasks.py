"""The daily refresh as a background task (django-tasks with the database backend, run by `manage.py db_worker`): it
re-rates every institution for what time changes (licences running out, deadlines passing, old complaints leaving the
window) and, on a backend that can defer, queues its next run for tomorrow at JIANGUAN_RISK_HOUR. The cron route
(`manage.py risk_refresh` daily) does the same without a worker; running both is harmless."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django_tasks import task

from jianguan.lib.tasks import next_daily_run, retried, schedule_daily
from jianguan.risk.services import risk_refresh_all


def next_run(now: datetime | None = None) -> datetime:
    """Tomorrow at JIANGUAN_RISK_HOUR (local time)."""
    return next_daily_run(settings.JIANGUAN_RISK_HOUR, now)


@task()
@retried
def refresh_risk_ratings(reschedule: bool = True) -> int:
    try:
        return risk_refresh_all().refreshed
    finally:  # tomorrow's run is queued even when today's fails (its retries then find it waiting)
        if reschedule:
            schedule()


def schedule() -> bool:
    """Queue the next run; False when the backend cannot defer (then cron runs `risk_refresh`)."""
    return schedule_daily(refresh_risk_ratings, settings.JIANGUAN_RISK_HOUR)
