"""A bot trap that needs no outside service: a field people never see (bots fill every field) and a signed time
stamp of when the form was shown (bots post at once, or replay an old form).

The form carries `website` (hidden by CSS, skipped by screen readers and the tab key, `autocomplete=off`) and
`started` (the time the form was rendered, signed with SECRET_KEY so it cannot be forged). A post is refused when
`website` holds anything, when `started` is missing or forged, when it came sooner than
JIANGUAN_FORM_MIN_SECONDS after the form was shown, or when the form is older than a day."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SALT = "jianguan.bottrap"
MAX_AGE = 24 * 3600


def stamp() -> str:
    return signing.dumps(time.time(), salt=SALT)


def check(started: str, honeypot: str) -> None:
    if honeypot:
        raise ValidationError(_("提交未通过校验，请刷新页面后重新填写。"), code="bot")
    try:
        shown = float(signing.loads(started or "", salt=SALT, max_age=MAX_AGE))
    except (signing.BadSignature, TypeError, ValueError) as exc:
        raise ValidationError(_("页面已过期，请刷新页面后重新填写。"), code="expired") from exc
    if time.time() - shown < settings.JIANGUAN_FORM_MIN_SECONDS:
        raise ValidationError(_("提交过快，请核对填写内容后再提交。"), code="too_fast")


class BotTrapForm(forms.Form):
    """Mix into a public form; render `website` inside an element with class `visually-hidden` and aria-hidden."""

    website = forms.CharField(
        required=False,
        label=_("网址（请勿填写）"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["started"] = stamp()

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        check(self.data.get("started", ""), self.data.get("website", ""))
        return cleaned
