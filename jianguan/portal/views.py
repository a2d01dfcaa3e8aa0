"""The public portal (公众查询): no login, a phone in one hand. Rate-limited per client."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.lib.ratelimit import over_limit
from jianguan.org.selectors import streets
from jianguan.portal import selectors
from jianguan.registry.choices import InstitutionKind
from jianguan.registry.models import Institution


def _too_many(request: HttpRequest) -> HttpResponse | None:
    if over_limit(request, "public", settings.JIANGUAN_PUBLIC_RATE_LIMIT, 60):
        response = render(request, "portal/too_many.html", {"message": _("查询过于频繁，请一分钟后再试。")}, status=429)
        response["Retry-After"] = "60"
        return response
    return None


def search(request: HttpRequest) -> HttpResponse:
    if (refused := _too_many(request)) is not None:
        return refused
    q = request.GET.get("q", "")[:50]
    street = request.GET.get("street", "")
    kind = request.GET.get("kind", "")
    street_id = int(street) if street.isdigit() else None
    kind = kind if kind in InstitutionKind.values else ""
    results = None
    if q.strip() or street_id or kind:
        queryset = selectors.search(q, street_id, kind).order_by("name", "pk")
        page = Paginator(queryset, 20).get_page(request.GET.get("page"))
        results = {
            "page": page,
            "rows": selectors.rows(
                Institution.objects.filter(pk__in=[i.pk for i in page]).order_by("name", "pk"), timezone.localdate()
            ),
        }
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "q": q,
        "street": street_id,
        "kind": kind,
        "streets": streets(),
        "kinds": InstitutionKind.choices,
        "results": results,
        "query": query.urlencode(),
    }
    return render(request, "portal/search.html", context)


def institution(request: HttpRequest, pk: int) -> HttpResponse:
    if (refused := _too_many(request)) is not None:
        return refused
    inst = get_object_or_404(Institution.objects.select_related("street"), pk=pk)
    return render(request, "portal/institution.html", {"p": selectors.profile(inst, timezone.localdate())})
