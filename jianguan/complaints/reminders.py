"""Reminders for complaints in hand: the handler is told when the handling deadline is near (within
JIANGUAN_DUE_SOON_WORKING_DAYS working days) and when it has passed. Gathered by notifications.reminders."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _

from jianguan.complaints.choices import ComplaintStatus
from jianguan.complaints.models import Complaint
from jianguan.lib.workdays import UnknownCalendarYear, add_working_days
from jianguan.notifications.reminders import collect
from jianguan.notifications.services import Message


def reminders(today: date) -> list[Message]:
    try:
        until = add_working_days(today, settings.JIANGUAN_DUE_SOON_WORKING_DAYS)
    except UnknownCalendarYear:
        until = today
    complaints = Complaint.objects.filter(
        status=ComplaintStatus.ASSIGNED, handler__isnull=False, handler__is_active=True, deadline__lte=until
    )
    messages = []
    for c in complaints.only("pk", "number", "deadline", "handler_id"):
        values = {"number": c.number, "deadline": f"{c.deadline:%Y-%m-%d}"}
        if c.deadline < today:
            reason, text = "complaint.overdue", _("投诉 %(number)s 已超过办理期限（%(deadline)s），请尽快办理并答复。")
        else:
            reason, text = "complaint.due_soon", _("投诉 %(number)s 将于 %(deadline)s 到期，请按时办理并答复。")
        url = reverse("complaints:complaint_detail", args=[c.pk])
        messages.append(Message(c.handler_id, reason, f"complaints.complaint:{c.pk}", text % values, url))
    return messages


@receiver(collect, dispatch_uid="complaints.reminders")
def _reminders(sender: Any, today: date, **kwargs: Any) -> list[Message]:
    return reminders(today)
