"""The ledger item's state machine, in one place: which action moves an item from which states to which, and who may
take it. Services ask `check(user, item, action)` before acting; pages and the API ask `available(user, item)` to
offer only what is possible.

    待整改 ──acknowledge──► 整改中 ──submit──► 待复查 ──recheck passed──► 已销号
       └──────────submit─────────────┘           └──recheck failed──► 整改中 (reason; maybe a new deadline)
    an open item whose deadline has passed may be rechecked directly (定期复查)
    any open state ──escalate──► 移交处罚 (a referral, 待立案)
    extension requests and guidance leave the state as it is
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jianguan.accounts.choices import Role
from jianguan.ledger.choices import OPEN_STATUSES, Action, ItemStatus
from jianguan.lib.conflict import Conflict as BaseConflict

INSTITUTION = "institution"  # the institution's own users
SUPERVISOR = "supervisor"  # the supervising department's officers, or the lead coordinator
ADVISER = "adviser"  # any department officer (a specialist of another department), or the lead coordinator


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str | None  # None: the state stays
    who: str


TRANSITIONS: dict[str, Transition] = {
    Action.ACKNOWLEDGE: Transition((ItemStatus.PENDING,), ItemStatus.IN_PROGRESS, INSTITUTION),
    Action.SUBMIT: Transition((ItemStatus.PENDING, ItemStatus.IN_PROGRESS), ItemStatus.SUBMITTED, INSTITUTION),
    Action.REQUEST_EXTENSION: Transition((ItemStatus.PENDING, ItemStatus.IN_PROGRESS), None, INSTITUTION),
    Action.RECHECK_PASS: Transition(OPEN_STATUSES, ItemStatus.CLOSED, SUPERVISOR),
    Action.RECHECK_FAIL: Transition(OPEN_STATUSES, ItemStatus.IN_PROGRESS, SUPERVISOR),
    Action.APPROVE_EXTENSION: Transition(OPEN_STATUSES, None, SUPERVISOR),
    Action.REFUSE_EXTENSION: Transition(OPEN_STATUSES, None, SUPERVISOR),
    Action.ESCALATE: Transition(OPEN_STATUSES, ItemStatus.ESCALATED, SUPERVISOR),
    Action.GUIDANCE: Transition(OPEN_STATUSES, None, ADVISER),
}


class Conflict(BaseConflict):
    """The action is impossible in the item's current state (HTTP 409), with a Chinese reason."""


def may_act(user: Any, item: Any, who: str) -> bool:
    role = getattr(user, "role", None)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if who == INSTITUTION:
        return role == Role.INSTITUTION and user.institution_id == item.institution_id
    if role == Role.LEAD:
        return True
    if role != Role.DEPARTMENT_OFFICER:
        return False
    return who == ADVISER or user.department_id == item.department_id


WHO_LABELS = {
    INSTITUTION: gettext_lazy("只有被检查机构本身可以进行此操作。"),
    SUPERVISOR: gettext_lazy("只有监管部门的执法人员或牵头协调人员可以进行此操作；机构不能自行销号。"),
    ADVISER: gettext_lazy("只有执法人员或牵头协调人员可以记录整改指导。"),
}


def check(user: Any, item: Any, action: str, today: date, *, by_order: bool = False) -> Transition:
    """The transition, or PermissionDenied (who) / Conflict (state), each with a Chinese reason. `by_order`: the
    action is taken by an issued order itself (a 责令停止举办 refers its item at once), not by a person's choice, so
    only the state is checked."""
    transition = TRANSITIONS[action]
    if not by_order and not may_act(user, item, transition.who):
        raise PermissionDenied(str(WHO_LABELS[transition.who]))
    if item.status not in transition.sources:
        raise Conflict(
            _("该事项当前为“%(status)s”，不能%(action)s。")
            % {"status": item.get_status_display(), "action": Action(action).label}
        )
    recheck = action in (Action.RECHECK_PASS, Action.RECHECK_FAIL)
    if recheck and item.status != ItemStatus.SUBMITTED and item.deadline >= today:
        raise Conflict(_("机构尚未提交整改材料，整改期限也未到，暂不能复查。"))
    return transition


def available(user: Any, item: Any, today: date) -> list[str]:
    """The actions this user could take on the item now."""
    actions = []
    for action in TRANSITIONS:
        try:
            check(user, item, action, today)
        except (PermissionDenied, Conflict):
            continue
        actions.append(action)
    return actions
