"""The JSON API at /api/v1/: mounts each app's router; session auth for the browser, personal tokens otherwise."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import BadRequest, ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from jianguan.accounts.services import api_token_authenticate
from jianguan.lib.api import STATUS_CODES
from jianguan.lib.conflict import Conflict
from jianguan.lib.dbrouter import replica_reads
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


# The operationIds are a contract: a generated client names its functions after them (openapi-python-client turns
# `ledger_item_recheck` into `ledger_item_recheck.sync(...)`). Plural for a collection, singular for one object;
# keyed by the handler's app and function name. An operation missing here fails the schema (and its test).
OPERATION_IDS = {
    "accounts.me": "me_get",
    "accounts.token_list": "tokens_list",
    "accounts.token_create": "token_create",
    "accounts.token_revoke": "token_revoke",
    "org.region_list": "regions_list",
    "org.department_list": "departments_list",
    "org.responsibility_list": "responsibilities_list",
    "registry.institution_list": "institutions_list",
    "registry.institution_create": "institution_create",
    "registry.institution_detail": "institution_get",
    "registry.institution_update": "institution_update",
    "registry.institution_export": "institutions_export",
    "audit.event_list": "audit_events_list",
    "inspections.campaign_list": "campaigns_list",
    "inspections.campaign_detail": "campaign_get",
    "inspections.inspections": "inspections_list",
    "inspections.inspection_create": "inspection_create",
    "inspections.inspection_detail": "inspection_get",
    "inspections.inspection_start": "inspection_start",
    "inspections.result_record": "inspection_result_record",
    "inspections.finding_create": "inspection_finding_create",
    "inspections.evidence_upload": "inspection_photo_upload",
    "inspections.inspection_complete": "inspection_complete",
    "documents.document_list": "documents_list",
    "documents.document_detail": "document_get",
    "ledger.item_list": "ledger_items_list",
    "ledger.item_detail": "ledger_item_get",
    "ledger.item_export": "ledger_items_export",
    "ledger.acknowledge": "ledger_item_acknowledge",
    "ledger.submit": "ledger_item_submit",
    "ledger.recheck": "ledger_item_recheck",
    "ledger.request_extension": "ledger_item_request_extension",
    "ledger.decide_extension": "ledger_item_decide_extension",
    "ledger.escalate": "ledger_item_escalate",
    "portal.public_search": "public_institutions_list",
    "portal.public_detail": "public_institution_get",
    "complaints.complaint_submit": "public_complaint_submit",
    "complaints.complaint_track": "public_complaint_track",
    "complaints.complaint_list": "complaints_list",
    "complaints.complaint_detail": "complaint_get",
    "enforcement.case_list": "cases_list",
    "enforcement.case_detail": "case_get",
    "enforcement.public_penalties": "public_penalties_list",
    "transfers.transfer_list": "transfers_list",
    "transfers.transfer_send": "transfer_send",
    "transfers.transfer_detail": "transfer_get",
    "meetings.meeting_list": "meetings_list",
    "meetings.meeting_detail": "meeting_get",
    "meetings.meeting_task_list": "meeting_tasks_list",
    "meetings.meeting_task_progress": "meeting_task_progress",
    "meetings.meeting_task_close": "meeting_task_close",
    "planning.plan_list": "plans_list",
    "planning.plan_detail": "plan_get",
    "planning.plan_publish": "plan_publish",
    "planning.campaign_draw": "campaign_draw_get",
    "risk.rating_list": "risk_ratings_list",
    "risk.rating_detail": "risk_rating_get",
    "alerts.alert_list": "alerts_list",
    "alerts.alert_acknowledge": "alerts_acknowledge",
    "articles.public_article_list": "public_articles_list",
    "articles.public_article_detail": "public_article_get",
}

# ASCII tags (a generator makes a module of each), with what they hold in Chinese.
TAGS = {
    "account": "账户与 API 令牌",
    "org": "组织与职责（街道、部门、职责分工）",
    "institutions": "机构名录",
    "inspections": "专项行动与联合检查",
    "documents": "执法文书",
    "ledger": "整改台账",
    "complaints": "投诉举报",
    "cases": "行政处罚案件",
    "transfers": "移送协查与信息共享",
    "meetings": "联席会议",
    "plans": "年度方案与双随机抽查",
    "risk": "风险评级",
    "alerts": "预警",
    "audit": "审计日志",
    "public": "公众查询（无需登录）：机构、处罚公示、文章、投诉举报",
}


class JianguanAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        key = f"{operation.view_func.__module__.removeprefix('jianguan.').removesuffix('.api')}."
        key += operation.view_func.__name__
        if key not in OPERATION_IDS:
            raise ImproperlyConfigured(f"API operation {key} has no operationId in jianguan.api.OPERATION_IDS")
        return OPERATION_IDS[key]


api = JianguanAPI(
    title="Jianguan API",
    version="1",
    description=(
        "监管平台（校外培训机构监管信息平台）接口。浏览器使用登录会话；系统对接使用个人 API 令牌"
        "（Authorization: Bearer jg_…）。每个错误带机器可读的 code 和中文 message。"
    ),
    auth=[TokenAuth(), SessionAuth(csrf=True)],
    urls_namespace="api",
    openapi_extra={"tags": [{"name": name, "description": text} for name, text in TAGS.items()]},
)


def _error(request: HttpRequest, status: int, message: str, code: str = "", **extra: Any) -> HttpResponse:
    return api.create_response(
        request, {"code": code or STATUS_CODES.get(status, "error"), "message": message, **extra}, status=status
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = _error(request, 401, "未登录或 API 令牌无效。")
    response["WWW-Authenticate"] = 'Bearer realm="jianguan"'
    return response


HTTP_ERROR_MESSAGES = {
    400: "请求内容无法解析，请提交有效的 JSON。",
    403: "您没有执行此操作的权限。",
    405: "不支持该请求方法。",
    429: "请求过于频繁，请稍后再试。",
}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = HTTP_ERROR_MESSAGES.get(exc.status_code, "")
    if not message:  # an endpoint's own refusal (e.g. 404 查询码不存在) says it in Chinese already
        message = str(exc) or "请求无法处理。"
    response = _error(request, exc.status_code, message)
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
    return _error(request, 409, str(exc), code=getattr(exc, "code", None) or "conflict")


@api.exception_handler(ValidationError)
def on_service_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _error(request, 400, "；".join(exc.messages), code="invalid", errors=errors)


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


def _lists_read_from_the_replica() -> None:
    """Every list and bulk export operation (GET, operationId `…_list` or `…_export`) reads from the database replica when one is configured and
    usable (jianguan.lib.dbrouter: never inside a transaction that writes, nor for a user who has just written)."""
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                operation_id = operation.operation_id or api.get_openapi_operation_id(operation)
                if operation.methods == ["GET"] and operation_id.endswith(("_list", "_export")):
                    operation.view_func = replica_reads(operation.view_func)


_lists_read_from_the_replica()
