from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jianguan.accounts.permissions import require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.audit.forms import AuditFilterForm
from jianguan.audit.models import AuditEvent
from jianguan.audit.selectors import audit_events_filter
from jianguan.lib.forms import paginate


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "audit.view")
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_events_filter(request.user, **{k: v for k, v in filters.items() if v})
    page = paginate(request, events)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/event_list.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
def event_detail(request: HttpRequest, seq: int) -> HttpResponse:
    require(request.user, "audit.view")
    event = get_visible_or_404(AuditEvent.objects.select_related("actor"), request.user, seq=seq)
    return render(request, "audit/event_detail.html", {"event": event})
