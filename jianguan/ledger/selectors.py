"""Reads for the ledger: derived states (overdue, recheck due, due soon), the item's history, and summaries."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Q, QuerySet

from jianguan.ledger.choices import OPEN_STATUSES, ItemStatus
from jianguan.ledger.models import LedgerItem
from jianguan.lib.workdays import UnknownCalendarYear, add_working_days


def overdue_q(today: date) -> Q:
    """Open and past its deadline (逾期 is derived, never stored)."""
    return Q(status__in=OPEN_STATUSES, deadline__lt=today)


def recheck_due_q(today: date) -> Q:
    """Waiting for a recheck: submitted, or open with the deadline passed (定期复查)."""
    return Q(status=ItemStatus.SUBMITTED) | overdue_q(today)


def due_soon_q(today: date) -> Q:
    """Open, not submitted, and due within JIANGUAN_DUE_SOON_WORKING_DAYS working days."""
    try:
        until = add_working_days(today, settings.JIANGUAN_DUE_SOON_WORKING_DAYS)
    except UnknownCalendarYear:
        until = today  # next year's calendar missing: nothing is called "due soon" rather than a guessed date
    return Q(status__in=(ItemStatus.PENDING, ItemStatus.IN_PROGRESS), deadline__gte=today, deadline__lte=until)


def recheck_due_by(item: LedgerItem) -> date | None:
    """The date by which the recheck should happen: N working days (JIANGUAN_RECHECK_WORKING_DAYS) after the
    submission, or after the deadline for an open item that was not submitted."""
    start = item.submitted_on if item.status == ItemStatus.SUBMITTED else item.deadline
    if item.status not in OPEN_STATUSES or start is None:
        return None
    try:
        return add_working_days(start, settings.JIANGUAN_RECHECK_WORKING_DAYS)
    except UnknownCalendarYear:
        return None


def ledger_rows(queryset: QuerySet[LedgerItem]) -> QuerySet[LedgerItem]:
    """What the list page, the export and the API show, in a fixed number of queries."""
    return queryset.select_related("institution__street", "department", "officer", "campaign").order_by(
        "deadline", "pk"
    )


def last_recheck_notes(items: list[LedgerItem]) -> dict[int, str]:
    """item id → its latest recheck as one line (复查情况), for the page and the Excel ledger (one query)."""
    from jianguan.ledger.models import Recheck

    notes: dict[int, str] = {}
    for r in Recheck.objects.filter(item__in=items).order_by("item_id", "recorded_at", "pk"):
        verdict = "通过" if r.passed else "未通过"
        notes[r.item_id] = f"{r.checked_on:%Y-%m-%d} 复查{verdict}：{r.note}"
    return notes
