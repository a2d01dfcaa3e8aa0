"""Site-wide request checks that come before any view."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from django.utils.translation import gettext as _

from jianguan.lib import requestlog
from jianguan.views import error_response

access_log = logging.getLogger("jianguan.request")


class RequestLogMiddleware:
    """Gives each request an id (kept from the proxy's X-Request-ID when sane, returned in the response), makes it,
    the user and the view known to every log record, counts the request for /metrics and logs one line for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from jianguan.metrics import observe

        request_id = requestlog.new_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        token = requestlog.begin(request_id)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            seconds = time.perf_counter() - started
            info = requestlog.current()
            match = getattr(request, "resolver_match", None)
            view = (match.view_name if match else "") or "unresolved"
            user = getattr(request, "user", None)
            if info is not None:
                info.view = view
                info.user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
            observe(view, request.method or "", status, seconds)
            access_log.info(
                "%s %s %s %.0fms", request.method, request.path, status, seconds * 1000,
                extra={"method": request.method, "path": request.path, "status": status,
                       "duration_ms": round(seconds * 1000, 1)},
            )  # fmt: skip
            requestlog.end(token)


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
            return error_response(request, 414, _("请求地址过长"), message)
        return self.get_response(request)


class RequestParameterGuard:
    """Refuses (400, in Chinese; JSON on the API) any query or form parameter holding NUL or another control
    character, before a view parses it: PostgreSQL cannot store NUL, and no field needs the others."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from jianguan.lib.params import CONTROL

        bad = next((name for name, values in request.GET.lists() for v in [name, *values] if CONTROL.search(v)), None)
        if (
            bad is None
            and request.method == "POST"
            and request.content_type
            in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            )
        ):
            bad = next(
                (name for name, values in request.POST.lists() for v in [name, *values] if CONTROL.search(v)), None
            )
        if bad is not None:
            message = _("参数 %(name)s 含有控制字符，请删除后重试。") % {
                "name": bad[:30].encode("unicode_escape").decode()
            }
            return error_response(request, 400, _("请求有误"), message)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Permissions-Policy on every response (settings.PERMISSIONS_POLICY): the camera and location for the platform
    itself, every other powerful browser feature off."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


API_ROOT = "/api/v1/"


class ApiPathMiddleware:
    """The API answers alike however it is asked: a trailing slash names the same operation (`/api/v1/institutions/`
    is `/api/v1/institutions`), HEAD answers as GET without the body (same status, headers and Content-Length), and
    a refusal the router makes before any handler (405) is JSON with a code like every other API error, and every
    successful read carries an ETag: If-None-Match with it answers 304 Not Modified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if not path.startswith(API_ROOT):
            return self.get_response(request)
        if path.endswith("/") and path != API_ROOT:
            request.path_info = path.rstrip("/")
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        response = self.get_response(request)
        if head:
            request.method = "HEAD"
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            refused = error_response(request, 405, _("不支持该请求方法"), _("不支持该请求方法。"))
            if allow := response.get("Allow"):
                refused["Allow"] = allow + (", HEAD" if "GET" in allow and "HEAD" not in allow else "")
            response = refused
        if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.streaming:
            # A strong validator over the answer's bytes: a client that sends it back in If-None-Match gets 304 and
            # no body while nothing it may see has changed (answers differ by caller: private, vary by credentials).
            set_response_etag(response)
            patch_vary_headers(response, ("Authorization", "Cookie"))
            response.setdefault("Cache-Control", "private, no-cache")
            response = get_conditional_response(request, etag=response["ETag"], response=response)
        if head:
            if response.streaming:
                response.streaming_content = []
            else:
                response["Content-Length"] = str(len(response.content))
                response.content = b""
        return response
