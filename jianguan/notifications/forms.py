from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.notifications import channels
from jianguan.notifications.choices import Channel, DeliveryStatus


class PreferenceForm(forms.Form):
    """A person's channels and addresses. A channel the deployment has not configured is shown, switched off."""

    email = forms.BooleanField(label=_("同时发送电子邮件"), required=False)
    email_address = forms.EmailField(label=_("电子邮箱"), max_length=254, required=False)
    sms = forms.BooleanField(label=_("同时发送短信"), required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)

    def __init__(self, *args: Any, sms_fallback: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for channel, name in ((Channel.EMAIL, "email"), (Channel.SMS, "sms")):
            if not channels.configured(channel):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("本平台尚未配置%(channel)s发送，暂时只有站内通知。") % {
                    "channel": Channel(channel).label
                }
        if sms_fallback:
            self.fields["phone"].help_text = _("不填时发到机构的联系电话 %(phone)s。") % {"phone": sms_fallback}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("email") and not data.get("email_address") and not self.fields["email"].disabled:
            self.add_error("email_address", _("选择电子邮件通知时，请填写电子邮箱。"))
        return data


class DeliveryFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *DeliveryStatus.choices], required=False, initial="failed"
    )
    channel = forms.ChoiceField(label=_("渠道"), choices=[("", _("全部渠道")), *Channel.choices], required=False)
