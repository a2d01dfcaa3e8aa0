"""Site-wide request checks that come before any view."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class QueryStringLimitMiddleware:
    """A query string longer than JIANGUAN_MAX_QUERY_STRING is answered 414 before a view parses it: JSON with a
    Chinese message on the API, the error page elsewhere (a front proxy's own 414 would be an HTML page the API's
    clients cannot read)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.JIANGUAN_MAX_QUERY_STRING
        if len(request.META.get("QUERY_STRING", "")) > limit:
            message = _("请求地址过长（查询参数超过 %(n)s 个字符），请缩短查询条件。") % {"n": limit}
            if request.path.startswith("/api/"):
                return JsonResponse({"message": message}, status=414)
            context = {"status": 414, "title": _("请求地址过长"), "message": message}
            return render(request, "error.html", context, status=414)
        return self.get_response(request)
