"""Who is told when an item moves (站内通知, and e-mail or SMS where the person chose them): the institution of its
order and of each decision on its items, the supervising officers of each submission and extension request. Called
by the services inside their transactions; each event is its own subject, so the same thing twice in a day is told
twice and a replay of the same event never is."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.ledger.models import ItemEvent, LedgerItem
from jianguan.notifications.services import Message, notify_many


def institution_users(institution_id: int) -> list[int]:
    return list(
        User.objects.filter(role=Role.INSTITUTION, is_active=True, institution_id=institution_id).values_list(
            "pk", flat=True
        )
    )


def supervisors(item: LedgerItem) -> list[int]:
    """The item's supervising officer, or while none is named the active officers of its department."""
    if item.officer_id:
        return [item.officer_id]
    return list(
        User.objects.filter(role=Role.DEPARTMENT_OFFICER, is_active=True, department_id=item.department_id).values_list(
            "pk", flat=True
        )
    )


def _tell(recipients: Iterable[int], reason: str, event: ItemEvent, text: str, item: LedgerItem) -> None:
    url = reverse("ledger:item_detail", args=[item.pk])
    notify_many(Message(pk, reason, f"ledger.itemevent:{event.pk}", text, url) for pk in set(recipients))


def _short(item: LedgerItem) -> str:
    return item.description if len(item.description) <= 40 else item.description[:39] + "…"


def order_issued(items: list[LedgerItem], document_number: str) -> None:
    """The institution's users learn of the order and its nearest deadline (one message for the whole order)."""
    if not items:
        return
    first = min(items, key=lambda i: i.deadline)
    text = _("收到责令整改通知书 %(number)s：%(n)s 项问题须整改，最早的整改时限为 %(deadline)s。") % {
        "number": document_number, "n": len(items), "deadline": f"{first.deadline:%Y-%m-%d}"
    }  # fmt: skip
    url = f"{reverse('ledger:item_list')}?status=open"
    subject = f"inspections.inspection:{first.inspection_id}"
    notify_many(Message(pk, "ledger.order", subject, text, url) for pk in institution_users(first.institution_id))


def submitted(item: LedgerItem, event: ItemEvent) -> None:
    text = _("%(name)s已提交整改材料：“%(item)s”，请复查。") % {"name": item.institution.name, "item": _short(item)}
    _tell(supervisors(item), "ledger.submitted", event, text, item)


def extension_asked(item: LedgerItem, event: ItemEvent, old: object, requested: object) -> None:
    text = _("%(name)s申请延期：“%(item)s”，由 %(old)s 延至 %(new)s，请审批。") % {
        "name": item.institution.name, "item": _short(item), "old": old, "new": requested
    }  # fmt: skip
    _tell(supervisors(item), "ledger.extension_asked", event, text, item)


def extension_decided(item: LedgerItem, event: ItemEvent, granted: object) -> None:
    if granted is not None:
        text = _("延期申请已批准：“%(item)s”的整改时限改为 %(deadline)s。") % {
            "item": _short(item),
            "deadline": granted,
        }
    else:
        text = _("延期申请未获批准：“%(item)s”的整改时限仍为 %(deadline)s。") % {
            "item": _short(item), "deadline": item.deadline
        }  # fmt: skip
    _tell(institution_users(item.institution_id), "ledger.extension_decided", event, text, item)


def recheck_result(item: LedgerItem, event: ItemEvent, passed: bool) -> None:
    if passed:
        text = _("复查通过，已销号：“%(item)s”。") % {"item": _short(item)}
    else:
        text = _("复查未通过：“%(item)s”，请继续整改（整改时限 %(deadline)s）。") % {
            "item": _short(item), "deadline": item.deadline
        }  # fmt: skip
    _tell(institution_users(item.institution_id), "ledger.recheck", event, text, item)
