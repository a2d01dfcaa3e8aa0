"""Writes for complaints. The public submits without an account; staff triage, assign, handle, reply and close.

Every write locks the complaint row, checks the actor against the complaint (selectors.may_handle / may_triage),
records one history event and one audit event, and commits them together. Neither the history nor the audit trail
ever holds the reporter's name or phone."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.accounts.permissions import require
from jianguan.audit.services import audit_record
from jianguan.complaints import selectors
from jianguan.complaints.choices import ComplaintAction, ComplaintKind, ComplaintStatus
from jianguan.complaints.models import Complaint, ComplaintEvent, ComplaintPhoto
from jianguan.inspections.models import Inspection
from jianguan.ledger.models import LedgerItem
from jianguan.lib import workdays
from jianguan.lib.images import read_photo
from jianguan.notifications.services import Message, notify_many
from jianguan.org.models import Department, Region
from jianguan.registry import services as registry_services
from jianguan.registry.models import Institution

MAX_PHOTOS = 5
# 31 symbols without look-alikes (0/O, 1/I/L); 16 of them are 79 bits: not guessable, easy to read out on the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16


def new_tracking_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def tracking_hash(code: str) -> str:
    """Only the hash is stored: a copy of the database does not let anyone read a reporter's replies."""
    normal = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def _audit(actor: Any, complaint: Complaint, after: dict[str, Any], *, action: str) -> None:
    audit_record(
        actor=actor, action=action, obj=complaint, object_label=complaint.number or "",
        after=after, institution=complaint.institution_id,
    )  # fmt: skip


def _event(
    complaint: Complaint, actor: Any, action: str, before: str, note: str = "", at: datetime | None = None
) -> None:
    ComplaintEvent.objects.create(
        complaint=complaint, action=action, actor=actor, from_status=before, to_status=complaint.status, note=note,
        at=at or timezone.now(),
    )  # fmt: skip


def _locked(complaint: Complaint, version: int | None) -> Complaint:
    current = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if version is not None and current.version != version:
        raise ValidationError(_("该投诉刚被他人处理过，请刷新页面后再操作。"), code="conflict")
    return current


def _save(complaint: Complaint, *fields: str) -> None:
    complaint.version += 1
    complaint.save(update_fields=[*fields, "version"])


# ---------------------------------------------------------------------------------------------------- the public


@transaction.atomic
def complaint_submit(
    *, category: str, content: str, institution: Institution | None = None, typed_name: str = "",
    typed_address: str = "", street: Region | None = None, anonymous: bool = False, reporter_name: str = "",
    reporter_phone: str = "", photos: Iterable[Any] = (), received_at: datetime | None = None,
    kind: str = ComplaintKind.REPORT,
) -> tuple[Complaint, str]:  # fmt: skip
    """File a complaint (投诉: one's own dispute) or a report (举报: a violation) from the public. Returns it with its
    tracking code, which is shown once and never stored. `received_at` is for complaints that arrived earlier by other
    channels (12345 hotline, letters); never future. A 投诉 is made in one's own name."""
    photos = list(photos)
    errors: dict[str, list[str]] = {}
    if kind not in ComplaintKind.values:
        errors["kind"] = [_("请选择投诉或举报。")]
    elif kind == ComplaintKind.COMPLAINT and anonymous:
        errors["anonymous"] = [_("投诉是本人与机构之间的权益争议，须实名；不愿留名请选择“举报”。")]
    if institution is None and not (typed_name or "").strip():
        errors["typed_name"] = [_("请从机构库中选择机构，或填写机构名称和地址。")]
    if institution is None and not (typed_address or "").strip():
        errors.setdefault("typed_address", []).append(_("请填写机构地址，便于核查。"))
    if not anonymous and not ((reporter_name or "").strip() and (reporter_phone or "").strip()):
        errors["reporter_phone"] = [_("实名投诉请填写姓名和联系电话；不愿留名请选择匿名投诉。")]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}]
    if errors:
        raise ValidationError(errors)
    checked = []
    for upload in photos:
        try:
            checked.append(read_photo(upload))
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from exc
    now = timezone.now()
    if received_at is not None and received_at > now:
        raise ValidationError({"received_at": _("收到时间不能晚于现在。")})
    code = new_tracking_code()
    complaint = Complaint(
        received_at=received_at or now,
        tracking_hash=tracking_hash(code),
        institution=institution,
        typed_name="" if institution else (typed_name or "").strip(),
        typed_address="" if institution else (typed_address or "").strip(),
        street=institution.street if institution else street,
        kind=kind,
        category=category,
        content=(content or "").strip(),
        anonymous=anonymous,
        reporter_name="" if anonymous else (reporter_name or "").strip(),
        reporter_phone="" if anonymous else (reporter_phone or "").strip(),
    )
    complaint.full_clean(exclude=["institution", "street", "number"])
    complaint.save()
    complaint.number = f"TS{timezone.localtime(complaint.received_at):%Y}-{complaint.pk:06d}"
    complaint.save(update_fields=["number"])
    for photo in checked:
        saved = ComplaintPhoto(complaint=complaint)
        saved.store(photo)
        saved.save()
    _event(complaint, None, ComplaintAction.SUBMIT, "", at=complaint.received_at)
    after = {
        "kind": complaint.kind, "category": complaint.category, "photos": len(checked), "anonymous": complaint.anonymous,
    }  # fmt: skip
    _audit(None, complaint, action="complaint.submit", after=after)
    notify_many(
        Message(
            recipient_id=pk,
            reason="complaint_received",
            subject=f"complaints.complaint:{complaint.pk}",
            text=_("收到投诉 %(number)s：%(name)s") % {"number": complaint.number, "name": complaint.subject_name},
            url=reverse("complaints:complaint_detail", args=[complaint.pk]),
        )  # fmt: skip
        for pk in User.objects.filter(role=Role.LEAD, is_active=True).values_list("pk", flat=True)
    )
    return complaint, code


# ---------------------------------------------------------------------------------------------------- triage


def default_deadline(on: date) -> date | None:
    """15 working days after assignment (JIANGUAN_COMPLAINT_WORKING_DAYS); None when the holiday calendar does not
    know the year yet (the coordinator then sets the date)."""
    from django.conf import settings

    try:
        return workdays.add_working_days(on, settings.JIANGUAN_COMPLAINT_WORKING_DAYS)
    except workdays.UnknownCalendarYear:
        return None


@transaction.atomic
def complaint_assign(
    *, actor: Any, complaint: Complaint, handler: User, department: Department | None = None,
    street: Region | None = None, deadline: date | None = None, note: str = "", version: int | None = None,
    at: datetime | None = None,
) -> Complaint:  # fmt: skip
    """Accept and assign to a department or a street, with a named handler and a deadline. Assigning again
    (转办) moves it to another unit; the earlier handler loses sight of the reporter."""
    require(actor, "complaints.triage")
    complaint = _locked(complaint, version)
    if complaint.status not in (ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED):
        raise ValidationError(_("该投诉已%(status)s，不能再交办。") % {"status": complaint.get_status_display()})
    if (department is None) == (street is None):
        raise ValidationError(_("请选择一个承办部门或一个承办街道/乡镇。"))
    if handler not in selectors.handlers_for(department=department, street=street):
        raise ValidationError({"handler": _("承办人须是所选部门或街道/乡镇的在岗人员。")})
    at = at or timezone.now()
    if at > timezone.now() or at < complaint.received_at:
        raise ValidationError(_("交办时间须在收到投诉之后、不晚于现在。"))
    today = timezone.localtime(at).date()
    deadline = deadline or default_deadline(today)
    if deadline is None:
        raise ValidationError({"deadline": _("节假日安排尚未公布，无法自动计算办理期限，请填写期限。")})
    if deadline < today:
        raise ValidationError({"deadline": _("办理期限不能早于交办日期。")})
    before = complaint.status
    complaint.status = ComplaintStatus.ASSIGNED
    complaint.assigned_department, complaint.assigned_street, complaint.handler = department, street, handler
    complaint.assigned_at, complaint.deadline = at, deadline
    _save(complaint, "status", "assigned_department", "assigned_street", "handler", "assigned_at", "deadline")
    unit = department.name if department else street.name  # type: ignore[union-attr]
    text = _("交办%(unit)s，承办人%(handler)s，期限%(deadline)s") % {
        "unit": unit, "handler": handler.name or handler.username, "deadline": f"{deadline:%Y-%m-%d}"
    }  # fmt: skip
    _event(complaint, actor, ComplaintAction.ASSIGN, before, f"{text}。{note}".strip(), at=at)
    unit = {"department": getattr(department, "pk", None), "street": getattr(street, "pk", None)}
    _audit(actor, complaint, action="complaint.assign", after={**unit, "handler": handler.pk, "deadline": deadline})
    notify_many([
        Message(
            recipient_id=handler.pk, reason="complaint_assigned", subject=f"complaints.complaint:{complaint.pk}",
            text=_("请办理投诉 %(number)s（%(name)s），期限 %(deadline)s") % {
                "number": complaint.number, "name": complaint.subject_name, "deadline": f"{deadline:%Y-%m-%d}"
            },
            url=reverse("complaints:complaint_detail", args=[complaint.pk]),
        )
    ])  # fmt: skip
    return complaint


@transaction.atomic
def complaint_reject(*, actor: Any, complaint: Complaint, reply: str, version: int | None = None) -> Complaint:
    """不予受理 (not the platform's business, a duplicate, nothing to check), with the reason the reporter reads."""
    require(actor, "complaints.triage")
    complaint = _locked(complaint, version)
    if complaint.status != ComplaintStatus.RECEIVED:
        raise ValidationError(_("只有待受理的投诉可以不予受理。"))
    if not (reply or "").strip():
        raise ValidationError({"reply": _("请填写不予受理的理由，投诉人可在查询页面看到。")})
    before = complaint.status
    complaint.status, complaint.public_reply = ComplaintStatus.REJECTED, reply.strip()
    complaint.replied_at = complaint.closed_at = timezone.now()
    complaint.full_clean(exclude=["institution", "street", "number"])
    _save(complaint, "status", "public_reply", "replied_at", "closed_at")
    _event(complaint, actor, ComplaintAction.REJECT, before, complaint.public_reply)
    _audit(actor, complaint, action="complaint.reject", after={"reply": complaint.public_reply})
    return complaint


# ---------------------------------------------------------------------------------------------------- handling


def _handling(actor: Any, complaint: Complaint, version: int | None) -> Complaint:
    complaint = _locked(complaint, version)
    if not selectors.may_handle(actor, complaint):
        raise PermissionDenied(_("只有承办单位的人员和牵头部门可以办理该投诉。"))
    if complaint.status != ComplaintStatus.ASSIGNED:
        raise ValidationError(_("该投诉%(status)s，不能再办理。") % {"status": complaint.get_status_display()})
    return complaint


@transaction.atomic
def complaint_note(*, actor: Any, complaint: Complaint, note: str, version: int | None = None) -> Complaint:
    """An internal record of handling (电话核实、现场走访…). Staff only; never shown to the public."""
    complaint = _handling(actor, complaint, version)
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写办理记录。")})
    _save(complaint)
    _event(complaint, actor, ComplaintAction.NOTE, complaint.status, note.strip())
    _audit(actor, complaint, action="complaint.note", after={"length": len(note.strip())})
    return complaint


@transaction.atomic
def complaint_link(
    *, actor: Any, complaint: Complaint, inspection: Inspection | None = None, ledger_item: LedgerItem | None = None,
    version: int | None = None,
) -> Complaint:  # fmt: skip
    """Verified on site by an inspection, or the problem is being rectified as a ledger item: link it. Both must
    concern the complaint's institution."""
    complaint = _handling(actor, complaint, version)
    if not complaint.institution_id:
        raise ValidationError(_("投诉对象尚未对应机构库中的机构：请先登记该场所。"))
    for obj in (inspection, ledger_item):
        if obj is not None and obj.institution_id != complaint.institution_id:
            raise ValidationError(_("所选记录不属于被投诉机构。"))
    if inspection is not None:
        complaint.inspection = inspection
        _save(complaint, "inspection")
        _event(complaint, actor, ComplaintAction.LINK_INSPECTION, complaint.status, str(inspection))
    if ledger_item is not None:
        complaint.ledger_item = ledger_item
        _save(complaint, "ledger_item")
        _event(complaint, actor, ComplaintAction.LINK_LEDGER, complaint.status, ledger_item.description[:100])
    if inspection is None and ledger_item is None:
        raise ValidationError(_("请选择要关联的检查或整改事项。"))
    linked = {"inspection": getattr(inspection, "pk", None), "ledger_item": getattr(ledger_item, "pk", None)}
    _audit(actor, complaint, action="complaint.link", after=linked)
    return complaint


@transaction.atomic
def complaint_register_site(
    *, actor: Any, complaint: Complaint, version: int | None = None, **site: Any
) -> tuple[Complaint, Institution]:
    """The complaint names a site the registry does not know (possible 无证办学): put it on the registry as 未登记
    and attach the complaint to it, so an inspection and a case can follow."""
    complaint = _handling(actor, complaint, version)
    if complaint.institution_id:
        raise ValidationError(_("投诉对象已是机构库中的机构。"))
    institution = registry_services.site_report(actor=actor, **site)
    complaint.institution, complaint.street = institution, institution.street
    _save(complaint, "institution", "street")
    _event(complaint, actor, ComplaintAction.REGISTER_SITE, complaint.status, institution.name)
    _audit(actor, complaint, action="complaint.register_site", after={"institution": institution.pk})
    return complaint, institution


@transaction.atomic
def complaint_reply(*, actor: Any, complaint: Complaint, reply: str, version: int | None = None) -> Complaint:
    """The answer the reporter reads on the tracking page."""
    complaint = _handling(actor, complaint, version)
    if not (reply or "").strip():
        raise ValidationError({"reply": _("请填写答复内容。")})
    complaint.status, complaint.public_reply, complaint.replied_at = (
        ComplaintStatus.REPLIED,
        reply.strip(),
        timezone.now(),
    )
    complaint.full_clean(exclude=["institution", "street", "number"])
    _save(complaint, "status", "public_reply", "replied_at")
    _event(complaint, actor, ComplaintAction.REPLY, ComplaintStatus.ASSIGNED, complaint.public_reply)
    _audit(actor, complaint, action="complaint.reply", after={"reply": complaint.public_reply})
    return complaint


@transaction.atomic
def complaint_close(
    *, actor: Any, complaint: Complaint, result: str, note: str = "", version: int | None = None
) -> Complaint:
    """办结, with the finding (属实 / 部分属实 / 不属实). Only after the reporter has been answered."""
    complaint = _locked(complaint, version)
    if not selectors.may_handle(actor, complaint):
        raise PermissionDenied(_("只有承办单位的人员和牵头部门可以办理该投诉。"))
    if complaint.status != ComplaintStatus.REPLIED:
        raise ValidationError(_("请先答复投诉人，再办结。"))
    if result not in dict(Complaint._meta.get_field("result").flatchoices) or not result:
        raise ValidationError({"result": _("请选择核查结论。")})
    complaint.status, complaint.result, complaint.closed_at = ComplaintStatus.CLOSED, result, timezone.now()
    _save(complaint, "status", "result", "closed_at")
    _event(complaint, actor, ComplaintAction.CLOSE, ComplaintStatus.REPLIED, (note or "").strip())
    _audit(actor, complaint, action="complaint.close", after={"result": result})
    return complaint


def complaint_case_filed(*, complaint: Complaint, day: date) -> bool:
    """A penalty case opened from this 举报 was filed (立案) on `day`: a named reporter reads it on the tracking page
    (行政处罚 rules: the reporter is told of the 立案 decision within five working days). Run inside the filing
    service's transaction, which checked its actor. Returns whether the reporter is told (not anonymous)."""
    if complaint.kind != ComplaintKind.REPORT or complaint.anonymous or complaint.case_filed_on:
        return False
    complaint.case_filed_on = day
    _save(complaint, "case_filed_on")
    _event(complaint, None, ComplaintAction.CASE_FILED, complaint.status, str(day))
    _audit(None, complaint, action="complaint.case_filed", after={"case_filed_on": day})
    return True
