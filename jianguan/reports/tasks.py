"""The day's open-data file (opendata.py) built ahead as a background task at JIANGUAN_OPENDATA_HOUR, so the first
download of the day waits for nothing; on a backend that can defer it queues its next run for tomorrow. Without a
worker the file is built on the first request, as before (`manage.py build_opendata` from cron does it ahead)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django_tasks import task

from jianguan.lib.tasks import next_daily_run, retried, schedule_daily
from jianguan.reports.opendata import open_data_zip


def next_run(now: datetime | None = None) -> datetime:
    """Tomorrow at JIANGUAN_OPENDATA_HOUR (local time)."""
    return next_daily_run(settings.JIANGUAN_OPENDATA_HOUR, now)


@task()
@retried
def build_open_data(reschedule: bool = True) -> str:
    """Today's file (built once a day, under the shared lock); returns its name."""
    try:
        return open_data_zip().name
    finally:  # tomorrow's run is queued even when today's fails (its retries then find it waiting)
        if reschedule:
            schedule()


def schedule() -> bool:
    """Queue the next run; False when the backend cannot defer (then cron runs `build_opendata`)."""
    return schedule_daily(build_open_data, settings.JIANGUAN_OPENDATA_HOUR)
