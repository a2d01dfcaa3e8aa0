"""A penalty case's state machine, in one place: which action moves a case from which states to which, and who may
take it. Services ask `check`; pages and the API ask `available` what to offer.

    待立案 ─提请立案─► 立案待审批 ─批准立案─► 调查取证 ─调查终结─► 待法制审核 ─通过─► 待集体讨论 ─► 待告知
                         │  └─不予立案─► 不予立案           ▲          └─退回─┘ (审核不需要时跳过；集体讨论同理)
                         └─退回─► 待立案                    │
    待告知 ─送达告知书─► 已告知 ─申请听证─► 听证 ─听证笔录─► 待决定 ─作出决定─► 已决定 ─送达─► 已送达 ─结案─► 已结案
                           └──(期满、放弃或复核完毕) 作出决定──┘
    不予处罚的处理意见: 调查终结 ─► 待决定 (无须告知)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jianguan.accounts.choices import Role
from jianguan.documents.content import chinese_date
from jianguan.enforcement import clocks
from jianguan.enforcement.choices import (
    DECISION_CLOCK_STATUSES,
    NO_REPAIR_PENALTIES,
    CaseAction,
    CaseOutcome,
    CaseStatus,
)
from jianguan.lib.conflict import Conflict as BaseConflict
from jianguan.lib.workdays import UnknownCalendarYear

OFFICER = "officer"  # an officer of the case's department
INVESTIGATOR = "investigator"  # one of the case's investigators
HEAD = "head"  # the department's responsible person (部门负责人)
REVIEWER = "reviewer"  # a legal reviewer (法制审核员) who is not an investigator of the case
PARTY = "party"  # the institution's own users
PARTY_OR_INVESTIGATOR = "party_or_investigator"  # the party online, or an investigator recording it from paper


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str | None  # None: the state stays, or the service chooses (see the notes)
    who: str


S = CaseStatus
TRANSITIONS: dict[str, Transition] = {
    CaseAction.PROPOSE_FILING: Transition((S.CLUE,), S.FILING_PENDING, OFFICER),
    CaseAction.APPROVE_FILING: Transition((S.FILING_PENDING,), S.INVESTIGATING, HEAD),
    CaseAction.RETURN_FILING: Transition((S.FILING_PENDING,), S.CLUE, HEAD),
    CaseAction.DECLINE_FILING: Transition((S.CLUE, S.FILING_PENDING), S.NOT_FILED, HEAD),
    CaseAction.EVIDENCE: Transition((S.INVESTIGATING,), None, INVESTIGATOR),
    CaseAction.EXTEND: Transition(DECISION_CLOCK_STATUSES, None, HEAD),
    CaseAction.PRESERVE: Transition((S.INVESTIGATING,), None, HEAD),
    CaseAction.PRESERVATION_DECIDE: Transition(DECISION_CLOCK_STATUSES, None, INVESTIGATOR),
    # → 待法制审核, 待集体讨论, 待告知 or (no penalty) 待决定: the service chooses.
    CaseAction.END_INVESTIGATION: Transition((S.INVESTIGATING,), None, INVESTIGATOR),
    CaseAction.REVIEW_PASS: Transition((S.LEGAL_REVIEW,), None, REVIEWER),  # → 待集体讨论 or 待告知
    CaseAction.REVIEW_RETURN: Transition((S.LEGAL_REVIEW,), S.INVESTIGATING, REVIEWER),
    CaseAction.DISCUSS: Transition((S.DISCUSSION,), S.NOTICE_PENDING, HEAD),
    CaseAction.NOTIFY: Transition((S.NOTICE_PENDING,), S.NOTIFIED, INVESTIGATOR),
    CaseAction.STATEMENT: Transition((S.NOTIFIED,), None, PARTY_OR_INVESTIGATOR),
    CaseAction.ANSWER: Transition((S.NOTIFIED, S.HEARING, S.DECISION_PENDING), None, INVESTIGATOR),
    CaseAction.WAIVE: Transition((S.NOTIFIED,), None, PARTY_OR_INVESTIGATOR),
    CaseAction.REQUEST_HEARING: Transition((S.NOTIFIED,), S.HEARING, PARTY_OR_INVESTIGATOR),
    CaseAction.SCHEDULE_HEARING: Transition((S.HEARING,), None, INVESTIGATOR),
    CaseAction.RECORD_HEARING: Transition((S.HEARING,), S.DECISION_PENDING, INVESTIGATOR),
    CaseAction.DECIDE: Transition((S.NOTIFIED, S.DECISION_PENDING), S.DECIDED, HEAD),
    CaseAction.SERVE: Transition((S.DECIDED,), S.SERVED, INVESTIGATOR),
    CaseAction.PAY: Transition((S.SERVED,), None, INVESTIGATOR),
    CaseAction.DEFER: Transition((S.SERVED,), None, HEAD),
    CaseAction.CLOSE: Transition((S.SERVED,), S.CLOSED, HEAD),
    # The publication of an effective decision: withdrawn by the head, credit repair applied for and decided.
    CaseAction.WITHDRAW: Transition((S.SERVED, S.CLOSED), None, HEAD),
    CaseAction.REPAIR_APPLY: Transition((S.SERVED, S.CLOSED), None, PARTY),
    CaseAction.REPAIR_DECIDE: Transition((S.SERVED, S.CLOSED), None, HEAD),
}

WHO_LABELS = {
    OFFICER: gettext_lazy("只有办案部门的执法人员可以进行此操作。"),
    INVESTIGATOR: gettext_lazy("只有本案的办案人员可以进行此操作。"),
    HEAD: gettext_lazy("只有办案部门的负责人可以进行此操作。"),
    REVIEWER: gettext_lazy("只有未参与本案调查的法制审核人员可以进行法制审核。"),
    PARTY: gettext_lazy("只有当事人可以进行此操作。"),
    PARTY_OR_INVESTIGATOR: gettext_lazy("只有当事人或本案的办案人员（代为记录）可以进行此操作。"),
}


class Conflict(BaseConflict):
    """The action is impossible in the case's current state or on today's date (HTTP 409), with a Chinese reason."""


def is_investigator(user: Any, case: Any) -> bool:
    return any(o.user_id == user.pk for o in case.officers.all())


def may_act(user: Any, case: Any, who: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    role = user.role
    if who in (PARTY, PARTY_OR_INVESTIGATOR) and role == Role.INSTITUTION:
        return user.institution_id == case.institution_id
    if who == REVIEWER:
        return role == Role.LEGAL_REVIEWER and not is_investigator(user, case)
    if role != Role.DEPARTMENT_OFFICER or user.department_id != case.department_id:
        return False
    if who == OFFICER:
        return True
    if who == HEAD:
        return user.is_department_head
    return who in (INVESTIGATOR, PARTY_OR_INVESTIGATOR) and is_investigator(user, case)


def _reply_period_over(case: Any, today: date) -> bool:
    try:
        return today > clocks.party_reply_due(case.notice_served_on)
    except UnknownCalendarYear:
        return False


def check(user: Any, case: Any, action: str, today: date) -> Transition:
    """The transition, or PermissionDenied (who) / Conflict (state, date), each with a Chinese reason."""
    transition = TRANSITIONS[action]
    if not may_act(user, case, transition.who):
        raise PermissionDenied(str(WHO_LABELS[transition.who]))
    if case.status not in transition.sources:
        raise Conflict(
            _("该案件当前为“%(status)s”，不能%(action)s。")
            % {"status": case.get_status_display(), "action": CaseAction(action).label}
        )
    if action in (CaseAction.STATEMENT, CaseAction.REQUEST_HEARING) and _reply_period_over(case, today):
        due = clocks.party_reply_due(case.notice_served_on)
        raise Conflict(_("陈述申辩和申请听证的期限已于 %(due)s 届满。") % {"due": chinese_date(due)})
    if action == CaseAction.REQUEST_HEARING and not case.hearing_right:
        raise Conflict(_("拟作出的处罚不属于行政处罚法第六十三条规定的听证范围。"))
    deciding_early = action == CaseAction.DECIDE and case.status == S.NOTIFIED and not case.rights_waived
    if deciding_early and not _reply_period_over(case, today):
        due = clocks.party_reply_due(case.notice_served_on)
        raise Conflict(
            _(
                "当事人陈述申辩、申请听证的期限至 %(due)s，期满或当事人明确放弃之前不能作出决定（行政处罚法第六十二条）。"
            )
            % {"due": chinese_date(due)}
        )
    if action == CaseAction.DECIDE and case.statements.filter(answered_at__isnull=True).exists():
        raise Conflict(_("尚有陈述申辩未复核，不能作出决定（行政处罚法第四十五条）。"))
    unreviewed = case.legal_review_required and not case.legal_review_passed
    if action == CaseAction.DECIDE and case.outcome == CaseOutcome.PENALTY and unreviewed:
        raise Conflict(_("本案须经法制审核，未经审核或审核未通过的不得作出决定（行政处罚法第五十八条）。"))
    if action == CaseAction.PRESERVATION_DECIDE and (not case.preserved_on or case.preservation_decided_on):
        raise Conflict(_("没有待处理的先行登记保存。"))
    if action == CaseAction.DEFER and (not case.fine or case.paid_on is not None):
        raise Conflict(_("本案没有待缴纳的罚款。"))
    if action == CaseAction.CLOSE and case.fine and case.paid_on is None:
        raise Conflict(_("罚款尚未缴清，不能结案。"))
    if action in PUBLICATION_ACTIONS:
        _check_publication(case, action, today)
    return transition


PUBLICATION_ACTIONS = (CaseAction.WITHDRAW, CaseAction.REPAIR_APPLY, CaseAction.REPAIR_DECIDE)


def _check_publication(case: Any, action: str, today: date) -> None:
    from django.conf import settings

    publication = getattr(case, "publication", None)
    if publication is None or publication.withdrawn_on or publication.repaired_on or publication.display_until < today:
        raise Conflict(_("本案的处罚决定没有正在公示的信息。"))
    if action == CaseAction.REPAIR_DECIDE and not publication.repair_requested_on:
        raise Conflict(_("当事人尚未申请信用修复。"))
    if action != CaseAction.REPAIR_APPLY:
        return
    if publication.repair_requested_on:
        raise Conflict(_("信用修复申请正在审核。"))
    if set(case.penalties) & NO_REPAIR_PENALTIES:
        raise Conflict(_("责令停产停业、责令停止举办、吊销许可证件、限制从业的处罚信息不适用信用修复。"))
    if case.fine and case.paid_on is None:
        raise Conflict(_("须先履行处罚决定（缴清罚款）才能申请信用修复。"))
    shown_since = (today - publication.published_on).days
    if shown_since < settings.JIANGUAN_CREDIT_REPAIR_MIN_DAYS:
        raise Conflict(
            _("公示满 %(days)s 日后才能申请信用修复（已公示 %(shown)s 日）。")
            % {"days": settings.JIANGUAN_CREDIT_REPAIR_MIN_DAYS, "shown": shown_since}
        )


def available(user: Any, case: Any, today: date) -> list[str]:
    """The actions this user could take on the case now."""
    found = []
    for action in TRANSITIONS:
        try:
            check(user, case, action, today)
        except (PermissionDenied, Conflict):
            continue
        found.append(action)
    return found
