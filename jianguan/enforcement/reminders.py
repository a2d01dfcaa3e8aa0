"""Reminders for penalty cases: each statutory clock about to run out (JIANGUAN_CASE_WARN_DAYS) or run out is told to
the case's investigators and the department's heads (before 立案, to the officer who registered the clue and the
heads). Gathered by notifications.reminders."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.enforcement import clocks
from jianguan.enforcement.choices import OPEN_STATUSES
from jianguan.enforcement.models import Case
from jianguan.notifications.reminders import collect
from jianguan.notifications.services import Message


def reminders(today: date) -> list[Message]:
    cases = list(Case.objects.filter(status__in=OPEN_STATUSES).prefetch_related("officers"))
    heads: dict[int, list[int]] = {}
    for user_id, department_id in User.objects.filter(
        is_active=True, role=Role.DEPARTMENT_OFFICER, is_department_head=True
    ).values_list("pk", "department_id"):
        heads.setdefault(department_id, []).append(user_id)
    messages = []
    for case in cases:
        due = [c for c in clocks.clocks(case, today) if c.state in ("soon", "overdue") and c.code != "reply"]
        if not due:
            continue
        people = {o.user_id for o in case.officers.all()} or {case.created_by_id}
        people |= set(heads.get(case.department_id, []))
        url = reverse("enforcement:case_detail", args=[case.pk])
        for clock in due:
            values = {"party": case.party_name, "clock": clock.label, "due": f"{clock.due:%Y-%m-%d}"}
            if clock.state == "overdue":
                reason, text = f"case.{clock.code}_overdue", _("%(party)s 案：%(clock)s（%(due)s）已超期。")
            else:
                reason, text = f"case.{clock.code}_due", _("%(party)s 案：%(clock)s至 %(due)s，请按时办理。")
            subject = f"enforcement.case:{case.pk}"
            messages += [Message(p, reason, subject, text % values, url) for p in sorted(people)]
    return messages


@receiver(collect, dispatch_uid="enforcement.reminders")
def _reminders(sender: Any, today: date, **kwargs: Any) -> list[Message]:
    return reminders(today)
