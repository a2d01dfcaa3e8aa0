"""Reminders for complaints: the handler is told when the handling deadline is near (within
JIANGUAN_DUE_SOON_WORKING_DAYS working days) and when it has passed; the lead coordinators, when the decision to
accept a 投诉 or 举报 is due or late. Gathered by notifications.reminders."""

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
    return messages + _acceptance(today, until)


def _acceptance(today: date, until: date) -> list[Message]:
    """The lead coordinators are told of each 投诉 or 举报 still waiting for the decision to accept it when that
    decision falls due within the reminder window or is late (JIANGUAN_COMPLAINT_ACCEPT_WORKING_DAYS)."""
    from jianguan.accounts.choices import Role
    from jianguan.accounts.models import User

    waiting = [c for c in Complaint.objects.filter(status=ComplaintStatus.RECEIVED).only("pk", "number", "received_at")]
    due = [(c, c.accept_due) for c in waiting]
    due = [(c, d) for c, d in due if d is not None and d <= until]
    if not due:
        return []
    leads = list(User.objects.filter(role=Role.LEAD, is_active=True).values_list("pk", flat=True))
    messages = []
    for c, day in due:
        values = {"number": c.number, "date": f"{day:%Y-%m-%d}"}
        if day < today:
            reason, text = (
                "complaint.accept_overdue",
                _("%(number)s 已超过受理期限（%(date)s），请尽快决定受理或不予受理。"),
            )
        else:
            reason, text = "complaint.accept_due", _("%(number)s 须于 %(date)s 前决定是否受理。")
        url = reverse("complaints:complaint_detail", args=[c.pk])
        messages += [Message(lead, reason, f"complaints.complaint:{c.pk}", text % values, url) for lead in leads]
    return messages


@receiver(collect, dispatch_uid="complaints.reminders")
def _reminders(sender: Any, today: date, **kwargs: Any) -> list[Message]:
    return reminders(today)
