"""行政处罚信息公示 on the portal: the public summaries of decisions in their display period (no login,
rate-limited). Nothing of a case but its publication is read here."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jianguan.enforcement.models import Publication
from jianguan.lib.forms import paginate
from jianguan.lib.params import text_param
from jianguan.portal.views import too_many


def penalty_list(request: HttpRequest) -> HttpResponse:
    if (refused := too_many(request)) is not None:
        return refused
    q = text_param(request.GET, "q", max_length=50)
    shown = Publication.objects.shown_on(timezone.localdate())
    if q.strip():
        shown = shown.filter(party_name__icontains=q.strip())
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": paginate(request, shown, 20), "q": q, "query": query.urlencode()}
    return render(request, "enforcement/public_penalties.html", context)
