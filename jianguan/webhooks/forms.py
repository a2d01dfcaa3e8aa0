from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.webhooks.choices import DeliveryStatus, WebhookEvent
from jianguan.webhooks.models import Subscription


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100, help_text=_("对方系统的名称，如“市数据中心”。"))
    target_url = forms.CharField(
        label=_("接收地址"),
        max_length=500,
        help_text=_("对方接收事件的 http:// 或 https:// 地址；平台以 POST 发送 JSON，并附 HMAC-SHA256 签名。"),
    )
    events = forms.MultipleChoiceField(
        label=_("订阅的事件"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DeliveryFilter(forms.Form):
    subscription = forms.ModelChoiceField(
        label=_("订阅"), queryset=Subscription.objects.all(), required=False, empty_label=_("全部订阅")
    )
    event = forms.ChoiceField(label=_("事件"), choices=[("", _("全部事件")), *WebhookEvent.choices], required=False)
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部状态")), *DeliveryStatus.choices], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subscription"].queryset = Subscription.objects.only("pk", "name")  # type: ignore[attr-defined]
