from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.lib.forms import paginate
from jianguan.lib.params import BadParameter, ids_param
from jianguan.notifications import selectors, services
from jianguan.notifications.forms import DeliveryFilter, PreferenceForm
from jianguan.notifications.models import Delivery, Notification, Preference


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = paginate(request, Notification.objects.visible_to(request.user), 30)
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    ids = ids_param(request.POST.getlist("id"), name="id")
    services.mark_read(actor=request.user, notification_ids=ids or None)
    return redirect("notifications:inbox")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """通知方式: the inbox always; e-mail and SMS as the person chooses, to the addresses they give."""
    user = request.user
    preference = Preference.objects.filter(user_id=user.pk).first()
    wanted = services.wanted_channels(user, preference)
    fallback = "" if user.phone else services.sms_number(user)  # an institution's contact phone, or nothing
    initial = {"email": wanted["email"], "sms": wanted["sms"], "email_address": user.email, "phone": user.phone}
    form = PreferenceForm(request.POST or None, initial=initial, sms_fallback=fallback)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.preference_set(
                actor=user, email=data["email"], sms=data["sms"], email_address=data["email_address"],
                phone=data["phone"],
            )  # fmt: skip
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("通知方式已保存。"))
            return redirect("notifications:preferences")
    status = 400 if form.errors else 200
    return render(request, "notifications/preferences.html", {"form": form}, status=status)


@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    """The administrator's view of e-mails and text messages: what failed, why, and a button to send it again."""
    require(request.user, "notifications.deliveries")
    data = request.GET.copy()
    data.setdefault("status", "failed")
    form = DeliveryFilter(data)
    if not form.is_valid():
        raise BadParameter(_("筛选条件无效。"))
    rows = selectors.deliveries(request.user, **form.cleaned_data)
    page = paginate(request, rows, 50)
    for delivery in page:
        delivery.retryable = services.may_retry(delivery)
    counts = selectors.delivery_counts(request.user)
    return render(request, "notifications/deliveries.html", {"form": form, "page": page, "counts": counts})


@login_required
@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "notifications.deliveries")
    delivery = get_visible_or_404(Delivery.objects.all(), request.user, pk=pk)
    try:
        services.delivery_retry(actor=request.user, delivery=delivery)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已重新排入发送队列。"))
    return redirect("notifications:delivery_list")
