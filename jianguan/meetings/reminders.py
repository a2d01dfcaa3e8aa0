"""Reminders for the joint meeting's tasks: a task due within JIANGUAN_MEETING_TASK_WARN_DAYS days, or overdue, is
told to its unit's users every day until it is closed; an overdue one to the convener too. Gathered by
notifications.reminders."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.meetings.models import MeetingTask, overdue_q
from jianguan.meetings.selectors import due_soon_q
from jianguan.notifications.reminders import collect
from jianguan.notifications.services import Message


def reminders(today: date) -> list[Message]:
    tasks = list(
        MeetingTask.objects.filter(due_soon_q(today) | overdue_q(today)).select_related(
            "session__meeting", "department", "street"
        )
    )
    if not tasks:
        return []
    departments: dict[int, list[int]] = {}
    streets: dict[int, list[int]] = {}
    users = User.objects.filter(is_active=True, role__in=[Role.DEPARTMENT_OFFICER, Role.STREET_OFFICER])
    for pk, role, department_id in users.values_list("pk", "role", "department_id"):
        if role == Role.DEPARTMENT_OFFICER and department_id:
            departments.setdefault(department_id, []).append(pk)
    for pk, street_id in users.filter(role=Role.STREET_OFFICER).values_list("pk", "streets"):
        if street_id:
            streets.setdefault(street_id, []).append(pk)
    messages = []
    for task in tasks:
        people = set(departments.get(task.department_id, []) if task.department_id else streets.get(task.street_id, []))
        values = {"decision": task.decision[:60], "unit": task.unit_name, "day": task.deadline.isoformat()}
        if task.deadline < today:
            reason, text = (
                "meeting.task_overdue",
                _("督办事项“%(decision)s”（%(unit)s）办理时限 %(day)s 已过，尚未办结。"),
            )
            people.add(task.session.meeting.convener_id)
        else:
            reason, text = (
                "meeting.task_due",
                _("督办事项“%(decision)s”（%(unit)s）办理时限为 %(day)s，请按时办理并报告进展。"),
            )
        url = reverse("meetings:session_detail", args=[task.session_id]) + f"#task-{task.pk}"
        messages += [Message(p, reason, f"meetings.task:{task.pk}", text % values, url) for p in sorted(people)]
    return messages


@receiver(collect, dispatch_uid="meetings.reminders")
def _reminders(sender: Any, today: date, **kwargs: Any) -> list[Message]:
    return reminders(today)
