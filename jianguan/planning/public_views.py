"""The portal's 双随机一公开 and year plans (no login, rate-limited): published plans with planned vs done, every
draw from the moment it is made (institutions drawn, the seed and the hashes, the teams' departments — no officer),
and each drawn inspection's result once completed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from jianguan.lib.forms import paginate
from jianguan.planning import selectors
from jianguan.planning.models import Draw
from jianguan.portal.views import too_many


def plan_list(request: HttpRequest) -> HttpResponse:
    if (refused := too_many(request)) is not None:
        return refused
    context = {"plans": selectors.published_plans(), "page": paginate(request, selectors.public_draws(), 20)}
    return render(request, "planning/public_plans.html", context)


def plan_detail(request: HttpRequest, year: int) -> HttpResponse:
    if (refused := too_many(request)) is not None:
        return refused
    plan = get_object_or_404(selectors.published_plans(), year=year)
    campaigns, coverage = selectors.plan_progress(plan)
    return render(request, "planning/public_plan.html", {"plan": plan, "campaigns": campaigns, "coverage": coverage})


def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if (refused := too_many(request)) is not None:
        return refused
    draw = get_object_or_404(Draw.objects.select_related("campaign"), pk=pk)
    return render(request, "planning/public_draw.html", {"draw": draw, "rows": selectors.public_rows(draw)})
