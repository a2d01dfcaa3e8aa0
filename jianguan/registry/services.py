"""Writes for the institution registry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.permissions import require
from jianguan.accounts.scoping import Scope
from jianguan.audit.services import audit_record, snapshot
from jianguan.registry.models import Institution


def _require_street(actor: Any, street_id: int) -> None:
    scope = Scope.for_user(actor)
    if scope.role == Role.STREET_OFFICER and street_id not in scope.street_ids:
        raise PermissionDenied(_("只能在本街道/乡镇范围内登记机构。"))


@transaction.atomic
def institution_create(*, actor: Any, **fields: Any) -> Institution:
    """Register an institution (a street officer only in their own street)."""
    require(actor, "institutions.manage")
    institution = Institution(**fields)
    _require_street(actor, institution.street_id)
    institution.full_clean()
    institution.save()
    audit_record(actor=actor, action="institution.create", obj=institution, after=snapshot(institution))
    return institution
