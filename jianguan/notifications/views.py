from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jianguan.lib.forms import paginate
from jianguan.lib.params import ids_param
from jianguan.notifications import services
from jianguan.notifications.models import Notification


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = paginate(request, Notification.objects.visible_to(request.user), 30)
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    ids = ids_param(request.POST.getlist("id"), name="id")
    services.mark_read(actor=request.user, notification_ids=ids or None)
    return redirect("notifications:inbox")
