"""Writes for 移送 / 协查 and subscriptions. Every step of a transfer goes through `_act`: the row is locked, the
caller's version checked (a stale page gets a conflict), workflow.py decides who may act from which state, and the
change, its thread entry, the audit event and the other side's notification commit together."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.accounts.permissions import require
from jianguan.audit.services import audit_record
from jianguan.complaints.choices import CHECK_CATEGORY
from jianguan.documents.choices import DocumentKind
from jianguan.documents.services import document_issue
from jianguan.lib.conflict import STALE_VERSION
from jianguan.lib.validators import validate_plain_text
from jianguan.lib.workdays import UnknownCalendarYear, add_working_days
from jianguan.notifications.services import Message, notify_many
from jianguan.org.choices import CheckCategory, DepartmentKind
from jianguan.org.selectors import Competence
from jianguan.registry.choices import InstitutionKind
from jianguan.transfers import workflow
from jianguan.transfers.choices import FeedEvent, TransferAction, TransferKind
from jianguan.transfers.documents import BUILDERS
from jianguan.transfers.models import Subscription, Transfer, TransferStep
from jianguan.transfers.workflow import Conflict

LETTER_KINDS = {
    TransferKind.TRANSFER: DocumentKind.TRANSFER_LETTER,
    TransferKind.ASSISTANCE: DocumentKind.ASSISTANCE_LETTER,
}


def _text(value: str, field: str, *, required: bool = True, limit: int = 2000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写此项。")})
    if len(value) > limit:
        raise ValidationError({field: _("不能超过 %(n)s 个字。") % {"n": limit}})
    validate_plain_text(value)
    return value


def reply_due_from(day: date) -> date:
    """The reply deadline: JIANGUAN_TRANSFER_REPLY_WORKING_DAYS working days after the day it is sent."""
    try:
        return add_working_days(day, settings.JIANGUAN_TRANSFER_REPLY_WORKING_DAYS)
    except UnknownCalendarYear as exc:
        # Nothing guesses a date: the year's holidays must be entered first (org: 工作日).
        raise ValidationError(
            _("工作日历尚未包含 %(year)s 年，无法计算答复期限：请先导入该年的放假通知。") % {"year": exc.year}
        ) from exc


def unit_users(department_id: int | None, street_id: int | None) -> list[int]:
    """The active users who work for a unit (see workflow.in_unit)."""
    users = User.objects.filter(is_active=True)
    if department_id is not None:
        users = users.filter(role__in=(Role.DEPARTMENT_OFFICER, Role.LEAD), department_id=department_id)
    elif street_id is not None:
        users = users.filter(role=Role.STREET_OFFICER, streets=street_id)
    else:
        return []
    return list(users.values_list("pk", flat=True).distinct())


def _tell(transfer: Transfer, *, to_sender: bool, reason: str, text: str, subject: str) -> None:
    """Tell the other side (each step its own subject, so two steps in a day are both told)."""
    if to_sender:
        people = unit_users(transfer.sender_department_id, transfer.sender_street_id)
    else:
        people = unit_users(transfer.receiver_department_id, transfer.receiver_street_id)
    url = reverse("transfers:transfer_detail", args=[transfer.pk])
    notify_many([Message(p, reason, subject, text, url) for p in people])


# ---------------------------------------------------------------------------------------------------- sending


def _sender_unit(actor: Any, sender_street: Any) -> tuple[Any, Any]:
    """(department, street) the actor sends for: their department, or one of their streets."""
    if actor.role in (Role.DEPARTMENT_OFFICER, Role.LEAD):
        if actor.department_id is None:
            raise ValidationError(_("您的账户没有所属部门，不能以部门名义发出移送或协查。"))
        return actor.department, None
    streets = list(actor.streets.all())
    if sender_street is None and len(streets) == 1:
        sender_street = streets[0]
    if sender_street is None or sender_street.pk not in {s.pk for s in streets}:
        raise ValidationError({"sender_street": _("请选择您负责的街道/乡镇。")})
    return None, sender_street


def _visible_link(actor: Any, obj: Any, field: str) -> Any:
    if obj is None:
        return None
    if not type(obj).objects.visible_to(actor).filter(pk=obj.pk).exists():
        raise ValidationError({field: _("关联的记录不存在或不在您的权限范围内。")})
    return obj


def _check_competence(kind: str, category: str, receiver: Any) -> None:
    """A 移送 goes to the department the responsibility matrix makes competent (行政处罚法 第十七条): where the matrix
    names a lead for the institution kind and category, the receiver must be it. A gap in the matrix is not refused
    (the matrix page reports it); the receiver then answers on competence itself."""
    cell = Competence().cell(kind, category)
    if cell.leads and receiver.pk not in {d.pk for d in cell.leads}:
        raise ValidationError(
            {
                "receiver_department": _("依职责分工，%(kind)s的“%(category)s”由%(lead)s牵头负责，应移送%(lead)s。")
                % {
                    "kind": cell.kind_label,
                    "category": CheckCategory(category).label,
                    "lead": "、".join(d.name for d in cell.leads),
                }
            }
        )


@transaction.atomic
def transfer_send(
    *,
    actor: Any,
    kind: str,
    subject: str,
    facts: str,
    request: str = "",
    receiver_department: Any = None,
    receiver_street: Any = None,
    sender_street: Any = None,
    category: str = "",
    institution: Any = None,
    ledger_item: Any = None,
    complaint: Any = None,
    case: Any = None,
    suspected_crime: bool = False,
) -> Transfer:
    """Send a 移送 or 协查: checks the units (never one's own; a 移送 only to a department, and to the competent one),
    counts the reply deadline in working days, issues the numbered letter under the sending department (a street
    office's transfer is recorded without a number: it issues no 执法文书), and tells the receiving unit."""
    require(actor, "transfers.send")
    if kind not in TransferKind.values:
        raise ValidationError({"kind": _("请选择移送或协查。")})
    if (receiver_department is None) == (receiver_street is None):
        raise ValidationError({"receiver_department": _("请选择一个接收部门或街道/乡镇。")})
    sender_department, sender_street = _sender_unit(actor, sender_street)
    if (receiver_department is not None and sender_department is not None and receiver_department.pk == sender_department.pk) or (
        receiver_street is not None and sender_street is not None and receiver_street.pk == sender_street.pk
    ):  # fmt: skip
        raise ValidationError({"receiver_department": _("不能移送或请求协查本单位：请选择其他部门或街道/乡镇。")})
    receiver = receiver_department or receiver_street
    if not getattr(receiver, "is_active", True):
        raise ValidationError({"receiver_department": _("接收单位已停用。")})
    if kind == TransferKind.TRANSFER and receiver_department is None:
        raise ValidationError({"receiver_street": _("移送只能移送有管辖权的部门；街道/乡镇可以接受协查请求。")})
    if category and category not in CheckCategory.values:
        raise ValidationError({"category": _("问题类别无效。")})
    institution = _visible_link(actor, institution, "institution")
    ledger_item = _visible_link(actor, ledger_item, "ledger_item")
    complaint = _visible_link(actor, complaint, "complaint")
    case = _visible_link(actor, case, "case")
    for linked in (ledger_item, complaint, case):
        if linked is not None and linked.institution_id:
            if institution is not None and institution.pk != linked.institution_id:
                raise ValidationError({"institution": _("关联的记录不属于所选机构。")})
            institution = institution or linked.institution
    if not category and ledger_item is not None:
        category = ledger_item.category
    if not category and complaint is not None:
        category = str(CHECK_CATEGORY.get(complaint.category, ""))
    if suspected_crime:
        if kind != TransferKind.TRANSFER or receiver_department is None or (
            receiver_department.kind != DepartmentKind.PUBLIC_SECURITY
        ):  # fmt: skip
            raise ValidationError({"suspected_crime": _("涉嫌犯罪的案件应当移送公安机关（行政处罚法第二十七条）。")})
        if sender_department is None or not actor.is_department_head:
            # 国务院令第310号 第五条: the transfer is approved by the authority's responsible person.
            raise ValidationError({"suspected_crime": _("移送涉嫌犯罪案件须经本机关负责人批准，由部门负责人发出。")})
    elif kind == TransferKind.TRANSFER and category:
        _check_competence(institution.kind if institution is not None else "", category, receiver_department)
    today = timezone.localdate()
    transfer = Transfer(
        kind=kind, sender_department=sender_department, sender_street=sender_street,
        receiver_department=receiver_department, receiver_street=receiver_street, institution=institution,
        ledger_item=ledger_item, complaint=complaint, case=case, category=category,
        subject=_text(subject, "subject", limit=120), facts=_text(facts, "facts"),
        request=_text(request, "request", required=kind == TransferKind.ASSISTANCE, limit=1000),
        suspected_crime=suspected_crime, reply_due=reply_due_from(today), created_by=actor,
    )  # fmt: skip
    transfer.full_clean(
        exclude=["sender_department", "sender_street", "receiver_department", "receiver_street", "institution",
                 "ledger_item", "complaint", "case", "created_by"]
    )  # fmt: skip
    transfer.save()
    TransferStep.objects.create(
        transfer=transfer, action=TransferAction.SEND, actor=actor, to_status=transfer.status, note=transfer.request
    )
    if sender_department is not None:
        document = document_issue(
            actor=actor, kind=LETTER_KINDS[TransferKind(kind)], department=sender_department, source=transfer,
            institution=transfer.institution_id, build=lambda number: BUILDERS[TransferKind(kind)](transfer, number),
        )  # fmt: skip
        transfer.letter_number = document.number
        transfer.save(update_fields=["letter_number"])
    audit_record(
        actor=actor, action="transfer.send", obj=transfer,
        after={
            "kind": kind, "sender": str(transfer.sender), "receiver": str(receiver), "reply_due": transfer.reply_due,
            "letter": transfer.letter_number, "suspected_crime": suspected_crime,
        },
        institution=transfer.institution_id,
    )  # fmt: skip
    _tell(
        transfer, to_sender=False, reason="transfer.received",
        text=_("%(sender)s 向本单位%(kind)s：%(subject)s，请于 %(due)s 前答复是否接收。")
        % {"sender": transfer.sender, "kind": transfer.get_kind_display(), "subject": transfer.subject,
           "due": f"{transfer.reply_due:%Y-%m-%d}"},
        subject=f"transfers.transfer:{transfer.pk}",
    )  # fmt: skip
    return transfer


# ---------------------------------------------------------------------------------------------------- the steps


def _act(
    actor: Any,
    transfer: Transfer,
    action: str,
    version: int | None,
    change: Callable[[Transfer, date], None],
    *,
    note: str,
    audit_action: str,
    tell: str,
) -> Transfer:
    """Lock, check the version and the transition, apply `change(transfer, today)`, then save the transfer, its
    thread entry and the audit event, and tell the other side."""
    require(actor, "transfers.view")
    today = timezone.localdate()
    locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if version is not None and locked.version != version:
        raise Conflict(_("该移送协查已被他人更新，请刷新页面后再操作。"), code=STALE_VERSION)
    transition = workflow.check(actor, locked, action)
    mine = workflow.side(actor, locked)
    before = locked.status
    change(locked, today)
    locked.status = transition.target or locked.status
    if action != TransferAction.COMMENT:
        locked.version += 1
    locked.full_clean(
        exclude=["sender_department", "sender_street", "receiver_department", "receiver_street", "institution",
                 "ledger_item", "complaint", "case", "created_by"]
    )  # fmt: skip
    locked.save()
    step = TransferStep.objects.create(
        transfer=locked, action=action, actor=actor, from_status=before, to_status=locked.status, note=note
    )
    audit_record(
        actor=actor, action=audit_action, obj=locked, before={"status": before},
        after={"status": locked.status, "note": note[:200]}, institution=locked.institution_id,
    )  # fmt: skip
    _tell(
        locked, to_sender=mine == workflow.RECEIVER, reason=f"transfer.{action}",
        text=tell % {"unit": actor_unit_name(actor, locked), "subject": locked.subject},
        subject=f"transfers.transferstep:{step.pk}",
    )  # fmt: skip
    return locked


def actor_unit_name(actor: Any, transfer: Transfer) -> str:
    side = workflow.side(actor, transfer)
    unit = transfer.sender if side == workflow.SENDER else transfer.receiver
    return str(unit)


@transaction.atomic
def transfer_accept(*, actor: Any, transfer: Transfer, note: str = "", version: int | None = None) -> Transfer:
    """The receiving unit accepts it (the reply, within the deadline or late: the day is kept)."""
    note = _text(note, "note", required=False, limit=1000)

    def change(t: Transfer, today: date) -> None:
        t.replied_on = today

    return _act(actor, transfer, TransferAction.ACCEPT, version, change, note=note, audit_action="transfer.accept",
                tell=_("%(unit)s 已接收：%(subject)s。"))  # fmt: skip


@transaction.atomic
def transfer_refuse(*, actor: Any, transfer: Transfer, reason: str, version: int | None = None) -> Transfer:
    """The receiving unit refuses it, saying why (e.g. not within its powers: the sender then sends it on)."""
    reason = _text(reason, "reason", limit=1000)

    def change(t: Transfer, today: date) -> None:
        t.replied_on, t.refusal_reason = today, reason

    return _act(actor, transfer, TransferAction.REFUSE, version, change, note=reason, audit_action="transfer.refuse",
                tell=_("%(unit)s 不予接收：%(subject)s。"))  # fmt: skip


@transaction.atomic
def transfer_report(*, actor: Any, transfer: Transfer, result: str, version: int | None = None) -> Transfer:
    """The receiving unit reports what it did (处理结果); the transfer is closed."""
    result = _text(result, "result")

    def change(t: Transfer, today: date) -> None:
        t.result, t.closed_on = result, today

    return _act(actor, transfer, TransferAction.REPORT, version, change, note=result, audit_action="transfer.report",
                tell=_("%(unit)s 已反馈处理结果：%(subject)s。"))  # fmt: skip


@transaction.atomic
def transfer_withdraw(*, actor: Any, transfer: Transfer, reason: str, version: int | None = None) -> Transfer:
    """The sending unit withdraws it before it is accepted or refused."""
    reason = _text(reason, "reason", limit=1000)

    def change(t: Transfer, today: date) -> None:
        t.closed_on = today

    return _act(actor, transfer, TransferAction.WITHDRAW, version, change, note=reason,
                audit_action="transfer.withdraw", tell=_("%(unit)s 已撤回：%(subject)s。"))  # fmt: skip


@transaction.atomic
def transfer_comment(*, actor: Any, transfer: Transfer, text: str, version: int | None = None) -> Transfer:
    """A message in the thread from either side, while the transfer is open. It does not stale the other side's
    page, so its version is not checked."""
    text = _text(text, "text", limit=2000)
    return _act(actor, transfer, TransferAction.COMMENT, None, lambda t, today: None, note=text,
                audit_action="transfer.comment", tell=_("%(unit)s 留言：%(subject)s。"))  # fmt: skip


ACTIONS: dict[str, Callable[..., Transfer]] = {
    TransferAction.ACCEPT: transfer_accept,
    TransferAction.REFUSE: transfer_refuse,
    TransferAction.REPORT: transfer_report,
    TransferAction.WITHDRAW: transfer_withdraw,
    TransferAction.COMMENT: transfer_comment,
}


# ---------------------------------------------------------------------------------------------------- subscriptions


def _subscriber_unit(actor: Any, street: Any) -> tuple[Any, Any]:
    if actor.role in (Role.DEPARTMENT_OFFICER, Role.LEAD) and actor.department_id is not None:
        return actor.department, None
    if actor.role == Role.STREET_OFFICER:
        streets = list(actor.streets.all())
        if street is None and len(streets) == 1:
            street = streets[0]
        if street is not None and street.pk in {s.pk for s in streets}:
            return None, street
        raise ValidationError({"street": _("请选择您负责的街道/乡镇。")})
    raise PermissionDenied(_("只有部门或街道/乡镇的工作人员可以为本单位订阅信息。"))


def _codes(values: Iterable[str], allowed: Iterable[str], field: str) -> list[str]:
    values, allowed = list(dict.fromkeys(values or [])), set(allowed)
    if set(values) - allowed:
        raise ValidationError({field: _("包含无效的选项。")})
    return values


@transaction.atomic
def subscription_save(
    *,
    actor: Any,
    name: str,
    events: Iterable[str],
    categories: Iterable[str] = (),
    institution_kinds: Iterable[str] = (),
    streets: Iterable[Any] = (),
    street: Any = None,
    subscription: Subscription | None = None,
) -> Subscription:
    """Create or change one of the actor's unit's subscriptions. A department may only choose among the categories the
    responsibility matrix gives it (lead or supporting): that is what it is shown district-wide. A street office's
    subscription covers its own street (its area), so it takes no street filter."""
    from jianguan.transfers.feed import competence_categories

    require(actor, "feed.view")
    department, unit_street = _subscriber_unit(actor, street)
    if subscription is not None and (subscription.department_id, subscription.street_id) != (
        getattr(department, "pk", None), getattr(unit_street, "pk", None)
    ):  # fmt: skip
        raise PermissionDenied(_("只能修改本单位的订阅。"))
    events = _codes(events, FeedEvent.values, "events")
    if not events:
        raise ValidationError({"events": _("请至少选择一项订阅事项。")})
    categories = _codes(categories, CheckCategory.values, "categories")
    if department is not None:
        own = competence_categories(department.pk)
        if not own:
            raise ValidationError(_("职责分工中没有本部门负责或配合的检查类别，暂不能订阅。"))
        if set(categories) - own:
            raise ValidationError(
                {"categories": _("只能订阅职责分工中本部门负责或配合的类别：%(own)s。")
                 % {"own": "、".join(str(CheckCategory(c).label) for c in CheckCategory.values if c in own)}}
            )  # fmt: skip
    kinds = _codes(institution_kinds, InstitutionKind.values, "institution_kinds")
    street_list = list(streets) if department is not None else []
    creating = subscription is None
    subscription = subscription or Subscription(department=department, street=unit_street, created_by=actor)
    before = None if creating else {"events": subscription.events, "categories": subscription.categories}
    subscription.name = _text(name, "name", limit=60)
    subscription.events, subscription.categories, subscription.institution_kinds = events, categories, kinds
    subscription.full_clean(exclude=["department", "street", "created_by", "streets"])
    subscription.save()
    subscription.streets.set(street_list)
    audit_record(
        actor=actor, action="subscription.create" if creating else "subscription.update", obj=subscription,
        before=before,
        after={"unit": str(subscription.unit), "events": events, "categories": categories, "institution_kinds": kinds,
               "streets": sorted(s.pk for s in street_list)},
    )  # fmt: skip
    return subscription


@transaction.atomic
def subscription_delete(*, actor: Any, subscription: Subscription) -> None:
    require(actor, "feed.view")
    if not workflow.in_unit(actor, subscription.department_id, subscription.street_id):
        raise PermissionDenied(_("只能删除本单位的订阅。"))
    audit_record(
        actor=actor, action="subscription.delete", obj=subscription,
        before={"unit": str(subscription.unit), "events": subscription.events},
    )  # fmt: skip
    subscription.delete()
