"""Error pages in the platform's own layout, without stack traces or internal details; health and readiness."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.org.selectors import calendar_missing_years


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status=status)


def error_response(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    """A refusal before any view ran: JSON with the Chinese message on the API (its clients cannot read a page),
    the error page in the platform's layout elsewhere."""
    if request.path.startswith("/api/"):
        from jianguan.lib.api import STATUS_CODES

        body = {"code": STATUS_CODES.get(status, "error"), "message": message}
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    return _error(request, status, title, message)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from jianguan.lib.params import BadParameter

    # A parameter that did not parse says which and why; other bad requests say nothing about internals.
    message = str(exception) if isinstance(exception, BadParameter) else _("请求无法处理，请检查后重试。")
    return error_response(request, 400, _("请求有误"), message)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else _("您没有访问此页面的权限。")
    return _error(request, 403, _("无权访问"), message)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404, _("页面不存在"), _("您要找的内容不存在，或不在您的权限范围内。"))


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without context processors: the database may be what failed.
    html = loader.get_template("500.html").render()
    return HttpResponse(html, status=500)


# --- Health ------------------------------------------------------------------------------------------------------
# /healthz answers while the process runs (for a process supervisor or a load balancer); /readyz checks what the
# platform needs to do its work, for monitoring. Neither needs a login, and neither says more than ok or why not.


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return ""


def _check_migrations() -> str:
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _("有 %(n)s 个数据库迁移尚未执行。") % {"n": len(pending)} if pending else ""


def _check_cache() -> str:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    found = cache.get(key)
    cache.delete(key)
    return "" if found == "1" else _("缓存写入后读不回。")


def _check_storage() -> str:
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    return ""


READY_CALENDAR_DAYS = 60


def _check_calendar() -> str:
    today = timezone.localdate()
    missing = calendar_missing_years(today, today + timedelta(days=READY_CALENDAR_DAYS))
    if not missing:
        return ""
    years = "、".join(map(str, missing))
    return _("今后 %(days)s 天内的期限无法计算：%(years)s年的节假日安排尚未收录。") % {
        "days": READY_CALENDAR_DAYS,
        "years": years,
    }


def _check_replica() -> tuple[str, dict]:
    """Reachable, replaying the primary's WAL, and not further behind than JIANGUAN_REPLICA_MAX_LAG_SECONDS."""
    from django.conf import settings

    from jianguan.lib.dbrouter import replica_lag

    lag = replica_lag()
    figures = {"lag_seconds": round(lag.lag_seconds, 3), "lag_bytes": lag.lag_bytes}
    if not lag.in_recovery:
        return _("只读副本不在复制状态（它不是主库的备库，或已被提升为主库）。"), figures
    if lag.lag_seconds > settings.JIANGUAN_REPLICA_MAX_LAG_SECONDS:
        return _("只读副本落后主库 %(seconds)s 秒，超过上限 %(limit)s 秒。") % {
            "seconds": round(lag.lag_seconds),
            "limit": settings.JIANGUAN_REPLICA_MAX_LAG_SECONDS,
        }, figures
    return "", figures


READY_CHECKS = {
    "database": _check_database,
    "migrations": _check_migrations,
    "cache": _check_cache,
    "storage": _check_storage,
    "calendar": _check_calendar,
}


def readyz(request: HttpRequest) -> JsonResponse:
    """Each check as {"ok": bool, "detail": why not}; 200 when all pass, 503 otherwise."""
    from jianguan.lib.dbrouter import replica_configured

    checks = {}
    # The replica's check also reports its lag (seconds and bytes of WAL behind).
    extra_checks = {"replica": _check_replica} if replica_configured() else {}
    for name, check in {**READY_CHECKS, **extra_checks}.items():
        figures: dict = {}
        try:
            problem = check()
            if isinstance(problem, tuple):
                problem, figures = problem
        except Exception as exc:  # a failing dependency is the answer here, not an error page
            problem = f"{type(exc).__name__}: {exc}"[:200]
        checks[name] = {"ok": not problem, **({"detail": problem} if problem else {}), **figures}
    ok = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)


def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js: the service worker, at the root so that it may serve every page (see templates/sw.js). Its version is
    the hash of the static files it lists, so a deploy replaces the cached ones."""
    from django.templatetags.static import static

    names = ["vendor/bootstrap/bootstrap.min.css", "css/jianguan.css", "js/site.js", "js/onsite.js"]
    version = hashlib.sha256("|".join(static(n) for n in names).encode()).hexdigest()[:12]
    response = render(request, "sw.js", {"version": version}, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


def web_manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: the platform added to a phone's home screen opens full screen, offline where it can."""
    from django.templatetags.static import static
    from django.utils.translation import gettext as _

    manifest = {
        "name": _("校外培训机构监管信息平台"),
        "short_name": _("监管平台"),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0d47a1",
        "lang": "zh-CN",
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return JsonResponse(manifest, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
