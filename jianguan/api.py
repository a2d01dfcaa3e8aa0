"""The JSON API at /api/v1/: mounts each app's router; session auth for the browser, personal tokens otherwise."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from jianguan.accounts.services import api_token_authenticate
from jianguan.lib.conflict import Conflict
from jianguan.lib.ratelimit import RateLimited

logger = logging.getLogger("jianguan.api")


class TokenAuth(HttpBearer):
    """Authorization: Bearer jg_… with a personal API token (a read-only one for safe methods only)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = api_token_authenticate(token)
        if found is None:
            return None
        if found.read_only and request.method not in ("GET", "HEAD", "OPTIONS"):
            raise PermissionDenied("只读令牌只能查询，不能提交或修改数据。")
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class SessionAuth(APIKeyCookie):
    """The browser's signed-in session; unsafe methods need the CSRF token as in the rest of the site."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


api = NinjaAPI(
    title="监管平台 API",
    version="1",
    description="校外培训机构监管信息平台接口。浏览器使用登录会话；系统对接使用个人 API 令牌（Authorization: Bearer jg_…）。",
    auth=[TokenAuth(), SessionAuth(csrf=True)],
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, message: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"message": message, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 401, "未登录或 API 令牌无效。")


HTTP_ERROR_MESSAGES = {
    400: "请求内容无法解析，请提交有效的 JSON。",
    403: "您没有执行此操作的权限。",
    405: "不支持该请求方法。",
    429: "请求过于频繁，请稍后再试。",
}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    response = _error(request, exc.status_code, HTTP_ERROR_MESSAGES.get(exc.status_code, "请求无法处理。"))
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with its traceback for the operators; the caller sees no internals.
    logger.exception("API error on %s %s", request.method, request.path)
    return _error(request, 500, "服务器内部错误，请稍后重试；如问题持续，请联系平台管理员。")


@api.exception_handler(BadRequest)
def on_bad_parameter(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 400, str(exc) or "请求参数有误。")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 403, str(exc) or "您没有执行此操作的权限。")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "对象不存在，或不在您的权限范围内。")


@api.exception_handler(NinjaValidationError)
def on_request_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return _error(request, 422, "请求参数有误。", errors=exc.errors)


# Every state machine's Conflict (ledger, cases, transfers, meetings, plans) subclasses lib.conflict.Conflict: the
# handler is found through the exception's class hierarchy.
@api.exception_handler(Conflict)
def on_conflict(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 409, str(exc))


@api.exception_handler(ValidationError)
def on_service_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _error(request, 400, "；".join(exc.messages), errors=errors)


api.add_router("", "jianguan.accounts.api.router")
api.add_router("/org", "jianguan.org.api.router")
api.add_router("/institutions", "jianguan.registry.api.router")
api.add_router("/audit", "jianguan.audit.api.router")
api.add_router("", "jianguan.inspections.api.router")
api.add_router("/documents", "jianguan.documents.api.router")
api.add_router("/ledger", "jianguan.ledger.api.router")
api.add_router("/public", "jianguan.portal.api.router")
api.add_router("/public/complaints", "jianguan.complaints.api.public_router")
api.add_router("/complaints", "jianguan.complaints.api.router")
api.add_router("/cases", "jianguan.enforcement.api.router")
api.add_router("/public/penalties", "jianguan.enforcement.api.public_router")
api.add_router("/transfers", "jianguan.transfers.api.router")
api.add_router("", "jianguan.meetings.api.router")
api.add_router("", "jianguan.planning.api.router")
api.add_router("/risk", "jianguan.risk.api.router")
api.add_router("/alerts", "jianguan.alerts.api.router")
api.add_router("/public/articles", "jianguan.articles.api.router")
