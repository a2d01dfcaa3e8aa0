"""Writes for the rectification ledger. Every transition goes through `_transition`: the item row is locked, the
caller's version is checked (a stale form or a second officer acting at the same moment gets a conflict, never a
silent overwrite), the state machine of workflow.py decides, and the history, the audit event and the change commit
together."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.models import User
from jianguan.audit.services import audit_record, jsonable
from jianguan.checklists.choices import REFERRED_REMEDIES
from jianguan.inspections.models import Finding, Inspection
from jianguan.inspections.selectors import certified_officers
from jianguan.ledger import notify, workflow
from jianguan.ledger.choices import Action, ExtensionStatus, ItemStatus
from jianguan.ledger.models import (
    Attachment,
    ExtensionRequest,
    Guidance,
    ItemEvent,
    LedgerItem,
    Recheck,
    Referral,
)
from jianguan.ledger.signals import item_referred
from jianguan.ledger.workflow import Conflict
from jianguan.lib.conflict import STALE_VERSION
from jianguan.lib.images import read_photo_or_pdf
from jianguan.lib.workdays import UnknownCalendarYear, add_working_days, working_days_between

MAX_FILES = 10


# ---------------------------------------------------------------------------------------------------- creation


def _measure(finding: Finding) -> str:
    if finding.requirement:
        return f"{finding.requirement}；对“{finding.description}”问题整改到位，并提交整改情况说明和照片。"
    basis = f"依照{finding.legal_basis}，" if finding.legal_basis else ""
    return f"{basis}对“{finding.description}”问题整改到位，并提交整改情况说明和照片。"


def _new_item(finding: Finding, inspection: Inspection) -> LedgerItem:
    institution = inspection.institution
    officer = next((o.user for o in inspection.officers.all() if o.department_id == finding.department_id), None)
    found_on = timezone.localtime(inspection.completed_at).date()
    return LedgerItem(
        finding=finding,
        inspection=inspection,
        campaign=inspection.campaign,
        institution=institution,
        street_id=institution.street_id,
        category=finding.category,
        description=finding.description,
        measure=_measure(finding),
        responsible_person=institution.legal_representative or institution.contact_person,
        responsible_phone=institution.contact_phone,
        department=finding.department,
        officer=officer,
        found_on=found_on,
        deadline=finding.deadline or found_on,
    )


def items_follow_institution(*, institution: Any) -> int:
    """Moves an institution's items to its (new) street; returns how many moved. Run by the registry's
    `institution_moved` signal inside `institution_update`, which checks the actor and audits the move: the items'
    street is a copy kept for the dashboard, not a fact of its own, so it gets no event here."""
    items = LedgerItem.objects.filter(institution=institution).exclude(street_id=institution.street_id)
    return items.update(street_id=institution.street_id)


def items_from_notice(
    *, inspection: Inspection, findings: Iterable[Finding], issued_at: datetime, actor: Any, number: str = ""
) -> int:
    """One item per problem the rectification order lists (待整改, deadline from the order); returns how many are
    new, and tells the institution of the order (`number`). Issuing the order again leaves existing items alone."""
    existing = set(LedgerItem.objects.filter(finding__in=list(findings)).values_list("finding_id", flat=True))
    created: list[LedgerItem] = []
    for finding in findings:
        if finding.pk in existing:
            continue
        item = _new_item(finding, inspection)
        item.full_clean(exclude=["finding", "inspection", "campaign", "institution", "street", "department", "officer"])
        item.save()
        _event(item, actor, Action.CREATE, "", ItemStatus.PENDING, at=issued_at, data={"deadline": item.deadline})
        audit_record(
            actor=actor, action="ledger.create", obj=item,
            after={"finding": finding.pk, "deadline": item.deadline, "department": item.department_id},
            institution=item.institution_id,
        )  # fmt: skip
        created.append(item)
        if finding.remedy in REFERRED_REMEDIES:
            _refer_stop_order(item, actor, number, issued_at)
    if created:
        notify.order_issued(created, number)
    return len(created)


def _refer_stop_order(item: LedgerItem, actor: Any, number: str, at: datetime) -> Referral:
    """A 责令停止 order is not a rectification: the law orders the stop and a penalty case, so its item goes to
    移交处罚 at once (a referral 待立案), by the order itself rather than an officer's decision."""
    reason = _("%(remedy)s（%(number)s）：违法行为依法应予立案查处。") % {
        "remedy": item.finding.get_remedy_display(),
        "number": number,
    }
    item, _event_ = _transition(
        actor, item, Action.ESCALATE, version=None, note=reason, data={"order": number}, by_order=True, at=at
    )
    return _referred(Referral.objects.create(item=item, reason=reason, created_by=actor, created_at=at))


def _referred(referral: Referral) -> Referral:
    item_referred.send(sender=Referral, referral=referral)
    return referral


def items_closed_on_site(*, inspection: Inspection, actor: Any) -> int:
    """Problems fixed during the inspection (当场整改) are closed at once, with the inspection's photos as evidence."""
    closed_on = timezone.localtime(inspection.completed_at).date()
    created = 0
    for finding in inspection.findings.filter(fixed_on_site=True, ledger_item__isnull=True):
        item = _new_item(finding, inspection)
        item.deadline = closed_on
        item.status, item.closed_on = ItemStatus.CLOSED, closed_on
        item.save()
        evidence = list(finding.evidence.values_list("pk", flat=True))
        _event(item, actor, Action.CLOSE_ON_SITE, "", ItemStatus.CLOSED, at=inspection.completed_at,
               data={"evidence": evidence})  # fmt: skip
        audit_record(
            actor=actor, action="ledger.close_on_site", obj=item, after={"finding": finding.pk, "evidence": evidence},
            institution=item.institution_id,
        )  # fmt: skip
        created += 1
    return created


# ---------------------------------------------------------------------------------------------------- transitions


def _event(
    item: LedgerItem,
    actor: Any,
    action: str,
    from_status: str,
    to_status: str,
    *,
    note: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> ItemEvent:
    return ItemEvent.objects.create(
        item=item,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=jsonable(data or {}),
        actor=actor if getattr(actor, "pk", None) else None,
        at=at or timezone.now(),
    )


def _locked(item: LedgerItem, version: int | None) -> LedgerItem:
    item = LedgerItem.objects.select_for_update().select_related("institution", "department").get(pk=item.pk)
    if version is not None and version != item.version:
        raise Conflict(
            _("该事项已被他人更新（当前为“%(status)s”），请刷新后再操作；您的内容未保存。")
            % {"status": item.get_status_display()},
            code=STALE_VERSION,
        )
    return item


def _attach(item: LedgerItem, event: ItemEvent, files: Iterable[Any], actor: Any) -> list[Attachment]:
    files = list(files)
    if len(files) > MAX_FILES:
        raise ValidationError({"files": _("一次最多上传 %(n)s 个文件。") % {"n": MAX_FILES}})
    saved = []
    for upload in files:
        try:
            data = read_photo_or_pdf(upload)
        except ValidationError as exc:  # named on the file control, with the file's name
            name = str(getattr(upload, "name", "") or "")[:60]
            raise ValidationError({"files": [f"{name}：{m}" if name else m for m in exc.messages]}) from None
        attachment = Attachment(
            item=item,
            event=event,
            name=(getattr(upload, "name", "") or f"{data.sha256[:12]}.{data.extension}")[:120],
            uploaded_by=actor,
        )
        attachment.store(data)
        attachment.save()
        saved.append(attachment)
    return saved


def _transition(
    actor: Any,
    item: LedgerItem,
    action: str,
    *,
    version: int | None,
    note: str = "",
    data: dict | None = None,
    files: Iterable[Any] = (),
    target: str | None = None,
    by_order: bool = False,
    at: datetime | None = None,
    **changes: Any,
) -> tuple[LedgerItem, ItemEvent]:
    item = _locked(item, version)
    transition = workflow.check(actor, item, action, timezone.localdate(), by_order=by_order)
    before = item.status
    for name, value in changes.items():
        setattr(item, name, value)
    item.status = target or transition.target or item.status
    item.version += 1
    item.save()
    event = _event(item, actor, action, before, item.status, note=note, data=data, at=at)
    attachments = _attach(item, event, files, actor)
    audit_record(
        actor=actor,
        action=f"ledger.{action}",
        obj=item,
        before={"status": before},
        after={
            "status": item.status,
            "note": note,
            **(data or {}),
            **({"attachments": [a.sha256 for a in attachments]} if attachments else {}),
        },
        institution=item.institution_id,
    )
    return item, event


@transaction.atomic
def acknowledge(*, actor: Any, item: LedgerItem, version: int | None = None, note: str = "") -> LedgerItem:
    """The institution confirms it has received the order and is working on it: 待整改 → 整改中."""
    return _transition(actor, item, Action.ACKNOWLEDGE, version=version, note=(note or "").strip())[0]


@transaction.atomic
def submit(
    *, actor: Any, item: LedgerItem, note: str = "", files: Iterable[Any] = (), version: int | None = None
) -> LedgerItem:
    """The institution reports the rectification done: → 待复查, with at least a written explanation or a file."""
    files, note = list(files), (note or "").strip()
    if not note and not files:
        raise ValidationError({"note": _("请上传整改照片或材料，或写明整改情况。")})
    item, event = _transition(
        actor, item, Action.SUBMIT, version=version, note=note, files=files, submitted_on=timezone.localdate()
    )
    notify.submitted(item, event)
    return item


@transaction.atomic
def recheck(
    *,
    actor: Any,
    item: LedgerItem,
    passed: bool,
    note: str,
    checked_on: date | None = None,
    officers: Iterable[User] = (),
    new_deadline: date | None = None,
    files: Iterable[Any] = (),
    version: int | None = None,
) -> Recheck:
    """复查. Passed: 已销号 with the close date. Failed: back to 整改中 with the reason, and a new deadline if given
    (the old one stays in the history)."""
    note = (note or "").strip()
    today = timezone.localdate()
    checked_on = checked_on or today
    if not note:
        raise ValidationError({"note": _("请填写复查情况。")})
    if checked_on > today:
        raise ValidationError({"checked_on": _("复查日期不能晚于今天。")})
    locked = _locked(item, version)
    action = Action.RECHECK_PASS if passed else Action.RECHECK_FAIL
    workflow.check(actor, locked, action, today)  # who and when, before what
    if new_deadline is not None and (passed or new_deadline <= today):
        raise ValidationError({"new_deadline": _("新的整改时限须晚于今天，且只在复查未通过时填写。")})
    team = _recheck_team([actor, *officers], checked_on)
    changes: dict[str, Any] = {"closed_on": checked_on} if passed else {}
    if new_deadline is not None:
        changes["deadline"] = new_deadline
    data = {"checked_on": checked_on, "passed": passed}
    if new_deadline is not None:
        data.update(old_deadline=locked.deadline, new_deadline=new_deadline)
    item, event = _transition(actor, locked, action, version=None, note=note, data=data, files=files, **changes)
    record = Recheck.objects.create(
        item=item,
        checked_on=checked_on,
        passed=passed,
        note=note,
        new_deadline=new_deadline,
        recorded_by=actor,
    )
    record.officers.set(team)
    _issue_recheck_opinion(actor, record)
    notify.recheck_result(item, event, passed)
    return record


MIN_RECHECK_TEAM = 2  # 行政处罚法 第四十二条, as for the inspection


def _recheck_team(people: list[Any], on: date) -> list[User]:
    """The officers who recheck: at least two, each with an enforcement certificate valid on the day (the actor
    counts when certified; a lead coordinator without one records the recheck of two officers)."""
    unique = list({u.pk: u for u in people if getattr(u, "pk", None)}.values())
    valid = set(certified_officers(on).filter(pk__in=[u.pk for u in unique]).values_list("pk", flat=True))
    team = [u for u in unique if u.pk in valid]
    if len(team) < MIN_RECHECK_TEAM:
        raise ValidationError(
            {
                "officers": _(
                    "复查须由至少 %(n)s 名在复查当日持有效执法证的执法人员进行（《行政处罚法》第四十二条），"
                    "请选择共同复查的执法人员。"
                )
                % {"n": MIN_RECHECK_TEAM}
            }
        )
    return team


def _issue_recheck_opinion(actor: Any, record: Recheck) -> None:
    from jianguan.documents.choices import DocumentKind
    from jianguan.documents.services import document_issue
    from jianguan.ledger.documents import recheck_content

    document_issue(
        actor=actor,
        kind=DocumentKind.RECHECK_OPINION,
        department=record.item.department,
        source=record,
        institution=record.item.institution,
        build=lambda number: recheck_content(record, number),
    )


@transaction.atomic
def request_extension(
    *, actor: Any, item: LedgerItem, requested_deadline: date, reason: str, version: int | None = None
) -> ExtensionRequest:
    """延期: the institution asks for a later deadline, with its reason; one open request at a time."""
    reason = (reason or "").strip()
    locked = _locked(item, version)
    workflow.check(actor, locked, Action.REQUEST_EXTENSION, timezone.localdate())
    if not reason:
        raise ValidationError({"reason": _("请写明延期理由。")})
    if requested_deadline <= locked.deadline:
        raise ValidationError(
            {"requested_deadline": _("申请的期限须晚于现有整改时限 %(d)s。") % {"d": locked.deadline}}
        )
    _check_extension_span(locked.deadline, requested_deadline, "requested_deadline")
    if locked.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise Conflict(_("已有一份延期申请等待审批。"))
    data = {"old_deadline": locked.deadline, "requested_deadline": requested_deadline}
    item, event = _transition(actor, locked, Action.REQUEST_EXTENSION, version=None, note=reason, data=data)
    notify.extension_asked(item, event, item.deadline, requested_deadline)
    return ExtensionRequest.objects.create(
        item=item, old_deadline=item.deadline, requested_deadline=requested_deadline, reason=reason, requested_by=actor
    )


def _check_extension_span(deadline: date, new: date, field: str) -> None:
    """An extension reaches at most JIANGUAN_EXTENSION_MAX_WORKING_DAYS working days past the current deadline."""
    most = settings.JIANGUAN_EXTENSION_MAX_WORKING_DAYS
    try:
        span = working_days_between(deadline, new)
    except UnknownCalendarYear as exc:
        raise ValidationError({field: str(exc)}) from None
    if span > most:
        raise ValidationError(
            {field: _("延期最多 %(n)s 个工作日（至 %(last)s），这次是 %(span)s 个工作日。")
             % {"n": most, "last": add_working_days(deadline, most), "span": span}}
        )  # fmt: skip


@transaction.atomic
def decide_extension(
    *,
    actor: Any,
    item: LedgerItem,
    approve: bool,
    note: str = "",
    granted_deadline: date | None = None,
    version: int | None = None,
) -> ExtensionRequest:
    """The supervising officer approves (the deadline moves to the requested day, or to an earlier one the officer
    grants; the old one stays on record) or refuses."""
    locked = _locked(item, version)
    action = Action.APPROVE_EXTENSION if approve else Action.REFUSE_EXTENSION
    workflow.check(actor, locked, action, timezone.localdate())
    request = locked.extensions.filter(status=ExtensionStatus.PENDING).first()
    if request is None:
        raise Conflict(_("没有等待审批的延期申请。"))
    granted = (granted_deadline or request.requested_deadline) if approve else None
    if not approve and granted_deadline is not None:
        raise ValidationError({"granted_deadline": _("不同意延期时不填写批准的期限。")})
    if granted is not None and not locked.deadline < granted <= request.requested_deadline:
        raise ValidationError(
            {"granted_deadline": _("批准的期限须晚于现有整改时限 %(old)s，且不晚于申请的 %(asked)s。")
             % {"old": locked.deadline, "asked": request.requested_deadline}}
        )  # fmt: skip
    changes = {"deadline": granted} if granted is not None else {}
    data = {"old_deadline": locked.deadline, "requested_deadline": request.requested_deadline}
    if granted is not None and granted != request.requested_deadline:
        data["granted_deadline"] = granted
    item, event = _transition(actor, locked, action, version=None, note=(note or "").strip(), data=data, **changes)
    notify.extension_decided(item, event, granted)
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    request.granted_deadline = granted
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), (note or "").strip()
    request.save()
    return request


@transaction.atomic
def escalate(*, actor: Any, item: LedgerItem, reason: str, version: int | None = None) -> Referral:
    """移交处罚: refused, overdue or serious problems go to enforcement as a referral (待立案)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("移交处罚须写明理由。")})
    item, _event_ = _transition(actor, item, Action.ESCALATE, version=version, note=reason)
    return _referred(Referral.objects.create(item=item, reason=reason, created_by=actor))


@transaction.atomic
def guidance_add(
    *,
    actor: Any,
    item: LedgerItem,
    adviser: str,
    given_on: date,
    method: str,
    advice: str,
    files: Iterable[Any] = (),
) -> Guidance:
    """整改指导: who advised, when, how and what (an officer, or a specialist they name)."""
    guidance = Guidance(
        item=item,
        adviser=(adviser or "").strip() or getattr(actor, "name", ""),
        given_on=given_on,
        method=method,
        advice=(advice or "").strip(),
        recorded_by=actor,
    )
    guidance.full_clean(exclude=["item", "recorded_by"])
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("指导日期不能晚于今天。")})
    data = {"adviser": guidance.adviser, "given_on": given_on, "method": method}
    _transition(actor, item, Action.GUIDANCE, version=None, note=guidance.advice, data=data, files=files)
    guidance.save()
    return guidance
