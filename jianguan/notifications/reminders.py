"""The daily reminders of deadlines near or passed, gathered from every app that has deadlines (the ledger's items,
the complaints in hand): each app connects a receiver to `collect` that returns its messages for the day. Run by
`manage.py ledger_remind` (cron) or its task (`db_worker`); a message is never sent twice a day."""

from __future__ import annotations

from datetime import date

from django.dispatch import Signal

from jianguan.notifications.services import Message, notify_many

collect = Signal()  # receivers: (sender, today) -> list[Message]


def gather(today: date) -> list[Message]:
    messages: list[Message] = []
    for _receiver, found in collect.send(sender=None, today=today):
        messages += found
    return messages


def send_all(today: date) -> int:
    return notify_many(gather(today))
