"""Reads for 从业人员 and the 限制从业 list, limited to what the reader may see."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from jianguan.accounts.permissions import allowed
from jianguan.registry.models import Institution
from jianguan.staff.models import BarredPerson, StaffMember, barred_in_force_q, current_q


def staff_visible(user: Any) -> QuerySet[StaffMember]:
    """Every staff record the user may see (the institution's own; staff within the registry's scope)."""
    if not allowed(user, "staff.view"):
        return StaffMember.objects.none()
    return StaffMember.objects.visible_to(user).select_related("institution", "institution__street")


def institution_staff(user: Any, institution: Institution) -> QuerySet[StaffMember]:
    """One institution's staff, current first, then those who left (most recent first)."""
    return staff_visible(user).filter(institution=institution).order_by("end_date", "name", "pk")


def may_see_id_numbers(user: Any, institution: Institution | int) -> bool:
    """Whether the user may read full ID numbers of this institution's staff: the permission (the institution itself,
    the supervising departments, the lead coordinator) and the institution within the user's scope."""
    if not allowed(user, "staff.id_numbers"):
        return False
    pk = institution if isinstance(institution, int) else institution.pk
    return Institution.objects.visible_to(user).filter(pk=pk).exists()


def may_see_id_numbers_in_lists(user: Any) -> bool:
    """For lists already limited to the user's scope (the district list, the export): the permission alone decides,
    since every row shown belongs to an institution the user sees."""
    return allowed(user, "staff.id_numbers")


def id_number_shown(member: StaffMember | BarredPerson, full: bool) -> str:
    """The full number for a reader with the need, the masked form for everyone else."""
    return (member.id_number() or member.id_number_masked) if full else member.id_number_masked


def public_teachers(institution: Institution, day: date | None = None) -> list[tuple[str, str]]:
    """双减: the institution's current 学科类 teachers as (name, 教师资格证 number); nothing else is read."""
    day = day or timezone.localdate()
    return list(
        StaffMember.objects.filter(current_q(day), institution=institution, teaches_academic=True)
        .order_by("name", "pk")
        .values_list("name", "teacher_cert_number")
    )


def barred_visible(user: Any) -> QuerySet[BarredPerson]:
    if not allowed(user, "barred.view"):
        return BarredPerson.objects.none()
    return BarredPerson.objects.visible_to(user).select_related("case", "created_by")


def barred_in_force(day: date | None = None) -> QuerySet[BarredPerson]:
    return BarredPerson.objects.filter(barred_in_force_q(day or timezone.localdate()))


def restrict_cases(user: Any) -> list[Any]:
    """Penalty cases the user sees whose served decision orders 限制从业: the cases a barred entry may cite."""
    from jianguan.enforcement.choices import CaseStatus, PenaltyType
    from jianguan.enforcement.models import Case

    cases = (
        Case.objects.visible_to(user)
        .filter(status__in=[CaseStatus.SERVED, CaseStatus.CLOSED], served_on__isnull=False)
        .select_related("department")
        .order_by("-served_on", "-pk")
    )
    # penalties is a JSON list: filtered here, the cases with a served decision are few.
    return [case for case in cases[:2000] if PenaltyType.RESTRICT in (case.penalties or [])]
