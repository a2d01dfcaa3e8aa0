from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import allowed, require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.complaints.models import Complaint
from jianguan.enforcement.models import Case
from jianguan.ledger.models import LedgerItem
from jianguan.lib.forms import add_service_errors, paginate, workflow_step
from jianguan.lib.params import choice_param, id_param
from jianguan.org.choices import CheckCategory
from jianguan.registry.choices import InstitutionKind
from jianguan.registry.models import Institution
from jianguan.transfers import feed as feeds
from jianguan.transfers import selectors, services, workflow
from jianguan.transfers.choices import Direction, FeedEvent, TransferAction, TransferKind, TransferStatus
from jianguan.transfers.forms import FORMS, SubscriptionForm, TransferFilter, TransferForm
from jianguan.transfers.models import Subscription, Transfer

FEED_DAYS = ("7", "30", "90")


def _list_params(request: HttpRequest) -> dict[str, Any]:
    """The list's parameters, parsed once (an unknown value is refused with 400)."""
    params = request.GET
    return {
        "kind": choice_param(params, "kind", TransferKind.values),
        "status": choice_param(params, "status", TransferStatus.values),
        "direction": choice_param(params, "direction", Direction.values),
        "overdue": choice_param(params, "overdue", ("1", "true", "on")) != "",
    }


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "transfers.view")
    today = timezone.localdate()
    params = _list_params(request)
    transfers = selectors.filtered(selectors.transfers_for(request.user), request.user, today, **params)
    page = paginate(request, transfers, 30)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": TransferFilter(request.GET or None), "page": page,
        "rows": [(t, t.is_overdue(today)) for t in page], "query": query.urlencode(),
        "counts": selectors.counts(request.user, today), "may_send": allowed(request.user, "transfers.send"),
    }  # fmt: skip
    return render(request, "transfers/transfer_list.html", context)


def _sources(request: HttpRequest) -> dict[str, Any]:
    """The records a new transfer comes from, named by the page that opened the form (?institution=, ?complaint=,
    ?case=, ?item=): each must be one the user may see."""
    found: dict[str, Any] = {}
    for param, key, model in (
        ("institution", "institution", Institution), ("complaint", "complaint", Complaint), ("case", "case", Case),
        ("item", "ledger_item", LedgerItem),
    ):  # fmt: skip
        pk = id_param(request.GET, param)
        if pk is not None:
            found[key] = get_visible_or_404(model.objects.all(), request.user, pk=pk)
    return found


@login_required
def transfer_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "transfers.send")
    sources = _sources(request)
    initial: dict[str, Any] = {}
    if "ledger_item" in sources:
        initial["category"] = sources["ledger_item"].category
    form = TransferForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            transfer = services.transfer_send(actor=request.user, **data, **sources)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已发出。"))
            return redirect("transfers:transfer_detail", pk=transfer.pk)
    context = {"form": form, "sources": sources}
    return render(request, "transfers/transfer_new.html", context, status=400 if form.errors else 200)


def _transfer(request: HttpRequest, pk: int) -> Transfer:
    require(request.user, "transfers.view")
    return get_visible_or_404(selectors.transfers_for(request.user).select_related(
        "ledger_item", "complaint", "case__department", "created_by"), request.user, pk=pk)  # fmt: skip


def _page(request: HttpRequest, transfer: Transfer, refused: tuple[str, Any] | None = None) -> HttpResponse:
    user = request.user
    forms_: dict[str, Any] = {}
    for action in workflow.available(user, transfer):
        initial = {"version": transfer.version} if action != TransferAction.COMMENT else {}
        forms_[action] = FORMS[action](prefix=action, initial=initial)
    if refused:
        forms_[refused[0]] = refused[1]
    context = {
        "transfer": transfer,
        "overdue": transfer.is_overdue(timezone.localdate()),
        "actions": [(name, TransferAction(name).label, form) for name, form in forms_.items()],
        "open_form": refused[0] if refused else "",
        "steps": selectors.thread(user, transfer),
        "documents": selectors.letters(user, transfer),
        "side": workflow.side(user, transfer),
        "links": {
            key: getattr(transfer, key) for key in ("institution", "ledger_item", "complaint", "case")
            if getattr(transfer, f"{key}_id")
        },
    }  # fmt: skip
    return render(request, "transfers/transfer_detail.html", context, status=400 if refused else 200)


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _transfer(request, pk))


@login_required
@require_POST
def transfer_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step from the transfer page. A refused side is 403 before the form is read; an impossible step comes back
    as a message, nothing saved."""
    if action not in FORMS:
        raise Http404
    transfer = _transfer(request, pk)
    return workflow_step(
        request, record=transfer, action=action, workflow=workflow,
        form=FORMS[action](request.POST, prefix=action),
        act=lambda **data: services.ACTIONS[action](actor=request.user, transfer=transfer, **data),
        page=lambda refused: _page(request, transfer, refused=refused),
        done_url=reverse("transfers:transfer_detail", args=[transfer.pk]),
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------------- 信息共享


@login_required
def feed(request: HttpRequest) -> HttpResponse:
    """The feed of the user's own unit's subscriptions, or of one subscription the user may see (?subscription=)."""
    require(request.user, "feed.view")
    days = choice_param(request.GET, "days", FEED_DAYS) or "30"
    pk = id_param(request.GET, "subscription")
    visible = feeds.subscriptions_for(request.user)
    if pk is not None:
        chosen = [get_visible_or_404(visible, request.user, pk=pk)]
    else:
        chosen = feeds.own_subscriptions(request.user)
    today = timezone.localdate()
    items = feeds.feed(chosen, request.user, since=today - timedelta(days=int(days) - 1), until=today)
    context = {
        "items": items, "chosen": chosen, "subscriptions": list(visible), "days": days, "day_choices": FEED_DAYS,
        "current": pk,
    }  # fmt: skip
    return render(request, "transfers/feed.html", context)


@login_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    """The subscriptions the user may see, and a new one for the user's own unit."""
    require(request.user, "feed.view")
    form = SubscriptionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_save(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已订阅。"))
            return redirect("transfers:subscription_list")
    subscriptions = list(feeds.subscriptions_for(request.user))
    rows = [_row(s, f) for s, f in zip(subscriptions, feeds.filters_for(subscriptions), strict=True)]
    own = {s.pk for s in feeds.own_subscriptions(request.user)}
    context = {"form": form, "rows": rows, "own": own, "may_subscribe": bool(_unit_of(request.user))}
    return render(request, "transfers/subscription_list.html", context, status=400 if form.errors else 200)


def _row(subscription: Subscription, f: feeds.Filter) -> dict[str, Any]:
    """A subscription as its list shows it: labels of what it covers, as the feed applies it."""
    kinds, categories = dict(InstitutionKind.choices), dict(CheckCategory.choices)
    return {
        "s": subscription,
        "events": "、".join(str(FeedEvent(e).label) for e in subscription.events if e in FeedEvent.values),
        "categories": "、".join(str(categories[c]) for c in CheckCategory.values if c in f.categories),
        "kinds": "、".join(str(kinds[k]) for k in InstitutionKind.values if k in f.kinds),
        "streets": subscription.street.name if subscription.street_id else "、".join(
            s.name for s in subscription.streets.all()
        ),
    }  # fmt: skip


def _unit_of(user: Any) -> bool:
    return workflow.in_unit(user, user.department_id, None) or user.streets.exists()


def _own_subscription(request: HttpRequest, pk: int) -> Subscription:
    require(request.user, "feed.view")
    subscription = get_visible_or_404(feeds.subscriptions_for(request.user), request.user, pk=pk)
    if not workflow.in_unit(request.user, subscription.department_id, subscription.street_id):
        raise PermissionDenied(_("只能修改本单位的订阅。"))
    return subscription


@login_required
def subscription_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _own_subscription(request, pk)
    initial = {
        "name": subscription.name, "events": subscription.events, "categories": subscription.categories,
        "institution_kinds": subscription.institution_kinds, "streets": list(subscription.streets.all()),
        "street": subscription.street,
    }  # fmt: skip
    form = SubscriptionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_save(actor=request.user, subscription=subscription, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("transfers:subscription_list")
    context = {"form": form, "subscription": subscription}
    return render(request, "transfers/subscription_edit.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def subscription_delete(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _own_subscription(request, pk)
    services.subscription_delete(actor=request.user, subscription=subscription)
    messages.success(request, _("已取消订阅。"))
    return redirect("transfers:subscription_list")
