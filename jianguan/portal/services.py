"""Writes for the public lists (放心机构 / 黑名单): staff add and withdraw marks, with reasons, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.permissions import require
from jianguan.audit.services import audit_record, snapshot
from jianguan.lib.workdays import add_working_days
from jianguan.portal.models import MarkKind, PublicMark
from jianguan.registry.models import Institution


@transaction.atomic
def mark_add(
    *, actor: Any, institution: Institution, kind: str, reason: str, starts_on: date | None = None,
    ends_on: date | None = None, legal_basis: str = "", removal_conditions: str = "",
) -> PublicMark:  # fmt: skip
    """Put an institution on the whitelist (at once), or propose it for the blacklist. An institution is never on
    both at once: withdraw the other mark first (its reason differs and must be said).

    The blacklist is a procedure (国办发〔2020〕49号): the listing names its legal basis, the conditions and the day
    of removal; the institution is told and may object until JIANGUAN_BLACKLIST_OBJECTION_WORKING_DAYS working days
    later; the list shows it only once confirmed (`mark_confirm`), after the objection was answered."""
    require(actor, "portal.lists")
    Institution.objects.select_for_update().get(pk=institution.pk)  # one change to an institution's marks at a time
    today = timezone.localdate()
    black = kind == MarkKind.BLACKLIST
    mark = PublicMark(
        institution=institution,
        kind=kind,
        reason=(reason or "").strip(),
        starts_on=None if black else (starts_on or today),
        ends_on=ends_on,
        legal_basis=(legal_basis or "").strip(),
        removal_conditions=(removal_conditions or "").strip(),
        created_by=actor,
    )
    mark.full_clean(exclude=["institution", "created_by", "withdrawn_by"])
    if ends_on is not None and ends_on < (mark.starts_on or today):
        raise ValidationError({"ends_on": _("截止日期不能早于起始日期。")})
    if black:
        missing = {
            name: _("列入黑名单须写明%(what)s。") % {"what": label}
            for name, label in (("legal_basis", _("依据")), ("removal_conditions", _("移出条件")),
                                ("ends_on", _("移出日期")))
            if not getattr(mark, name)
        }  # fmt: skip
        if missing:
            raise ValidationError(missing)
        mark.noticed_on = today
        mark.objection_due = add_working_days(today, settings.JIANGUAN_BLACKLIST_OBJECTION_WORKING_DAYS)
    current = PublicMark.objects.filter(institution=institution, withdrawn_at__isnull=True)
    if current.filter(kind=kind).exists():
        raise ValidationError(_("该机构已在“%(list)s”中。") % {"list": MarkKind(kind).label})
    if current.exclude(kind=kind).exists():
        raise ValidationError(_("该机构在另一份名单中，请先撤销那份名单中的记录。"))
    mark.save()
    audit_record(actor=actor, action="public_mark.add", obj=mark, after=snapshot(mark), institution=institution)
    if black:
        _tell_institution(mark, _("拟将本机构列入黑名单：%(reason)s。如有异议，请于 %(due)s 前在平台提出。")
                          % {"reason": mark.reason, "due": f"{mark.objection_due:%Y-%m-%d}"})  # fmt: skip
    return mark


def _tell_institution(mark: PublicMark, text: str) -> None:
    from jianguan.accounts.choices import Role
    from jianguan.accounts.models import User
    from jianguan.notifications.services import Message, notify_many

    users = User.objects.filter(role=Role.INSTITUTION, institution_id=mark.institution_id, is_active=True)
    url = reverse("portal:mark_detail", args=[mark.pk])
    notify_many(Message(u.pk, "public_mark.blacklist", f"portal.publicmark:{mark.pk}", text, url) for u in users)


def _proposed(mark: PublicMark) -> PublicMark:
    mark = PublicMark.objects.select_for_update().get(pk=mark.pk)
    if not mark.proposed:
        raise ValidationError(_("该记录不是待确认的拟列入黑名单记录。"))
    return mark


@transaction.atomic
def mark_object(*, actor: Any, mark: PublicMark, objection: str) -> PublicMark:
    """The institution's objection (陈述申辩) to its proposed listing, by the day it was told."""
    if getattr(actor, "institution_id", None) != mark.institution_id or not actor.is_active:
        raise PermissionDenied(_("只有被拟列入的机构可以提出异议。"))
    mark = _proposed(mark)
    objection = (objection or "").strip()
    if not objection:
        raise ValidationError({"objection": _("请填写异议内容。")})
    if mark.objected_at is not None:
        raise ValidationError(_("已提出过异议，请等待答复。"))
    if timezone.localdate() > mark.objection_due:
        raise ValidationError(_("异议期限已于 %(due)s 届满。") % {"due": f"{mark.objection_due:%Y-%m-%d}"})
    mark.objection, mark.objected_at = objection, timezone.now()
    mark.full_clean(exclude=["institution", "created_by", "withdrawn_by"])
    mark.save(update_fields=["objection", "objected_at"])
    audit_record(actor=actor, action="public_mark.object", obj=mark, after={"length": len(objection)},
                 institution=mark.institution_id)  # fmt: skip
    return mark


@transaction.atomic
def mark_answer(*, actor: Any, mark: PublicMark, answer: str) -> PublicMark:
    """The answer to the institution's objection (what was accepted and why)."""
    require(actor, "portal.lists")
    mark = _proposed(mark)
    answer = (answer or "").strip()
    if mark.objected_at is None:
        raise ValidationError(_("机构尚未提出异议。"))
    if not answer:
        raise ValidationError({"answer": _("请填写答复。")})
    mark.objection_answer, mark.answered_at = answer, timezone.now()
    mark.full_clean(exclude=["institution", "created_by", "withdrawn_by"])
    mark.save(update_fields=["objection_answer", "answered_at"])
    audit_record(actor=actor, action="public_mark.answer", obj=mark, after={"answer": answer},
                 institution=mark.institution_id)  # fmt: skip
    _tell_institution(mark, _("对本机构拟列入黑名单的异议已答复：%(answer)s") % {"answer": answer})
    return mark


@transaction.atomic
def mark_confirm(*, actor: Any, mark: PublicMark) -> PublicMark:
    """The listing takes effect (and shows on the portal) after the objection period, the objection answered."""
    require(actor, "portal.lists")
    mark = _proposed(mark)
    today = timezone.localdate()
    if today <= mark.objection_due and mark.objected_at is None:
        raise ValidationError(_("异议期限至 %(due)s，期满后才能确认列入。") % {"due": f"{mark.objection_due:%Y-%m-%d}"})
    if mark.objected_at is not None and mark.answered_at is None:
        raise ValidationError(_("请先答复机构的异议。"))
    if mark.ends_on < today:
        raise ValidationError({"ends_on": _("移出日期已过，不能再列入。")})
    mark.starts_on = today
    mark.save(update_fields=["starts_on"])
    audit_record(actor=actor, action="public_mark.confirm", obj=mark, after={"starts_on": today},
                 institution=mark.institution_id)  # fmt: skip
    _tell_institution(mark, _("本机构已列入黑名单，移出日期 %(day)s。") % {"day": f"{mark.ends_on:%Y-%m-%d}"})
    return mark


@transaction.atomic
def mark_withdraw(*, actor: Any, mark: PublicMark, reason: str) -> PublicMark:
    require(actor, "portal.lists")
    mark = PublicMark.objects.select_for_update().get(pk=mark.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"withdraw_reason": _("撤销须填写理由。")})
    if mark.withdrawn_at is not None:
        raise ValidationError(_("该记录已撤销。"))
    mark.withdrawn_at, mark.withdrawn_by, mark.withdraw_reason = timezone.now(), actor, reason
    mark.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    audit_record(
        actor=actor, action="public_mark.withdraw", obj=mark, after={"reason": reason},
        institution=mark.institution_id,
    )  # fmt: skip
    return mark
