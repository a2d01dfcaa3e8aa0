"""Sending a notification on a channel, as a background task (django-tasks; `manage.py db_worker` runs it). The task
is queued in the transaction that created the delivery, and queues itself again after a failure until the attempts
run out (`services.delivery_attempt`)."""

from __future__ import annotations

from django_tasks import task

from jianguan.notifications.services import delivery_attempt


@task()
def deliver(delivery_id: int) -> str:
    return delivery_attempt(delivery_id)
