"""The public portal (公众查询): no login, a phone in one hand. Rate-limited per client."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.choices import Role
from jianguan.accounts.permissions import allowed, require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.articles.selectors import latest_published
from jianguan.lib.forms import add_service_errors, paginate
from jianguan.lib.params import choice_param, id_param, text_param
from jianguan.lib.ratelimit import retry_after
from jianguan.org.selectors import streets
from jianguan.portal import cache as portal_cache
from jianguan.portal import plate, selectors, services
from jianguan.portal.forms import AnswerForm, MarkForm, ObjectionForm
from jianguan.portal.models import PublicMark
from jianguan.registry.choices import InstitutionKind
from jianguan.registry.models import Institution
from jianguan.registry.search import by_name, similar
from jianguan.staff.selectors import public_teachers


def too_many(
    request: HttpRequest, purpose: str = "public", limit: int | None = None, window: int = 60, message: str = ""
) -> HttpResponse | None:
    """The public pages' rate limit per client: None while within it, else a Chinese 429 page with Retry-After."""
    limit = settings.JIANGUAN_PUBLIC_RATE_LIMIT if limit is None else limit
    wait = retry_after(request, purpose, limit, window)
    if wait is not None:
        message = message or _("查询过于频繁，请一分钟后再试。")
        response = render(request, "portal/too_many.html", {"message": message}, status=429)
        response["Retry-After"] = str(wait)
        return response
    return None


def search(request: HttpRequest) -> HttpResponse:
    """The search page: its body (form, results, suggestions, latest articles) comes from the portal's cache, keyed by
    the normalised parameters, and goes into the language's shell (`_page`)."""
    if (refused := too_many(request)) is not None:
        return refused
    q = text_param(request.GET, "q", max_length=50)
    street_id = id_param(request.GET, "street")
    kind = choice_param(request.GET, "kind", InstitutionKind.values)
    number = _page_number(request.GET.get("page", ""))
    key = portal_cache.entry_key("search", q, street_id, kind, number)
    body = portal_cache.cached(key, portal_cache.search_keys(), lambda: _search_body(q, street_id, kind, number))
    return _page("portal/search.html", body)


# The shell around a page's body (portal/base.html: head, header, footer) depends on the language alone. It is
# rendered without the request — no context processors: nothing of the request (a nonce, a token) or of a signed-in
# user can be in it — once per process, template and language, and split where the title and the body go.
_SHELLS: dict[tuple[str, str], tuple[list[str], str]] = {}
_TITLE, _BODY = "jg-portal-shell-title-9d41c7", "jg-portal-shell-body-9d41c7"


def _page(template: str, body: str, title: str = "") -> HttpResponse:
    """The page: `template` (which extends portal/base.html and puts {{ title }} and {{ body }} in its blocks) with
    the title escaped and the body — HTML rendered from public data — as it is."""
    shell_key = (template, translation.get_language() or "")
    shell = _SHELLS.get(shell_key)
    if shell is None:
        before, after = render_to_string(template, {"title": _TITLE, "body": _BODY}).split(_BODY)
        shell = (before.split(_TITLE), after)
        if not settings.DEBUG:  # templates reload while developing
            _SHELLS[shell_key] = shell
    before_title, after = shell
    return HttpResponse(escape(title).join(before_title) + body + after)


def _page_number(raw: str) -> int:
    """What Paginator.get_page makes of it: a number (out of range: the last page), anything else page 1."""
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 1


def _search_body(q: str, street_id: int | None, kind: str, number: int) -> str:
    """The body of the search page, rendered without the request: public data only (no nonce, token or user)."""
    results = None
    if q.strip() or street_id or kind:
        queryset = selectors.search(q, street_id, kind).order_by(*by_name(q))
        page = Paginator(queryset, 20).get_page(number)
        results = {
            "page": page,
            "rows": selectors.rows(
                Institution.objects.filter(pk__in=[i.pk for i in page]).order_by("name", "pk"), timezone.localdate()
            ),
            "suggestions": [],
        }
        if not page.object_list and q.strip():
            # Nothing matches what was typed: the closest names first ("您要找的是不是…"), never "unregistered" while
            # a close match exists.
            close = similar(selectors.search("", street_id, kind), q.strip())
            order = {i.pk: n for n, i in enumerate(close)}
            found = selectors.rows(Institution.objects.filter(pk__in=order), timezone.localdate())
            results["suggestions"] = sorted(found, key=lambda r: order[r.pk])
    query = urlencode([(name, value) for name, value in (("q", q), ("street", street_id), ("kind", kind)) if value])
    context = {
        "q": q,
        "street": street_id,
        "kind": kind,
        "streets": streets(),
        "kinds": InstitutionKind.choices,
        "results": results,
        "query": query,
        "articles": latest_published(3),
    }
    return render_to_string("portal/partials/search_body.html", context)


def institution(request: HttpRequest, pk: int) -> HttpResponse:
    """An institution's public page: its body from the portal's cache, in the language's shell (see search)."""
    if (refused := too_many(request)) is not None:
        return refused
    key = portal_cache.entry_key("institution", pk)
    name, body = portal_cache.cached(key, portal_cache.page_keys(pk), lambda: _institution_body(pk))
    return _page("portal/institution.html", body, title=name)


def _institution_body(pk: int) -> tuple[str, str]:
    """(name, body) of the institution's page, rendered without the request; Http404 (not cached) when missing."""
    inst = get_object_or_404(Institution.objects.select_related("street"), pk=pk)
    today = timezone.localdate()
    context = {"p": selectors.profile(inst, today), "penalties": selectors.penalties(inst, today)}
    # 双减: each current 学科类 teacher's name and 教师资格证 number, nothing else of the staff.
    context["teachers"] = public_teachers(inst, today)
    return inst.name, render_to_string("portal/partials/institution_body.html", context)


def institution_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The page's QR code as SVG (for screens and for printing by other means)."""
    if (refused := too_many(request)) is not None:
        return refused
    inst = get_object_or_404(Institution, pk=pk)
    response = HttpResponse(plate.qr_svg(plate.page_url(request, inst)), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def institution_plate(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable A5 plate for the door, as PDF."""
    if (refused := too_many(request)) is not None:
        return refused
    inst = get_object_or_404(Institution, pk=pk)
    response = HttpResponse(plate.plate_pdf(inst, plate.page_url(request, inst)), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=plate-{inst.pk}.pdf"
    return response


@login_required
def mark_list(request: HttpRequest) -> HttpResponse:
    """Staff: the whitelist and the blacklist, with a form to add and a button to withdraw."""
    require(request.user, "portal.lists")
    form = MarkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_add(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。放心机构即时公示；黑名单须告知机构，异议期满并答复异议后确认列入。"))
            return redirect("portal:mark_list")
    marks = PublicMark.objects.select_related("institution", "created_by", "withdrawn_by")
    return render(request, "portal/mark_list.html", {"form": form, "page": paginate(request, marks, 50)})


@login_required
def mark_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One mark: staff who manage the lists, and the institution itself (its notice of a proposed blacklisting, its
    objection and the answer)."""
    mark = get_visible_or_404(PublicMark.objects.select_related("institution"), request.user, pk=pk)
    staff = allowed(request.user, "portal.lists")
    party = request.user.role == Role.INSTITUTION
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms_ = {
        "object": ObjectionForm(request.POST if action == "object" else None, prefix="object"),
        "answer": AnswerForm(request.POST if action == "answer" else None, prefix="answer"),
    }
    if action:
        calls = {
            "object": (party, lambda data: services.mark_object(actor=request.user, mark=mark, **data)),
            "answer": (staff, lambda data: services.mark_answer(actor=request.user, mark=mark, **data)),
            "confirm": (staff, lambda data: services.mark_confirm(actor=request.user, mark=mark)),
        }
        if action not in calls or not calls[action][0]:
            raise PermissionDenied(_("您没有执行此操作的权限。"))
        form = forms_.get(action)
        if form is None or form.is_valid():
            try:
                calls[action][1](form.cleaned_data if form is not None else {})
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, _("已保存。"))
            return redirect("portal:mark_detail", pk=mark.pk)
    context = {"mark": mark, "staff": staff, "party": party, "forms": forms_, "today": timezone.localdate()}
    return render(request, "portal/mark_detail.html", context, status=400 if action else 200)


@login_required
@require_POST
def mark_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "portal.lists")
    mark = get_object_or_404(PublicMark, pk=pk)
    try:
        services.mark_withdraw(actor=request.user, mark=mark, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已撤销。"))
    return redirect("portal:mark_list")
