"""Answers for the scripts of the on-site form (its offline queue): JSON, and 401 instead of the login page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def login_required_or_401(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`login_required`, except that a script asking for JSON gets 401 (and keeps what it was sending) instead of the
    login page pasted into the form."""
    redirecting = login_required(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if wants_json(request) and not request.user.is_authenticated:
            return JsonResponse({"status": "signed_out", "message": _("登录已过期，请重新输入密码。")}, status=401)
        return redirecting(request, *args, **kwargs)

    return wrapper
