"""The administrator's pages for webhooks: subscriptions (the secret shown once, at creation and rotation) and the
delivery log with 重新发送."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import allowed, require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.lib.forms import add_service_errors, attempt, paginate
from jianguan.lib.params import BadParameter
from jianguan.webhooks import selectors, sender, services
from jianguan.webhooks.forms import DeliveryFilter, SubscriptionForm
from jianguan.webhooks.models import Delivery, Subscription


def _secret_page(request: HttpRequest, subscription: Subscription, secret: str, created: bool) -> HttpResponse:
    """The one time the secret is shown: answered to the POST itself (never put in a session or a redirect), and
    never stored by a browser or proxy."""
    context = {"subscription": subscription, "secret": secret, "created": created}
    response = render(request, "webhooks/secret.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "webhooks.view")
    rows = list(selectors.subscriptions(request.user))
    for row in rows:
        row.shown_url = sender.display_url(row.target_url)
    context = {"subscriptions": rows, "may_manage": allowed(request.user, "webhooks.manage")}
    return render(request, "webhooks/subscription_list.html", context)


@login_required
def subscription_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "webhooks.manage")
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription, secret = services.subscription_create(
                actor=request.user, name=data["name"], target_url=data["target_url"], events=data["events"],
                is_active=data["is_active"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _secret_page(request, subscription, secret, created=True)
    status = 400 if form.errors else 200
    context = {"form": form, "title": _("新建事件推送订阅")}
    return render(request, "webhooks/subscription_form.html", context, status=status)


@login_required
def subscription_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "webhooks.manage")
    subscription = get_visible_or_404(Subscription.objects.all(), request.user, pk=pk)
    initial = {
        "name": subscription.name, "target_url": subscription.target_url, "events": subscription.events,
        "is_active": subscription.is_active, "version": subscription.version,
    }  # fmt: skip
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.subscription_update(
                actor=request.user, subscription=subscription, version=data["version"], name=data["name"],
                target_url=data["target_url"], events=data["events"], is_active=data["is_active"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("订阅已保存。"))
            return redirect("webhooks:subscription_list")
    status = 400 if form.errors else 200
    context = {"form": form, "title": _("修改事件推送订阅"), "subscription": subscription}
    return render(request, "webhooks/subscription_form.html", context, status=status)


@login_required
@require_POST
def subscription_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "webhooks.manage")
    subscription = get_visible_or_404(Subscription.objects.all(), request.user, pk=pk)
    attempt(
        request,
        lambda: services.subscription_deactivate(actor=request.user, subscription=subscription),
        _("订阅已停用，不再向其推送事件。"),
    )
    return redirect("webhooks:subscription_list")


@login_required
@require_POST
def subscription_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "webhooks.manage")
    subscription = get_visible_or_404(Subscription.objects.all(), request.user, pk=pk)
    subscription, secret = services.subscription_rotate_secret(actor=request.user, subscription=subscription)
    return _secret_page(request, subscription, secret, created=False)


@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    """推送记录: what was sent to whom, how it went, and 重新发送 for what failed."""
    require(request.user, "webhooks.view")
    form = DeliveryFilter(request.GET)
    if not form.is_valid():
        raise BadParameter(_("筛选条件无效。"))
    page = paginate(request, selectors.deliveries(request.user, **form.cleaned_data), 50)
    may_manage = allowed(request.user, "webhooks.manage")
    for delivery in page:
        delivery.redeliverable = may_manage and services.may_redeliver(delivery)
    return render(request, "webhooks/delivery_list.html", {"form": form, "page": page})


@login_required
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "webhooks.view")
    delivery = get_visible_or_404(Delivery.objects.select_related("subscription"), request.user, pk=pk)
    context = {
        "delivery": delivery,
        "attempts": delivery.attempt_log.all(),
        "payload": json.dumps(delivery.payload, ensure_ascii=False, indent=2, sort_keys=True),
        "shown_url": sender.display_url(delivery.subscription.target_url),
        "redeliverable": allowed(request.user, "webhooks.manage") and services.may_redeliver(delivery),
    }
    return render(request, "webhooks/delivery_detail.html", context)


@login_required
@require_POST
def delivery_redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "webhooks.manage")
    delivery = get_visible_or_404(Delivery.objects.all(), request.user, pk=pk)
    attempt(
        request,
        lambda: services.delivery_redeliver(actor=request.user, delivery=delivery),
        _("已重新排入发送队列。"),
    )
    return redirect("webhooks:delivery_detail", pk=delivery.pk)
