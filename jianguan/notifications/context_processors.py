from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jianguan.notifications.models import Notification


def unread(request: HttpRequest) -> dict[str, Any]:
    """The unread count beside the inbox link in the navigation (one indexed count per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count()}
