"""Reads for notifications: deliveries for the administrator's failures page."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from jianguan.notifications.models import Delivery


def deliveries(user: Any, *, status: str = "", channel: str = "") -> QuerySet[Delivery]:
    qs = Delivery.objects.visible_to(user).select_related("notification__recipient")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    return qs


def delivery_counts(user: Any) -> dict[str, int]:
    """How many deliveries are in each status (for the filter's labels)."""
    rows = Delivery.objects.visible_to(user).values_list("status").annotate(n=Count("pk")).order_by()
    return dict(rows)
