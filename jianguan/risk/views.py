"""The risk rating page: institutions within the user's scope, riskiest first, by level."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jianguan.accounts.permissions import require
from jianguan.lib.forms import paginate
from jianguan.risk import selectors
from jianguan.risk.choices import RiskLevel
from jianguan.risk.forms import RatingFilterForm
from jianguan.risk.scoring import risk_levels


@login_required
def rating_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "risk.view")
    form = RatingFilterForm(request.GET or None)
    level = form.cleaned_data["level"] if form.is_valid() else ""
    page = paginate(request, selectors.ratings(request.user, level), per_page=30)
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.counts_by_level(request.user)
    context = {
        "page": page,
        "query": query.urlencode(),
        "level": level,
        "levels": [(value, label, counts[value]) for value, label in RiskLevel.choices],
        "total": sum(counts.values()),
        "unrated": selectors.unrated_count(request.user),
        "thresholds": risk_levels(),
    }
    return render(request, "risk/rating_list.html", context)
