from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from jianguan.audit.choices import Source
from jianguan.audit.context import audit_context
from jianguan.lib.clientip import client_ip


class RequestContextMiddleware:
    """Marks every change made while serving a request with its source and client IP."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = Source.API if request.path.startswith("/api/") else Source.WEB
        with audit_context(source=source, ip=client_ip(request)):
            return self.get_response(request)
