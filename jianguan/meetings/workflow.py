"""The meeting's state machine, in one place: which action a session or a task takes from which state, and who may
take it. Services ask `check_session` / `check_task`; pages and the API ask `session_actions` / `task_actions`.

    会次: 已安排 ─记录出席、生成会议材料─► 已安排 ─记录会议纪要─► 已召开 (出席情况可补录)
    督办事项: 办理中 ─责任单位报告进展─► 办理中 ─召集人办结销号─► 已办结
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.permissions import allowed
from jianguan.lib.conflict import Conflict as BaseConflict
from jianguan.meetings.choices import SessionAction, SessionStatus, TaskAction, TaskStatus

CONVENER = "convener"  # the lead coordinator (meetings.manage), who runs the 联席会议办公室
RESPONSIBLE = "responsible"  # a user of the task's department or street


class Conflict(BaseConflict):
    """The action is impossible in the session's or task's current state or on today's date (HTTP 409)."""


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str | None  # None: the state stays
    who: str
    held: bool = False  # only on or after the session's day


SESSION_TRANSITIONS: dict[str, Transition] = {
    SessionAction.ATTENDANCE: Transition((SessionStatus.SCHEDULED, SessionStatus.HELD), None, CONVENER, held=True),
    SessionAction.MATERIALS: Transition((SessionStatus.SCHEDULED,), None, CONVENER),
    SessionAction.MINUTES: Transition((SessionStatus.SCHEDULED,), SessionStatus.HELD, CONVENER, held=True),
}
TASK_TRANSITIONS: dict[str, Transition] = {
    TaskAction.PROGRESS: Transition((TaskStatus.OPEN,), None, RESPONSIBLE),
    TaskAction.CLOSE: Transition((TaskStatus.OPEN,), TaskStatus.CLOSED, CONVENER),
}


def is_responsible(user: Any, task: Any) -> bool:
    """A user of the task's unit: an officer of its department, or a street officer of its street."""
    role = getattr(user, "role", None)
    if not getattr(user, "is_active", False):
        return False
    if task.department_id is not None:
        return role == Role.DEPARTMENT_OFFICER and user.department_id == task.department_id
    if role != Role.STREET_OFFICER:
        return False
    from jianguan.accounts.scoping import Scope

    return task.street_id in Scope.for_user(user).street_ids


def _may(user: Any, who: str, task: Any = None) -> bool:
    if who == CONVENER:
        return allowed(user, "meetings.manage")
    return task is not None and is_responsible(user, task)


def check_session(user: Any, session: Any, action: str, today: date) -> Transition:
    transition = SESSION_TRANSITIONS[action]
    if not _may(user, transition.who):
        raise PermissionDenied(_("只有联席会议召集人（牵头协调人员）可以安排会议、记录出席情况、生成材料和会议纪要。"))
    if session.status not in transition.sources:
        raise Conflict(_("该次会议已召开，纪要已记录，不能再进行此操作。"))
    if transition.held and session.held_on > today:
        raise Conflict(_("会议尚未召开（会议日期 %(day)s），不能记录出席情况或会议纪要。") % {"day": session.held_on})
    return transition


def check_task(user: Any, task: Any, action: str) -> Transition:
    transition = TASK_TRANSITIONS[action]
    if not _may(user, transition.who, task):
        if transition.who == CONVENER:
            raise PermissionDenied(_("只有联席会议召集人（牵头协调人员）可以办结督办事项。"))
        raise PermissionDenied(_("只有责任部门或责任街道/乡镇的人员可以报告办理进展。"))
    if task.status not in transition.sources:
        raise Conflict(_("该督办事项已办结。"))
    return transition


def session_actions(user: Any, session: Any, today: date) -> list[str]:
    """The session actions the user may take now (what the page and the API offer)."""
    found = []
    for action in SESSION_TRANSITIONS:
        try:
            check_session(user, session, action, today)
        except (PermissionDenied, Conflict):
            continue
        found.append(action)
    return found


def task_actions(user: Any, task: Any) -> list[str]:
    found = []
    for action in TASK_TRANSITIONS:
        try:
            check_task(user, task, action)
        except (PermissionDenied, Conflict):
            continue
        found.append(action)
    return found
