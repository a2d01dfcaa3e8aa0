"""Daily reminders of the transfers app, gathered by notifications.reminders (`collect`):
- a transfer not yet answered on its reply deadline is told to the receiving unit (答复今日到期), and once the deadline
  has passed to both units (逾期未答复: the receiver to answer, the sender to follow it up);
- the daily digest of each subscription: how many matching events happened the day before (信息共享). Events have no
  signal of their own in every app (complaints, cases), so the feed is told once a day from the records, the same
  selectors as the feed page; a transfer received is also told at once by the service that sends it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.notifications.reminders import collect
from jianguan.notifications.services import Message
from jianguan.transfers.choices import TransferStatus
from jianguan.transfers.models import Subscription, Transfer


def _unit_people() -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """department id → its users (officers and the lead coordinator), street id → its street officers (two queries)."""
    by_department: dict[int, list[int]] = defaultdict(list)
    for pk, department_id in User.objects.filter(
        is_active=True, role__in=(Role.DEPARTMENT_OFFICER, Role.LEAD), department__isnull=False
    ).values_list("pk", "department_id"):
        by_department[department_id].append(pk)
    by_street: dict[int, list[int]] = defaultdict(list)
    for pk, street_id in User.objects.filter(
        is_active=True, role=Role.STREET_OFFICER, streets__isnull=False
    ).values_list("pk", "streets"):
        by_street[street_id].append(pk)
    return by_department, by_street


def _people(units: tuple[dict[int, list[int]], dict[int, list[int]]], department_id: Any, street_id: Any) -> list[int]:
    if department_id is not None:
        return units[0].get(department_id, [])
    return units[1].get(street_id, [])


def reply_reminders(today: date) -> list[Message]:
    transfers = list(
        Transfer.objects.filter(status=TransferStatus.SENT, reply_due__lte=today).select_related(
            "sender_department", "sender_street", "receiver_department", "receiver_street"
        )
    )
    if not transfers:
        return []
    units = _unit_people()
    messages = []
    for t in transfers:
        url = reverse("transfers:transfer_detail", args=[t.pk])
        subject = f"transfers.transfer:{t.pk}"
        values = {"kind": t.get_kind_display(), "subject": t.subject, "due": f"{t.reply_due:%Y-%m-%d}",
                  "sender": t.sender, "receiver": t.receiver}  # fmt: skip
        receivers = _people(units, t.receiver_department_id, t.receiver_street_id)
        if t.reply_due == today:
            text = _("%(sender)s 的%(kind)s“%(subject)s”须于今日（%(due)s）前答复是否接收。") % values
            messages += [Message(p, "transfer.reply_due", subject, text, url) for p in receivers]
            continue
        text = _("%(sender)s 的%(kind)s“%(subject)s”答复期限 %(due)s 已过，请尽快答复是否接收。") % values
        messages += [Message(p, "transfer.reply_overdue", subject, text, url) for p in receivers]
        text = _("向%(receiver)s发出的%(kind)s“%(subject)s”逾期未答复（期限 %(due)s），请督促。") % values
        senders = _people(units, t.sender_department_id, t.sender_street_id)
        messages += [Message(p, "transfer.reply_overdue_sent", subject, text, url) for p in senders]
    return messages


def digest(today: date) -> list[Message]:
    """Yesterday's events of each subscription, counted; told to the subscribing unit's users when there are any."""
    from jianguan.org.models import Responsibility
    from jianguan.transfers.feed import count_on

    yesterday = today - timedelta(days=1)
    subscriptions = list(Subscription.objects.prefetch_related("streets"))
    if not subscriptions:
        return []
    competence: dict[int, set[str]] = defaultdict(set)
    for department_id, category in Responsibility.objects.values_list("department_id", "category"):
        competence[department_id].add(category)
    units = _unit_people()
    url = reverse("transfers:feed")
    messages = []
    for s in subscriptions:
        n = count_on(s, yesterday, competence)
        if not n:
            continue
        text = _("您订阅的“%(name)s”在 %(day)s 有 %(n)s 条新动态。") % {
            "name": s.name,
            "day": f"{yesterday:%Y-%m-%d}",
            "n": n,
        }
        subject = f"transfers.subscription:{s.pk}:{yesterday.isoformat()}"
        messages += [
            Message(p, "feed.digest", subject, text, url) for p in _people(units, s.department_id, s.street_id)
        ]
    return messages


@receiver(collect, dispatch_uid="transfers.reminders")
def _reminders(sender: Any, today: date, **kwargs: Any) -> list[Message]:
    return reply_reminders(today) + digest(today)
