"""Reads for the home page: real counts of what exists, within the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.audit.models import AuditEvent
from jianguan.inspections.models import Inspection
from jianguan.inspections.selectors import notice_waiting_q
from jianguan.org.models import Department
from jianguan.org.selectors import responsibility_problems, streets
from jianguan.registry.choices import InstitutionKind, LicenceStatus
from jianguan.registry.models import Institution
from jianguan.registry.selectors import licence_state_q


@dataclass(frozen=True)
class Figure:
    label: str
    value: int
    url: str = ""


def ledger_figures(user: Any, today: date) -> list[Figure]:
    """Open problems, those due soon, overdue and waiting for a recheck: what every role must see first."""
    from jianguan.ledger.models import LedgerItem
    from jianguan.ledger.selectors import due_soon_q, overdue_q

    items = LedgerItem.objects.visible_to(user)
    ledger = reverse("ledger:item_list")
    counts = items.aggregate(
        open=Count("pk", filter=Q(status__in=("pending", "in_progress", "submitted"))),
        due_soon=Count("pk", filter=due_soon_q(today)),
        overdue=Count("pk", filter=overdue_q(today)),
        submitted=Count("pk", filter=Q(status="submitted")),
    )
    return [
        Figure(_("未销号问题"), counts["open"], f"{ledger}?status=open"),
        Figure(_("即将到期"), counts["due_soon"], f"{ledger}?status=due_soon"),
        Figure(_("逾期未整改"), counts["overdue"], f"{ledger}?status=overdue"),
        Figure(_("待复查"), counts["submitted"], f"{ledger}?status=submitted"),
    ]


def complaint_figures(user: Any, today: date) -> list[Figure]:
    """Complaints waiting for triage, in hand and overdue, within scope."""
    from jianguan.complaints.selectors import counts

    listing = reverse("complaints:complaint_list")
    c = counts(user, today)
    return [
        Figure(_("投诉待受理"), c["received"], f"{listing}?status=received"),
        Figure(_("投诉办理中"), c["assigned"], f"{listing}?status=assigned"),
        Figure(_("投诉逾期"), c["overdue"], f"{listing}?status=overdue"),
    ]


def home_figures(user: Any) -> list[Figure]:
    """The counts a user's home page shows; every one of them is counted from the records within scope."""
    institutions = Institution.objects.visible_to(user)
    today = timezone.localdate()
    if user.role == Role.INSTITUTION:
        return ledger_figures(user, today)
    listing = reverse("registry:institution_list")
    figures = [*ledger_figures(user, today), *complaint_figures(user, today)]
    figures.append(Figure(_("可见机构"), institutions.count(), listing))
    by_kind = dict(institutions.values_list("kind").annotate(n=Count("id")).order_by())
    figures += [
        Figure(str(label), by_kind.get(value, 0), f"{listing}?kind={value}") for value, label in InstitutionKind.choices
    ]
    for state, label in ((LicenceStatus.MISSING, _("证照缺失")), (LicenceStatus.EXPIRED, _("证照过期"))):
        count = institutions.filter(licence_state_q(state, today)).count()
        figures.append(Figure(label, count, f"{listing}?licence={state.value}"))
    if user.role == Role.STREET_OFFICER:
        figures.append(Figure(_("负责街道/乡镇"), len(user.scope.street_ids)))
    if user.role in (Role.ADMIN, Role.LEAD, Role.DEPARTMENT_OFFICER):
        # Orders that waited for next year's holiday arrangement: once it is imported, they can go out.
        waiting = Inspection.objects.visible_to(user).filter(notice_waiting_q()).count()
        listing = reverse("inspections:inspection_list")
        figures.append(Figure(_("待生成整改通知书"), waiting, f"{listing}?notice=waiting"))
    if user.role in (Role.ADMIN, Role.LEAD, Role.LEADER, Role.DEPARTMENT_OFFICER):
        figures.append(Figure(_("职责空白或交叉"), len(responsibility_problems()), reverse("org:responsibility_list")))
    if user.role == Role.ADMIN:
        figures += [
            Figure(_("账户"), User.objects.count(), reverse("accounts:user_list")),
            Figure(_("部门"), Department.objects.count(), reverse("org:department_list")),
            Figure(_("街道/乡镇"), streets().count(), reverse("org:region_list")),
            Figure(_("审计事件"), AuditEvent.objects.count(), reverse("audit:event_list")),
        ]
    return figures


def institution_overview(user: Any, institution: Institution, today: date) -> list[Figure]:
    """What is open about one institution, within the user's scope, for the top of its page: its unclosed problems
    (and how many are overdue), its inspections (and the last one) and its complaints still in hand. Three queries."""
    from jianguan.complaints.choices import OPEN_STATUSES as OPEN_COMPLAINTS
    from jianguan.complaints.models import Complaint
    from jianguan.ledger.choices import OPEN_STATUSES as OPEN_ITEMS
    from jianguan.ledger.models import LedgerItem
    from jianguan.ledger.selectors import overdue_q

    items = (
        LedgerItem.objects.visible_to(user)
        .filter(institution=institution)
        .aggregate(open=Count("pk", filter=Q(status__in=OPEN_ITEMS)), overdue=Count("pk", filter=overdue_q(today)))
    )
    inspections = Inspection.objects.visible_to(user).filter(institution=institution).exclude(status="cancelled")
    seen = inspections.aggregate(n=Count("pk"), last=Max("completed_at"))
    complaints = Complaint.objects.visible_to(user).filter(institution=institution, status__in=OPEN_COMPLAINTS).count()

    def ledger(status: str) -> str:
        return f"{reverse('ledger:item_list')}?{urlencode({'q': institution.name, 'status': status})}"

    last = timezone.localtime(seen["last"]).date().isoformat() if seen["last"] else ""
    return [
        Figure(_("未销号问题"), items["open"], ledger("open")),
        Figure(_("其中逾期"), items["overdue"], ledger("overdue")),
        Figure(_("检查次数") + (f"（{_('最近')} {last}）" if last else ""), seen["n"],
               f"{reverse('inspections:inspection_list')}?institution={institution.pk}"),
        Figure(_("办理中的投诉"), complaints, ""),
    ]  # fmt: skip
