"""Writes for the public lists (放心机构 / 黑名单): staff add and withdraw marks, with reasons, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.permissions import require
from jianguan.audit.services import audit_record, snapshot
from jianguan.portal.models import MarkKind, PublicMark
from jianguan.registry.models import Institution


@transaction.atomic
def mark_add(
    *, actor: Any, institution: Institution, kind: str, reason: str, starts_on: date | None = None,
    ends_on: date | None = None,
) -> PublicMark:  # fmt: skip
    """Put an institution on the whitelist or the blacklist. An institution is never on both at once: withdraw the
    other mark first (its reason differs and must be said)."""
    require(actor, "portal.lists")
    Institution.objects.select_for_update().get(pk=institution.pk)  # one change to an institution's marks at a time
    mark = PublicMark(
        institution=institution,
        kind=kind,
        reason=(reason or "").strip(),
        starts_on=starts_on or timezone.localdate(),
        ends_on=ends_on,
        created_by=actor,
    )
    mark.full_clean(exclude=["institution", "created_by", "withdrawn_by"])
    if ends_on is not None and ends_on < mark.starts_on:
        raise ValidationError({"ends_on": _("截止日期不能早于起始日期。")})
    current = PublicMark.objects.filter(institution=institution, withdrawn_at__isnull=True)
    if current.filter(kind=kind).exists():
        raise ValidationError(_("该机构已在“%(list)s”中。") % {"list": MarkKind(kind).label})
    if current.exclude(kind=kind).exists():
        raise ValidationError(_("该机构在另一份名单中，请先撤销那份名单中的记录。"))
    mark.save()
    audit_record(actor=actor, action="public_mark.add", obj=mark, after=snapshot(mark), institution=institution)
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
