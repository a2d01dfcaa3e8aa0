from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.choices import Role
from jianguan.accounts.permissions import require
from jianguan.alerts import services
from jianguan.alerts.choices import AlertKind
from jianguan.alerts.forms import AcknowledgeForm, AlertFilter
from jianguan.alerts.selectors import alerts_for, count_by_kind
from jianguan.lib.forms import paginate


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "alerts.view")
    form = AlertFilter(request.GET or None)
    chosen = form.values()
    state = chosen["state"]
    alerts = alerts_for(request.user, include_acknowledged=bool(state), street_id=chosen["street_id"])
    if state == "acknowledged":
        alerts = [a for a in alerts if a.acknowledged]
    counts = count_by_kind(alerts)  # before the kind filter: the row of counts doubles as the kind switch
    if chosen["kind"]:
        alerts = [a for a in alerts if a.kind == chosen["kind"]]
    query = request.GET.copy()
    query.pop("page", None)
    kind_query = query.copy()
    kind_query.pop("kind", None)
    context = {
        "form": form,
        "page": paginate(request, alerts, 50),
        "counts": [(kind, label, counts[kind]) for kind, label in AlertKind.choices],
        "total": sum(counts.values()),
        "chosen": chosen,
        "query": query.urlencode(),
        "kind_query": kind_query.urlencode(),
        "show_street": request.user.role != Role.INSTITUTION,
    }
    return render(request, "alerts/alert_list.html", context)


@login_required
@require_POST
def acknowledge(request: HttpRequest) -> HttpResponse:
    require(request.user, "alerts.view")
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            services.alert_acknowledge(actor=request.user, key=form.cleaned_data["key"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已确认该预警。"))
    else:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    # Back to the list as it was filtered; the query is parsed and re-encoded, so only our own page is reached.
    query = QueryDict(request.POST.get("query", "")).urlencode()
    return redirect(reverse("alerts:alert_list") + (f"?{query}" if query else ""))
