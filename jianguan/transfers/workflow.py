"""A transfer's state machine, in one place: which action moves it from which states to which, and which side may
take it. Services ask `check`; pages and the API ask `available` what to offer.

    待答复 ─接收─► 已接收，办理中 ─反馈处理结果─► 已反馈结果
       ├─不予接收（须说明理由）─► 不予接收
       └─撤回（发出方，接收之前）─► 已撤回
    留言: either side, while the transfer is open (待答复 or 办理中).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jianguan.accounts.choices import Role
from jianguan.lib.conflict import Conflict as BaseConflict
from jianguan.transfers.choices import TransferAction, TransferStatus

SENDER = "sender"  # a user of the sending unit
RECEIVER = "receiver"  # a user of the receiving unit
EITHER = "either"


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str | None  # None: the state stays
    who: str


S = TransferStatus
TRANSITIONS: dict[str, Transition] = {
    TransferAction.ACCEPT: Transition((S.SENT,), S.ACCEPTED, RECEIVER),
    TransferAction.REFUSE: Transition((S.SENT,), S.REFUSED, RECEIVER),
    TransferAction.REPORT: Transition((S.ACCEPTED,), S.CLOSED, RECEIVER),
    TransferAction.WITHDRAW: Transition((S.SENT,), S.WITHDRAWN, SENDER),
    TransferAction.COMMENT: Transition((S.SENT, S.ACCEPTED), None, EITHER),
}

WHO_LABELS = {
    SENDER: gettext_lazy("只有发出单位的工作人员可以进行此操作。"),
    RECEIVER: gettext_lazy("只有接收单位的工作人员可以进行此操作。"),
    EITHER: gettext_lazy("只有发出单位或接收单位的工作人员可以进行此操作。"),
}


class Conflict(BaseConflict):
    """The action is impossible in the transfer's current state (HTTP 409), with a Chinese reason."""


def in_unit(user: Any, department_id: int | None, street_id: int | None) -> bool:
    """Whether the user works for the unit: an officer (or the lead coordinator) of the department, or a street
    officer of the street."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if department_id is not None:
        return user.role in (Role.DEPARTMENT_OFFICER, Role.LEAD) and user.department_id == department_id
    if street_id is not None and user.role == Role.STREET_OFFICER:
        street_ids = getattr(user, "_transfer_street_ids", None)
        if street_ids is None:
            street_ids = user._transfer_street_ids = set(user.streets.values_list("pk", flat=True))
        return street_id in street_ids
    return False


def side(user: Any, transfer: Any) -> str:
    """SENDER, RECEIVER or "" (a district-wide reader, or nobody)."""
    if in_unit(user, transfer.sender_department_id, transfer.sender_street_id):
        return SENDER
    if in_unit(user, transfer.receiver_department_id, transfer.receiver_street_id):
        return RECEIVER
    return ""


def may_act(user: Any, transfer: Any, who: str) -> bool:
    mine = side(user, transfer)
    return bool(mine) and (who in (EITHER, mine))


def check(user: Any, transfer: Any, action: str) -> Transition:
    """The transition, or PermissionDenied (who) / Conflict (state), each with a Chinese reason."""
    transition = TRANSITIONS[action]
    if not may_act(user, transfer, transition.who):
        raise PermissionDenied(str(WHO_LABELS[transition.who]))
    if transfer.status not in transition.sources:
        raise Conflict(
            _("该%(kind)s当前为“%(status)s”，不能%(action)s。")
            % {
                "kind": transfer.get_kind_display(),
                "status": transfer.get_status_display(),
                "action": TransferAction(action).label,
            }
        )
    return transition


def available(user: Any, transfer: Any) -> list[str]:
    """The actions this user could take on the transfer now."""
    found = []
    for action in TRANSITIONS:
        try:
            check(user, transfer, action)
        except (PermissionDenied, Conflict):
            continue
        found.append(action)
    return found
