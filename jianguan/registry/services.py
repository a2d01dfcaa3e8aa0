"""Writes for the institution registry: institutions, their operating status, licences and licence requirements."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.permissions import require
from jianguan.accounts.scoping import Scope
from jianguan.audit.services import Entry, audit_record, audit_record_many, changed, snapshot
from jianguan.lib.creditcode import normalize as normalize_credit_code
from jianguan.lib.images import read_photo_or_pdf
from jianguan.lib.sequences import chunks
from jianguan.lib.textnorm import normalize_name
from jianguan.org.selectors import streets
from jianguan.registry.choices import DECISION_STATUSES, STATUS_CHANGE_TARGETS, InstitutionKind, OperatingStatus
from jianguan.registry.models import Institution, InstitutionStatusChange, Licence, LicenceRequirement
from jianguan.registry.selectors import licence_cover, licence_requirements, same_name_in_street
from jianguan.registry.signals import institution_moved, institutions_bulk_changed


def kept_institution(actor: Any, institution: Institution, permission: str, refusal: str) -> Institution:
    """The institution, if the actor may keep this part of its records (its staff, courses, fees: self-service for
    the institution's own users, corrections by the district): the permission, then the scope, else `refusal`."""
    require(actor, permission)
    if not Institution.objects.visible_to(actor).filter(pk=institution.pk).exists():
        raise PermissionDenied(refusal)
    return institution


INSTITUTION_FIELDS = {
    "name", "credit_code", "kind", "sub_kind", "street", "address", "legal_representative", "contact_person",
    "contact_phone", "capacity", "floor_area", "floors", "notes", "latitude", "longitude", "street_id",
}  # fmt: skip


def refresh_licence_cover(institution_ids: Iterable[int]) -> int:
    """Recompute the stored licence columns (Institution.licence_missing / licence_cover_until) of these institutions
    from their licences and the licence requirements; returns how many changed. A derived column, like the pinyin
    initials: not audited itself, always written inside the transaction of the audited change that moved it."""
    ids = list(institution_ids)
    required = licence_requirements()
    changed_rows = []
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        licences: dict[int, list[tuple[str, date | None]]] = {}
        for inst_id, kind, valid_until in Licence.objects.filter(institution_id__in=chunk).values_list(
            "institution_id", "kind", "valid_until"
        ):
            licences.setdefault(inst_id, []).append((kind, valid_until))
        for inst in Institution.objects.filter(pk__in=chunk).only(
            "pk", "kind", "licence_missing", "licence_cover_until"
        ):
            missing, until = licence_cover(inst.kind, licences.get(inst.pk, []), required)
            if (missing, until) != (inst.licence_missing, inst.licence_cover_until):
                inst.licence_missing, inst.licence_cover_until = missing, until
                changed_rows.append(inst)
    Institution.objects.bulk_update(changed_rows, ["licence_missing", "licence_cover_until"], batch_size=1000)
    if changed_rows:
        institutions_bulk_changed.send(sender=Institution, ids=[i.pk for i in changed_rows])
    return len(changed_rows)


def _require_street(actor: Any, street_id: int | None) -> None:
    scope = Scope.for_user(actor)
    if scope.role == Role.STREET_OFFICER and street_id not in scope.street_ids:
        raise PermissionDenied(_("只能在本街道/乡镇范围内登记或修改机构。"))


def _require_institution_in_scope(actor: Any, institution: Institution) -> None:
    if not Institution.objects.visible_to(actor).filter(pk=institution.pk).exists():
        raise PermissionDenied(_("该机构不在您的权限范围内。"))
    _require_street(actor, institution.street_id)


def _assign(institution: Institution, fields: dict[str, Any]) -> None:
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


def _duplicate_code_error(code: str, existing_pk: int, existing_name: str) -> ValidationError:
    return ValidationError(
        {
            "credit_code": format_html(
                _('统一社会信用代码 {} 已登记为“<a href="{}">{}</a>”，不能重复登记。'),
                code,
                reverse("registry:institution_detail", args=[existing_pk]),
                existing_name,
            )
        },
        code="duplicate_credit_code",
    )


def _duplicate_name_error(twins: list[Institution]) -> ValidationError:
    links = format_html(
        "、".join(['<a href="{}">{}</a>'] * len(twins)),
        *[x for t in twins for x in (reverse("registry:institution_detail", args=[t.pk]), t.name)],
    )
    return ValidationError(
        {"name": format_html(_("同一街道已有名称相同的机构：{}。如确属不同机构，请勾选“仍然保存”。"), links)},
        code="duplicate_name",
    )


def _prepare(institution: Institution, fields: dict[str, Any], confirm_duplicate_name: bool) -> None:
    _assign(institution, fields)
    if institution.credit_code:
        existing = Institution.objects.filter(credit_code=institution.credit_code).exclude(pk=institution.pk).first()
        if existing:
            raise _duplicate_code_error(institution.credit_code, existing.pk, existing.name)
    # The credit code, the only unique field, was checked just above (with a link); the constraint still holds.
    institution.full_clean(validate_unique=False)
    if not confirm_duplicate_name and institution.street_id:
        twins = same_name_in_street(institution.name, institution.street_id, exclude_pk=institution.pk)
        if twins:
            raise _duplicate_name_error(twins)


def _check_new_status(institution: Institution) -> None:
    if institution.status not in (OperatingStatus.NORMAL, OperatingStatus.UNREGISTERED):
        raise ValidationError({"status": _("新登记的机构只能是“正常经营”或“未登记”，其他状态请通过状态变更登记原因。")})
    if institution.status == OperatingStatus.UNREGISTERED and institution.credit_code:
        raise ValidationError({"credit_code": _("未登记的场所没有统一社会信用代码。")})


@transaction.atomic
def institution_create(
    *, actor: Any, confirm_duplicate_name: bool = False, status: str = OperatingStatus.NORMAL, **fields: Any
) -> Institution:
    """Register an institution (a street officer only in their own street).

    A site found on patrol that is not registered anywhere is created with status 未登记 and no credit code."""
    require(actor, "institutions.manage")
    institution = Institution(status=status)
    _check_new_status(institution)
    _prepare(institution, fields, confirm_duplicate_name)
    _check_new_status(institution)
    _require_street(actor, institution.street_id)
    institution.licence_missing, institution.licence_cover_until = licence_cover(
        institution.kind, [], licence_requirements()
    )
    institution.save()
    audit_record(
        actor=actor, action="institution.create", obj=institution, after=snapshot(institution), institution=institution
    )
    return institution


@transaction.atomic
def site_report(*, actor: Any, name: str, kind: str, street: Any, address: str = "", **fields: Any) -> Institution:
    """A site found on patrol or during an inspection that is not in the registry: put on it at once as 未登记, with
    no credit code, by whoever found it (department and street officers included), so the inspection, its findings
    and any later case hang on a record. A site of the same name in the street is refused with a link to it."""
    require(actor, "sites.report")
    institution = Institution(status=OperatingStatus.UNREGISTERED)
    _prepare(institution, {"name": name, "kind": kind, "street": street, "address": address, **fields}, False)
    if institution.credit_code:
        raise ValidationError({"credit_code": _("未登记的场所没有统一社会信用代码。")})
    _require_street(actor, institution.street_id)
    institution.licence_missing, institution.licence_cover_until = licence_cover(
        institution.kind, [], licence_requirements()
    )
    institution.save()
    audit_record(
        actor=actor, action="site.report", obj=institution, after=snapshot(institution), institution=institution
    )
    return institution


@transaction.atomic
def institution_create_many(*, actor: Any, rows: list[dict[str, Any]]) -> list[Institution | Exception]:
    """Register many institutions at once (the Excel import) with the checks of institution_create, made for the
    whole batch in a few queries, one bulk insert and one audit event per institution.

    Each row is the fields of institution_create, with an optional `status` (正常经营 or 未登记). Returns, row by row,
    the new institution or the ValidationError / PermissionDenied that refused it; refused rows are not written, the
    others are. A duplicate name is always refused here: a batch has no one to confirm it.
    """
    require(actor, "institutions.manage")
    required = licence_requirements()
    street_ids = set(streets().values_list("pk", flat=True))
    results: list[Institution | Exception] = []
    for fields in rows:
        fields = dict(fields)
        institution = Institution(status=fields.pop("status", None) or OperatingStatus.NORMAL)
        try:
            _assign(institution, fields)
            _check_new_status(institution)
            if institution.street_id not in street_ids:
                raise ValidationError({"street": _("请选择本区的街道/乡镇。")})
            _require_street(actor, institution.street_id)
            institution.full_clean(validate_unique=False, exclude=["street"])  # the street was checked just above
        except (ValidationError, PermissionDenied) as exc:
            results.append(exc)
            continue
        institution.set_search_fields()
        institution.licence_missing, institution.licence_cover_until = licence_cover(institution.kind, [], required)
        results.append(institution)
    _refuse_batch_duplicates(results)
    new = [r for r in results if isinstance(r, Institution)]
    Institution.objects.bulk_create(new, batch_size=1000)
    institutions_bulk_changed.send(sender=Institution, ids=[i.pk for i in new])
    audit_record_many(
        actor=actor,
        entries=[Entry(action="institution.create", obj=i, after=snapshot(i), institution=i) for i in new],
    )
    return results


def _refuse_batch_duplicates(results: list[Institution | Exception]) -> None:
    """Replace by its error each new institution whose credit code is registered or comes twice in the batch, or
    whose normalised name already exists (or comes twice) in its street."""
    pending = {n: r for n, r in enumerate(results) if isinstance(r, Institution)}
    codes = sorted({i.credit_code for i in pending.values() if i.credit_code})
    registered: dict[str, tuple[int, str]] = {}
    for chunk in chunks(codes, 500):
        rows = Institution.objects.filter(credit_code__in=chunk).values_list("credit_code", "pk", "name")
        registered.update({code: (pk, name) for code, pk, name in rows})
    twins: dict[tuple[int, str], list[Institution]] = {}
    for chunk in chunks(sorted({(i.street_id, i.pinyin_initials) for i in pending.values()}), 300):
        match = Q(pk__in=[])
        for street_id, initials in chunk:
            match |= Q(street_id=street_id, pinyin_initials=initials)
        for twin in Institution.objects.filter(match).only("pk", "name", "street_id"):
            twins.setdefault((twin.street_id, normalize_name(twin.name)), []).append(twin)
    first_code: dict[str, int] = {}
    first_name: dict[tuple[int, str], int] = {}
    for n, inst in pending.items():
        key = (inst.street_id, normalize_name(inst.name))
        if inst.credit_code in registered:
            results[n] = _duplicate_code_error(inst.credit_code, *registered[inst.credit_code])
        elif key in twins:
            results[n] = _duplicate_name_error(twins[key])
        elif inst.credit_code in first_code:
            results[n] = ValidationError(
                {
                    "credit_code": _("与本批第 %(n)s 条的统一社会信用代码相同。")
                    % {"n": first_code[inst.credit_code] + 1}
                }
            )
        elif key in first_name:
            results[n] = ValidationError(
                {"name": _("与本批第 %(n)s 条是同一街道的同名机构。") % {"n": first_name[key] + 1}}
            )
        else:
            if inst.credit_code:
                first_code[inst.credit_code] = n
            first_name[key] = n


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
        if "street" in new:
            institution_moved.send(sender=Institution, institution=institution, old_street_id=old["street"])
        if "kind" in new:  # another kind must hold other licences
            refresh_licence_cover([institution.pk])
            institution.refresh_from_db(fields=["licence_missing", "licence_cover_until"])
        audit_record(
            actor=actor, action="institution.update", obj=institution, before=old, after=new, institution=institution
        )
    return institution


@transaction.atomic
def institution_status_change(
    *, actor: Any, institution: Institution, to_status: str, reason: str, effective_date: date | None = None,
    basis_authority: str = "", basis_number: str = "", basis_date: date | None = None,
) -> InstitutionStatusChange:  # fmt: skip
    """Record a change of operating status with its reason. A sanction (停止招生, 停业整顿, 吊销, 取缔) is entered here
    only as another authority's or a court's effective decision, with its issuer, number and date; this platform's own
    decisions change the status themselves (`status_by_decision`)."""
    require(actor, "institutions.status")
    _require_institution_in_scope(actor, institution)
    basis = {
        "basis_authority": (basis_authority or "").strip(), "basis_number": (basis_number or "").strip(),
        "basis_date": basis_date,
    }  # fmt: skip
    if to_status in DECISION_STATUSES and not all(basis.values()):
        raise ValidationError(
            {"basis_number": _("“%(status)s”须依据已生效的决定：请填写作出决定的机关、决定文号和决定日期。")
             % {"status": OperatingStatus(to_status).label}}
        )  # fmt: skip
    return _status_change(actor, institution, to_status, reason, effective_date, **basis)


# How heavy each sanction is: a decision never moves an institution to a lighter one than it is under.
SANCTION_RANK = {
    OperatingStatus.STOP_ENROLLING: 1, OperatingStatus.SUSPENDED: 2, OperatingStatus.LICENCE_REVOKED: 3,
    OperatingStatus.BANNED: 4,
}  # fmt: skip


def status_by_decision(
    *, actor: Any, institution: Institution, to_status: str, document: Any, reason: str, effective_date: date
) -> InstitutionStatusChange | None:
    """The status an effective decision of this platform orders (a penalty decision served, a 责令停止 order issued),
    with that document as its basis; None when the institution is already under that sanction or a heavier one. Run
    inside the issuing service's transaction, which checked its actor: the decision acts, not the person."""
    if SANCTION_RANK.get(institution.status, 0) >= SANCTION_RANK[to_status]:
        return None
    return _status_change(
        actor, institution, to_status, reason, effective_date, basis_document=document,
        basis_authority=document.department.name, basis_number=document.number,
        basis_date=timezone.localtime(document.issued_at).date(),
    )  # fmt: skip


def _status_change(
    actor: Any, institution: Institution, to_status: str, reason: str, effective_date: date | None, **basis: Any
) -> InstitutionStatusChange:
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
        actor=actor if getattr(actor, "pk", None) else None,
        **basis,
    )
    change.full_clean(exclude=["basis_document"])
    change.save()
    institution.status = to_status
    institution.save(update_fields=["status", "updated_at", "pinyin_initials", "name_latin"])
    audit_record(
        actor=actor,
        action="institution.status_change",
        obj=institution,
        before={"status": change.from_status},
        after={
            "status": to_status,
            "reason": reason,
            "effective_date": change.effective_date,
            "basis": change.basis,
        },  # fmt: skip
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
    upload = fields.pop("scan", None)
    for name, value in fields.items():
        setattr(licence, name, value.strip() if isinstance(value, str) else value)
    if licence.issue_date and licence.valid_until and licence.valid_until < licence.issue_date:
        raise ValidationError({"valid_until": _("有效期不能早于发证日期。")})
    if upload is False:  # the form's "clear" box
        licence.scan, licence.scan_sha256, licence.scan_content_type = "", "", ""
    elif upload is not None and hasattr(upload, "read") and not getattr(upload, "_committed", False):
        try:
            data = read_photo_or_pdf(upload)
        except ValidationError as exc:
            # Size, pixel and broken-PDF reasons stand as they are; "not a photo" is said the way a scan needs it.
            messages = [
                _("扫描件须为 PDF、JPEG、PNG 或 WebP 文件（按文件内容判断），或文件已损坏。")
                if "不是有效的照片" in m
                else m
                for m in exc.messages
            ]
            raise ValidationError({"scan": messages}) from None
        licence.scan.save(f"{data.sha256}.{data.extension}", ContentFile(data.data), save=False)
        licence.scan_sha256, licence.scan_content_type = data.sha256, data.content_type
    licence.full_clean()
    licence.save()
    refresh_licence_cover([institution.pk])
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
    refresh_licence_cover([licence.institution_id])


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
    refresh_licence_cover(Institution.objects.filter(kind=institution_kind).values_list("pk", flat=True))
    audit_record(
        actor=actor,
        action="licence_requirement.set",
        object_type="registry.licencerequirement",
        object_id=institution_kind,
        object_label=InstitutionKind(institution_kind).label,
        before={"licence_kinds": before},
        after={"licence_kinds": sorted(set(licence_kinds))},
    )
