"""Who is reminded of what (ledger_remind): the institution of items due soon or overdue, the supervising officers of
items waiting for a recheck. At most one notification per recipient, item and reason a day."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.urls import reverse

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.ledger.choices import ItemStatus
from jianguan.ledger.models import LedgerItem
from jianguan.ledger.selectors import due_soon_q, overdue_q, recheck_due_by
from jianguan.notifications.services import Message, notify_many


def reminders(today: date) -> list[Message]:
    items = list(
        LedgerItem.objects.filter(due_soon_q(today) | overdue_q(today) | Q(status=ItemStatus.SUBMITTED)).select_related(
            "institution"
        )
    )
    institution_users: dict[int, list[int]] = {}
    for user_id, institution_id in User.objects.filter(
        role=Role.INSTITUTION, is_active=True, institution_id__in={i.institution_id for i in items}
    ).values_list("pk", "institution_id"):
        institution_users.setdefault(institution_id, []).append(user_id)
    officers: dict[int, list[int]] = {}
    for user_id, department_id in User.objects.filter(
        role=Role.DEPARTMENT_OFFICER, is_active=True, department_id__in={i.department_id for i in items}
    ).values_list("pk", "department_id"):
        officers.setdefault(department_id, []).append(user_id)
    messages = []
    for item in items:
        subject, url = f"ledger.ledgeritem:{item.pk}", reverse("ledger:item_detail", args=[item.pk])
        short = item.description[:40]
        overdue = item.deadline < today and item.status != ItemStatus.SUBMITTED
        if item.status in (ItemStatus.PENDING, ItemStatus.IN_PROGRESS):
            text = (
                f"整改事项“{short}”已逾期（整改时限 {item.deadline:%Y-%m-%d}），请尽快整改并提交材料。"
                if overdue
                else f"整改事项“{short}”将于 {item.deadline:%Y-%m-%d} 到期，请按时整改并提交材料。"
            )
            reason = "ledger.overdue" if overdue else "ledger.due_soon"
            messages += [Message(u, reason, subject, text, url) for u in institution_users.get(item.institution_id, [])]
        if item.status == ItemStatus.SUBMITTED or overdue:
            due = recheck_due_by(item)
            when = f"，请于 {due:%Y-%m-%d} 前复查" if due else "，请安排复查"
            what = "已提交整改材料" if item.status == ItemStatus.SUBMITTED else "已逾期"
            text = f"{item.institution.name}的整改事项“{short}”{what}{when}。"
            recipients = [item.officer_id] if item.officer_id else officers.get(item.department_id, [])
            messages += [Message(u, "ledger.recheck_due", subject, text, url) for u in recipients]
    return messages


def send_reminders(today: date) -> int:
    return notify_many(reminders(today))
