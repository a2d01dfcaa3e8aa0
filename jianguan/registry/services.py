"""Writes for the institution registry: institutions, their operating status, licences and licence requirements."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.permissions import require
from jianguan.accounts.scoping import Scope
from jianguan.audit.services import audit_record, changed, snapshot
from jianguan.lib.creditcode import normalize as normalize_credit_code
from jianguan.registry.choices import STATUS_CHANGE_TARGETS, InstitutionKind, OperatingStatus
from jianguan.registry.models import Institution, InstitutionStatusChange, Licence, LicenceRequirement
from jianguan.registry.selectors import same_name_in_street

INSTITUTION_FIELDS = {
    "name", "credit_code", "kind", "sub_kind", "street", "address", "legal_representative", "contact_person",
    "contact_phone", "capacity", "floor_area", "floors", "notes", "latitude", "longitude", "street_id",
}  # fmt: skip


def _require_street(actor: Any, street_id: int | None) -> None:
    scope = Scope.for_user(actor)
    if scope.role == Role.STREET_OFFICER and street_id not in scope.street_ids:
        raise PermissionDenied(_("只能在本街道/乡镇范围内登记或修改机构。"))


def _require_institution_in_scope(actor: Any, institution: Institution) -> None:
    if not Institution.objects.visible_to(actor).filter(pk=institution.pk).exists():
        raise PermissionDenied(_("该机构不在您的权限范围内。"))
    _require_street(actor, institution.street_id)


def _prepare(institution: Institution, fields: dict[str, Any], confirm_duplicate_name: bool) -> None:
    unknown = set(fields) - INSTITUTION_FIELDS
    if unknown:
        raise ValidationError(_("未知字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    for name, value in fields.items():
        if isinstance(value, str) and name != "notes":
            value = value.strip()
        setattr(institution, name, value)
    institution.credit_code = normalize_credit_code(institution.credit_code) if institution.credit_code else None
    if institution.kind != InstitutionKind.NON_ACADEMIC:
        institution.sub_kind = ""
    if institution.credit_code:
        existing = Institution.objects.filter(credit_code=institution.credit_code).exclude(pk=institution.pk).first()
        if existing:
            raise ValidationError(
                {
                    "credit_code": format_html(
                        _('统一社会信用代码 {} 已登记为“<a href="{}">{}</a>”，不能重复登记。'),
                        institution.credit_code,
                        reverse("registry:institution_detail", args=[existing.pk]),
                        existing.name,
                    )
                },
                code="duplicate_credit_code",
            )
    # The credit code, the only unique field, was checked just above (with a link); the constraint still holds.
    institution.full_clean(validate_unique=False)
    if not confirm_duplicate_name and institution.street_id:
        twins = same_name_in_street(institution.name, institution.street_id, exclude_pk=institution.pk)
        if twins:
            links = format_html(
                "、".join(['<a href="{}">{}</a>'] * len(twins)),
                *[x for t in twins for x in (reverse("registry:institution_detail", args=[t.pk]), t.name)],
            )
            raise ValidationError(
                {"name": format_html(_("同一街道已有名称相同的机构：{}。如确属不同机构，请勾选“仍然保存”。"), links)},
                code="duplicate_name",
            )


@transaction.atomic
def institution_create(
    *, actor: Any, confirm_duplicate_name: bool = False, status: str = OperatingStatus.NORMAL, **fields: Any
) -> Institution:
    """Register an institution (a street officer only in their own street).

    A site found on patrol that is not registered anywhere is created with status 未登记 and no credit code."""
    require(actor, "institutions.manage")
    if status not in (OperatingStatus.NORMAL, OperatingStatus.UNREGISTERED):
        raise ValidationError({"status": _("新登记的机构只能是“正常经营”或“未登记”，其他状态请通过状态变更登记原因。")})
    institution = Institution(status=status)
    _prepare(institution, fields, confirm_duplicate_name)
    if status == OperatingStatus.UNREGISTERED and institution.credit_code:
        raise ValidationError({"credit_code": _("未登记的场所没有统一社会信用代码。")})
    _require_street(actor, institution.street_id)
    institution.save()
    audit_record(
        actor=actor, action="institution.create", obj=institution, after=snapshot(institution), institution=institution
    )
    return institution


@transaction.atomic
def institution_update(
    *, actor: Any, institution: Institution, confirm_duplicate_name: bool = False, **fields: Any
) -> Institution:
    """Change an institution's registered details (not its status: see institution_status_change)."""
    require(actor, "institutions.manage")
    _require_institution_in_scope(actor, institution)
    before = snapshot(institution, exclude=("updated_at",))
    _prepare(institution, fields, confirm_duplicate_name)
    _require_street(actor, institution.street_id)  # moving it to another street needs scope there too
    old, new = changed(before, snapshot(institution, exclude=("updated_at",)))
    if new:  # an unchanged record is neither saved nor audited
        institution.save()
        audit_record(
            actor=actor, action="institution.update", obj=institution, before=old, after=new, institution=institution
        )
    return institution


@transaction.atomic
def institution_status_change(
    *, actor: Any, institution: Institution, to_status: str, reason: str, effective_date: date | None = None
) -> InstitutionStatusChange:
    """Order or record a change of operating status (停止招生, 停业整顿, 取缔, 注销 …); a reason is required."""
    require(actor, "institutions.status")
    _require_institution_in_scope(actor, institution)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("变更经营状态必须填写原因。")})
    if to_status not in STATUS_CHANGE_TARGETS:
        raise ValidationError({"to_status": _("不能变更为该状态。")})
    if to_status == institution.status:
        raise ValidationError(
            {"to_status": _("机构当前已是“%(status)s”。") % {"status": institution.get_status_display()}}
        )
    change = InstitutionStatusChange(
        institution=institution,
        from_status=institution.status,
        to_status=to_status,
        reason=reason,
        effective_date=effective_date or timezone.localdate(),
        actor=actor,
    )
    change.full_clean()
    change.save()
    institution.status = to_status
    institution.save(update_fields=["status", "updated_at", "pinyin_initials"])
    audit_record(
        actor=actor,
        action="institution.status_change",
        obj=institution,
        before={"status": change.from_status},
        after={"status": to_status, "reason": reason, "effective_date": change.effective_date},
        institution=institution,
    )
    return change


@transaction.atomic
def licence_save(*, actor: Any, institution: Institution, licence: Licence | None = None, **fields: Any) -> Licence:
    """Add or correct one of an institution's licences."""
    require(actor, "institutions.manage")
    _require_institution_in_scope(actor, institution)
    creating = licence is None
    licence = licence or Licence(institution=institution)
    if licence.institution_id != institution.pk:
        raise PermissionDenied(_("该证照不属于此机构。"))
    before = {} if creating else snapshot(licence)
    for name, value in fields.items():
        setattr(licence, name, value.strip() if isinstance(value, str) else value)
    if licence.issue_date and licence.valid_until and licence.valid_until < licence.issue_date:
        raise ValidationError({"valid_until": _("有效期不能早于发证日期。")})
    licence.full_clean()
    licence.save()
    old, new = changed(before, snapshot(licence))
    audit_record(
        actor=actor,
        action="licence.create" if creating else "licence.update",
        obj=licence,
        before=old or None,
        after=new,
        institution=institution,
    )
    return licence


@transaction.atomic
def licence_delete(*, actor: Any, licence: Licence) -> None:
    """Remove a licence entered by mistake (its record stays in the audit trail)."""
    require(actor, "institutions.manage")
    _require_institution_in_scope(actor, licence.institution)
    audit_record(
        actor=actor, action="licence.delete", obj=licence, before=snapshot(licence), institution=licence.institution_id
    )
    licence.delete()


@transaction.atomic
def licence_requirements_set(*, actor: Any, institution_kind: str, licence_kinds: list[str]) -> None:
    """Replace what one institution kind must hold."""
    require(actor, "registry.configure")
    if institution_kind not in InstitutionKind.values:
        raise ValidationError({"institution_kind": _("未知的机构类型。")})
    rows = LicenceRequirement.objects.filter(institution_kind=institution_kind)
    before = sorted(rows.values_list("licence_kind", flat=True))
    rows.delete()
    for kind in sorted(set(licence_kinds)):
        requirement = LicenceRequirement(institution_kind=institution_kind, licence_kind=kind)
        requirement.full_clean()
        requirement.save()
    audit_record(
        actor=actor,
        action="licence_requirement.set",
        object_type="registry.licencerequirement",
        object_id=institution_kind,
        object_label=InstitutionKind(institution_kind).label,
        before={"licence_kinds": before},
        after={"licence_kinds": sorted(set(licence_kinds))},
    )
