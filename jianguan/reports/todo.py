"""An officer's home page is a to-do list (待办): the inspections they are on, the rechecks and extension requests
waiting for their decision, the complaints assigned to them (and for the lead coordinator those waiting to be
accepted), each with its date and the most pressing first. A fixed number of queries, whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role

ROWS = 8  # per section on the home page; the section's link lists all of them
ROLES_WITH_A_TO_DO_LIST = (Role.LEAD, Role.DEPARTMENT_OFFICER, Role.STREET_OFFICER)


@dataclass(frozen=True)
class Row:
    label: str
    detail: str
    due: date | None
    url: str
    overdue: bool = False


@dataclass
class Section:
    key: str
    title: str
    total: int
    url: str
    due_label: str
    rows: list[Row] = field(default_factory=list)


def _first(qs: QuerySet) -> tuple[list[Any], int]:
    """The first ROWS rows and, only when there are more, the total (one query when they all fit)."""
    rows = list(qs[: ROWS + 1])
    return rows[:ROWS], (len(rows) if len(rows) <= ROWS else qs.count())


def supervised_items(user: Any) -> QuerySet:
    """Items the user decides on: a department officer those their department supervises (named to them, or to
    nobody yet), the lead coordinator every item."""
    from jianguan.ledger.models import LedgerItem

    items = LedgerItem.objects.visible_to(user)
    if user.role == Role.DEPARTMENT_OFFICER:
        return items.filter(Q(officer=user) | Q(officer__isnull=True, department_id=user.department_id))
    return items if user.role == Role.LEAD else items.none()


def _inspections(user: Any, today: date) -> Section:
    from jianguan.inspections.choices import InspectionStatus
    from jianguan.inspections.models import Inspection

    qs = (
        Inspection.objects.visible_to(user)
        .filter(officers__user=user, status__in=(InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS))
        .select_related("institution")
        .order_by("scheduled_at", "pk")
    )
    found, total = _first(qs)
    rows = []
    for inspection in found:
        day = timezone.localtime(inspection.scheduled_at)
        state = inspection.get_status_display()
        rows.append(Row(inspection.institution.name, f"{day:%H:%M} · {state} · {inspection.place}", day.date(),
                        reverse("inspections:inspection_detail", args=[inspection.pk]), day.date() < today))  # fmt: skip
    url = f"{reverse('inspections:inspection_list')}?mine=1"
    return Section("inspections", _("我参加的检查"), total, url, _("检查日期"), rows)


def _rechecks(user: Any, today: date) -> Section:
    from jianguan.ledger.selectors import recheck_due_by, recheck_due_q

    qs = (
        supervised_items(user)
        .filter(recheck_due_q(today))
        .select_related("institution")
        .order_by("submitted_on", "deadline", "pk")
    )
    found, total = _first(qs)
    rows = []
    for item in found:
        due = recheck_due_by(item)
        what = _("已提交整改材料") if item.status == "submitted" else _("逾期未整改")
        rows.append(Row(item.institution.name, f"{what} · {item.description[:40]}", due,
                        reverse("ledger:item_detail", args=[item.pk]), due is not None and due < today))  # fmt: skip
    url = f"{reverse('ledger:item_list')}?status=recheck_due"
    return Section("rechecks", _("待复查（含逾期）"), total, url, _("复查期限"), rows)


def _extensions(user: Any, today: date) -> Section:
    from jianguan.ledger.choices import ExtensionStatus
    from jianguan.ledger.models import ExtensionRequest

    qs = (
        ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING, item__in=supervised_items(user))
        .select_related("item__institution")
        .order_by("item__deadline", "pk")
    )
    found, total = _first(qs)
    rows = [
        Row(r.item.institution.name, _("申请延至 %(day)s · %(item)s") % {"day": r.requested_deadline,
            "item": r.item.description[:40]}, r.item.deadline, reverse("ledger:item_detail", args=[r.item_id]),
            r.item.deadline < today)
        for r in found
    ]  # fmt: skip
    url = f"{reverse('ledger:item_list')}?status=extension_pending"
    return Section("extensions", _("待审批的延期申请"), total, url, _("现整改时限"), rows)


def _complaints(user: Any, today: date) -> Section:
    from jianguan.complaints.choices import ComplaintStatus
    from jianguan.complaints.models import Complaint

    listing = reverse("complaints:complaint_list")
    visible = Complaint.objects.visible_to(user)
    if user.role == Role.LEAD:
        qs = visible.filter(status=ComplaintStatus.RECEIVED).order_by("received_at", "pk")
        title, url, due_label = _("待受理的投诉"), f"{listing}?status=received", _("收到日期")
    else:
        qs = visible.filter(handler=user, status=ComplaintStatus.ASSIGNED).order_by("deadline", "pk")
        title, url, due_label = _("交办给我的投诉"), f"{listing}?status=assigned", _("办理期限")
    found, total = _first(qs.select_related("institution"))
    rows = []
    for c in found:
        due = c.deadline if user.role != Role.LEAD else timezone.localtime(c.received_at).date()
        rows.append(Row(f"{c.number} {c.subject_name}", c.get_category_display(), due,
                        reverse("complaints:complaint_detail", args=[c.pk]),
                        user.role != Role.LEAD and due is not None and due < today))  # fmt: skip
    return Section("complaints", title, total, url, due_label, rows)


def todo(user: Any, today: date) -> list[Section]:
    """The sections of the user's to-do list (empty for roles without one)."""
    if user.role not in ROLES_WITH_A_TO_DO_LIST:
        return []
    sections = [_inspections(user, today)]
    if user.role in (Role.LEAD, Role.DEPARTMENT_OFFICER):
        sections += [_rechecks(user, today), _extensions(user, today)]
    sections.append(_complaints(user, today))
    return sections
