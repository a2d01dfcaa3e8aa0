from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jianguan.accounts.choices import Role
from jianguan.reports.selectors import calendar_warnings, home_figures


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "figures": home_figures(user),
        "institution": user.institution if user.role == Role.INSTITUTION else None,
        "warnings": calendar_warnings(timezone.localdate()) if user.role in (Role.ADMIN, Role.LEAD) else [],
    }
    return render(request, "reports/home.html", context)
