"""Sending a notification on a channel, as a background task (django-tasks; `manage.py db_worker` runs it). The task
is queued in the transaction that created the delivery, and queues itself again after a failure until the attempts
run out (`services.delivery_attempt`); an unexpected error (the database gone for a moment) is retried as any task's
(`lib.tasks.retried`)."""

from __future__ import annotations

from django_tasks import task

from jianguan.lib.tasks import retried
from jianguan.notifications.services import delivery_attempt


@task()
@retried
def deliver(delivery_id: int) -> str:
    return delivery_attempt(delivery_id)
