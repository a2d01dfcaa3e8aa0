"""Reads for 预收费: the account and the charges the user may see (never the sealed account number)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from jianguan.fees.models import FeeAccount, FeeRecord
from jianguan.registry.models import Institution


def account_of(user: Any, institution: Institution) -> FeeAccount | None:
    return FeeAccount.objects.visible_to(user).filter(institution=institution).first()


def records_for(user: Any) -> QuerySet[FeeRecord]:
    """The charges the user may see (an institution its own), with the institution and its street."""
    return FeeRecord.objects.visible_to(user).select_related("institution__street")


def records_of(user: Any, institution: Institution) -> QuerySet[FeeRecord]:
    return records_for(user).filter(institution=institution).order_by("-paid_on", "-pk")


def filtered_records(
    queryset: QuerySet[FeeRecord],
    *,
    q: str = "",
    street: int | None = None,
    academic: str = "",
    into_account: str = "",
    paid_from: date | None = None,
    paid_to: date | None = None,
) -> QuerySet[FeeRecord]:
    """The district list's one filter. Values are parsed by the caller (lib.params)."""
    if q:
        queryset = queryset.filter(
            Q(institution__name__icontains=q) | Q(course_name__icontains=q) | Q(contract_number__icontains=q)
        )
    if street is not None:
        queryset = queryset.filter(institution__street_id=street)
    if academic:
        queryset = queryset.filter(academic=academic == "1")
    if into_account:
        queryset = queryset.filter(into_supervised_account=into_account == "1")
    if paid_from is not None:
        queryset = queryset.filter(paid_on__gte=paid_from)
    if paid_to is not None:
        queryset = queryset.filter(paid_on__lte=paid_to)
    return queryset.order_by("-paid_on", "institution_id", "-pk")


def totals(queryset: QuerySet[FeeRecord]) -> dict[str, Any]:
    """How many charges and how much money (one query), for the lists' summary line."""
    found = queryset.order_by().aggregate(count=Count("pk"), amount=Sum("amount"))
    return {"count": found["count"], "amount": found["amount"] or Decimal("0")}
