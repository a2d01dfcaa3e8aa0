"""Writes for penalty cases. Every action goes through `_act`: the case row is locked, the caller's version is checked
(a stale page gets a conflict, never a silent overwrite), workflow.py decides who may act from which state, and the
change, the step, its document and the audit event commit together."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.accounts.permissions import allowed
from jianguan.audit.services import audit_record, jsonable
from jianguan.complaints.services import complaint_case_filed
from jianguan.documents.choices import DocumentKind
from jianguan.documents.content import chinese_date
from jianguan.documents.services import document_issue
from jianguan.enforcement import clocks, workflow
from jianguan.enforcement.choices import (
    HEAVY_PENALTIES,
    CaseAction,
    CaseOutcome,
    CaseSource,
    CaseStatus,
    PenaltyType,
)
from jianguan.enforcement.models import Case, CaseOfficer, CaseStep, Evidence, Publication, Statement
from jianguan.enforcement.provisions import PROVISIONS
from jianguan.enforcement.workflow import Conflict
from jianguan.inspections.selectors import certified_officers
from jianguan.ledger.choices import ReferralStatus
from jianguan.lib.conflict import STALE_VERSION
from jianguan.lib.validators import validate_plain_text
from jianguan.lib.workdays import UnknownCalendarYear
from jianguan.registry.choices import OperatingStatus
from jianguan.registry.services import SANCTION_RANK, status_by_decision

# ---------------------------------------------------------------------------------------------------- the frame


def _locked(case: Case, version: int | None) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if version is not None and locked.version != version:
        raise Conflict(_("该案件已被他人更新，请刷新页面后再操作。"), code=STALE_VERSION)
    return locked


def _act(
    actor: Any,
    case: Case,
    action: str,
    version: int | None,
    change: Callable[[Case, date], tuple[str | None, dict[str, Any]]],
    *,
    note: str = "",
    for_party: bool = False,
    document: tuple[str, Callable[[Case, CaseStep, str], Any]] | None = None,
) -> tuple[Case, CaseStep]:
    """Lock, check, apply `change(case, today)` (which validates, sets fields and returns the target state — None for
    the transition's own — and the step's data), then save the case, its step, its document and the audit event."""
    today = timezone.localdate()
    case = _locked(case, version)
    transition = workflow.check(actor, case, action, today)
    before = case.status
    target, data = change(case, today)
    case.status = target or transition.target or case.status
    case.version += 1
    case.full_clean(exclude=["department", "institution", "referral", "complaint", "created_by", "filed_by"])
    case.save()
    step = CaseStep.objects.create(
        case=case, action=action, actor=actor, from_status=before, to_status=case.status, note=note,
        data=jsonable(data), for_party=for_party,
    )  # fmt: skip
    if document is not None:
        kind, build = document
        issued = document_issue(
            actor=actor, kind=kind, department=case.department, source=step, institution=case.institution_id,
            build=lambda number: build(case, step, number),
        )  # fmt: skip
        step.data = {**step.data, "document": issued.pk, "number": issued.number}
        step.save(update_fields=["data"])
    audit_record(
        actor=actor, action=f"case.{action}", obj=case,
        before={"status": before}, after={"status": case.status, **jsonable(data)}, institution=case.institution_id,
    )  # fmt: skip
    return case, step


def _text(value: str, field: str, *, required: bool = True, limit: int = 4000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写此项。")})
    if len(value) > limit:
        raise ValidationError({field: _("不能超过 %(n)s 个字。") % {"n": limit}})
    validate_plain_text(value)
    return value


def _not_future(day: date, field: str, today: date) -> date:
    if day > today:
        raise ValidationError({field: _("日期不能晚于今天。")})
    return day


# ---------------------------------------------------------------------------------------------------- the clue


def _may_open(actor: Any, department: Any) -> None:
    if getattr(actor, "role", None) == Role.LEAD:
        return
    if getattr(actor, "role", None) == Role.DEPARTMENT_OFFICER and actor.department_id == department.pk:
        return
    raise PermissionDenied(_("只有该部门的执法人员或牵头协调人员可以登记案件线索。"))


def _new_case(actor: Any, *, department: Any, institution: Any, source: str, clue: str, clue_on: date,
              **links: Any) -> Case:  # fmt: skip
    case = Case(
        department=department, institution=institution, party_name=institution.name,
        party_address=institution.address or "", source=source, clue=_text(clue, "clue", limit=2000),
        clue_on=clue_on, created_by=actor, **links,
    )  # fmt: skip
    case.full_clean(exclude=["referral", "complaint", "created_by"])
    case.save()
    CaseStep.objects.create(case=case, action=CaseAction.OPEN, actor=actor, to_status=case.status,
                            data=jsonable({"source": source, "clue_on": clue_on}))  # fmt: skip
    audit_record(
        actor=actor, action="case.open", obj=case,
        after={"source": source, "department": department.pk, "clue_on": clue_on}, institution=institution.pk,
    )  # fmt: skip
    return case


@transaction.atomic
def case_open(*, actor: Any, department: Any, institution: Any, clue: str, clue_on: date | None = None) -> Case:
    """A clue found directly (直接发现) registered as a case waiting for 立案."""
    _may_open(actor, department)
    today = timezone.localdate()
    clue_on = _not_future(clue_on or today, "clue_on", today)
    return _new_case(actor, department=department, institution=institution, source=CaseSource.DIRECT, clue=clue,
                     clue_on=clue_on)  # fmt: skip


def case_from_referral(*, referral: Any) -> Case:
    """The case that a ledger referral (移交处罚) opens at once, under the item's supervising department, with the
    referral's day as the clue's day. Run by the ledger's `item_referred` signal inside the referral's transaction
    (the referral's own service checked its actor)."""
    item = referral.item
    clue = _("%(reason)s\n整改事项：%(description)s（%(found)s 检查发现）") % {
        "reason": referral.reason,
        "description": item.description,
        "found": item.found_on,
    }
    return _new_case(
        referral.created_by, department=item.department, institution=item.institution, source=CaseSource.REFERRAL,
        clue=clue[:2000], clue_on=timezone.localtime(referral.created_at).date(), referral=referral,
    )  # fmt: skip


def complaint_case_refusal(actor: Any, complaint: Any) -> Exception | None:
    """Why `actor` may not register this complaint as a case's clue now (None: they may). One definition for the
    complaint page's button and the service."""
    from jianguan.complaints.choices import ComplaintResult, ComplaintStatus
    from jianguan.complaints.selectors import may_handle

    if not allowed(actor, "cases.open") or not may_handle(actor, complaint) or not complaint.assigned_department_id:
        return PermissionDenied(_("只有承办部门的执法人员或牵头协调人员可以将投诉举报转为案件线索。"))
    if not complaint.institution_id:
        return ValidationError(_("举报对象尚未对应机构库中的机构：请先登记该场所。"))
    if complaint.status in (ComplaintStatus.RECEIVED, ComplaintStatus.REJECTED) or (
        complaint.result == ComplaintResult.UNSUBSTANTIATED
    ):
        return ValidationError(_("只有受理后经核实的投诉举报可以转为案件线索。"))
    if Case.objects.filter(complaint=complaint).exists():
        return ValidationError(_("该投诉举报已登记为案件线索。"))
    return None


@transaction.atomic
def case_from_complaint(*, actor: Any, complaint: Any, clue: str = "") -> Case:
    """A 投诉举报 found true opens a case in one step, under the department it was assigned to, its receipt day the
    clue's day: an officer of that department who may handle it (or the lead coordinator) registers it."""
    if (refusal := complaint_case_refusal(actor, complaint)) is not None:
        raise refusal
    text = (clue or "").strip() or _("%(kind)s %(number)s：%(content)s") % {
        "kind": complaint.get_kind_display(), "number": complaint.number, "content": complaint.content,
    }  # fmt: skip
    return _new_case(
        actor, department=complaint.assigned_department, institution=complaint.institution,
        source=CaseSource.COMPLAINT, clue=text[:2000], clue_on=timezone.localtime(complaint.received_at).date(),
        complaint=complaint,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------------- 立案


def _investigators(case: Case, people: Iterable[Any], today: date) -> list[User]:
    """At least two officers of the case's department whose certificates are valid today (行政处罚法 第四十二条)."""
    ids = {getattr(p, "pk", p) for p in people}
    officers = list(certified_officers(today).filter(pk__in=ids, department_id=case.department_id))
    if len(officers) != len(ids):
        raise ValidationError({"investigators": _("办案人员须为本部门持有效执法证的执法人员。")})
    if len(officers) < 2:
        raise ValidationError({"investigators": _("办案人员不得少于两人（行政处罚法第四十二条）。")})
    return officers


def _provision(case: Case, code: str) -> Any:
    provision = PROVISIONS.get(code)
    if provision is None:
        raise ValidationError({"provision": _("请选择处罚依据。")})
    if provision.department_kinds and case.department.kind not in provision.department_kinds:
        raise ValidationError(
            {"provision": _("%(citation)s不属于%(department)s的职权（行政处罚法第十七条）。")
             % {"citation": provision.citation, "department": case.department.name}}
        )  # fmt: skip
    return provision


@transaction.atomic
def case_propose_filing(
    *, actor: Any, case: Case, facts: str, provision: str, investigators: Iterable[Any],
    recusal: str = "", version: int | None = None,
) -> Case:  # fmt: skip
    """提请立案: the facts, the provision and the investigators, for the head's approval."""

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        case.facts = _text(facts, "facts")
        case.provision = _provision(case, provision).code
        officers = _investigators(case, investigators, today)
        note = _text(recusal, "recusal", required=False, limit=200) or CaseOfficer._meta.get_field("recusal").default
        case.officers.all().delete()
        CaseOfficer.objects.bulk_create(
            CaseOfficer(case=case, user=o, certificate_number=o.officer_profile.certificate_number, recusal=note)
            for o in officers
        )
        return None, {"provision": case.provision, "investigators": [o.pk for o in officers]}

    return _act(actor, case, CaseAction.PROPOSE_FILING, version, change)[0]


@transaction.atomic
def case_approve_filing(*, actor: Any, case: Case, note: str = "", version: int | None = None) -> Case:
    """批准立案 by the department head: the case is filed today and the 90-day clock starts; the 立案审批表 is issued."""
    from jianguan.enforcement import documents

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        case.filed_on, case.filed_by = today, actor
        try:
            late = today > clocks.filing_due(case.clue_on)
        except UnknownCalendarYear:
            late = False
        if case.referral_id:
            case.referral.status = ReferralStatus.FILED
            case.referral.save(update_fields=["status"])
        told = complaint_case_filed(complaint=case.complaint, day=today) if case.complaint_id else False
        return None, {"filed_on": today, "late": late, "reporter_told": told}

    note = _text(note, "note", required=False)
    return _act(actor, case, CaseAction.APPROVE_FILING, version, change, note=note,
                document=(DocumentKind.FILING_APPROVAL, documents.filing_approval))[0]  # fmt: skip


@transaction.atomic
def case_return_filing(*, actor: Any, case: Case, reason: str, version: int | None = None) -> Case:
    reason = _text(reason, "reason")
    return _act(actor, case, CaseAction.RETURN_FILING, version, lambda c, t: (None, {}), note=reason)[0]


@transaction.atomic
def case_decline_filing(*, actor: Any, case: Case, reason: str, version: int | None = None) -> Case:
    """不予立案 (SAMR rule 第二十条 as the model): the reason is recorded and the 不予立案审批表 issued."""
    from jianguan.enforcement import documents

    reason = _text(reason, "reason")

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        if case.referral_id:
            case.referral.status = ReferralStatus.NOT_FILED
            case.referral.save(update_fields=["status"])
        return None, {}

    return _act(actor, case, CaseAction.DECLINE_FILING, version, change, note=reason,
                document=(DocumentKind.NO_FILING, documents.no_filing))[0]  # fmt: skip


# ---------------------------------------------------------------------------------------------------- 调查


@transaction.atomic
def case_add_evidence(
    *, actor: Any, case: Case, kind: str, title: str, description: str = "", collected_on: date,
    version: int | None = None,
) -> Evidence:  # fmt: skip
    created: list[Evidence] = []

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        evidence = Evidence(
            case=case, kind=kind, title=_text(title, "title", limit=120),
            description=_text(description, "description", required=False, limit=2000),
            collected_on=_not_future(collected_on, "collected_on", today), collected_by=actor,
        )  # fmt: skip
        if case.filed_on and evidence.collected_on < case.clue_on:
            raise ValidationError({"collected_on": _("取证日期不能早于发现线索之日。")})
        evidence.full_clean(exclude=["case", "collected_by"])
        evidence.save()
        created.append(evidence)
        return None, {"evidence": evidence.pk, "kind": kind, "title": evidence.title}

    _act(actor, case, CaseAction.EVIDENCE, version, change)
    return created[0]


@transaction.atomic
def case_preserve(*, actor: Any, case: Case, items: str, version: int | None = None) -> Case:
    """先行登记保存 approved by the head where evidence may be lost (行政处罚法 第五十六条): what is kept, and the
    notice to the party; a decision on it falls due in 7 working days (else, on the SAMR model, it lapses)."""
    from jianguan.enforcement import documents

    items = _text(items, "items", limit=2000)

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        if case.preserved_on and not case.preservation_decided_on:
            raise Conflict(_("已有先行登记保存尚未作出处理决定。"))
        case.preserved_on, case.preserved_items, case.preservation_decided_on = today, items, None
        return None, {"preserved_on": today, "due": clocks.preservation_due(today)}

    return _act(actor, case, CaseAction.PRESERVE, version, change, note=items, for_party=True,
                document=(DocumentKind.PRESERVATION_NOTICE, documents.preservation_notice))[0]  # fmt: skip


@transaction.atomic
def case_preservation_decide(*, actor: Any, case: Case, measure: str, version: int | None = None) -> Case:
    """The decision on preserved evidence (release, testing, seizure by law …), within its 7 working days."""
    from jianguan.enforcement import documents

    measure = _text(measure, "measure")

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        if not case.preserved_on or case.preservation_decided_on:
            raise Conflict(_("没有待处理的先行登记保存。"))
        due = clocks.preservation_due(case.preserved_on)
        if today > due:
            raise Conflict(_("先行登记保存已于 %(due)s 逾期，视为自动解除。") % {"due": chinese_date(due)})
        case.preservation_decided_on = today
        return None, {"decided_on": today}

    return _act(actor, case, CaseAction.PRESERVATION_DECIDE, version, change, note=measure, for_party=True,
                document=(DocumentKind.PRESERVATION_DECISION, documents.preservation_decision))[0]  # fmt: skip


@transaction.atomic
def case_extend(*, actor: Any, case: Case, reason: str, version: int | None = None) -> Case:
    """An extension of the decision period approved by the head before it runs out (SAMR rule 第六十四条 as the
    model: 30 days, JIANGUAN_CASE_EXTENSION_DAYS), recorded with its reason."""
    reason = _text(reason, "reason")

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        due = clocks.decision_due(case.filed_on, case.extension_days)
        if today > due:
            raise Conflict(_("办案期限已于 %(due)s 届满，不能再批准延长。") % {"due": chinese_date(due)})
        case.extension_days += settings.JIANGUAN_CASE_EXTENSION_DAYS
        return None, {
            "extension_days": case.extension_days,
            "due": clocks.decision_due(case.filed_on, case.extension_days),
        }

    return _act(actor, case, CaseAction.EXTEND, version, change, note=reason)[0]


def _penalty_terms(case: Case, penalties: Iterable[str], fine: Decimal | None, gains: Decimal | None) -> list[str]:
    """The penalty types and fine checked against the case's provision; returns the types."""
    order = list(PenaltyType.values)
    chosen = sorted(set(penalties), key=lambda p: order.index(p) if p in order else len(order))
    if not chosen:
        raise ValidationError({"penalties": _("请选择处罚种类。")})
    provision = _provision(case, case.provision)
    invalid = [str(PenaltyType(p).label) for p in chosen if p not in provision.penalties]
    if invalid:
        raise ValidationError(
            {"penalties": _("%(citation)s未规定%(types)s。") % {"citation": provision.citation,
                                                               "types": "、".join(invalid)}}
        )  # fmt: skip
    if PenaltyType.FINE in chosen:
        if fine is None or fine <= 0:
            raise ValidationError({"fine": _("请填写罚款数额。")})
        error = provision.fine_error(fine, gains)
        if error:
            raise ValidationError({"fine": error})
    elif fine:
        raise ValidationError({"fine": _("未选择罚款时不能填写罚款数额。")})
    return chosen


def needs_legal_review(penalties: Iterable[str], fine: Decimal | None) -> bool:
    """行政处罚法 第五十八条 as the platform applies it: heavy penalties, a large fine, and the settings' list."""
    chosen = set(penalties)
    large = (fine or 0) >= settings.JIANGUAN_CASE_LARGE_FINE_YUAN
    return bool(chosen & HEAVY_PENALTIES) or large or bool(chosen & set(settings.JIANGUAN_CASE_REVIEW_PENALTIES))


def gives_hearing_right(penalties: Iterable[str], fine: Decimal | None) -> bool:
    """行政处罚法 第六十三条: a large fine, 吊销, 责令停产停业 / 关闭 (停止举办, 停止招收学员), 限制从业."""
    return bool(set(penalties) & HEAVY_PENALTIES) or (fine or 0) >= settings.JIANGUAN_CASE_LARGE_FINE_YUAN


@transaction.atomic
def case_end_investigation(
    *, actor: Any, case: Case, outcome: str, report: str, penalties: Iterable[str] = (),
    fine: Decimal | None = None, illegal_gains: Decimal | None = None, serious: bool = False,
    version: int | None = None,
) -> Case:  # fmt: skip
    """调查终结报告: the facts found and the proposal. A penalty goes to 法制审核 where it is required, then to
    集体讨论 when serious, then to 告知; a proposal not to penalise goes to the head's decision."""
    from jianguan.enforcement import documents

    report = _text(report, "report")

    def change(case: Case, today: date) -> tuple[str, dict[str, Any]]:
        if outcome not in CaseOutcome.values:
            raise ValidationError({"outcome": _("请选择处理意见。")})
        case.outcome, case.illegal_gains, case.serious = outcome, illegal_gains, bool(serious)
        if outcome != CaseOutcome.PENALTY:
            case.proposed_penalties, case.proposed_fine = [], None
            case.legal_review_required = case.hearing_right = False
            return CaseStatus.DECISION_PENDING, {"outcome": outcome}
        if not case.evidence.exists():
            raise ValidationError(
                {"outcome": _("尚未登记任何证据：违法事实不清、证据不足的，不得给予行政处罚（行政处罚法第四十条）。")}
            )
        case.proposed_penalties = _penalty_terms(case, penalties, fine, illegal_gains)
        case.proposed_fine = fine if PenaltyType.FINE in case.proposed_penalties else None
        case.legal_review_required = needs_legal_review(case.proposed_penalties, case.proposed_fine)
        case.hearing_right = gives_hearing_right(case.proposed_penalties, case.proposed_fine)
        case.serious = case.serious or case.legal_review_required
        case.legal_review_passed = False
        target = (
            CaseStatus.LEGAL_REVIEW
            if case.legal_review_required
            else (CaseStatus.DISCUSSION if case.serious else CaseStatus.NOTICE_PENDING)
        )
        return target, {
            "outcome": outcome, "penalties": case.proposed_penalties, "fine": case.proposed_fine,
            "legal_review": case.legal_review_required, "hearing_right": case.hearing_right,
        }  # fmt: skip

    return _act(actor, case, CaseAction.END_INVESTIGATION, version, change, note=report,
                document=(DocumentKind.INVESTIGATION_REPORT, documents.investigation_report))[0]  # fmt: skip


# ---------------------------------------------------------------------------------------------------- 审核, 讨论


@transaction.atomic
def case_review(*, actor: Any, case: Case, passed: bool, opinion: str, version: int | None = None) -> Case:
    """法制审核 by a legal reviewer who did not investigate the case: passed (on to 集体讨论 or 告知) or returned to
    the investigators with the opinion."""
    from jianguan.enforcement import documents

    opinion = _text(opinion, "opinion")

    def change(case: Case, today: date) -> tuple[str | None, dict[str, Any]]:
        case.legal_review_passed = bool(passed)
        if not passed:
            return None, {"passed": False}
        return (CaseStatus.DISCUSSION if case.serious else CaseStatus.NOTICE_PENDING), {"passed": True}

    action = CaseAction.REVIEW_PASS if passed else CaseAction.REVIEW_RETURN
    return _act(actor, case, action, version, change, note=opinion,
                document=(DocumentKind.LEGAL_REVIEW, documents.legal_review))[0]  # fmt: skip


@transaction.atomic
def case_discuss(
    *, actor: Any, case: Case, held_on: date, attendees: str, conclusion: str, version: int | None = None
) -> Case:
    """集体讨论 (行政处罚法 第五十七条第二款) of a serious case by the department's heads: the minutes."""
    from jianguan.enforcement import documents

    attendees, conclusion = _text(attendees, "attendees", limit=500), _text(conclusion, "conclusion")

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        return None, {"held_on": _not_future(held_on, "held_on", today), "attendees": attendees}

    return _act(actor, case, CaseAction.DISCUSS, version, change, note=conclusion,
                document=(DocumentKind.DISCUSSION, documents.discussion))[0]  # fmt: skip


# ---------------------------------------------------------------------------------------------------- 告知, 陈述申辩, 听证


@transaction.atomic
def case_notify(*, actor: Any, case: Case, served_on: date, method: str, version: int | None = None) -> Case:
    """行政处罚事先告知书 (第四十四条), served on `served_on`: the party's 5 working days for 陈述申辩 and a hearing
    request run from then. The party sees the case from now on."""
    from jianguan.enforcement import documents

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        case.notice_served_on = _not_future(served_on, "served_on", today)
        if case.filed_on and case.notice_served_on < case.filed_on:
            raise ValidationError({"served_on": _("送达日期不能早于立案日期。")})
        return None, {"served_on": case.notice_served_on, "method": method}

    return _act(actor, case, CaseAction.NOTIFY, version, change, for_party=True,
                document=(DocumentKind.PENALTY_NOTICE, documents.penalty_notice))[0]  # fmt: skip


@transaction.atomic
def case_statement(*, actor: Any, case: Case, text: str, version: int | None = None) -> Statement:
    """陈述申辩: the party's own words (online), or an investigator's record of them."""
    text = _text(text, "text")
    created: list[Statement] = []

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        created.append(Statement.objects.create(case=case, text=text, submitted_by=actor))
        return None, {"statement": created[0].pk}

    _act(actor, case, CaseAction.STATEMENT, version, change, for_party=True)
    return created[0]


@transaction.atomic
def case_answer(
    *, actor: Any, case: Case, statement: Statement, accepted: bool, answer: str, version: int | None = None
) -> Statement:
    """复核: each statement answered; what the party proves is accepted (第四十五条第一款)."""
    answer = _text(answer, "answer")

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        row = Statement.objects.select_for_update().get(pk=statement.pk, case=case)
        if row.answered_at is not None:
            raise Conflict(_("该陈述申辩已经复核。"))
        row.answer, row.accepted, row.answered_by, row.answered_at = answer, bool(accepted), actor, timezone.now()
        row.save()
        return None, {"statement": row.pk, "accepted": row.accepted}

    _act(actor, case, CaseAction.ANSWER, version, change, note=answer, for_party=True)
    return Statement.objects.get(pk=statement.pk)


@transaction.atomic
def case_waive(*, actor: Any, case: Case, note: str = "", version: int | None = None) -> Case:
    """The party expressly gives up 陈述申辩 and the hearing (第六十二条): the decision need not wait for the period."""
    note = _text(note, "note", required=False)

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        case.rights_waived = True
        return None, {}

    return _act(actor, case, CaseAction.WAIVE, version, change, note=note, for_party=True)[0]


@transaction.atomic
def case_request_hearing(*, actor: Any, case: Case, note: str = "", version: int | None = None) -> Case:
    """A hearing request within 5 working days of the notice (第六十四条第一项); the state machine refuses a late one."""
    note = _text(note, "note", required=False)

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        case.hearing_requested_on = today
        return None, {"requested_on": today}

    return _act(actor, case, CaseAction.REQUEST_HEARING, version, change, note=note, for_party=True)[0]


@transaction.atomic
def case_schedule_hearing(
    *, actor: Any, case: Case, hearing_on: date, place: str, presider: Any, version: int | None = None
) -> Case:
    """听证通知书: the time and place, at least seven working days ahead; presided over by someone who is not an
    investigator (第六十四条第二项、第四项)."""
    from jianguan.enforcement import documents

    place = _text(place, "place", limit=120)

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        earliest = clocks.earliest_hearing(today)
        if hearing_on < earliest:
            raise ValidationError(
                {
                    "hearing_on": _("听证须在通知之日起七个工作日后举行，最早为 %(day)s。")
                    % {"day": chinese_date(earliest)}
                }
            )
        if presider is None or workflow.is_investigator(presider, case) or presider.role not in (
            Role.DEPARTMENT_OFFICER, Role.LEGAL_REVIEWER
        ):  # fmt: skip
            raise ValidationError({"presider": _("听证主持人须为非本案调查人员的执法或法制人员。")})
        case.hearing_on, case.hearing_place, case.hearing_presider = hearing_on, place, presider
        case.hearing_noticed_on = today
        return None, {"hearing_on": hearing_on, "presider": presider.pk}

    return _act(actor, case, CaseAction.SCHEDULE_HEARING, version, change, for_party=True,
                document=(DocumentKind.HEARING_NOTICE, documents.hearing_notice))[0]  # fmt: skip


@transaction.atomic
def case_record_hearing(*, actor: Any, case: Case, record: str, version: int | None = None) -> Case:
    """听证笔录, after the hearing was held on its day; the decision then rests on it (第六十五条)."""
    from jianguan.enforcement import documents

    record = _text(record, "record")

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        if case.hearing_on is None or case.hearing_on > today:
            raise Conflict(_("听证尚未举行，不能记录听证笔录。"))
        return None, {"hearing_on": case.hearing_on}

    return _act(actor, case, CaseAction.RECORD_HEARING, version, change, note=record, for_party=True,
                document=(DocumentKind.HEARING_RECORD, documents.hearing_record))[0]  # fmt: skip


# ---------------------------------------------------------------------------------------------------- 决定, 送达, 执行


@transaction.atomic
def case_decide(
    *, actor: Any, case: Case, reasons: str, penalties: Iterable[str] = (), fine: Decimal | None = None,
    version: int | None = None,
) -> Case:  # fmt: skip
    """The head's decision: the penalty (never heavier than the notice proposed, 第四十五条第二款), or 不予处罚 for the
    outcomes of 第五十七条 that impose none. The 决定书 is issued with the six items of 第五十九条 and the seal."""
    from jianguan.enforcement import documents

    reasons = _text(reasons, "reasons")

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        if case.outcome == CaseOutcome.PENALTY:
            chosen = _penalty_terms(case, penalties, fine, case.illegal_gains)
            heavier = set(chosen) - set(case.proposed_penalties)
            if heavier or (fine or 0) > (case.proposed_fine or 0):
                raise ValidationError({"penalties": _("决定不得重于事先告知的处罚（行政处罚法第四十五条第二款）。")})
            case.penalties, case.fine = chosen, fine if PenaltyType.FINE in chosen else None
        else:
            case.penalties, case.fine = [], None
        case.decided_on = today
        return None, {"penalties": case.penalties, "fine": case.fine, "decided_on": today}

    kind = DocumentKind.PENALTY_DECISION if case.outcome == CaseOutcome.PENALTY else DocumentKind.NO_PENALTY_DECISION
    return _act(actor, case, CaseAction.DECIDE, version, change, note=reasons, for_party=True,
                document=(kind, documents.decision))[0]  # fmt: skip


@transaction.atomic
def case_serve(*, actor: Any, case: Case, served_on: date, method: str, version: int | None = None) -> Case:
    """送达回证: the decision reached the party on `served_on` by `method`; a fine is due 15 days later."""
    from jianguan.enforcement import documents

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        case.served_on = _not_future(served_on, "served_on", today)
        if case.served_on < case.decided_on:
            raise ValidationError({"served_on": _("送达日期不能早于决定日期。")})
        case.service_method = method
        late = case.served_on > clocks.service_due(case.decided_on)
        _decision_status(actor, case)
        published = _publish(case, today)
        return None, {"served_on": case.served_on, "method": method, "late": late, "published": published}

    return _act(actor, case, CaseAction.SERVE, version, change, for_party=True,
                document=(DocumentKind.SERVICE_RECEIPT, documents.service_receipt))[0]  # fmt: skip


# The operating status a served decision puts the institution under (the heaviest it orders).
DECISION_STATUS = {
    PenaltyType.STOP_ENROLLING: OperatingStatus.STOP_ENROLLING,
    PenaltyType.SUSPEND: OperatingStatus.SUSPENDED,
    PenaltyType.REVOKE: OperatingStatus.LICENCE_REVOKED,
    PenaltyType.STOP_RUNNING: OperatingStatus.BANNED,
}


def decision_document(case: Case) -> Any:
    """The case's 决定书 (行政处罚决定书 or 不予行政处罚决定书), or None before the decision."""
    from jianguan.documents.models import Document

    steps = [str(pk) for pk in case.steps.filter(action=CaseAction.DECIDE).values_list("pk", flat=True)]
    return Document.objects.filter(source_type="enforcement.casestep", source_id__in=steps).first()


def _decision_status(actor: Any, case: Case) -> None:
    """A decision takes effect when served: the sanction it orders becomes the institution's operating status, with
    the decision's number and date as its basis."""
    stops = [DECISION_STATUS[p] for p in case.penalties if p in DECISION_STATUS]
    if not stops:
        return
    document = decision_document(case)
    status_by_decision(
        actor=actor, institution=case.institution, to_status=max(stops, key=lambda s: SANCTION_RANK[s]),
        document=document, reason=f"{document.title}：{case.penalties_text}", effective_date=case.served_on,
    )  # fmt: skip


def _publish(case: Case, today: date) -> bool:
    """行政处罚信息公示 from the day the decision takes effect: its public summary only. Decisions imposing no penalty,
    or only a warning, are not published (信息公示规定 第二条第二款 as the model)."""
    if case.outcome != CaseOutcome.PENALTY or set(case.penalties) <= {PenaltyType.WARNING}:
        return False
    document = decision_document(case)
    provision = PROVISIONS[case.provision]
    Publication.objects.create(
        case=case, number=document.number, party_name=case.party_name,
        credit_code=case.institution.credit_code or "", violation=provision.violation[:200],
        penalty=case.penalties_text[:200], authority=case.department.name, decided_on=case.decided_on,
        published_on=today, display_until=clocks.display_until(today, case.penalties, case.fine),
    )  # fmt: skip
    return True


@transaction.atomic
def case_withdraw(*, actor: Any, case: Case, reason: str, version: int | None = None) -> Case:
    """The decision was changed, revoked or found unlawful (复议, 诉讼, or the department itself): its publication is
    withdrawn at once, with the reason (行政处罚法 第四十八条第二款: within three working days)."""
    reason = _text(reason, "reason", limit=200)

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        publication = Publication.objects.select_for_update().get(case=case)
        publication.withdrawn_on, publication.withdraw_reason = today, reason
        publication.save()
        return None, {"withdrawn_on": today}

    return _act(actor, case, CaseAction.WITHDRAW, version, change, note=reason, for_party=True)[0]


@transaction.atomic
def case_repair_apply(*, actor: Any, case: Case, text: str, version: int | None = None) -> Case:
    """信用修复: the party applies to end the display early, saying how it carried out the decision and removed the
    harm (信息公示规定 第十四条 as the model; the state machine checks the conditions)."""
    text = _text(text, "text", limit=2000)

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        publication = Publication.objects.select_for_update().get(case=case)
        publication.repair_requested_on, publication.repair_request = today, text
        publication.save()
        return None, {"requested_on": today}

    return _act(actor, case, CaseAction.REPAIR_APPLY, version, change, note=text, for_party=True)[0]


@transaction.atomic
def case_repair_decide(*, actor: Any, case: Case, approve: bool, reason: str, version: int | None = None) -> Case:
    """The head approves the repair (the display ends today) or refuses it with the reason."""
    reason = _text(reason, "reason")

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        publication = Publication.objects.select_for_update().get(case=case)
        if approve:
            publication.repaired_on = today
        else:
            publication.repair_requested_on, publication.repair_request = None, ""
        publication.save()
        return None, {"approved": bool(approve)}

    return _act(actor, case, CaseAction.REPAIR_DECIDE, version, change, note=reason, for_party=True)[0]


def amount_owed(case: Case, on: date) -> tuple[Decimal, Decimal]:
    """(the fine, the 加处罚款 accrued by `on`)."""
    if not case.fine or case.served_on is None:
        return Decimal(0), Decimal(0)
    return case.fine, clocks.surcharge(case.fine, clocks.case_fine_due(case), on)


@transaction.atomic
def case_pay(*, actor: Any, case: Case, amount: Decimal, paid_on: date, version: int | None = None) -> Case:
    """A payment seen on the bank's receipt (the department never collects the fine itself, 第六十七条). The case is
    paid up when the fine and the surcharge accrued by the day of payment are covered."""

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        day = _not_future(paid_on, "paid_on", today)
        if amount is None or amount <= 0:
            raise ValidationError({"amount": _("请填写缴款金额。")})
        if not case.fine:
            raise Conflict(_("本案没有罚款。"))
        case.paid += amount
        fine, extra = amount_owed(case, day)
        if case.paid >= fine + extra:
            case.paid_on = day
        return None, {"amount": amount, "paid": case.paid, "surcharge": extra, "paid_on": case.paid_on}

    return _act(actor, case, CaseAction.PAY, version, change)[0]


@transaction.atomic
def case_defer(*, actor: Any, case: Case, deferred_to: date, reason: str, version: int | None = None) -> Case:
    """暂缓或者分期缴纳 approved on the party's application for real hardship (第六十六条第二款): the fine (or its last
    instalment) is due on `deferred_to`; no surcharge runs before it."""
    reason = _text(reason, "reason")

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        if not case.fine or case.paid_on is not None:
            raise Conflict(_("本案没有待缴纳的罚款。"))
        if deferred_to <= clocks.case_fine_due(case):
            raise ValidationError({"deferred_to": _("延期缴纳的日期须晚于现在的缴纳期限。")})
        case.fine_deferred_to = deferred_to
        return None, {"deferred_to": deferred_to}

    return _act(actor, case, CaseAction.DEFER, version, change, note=reason, for_party=True)[0]


@transaction.atomic
def case_close(*, actor: Any, case: Case, report: str, version: int | None = None) -> Case:
    """结案报告 approved by the head once the decision is carried out."""
    from jianguan.enforcement import documents

    report = _text(report, "report")

    def change(case: Case, today: date) -> tuple[None, dict[str, Any]]:
        case.closed_on = today
        return None, {"closed_on": today}

    return _act(actor, case, CaseAction.CLOSE, version, change, note=report,
                document=(DocumentKind.CLOSING_REPORT, documents.closing_report))[0]  # fmt: skip


# Each action's service, called with the cleaned data of its form (forms.FORMS) by the pages and the API.
ACTIONS: dict[str, Callable[..., Any]] = {
    CaseAction.PROPOSE_FILING: case_propose_filing,
    CaseAction.APPROVE_FILING: case_approve_filing,
    CaseAction.RETURN_FILING: case_return_filing,
    CaseAction.DECLINE_FILING: case_decline_filing,
    CaseAction.EVIDENCE: case_add_evidence,
    CaseAction.EXTEND: case_extend,
    CaseAction.PRESERVE: case_preserve,
    CaseAction.PRESERVATION_DECIDE: case_preservation_decide,
    CaseAction.END_INVESTIGATION: case_end_investigation,
    CaseAction.REVIEW_PASS: partial(case_review, passed=True),
    CaseAction.REVIEW_RETURN: partial(case_review, passed=False),
    CaseAction.DISCUSS: case_discuss,
    CaseAction.NOTIFY: case_notify,
    CaseAction.STATEMENT: case_statement,
    CaseAction.ANSWER: case_answer,
    CaseAction.WAIVE: case_waive,
    CaseAction.REQUEST_HEARING: case_request_hearing,
    CaseAction.SCHEDULE_HEARING: case_schedule_hearing,
    CaseAction.RECORD_HEARING: case_record_hearing,
    CaseAction.DECIDE: case_decide,
    CaseAction.SERVE: case_serve,
    CaseAction.PAY: case_pay,
    CaseAction.DEFER: case_defer,
    CaseAction.CLOSE: case_close,
    CaseAction.WITHDRAW: case_withdraw,
    CaseAction.REPAIR_APPLY: case_repair_apply,
    CaseAction.REPAIR_DECIDE: case_repair_decide,
}
