from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import allowed, require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.lib.forms import paginate
from jianguan.lib.params import choice_param, id_param
from jianguan.rules import selectors, services
from jianguan.rules.catalogue import AREA_LABELS, RULES
from jianguan.rules.models import RuleViolation


@login_required
def violation_list(request: HttpRequest) -> HttpResponse:
    """行业规则违规: the open violations the user may see, by rule, area or institution; the rules and their sources."""
    require(request.user, "rules.view")
    rule = choice_param(request.GET, "rule", [r.code for r in RULES])
    area = choice_param(request.GET, "area", list(AREA_LABELS))
    institution = id_param(request.GET, "institution")
    qs = selectors.open_violations(request.user).select_related("institution")
    if rule:
        qs = qs.filter(rule=rule)
    if area:
        qs = qs.filter(rule__in=[r.code for r in RULES if r.area == area])
    if institution:
        qs = qs.filter(institution_id=institution)
    counts = selectors.counts_by_rule(request.user)
    return render(
        request,
        "rules/violation_list.html",
        {
            "page": paginate(request, qs.order_by("institution__name", "rule", "object_id")),
            "rules": [(r, counts[r.code]) for r in RULES],
            "areas": AREA_LABELS,
            "rule": rule,
            "area": area,
            "last_run": selectors.last_run(),
            "may_run": allowed(request.user, "rules.run"),
        },
    )


@login_required
def violation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "rules.view")
    violation = get_visible_or_404(RuleViolation.objects.select_related("institution"), request.user, pk=pk)
    return render(
        request,
        "rules/violation_detail.html",
        {"v": violation, "rule": violation.rule_info, "record_url": selectors.record_url(violation, request.user)},
    )


@login_required
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    """立即检查: the daily check run now (the lead coordinator or the administrator)."""
    result = services.run_checks(actor=request.user)
    messages.success(
        request,
        _("检查完成：现有违规 %(found)s 条，新发现 %(opened)s 条，已消除 %(resolved)s 条。")
        % {"found": result.found, "opened": result.opened, "resolved": result.resolved},
    )
    return redirect("rules:violation_list")
