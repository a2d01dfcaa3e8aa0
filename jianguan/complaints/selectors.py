"""Reads for complaints: who may handle one, who may read the reporter's identity, overdue, the public tracking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.accounts.permissions import allowed
from jianguan.complaints.choices import PUBLIC_STATUS, ComplaintCategory, ComplaintStatus
from jianguan.complaints.models import Complaint
from jianguan.lib.params import choice_param, date_param, id_param, text_param


def handlers_for(*, department: Any = None, street: Any = None) -> QuerySet[User]:
    """Who may be named handler: active officers of the department, or street officers of the street."""
    users = User.objects.filter(is_active=True)
    if department is not None:
        return users.filter(role=Role.DEPARTMENT_OFFICER, department=department)
    if street is not None:
        return users.filter(role=Role.STREET_OFFICER, streets=street)
    return users.none()


def may_triage(user: Any) -> bool:
    return allowed(user, "complaints.triage")


def may_handle(user: Any, complaint: Complaint) -> bool:
    """The lead coordinator, and the officers of the unit it was assigned to (the handler's colleagues help)."""
    if not allowed(user, "complaints.view"):
        return False
    if user.role == Role.LEAD or complaint.handler_id == user.pk:
        return True
    if user.role == Role.DEPARTMENT_OFFICER:
        return complaint.assigned_department_id is not None and complaint.assigned_department_id == user.department_id
    if user.role == Role.STREET_OFFICER:
        return (
            complaint.assigned_street_id is not None and user.streets.filter(pk=complaint.assigned_street_id).exists()
        )
    return False


def may_see_reporter(user: Any, complaint: Complaint) -> bool:
    """The reporter's name and phone: the lead coordinator and the named handler only."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role == Role.LEAD or (complaint.handler_id is not None and complaint.handler_id == user.pk)


def pick_rows(q: str, limit: int = 8) -> list[dict[str, Any]]:
    """Registry matches for the public form (the portal's search; public columns only)."""
    from jianguan.portal.selectors import search

    if len(q or "") < 2:
        return []
    return list(search(q).order_by("name", "pk").values("pk", "name", "address")[:limit])


def day_start(day: date) -> datetime:
    """The first moment of a local (Asia/Shanghai) day."""
    return timezone.make_aware(datetime.combine(day, time.min))


def overdue_q(today: date) -> Q:
    return Q(status=ComplaintStatus.ASSIGNED, deadline__lt=today)


def complaints_for(user: Any) -> QuerySet[Complaint]:
    """The list: what the user may see, with what each row shows (no reporter fields are read)."""
    return (
        Complaint.objects.visible_to(user)
        .select_related("institution", "street", "assigned_department", "assigned_street", "handler")
        .defer("reporter_name", "reporter_phone", "tracking_hash")
    )


def filtered(queryset: QuerySet[Complaint], params: Any, today: date) -> QuerySet[Complaint]:
    """The list filtered by the page's (or the export's) parameters; one that does not parse is refused (400)."""
    status = choice_param(params, "status", ComplaintStatus.values, extra=("overdue", "open"))
    if status == "overdue":
        queryset = queryset.filter(overdue_q(today))
    elif status == "open":
        queryset = queryset.filter(status__in=(ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED))
    elif status:
        queryset = queryset.filter(status=status)
    if category := choice_param(params, "category", ComplaintCategory.values):
        queryset = queryset.filter(category=category)
    if (street := id_param(params, "street")) is not None:
        queryset = queryset.filter(street_id=street)
    if (department := id_param(params, "department")) is not None:
        queryset = queryset.filter(assigned_department_id=department)
    # Received between two days (Asia/Shanghai dates, both included): the dashboard's cells link here.
    if (received_from := date_param(params, "received_from")) is not None:
        queryset = queryset.filter(received_at__gte=day_start(received_from))
    if (received_to := date_param(params, "received_to")) is not None:
        queryset = queryset.filter(received_at__lt=day_start(received_to + timedelta(days=1)))
    if q := text_param(params, "q", max_length=50):
        queryset = queryset.filter(
            Q(number__icontains=q) | Q(institution__name__icontains=q) | Q(typed_name__icontains=q)
        )
    return queryset


@dataclass
class Tracking:
    """All the tracking page shows: no institution handling details, no handler, no internal notes."""

    number: str
    received_at: datetime
    category: str
    status: str
    status_label: str
    public_reply: str
    replied_at: datetime | None
    case_filed_on: date | None = None  # a named 举报's penalty case was filed (立案) that day


def track(code: str) -> Tracking | None:
    from jianguan.complaints.services import tracking_hash

    complaint = (
        Complaint.objects.filter(tracking_hash=tracking_hash(code))
        .only("number", "received_at", "category", "status", "public_reply", "replied_at", "case_filed_on")
        .first()
    )
    if complaint is None:
        return None
    return Tracking(
        number=complaint.number or "",
        received_at=complaint.received_at,
        category=str(complaint.get_category_display()),
        status=complaint.status,
        status_label=str(PUBLIC_STATUS[complaint.status]),
        public_reply=complaint.public_reply
        if complaint.status in (ComplaintStatus.REPLIED, ComplaintStatus.CLOSED, ComplaintStatus.REJECTED)
        else "",
        replied_at=complaint.replied_at,
        case_filed_on=complaint.case_filed_on,
    )


def counts(user: Any, today: date) -> dict[str, int]:
    """For the home page: waiting for triage, in hand, overdue (of what the user may see)."""
    qs = Complaint.objects.visible_to(user)
    return qs.aggregate(
        received=Count("pk", filter=Q(status=ComplaintStatus.RECEIVED)),
        assigned=Count("pk", filter=Q(status=ComplaintStatus.ASSIGNED)),
        overdue=Count("pk", filter=overdue_q(today)),
    )


# The dashboard's (and a joint meeting's materials') complaint figures: per category, by where each stands.
PROGRESS = {
    "received": Q(),
    "waiting": Q(status=ComplaintStatus.RECEIVED),
    "in_hand": Q(status=ComplaintStatus.ASSIGNED),
    "done": Q(status__in=(ComplaintStatus.REPLIED, ComplaintStatus.CLOSED)),
    "rejected": Q(status=ComplaintStatus.REJECTED),
}


def progress_by_category(queryset: QuerySet[Complaint], today: date) -> dict[str, dict[str, int]]:
    """category → {received, waiting, in_hand, done, rejected, overdue} (one grouped query)."""
    rows = queryset.values("category").annotate(
        **{key: Count("pk", filter=q) for key, q in PROGRESS.items()}, overdue=Count("pk", filter=overdue_q(today))
    )
    return {row.pop("category"): row for row in rows}
