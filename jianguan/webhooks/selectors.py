"""Reads for webhooks: the subscriptions with how their deliveries stand, and the delivery log."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from jianguan.webhooks.choices import DeliveryStatus
from jianguan.webhooks.models import Delivery, Subscription


def subscriptions(user: Any) -> QuerySet[Subscription]:
    return (
        Subscription.objects.visible_to(user)
        .select_related("created_by")
        .annotate(
            succeeded=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SUCCEEDED)),
            waiting=Count(
                "deliveries", filter=Q(deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
            ),
            given_up=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.GIVEN_UP)),
            last_event_at=Max("deliveries__created_at"),
        )
    )


def deliveries(
    user: Any, *, subscription: Subscription | None = None, event: str = "", status: str = ""
) -> QuerySet[Delivery]:
    qs = Delivery.objects.visible_to(user).select_related("subscription")
    if subscription is not None:
        qs = qs.filter(subscription=subscription)
    if event:
        qs = qs.filter(event=event)
    if status:
        qs = qs.filter(status=status)
    return qs
