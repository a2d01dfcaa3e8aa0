"""Error pages in the platform's own layout, without stack traces or internal details."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("请求有误"), _("请求无法处理，请检查后重试。"))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else _("您没有访问此页面的权限。")
    return _error(request, 403, _("无权访问"), message)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("页面不存在"), _("您要找的内容不存在，或不在您的权限范围内。"))


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without context processors: the database may be what failed.
    html = loader.get_template("500.html").render()
    return HttpResponse(html, status=500)
