"""A bot trap that needs no outside service: a field people never see (bots fill every field) and a signed time
stamp of when the form was shown (bots post at once, or replay an old form).

The form carries `website` (hidden by CSS, skipped by screen readers and the tab key, `autocomplete=off`) and
`started` (the time the form was rendered, signed with SECRET_KEY so it cannot be forged). A post is refused when
`website` holds anything, when `started` is missing or forged, when it came sooner than
JIANGUAN_FORM_MIN_SECONDS after the form was shown, when the form is older than a day, or when the same stamp was
already used for a post that passed (each stamp carries a random nonce, spent in the shared cache: a replayed form
is refused; with JIANGUAN_REDIS_URL across every worker)."""

from __future__ import annotations

import secrets
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SALT = "jianguan.bottrap"
MAX_AGE = 24 * 3600


def stamp() -> str:
    return signing.dumps([time.time(), secrets.token_urlsafe(12)], salt=SALT)


def check(started: str, honeypot: str) -> str:
    """Refuse a bot's post; return the stamp's nonce (to be spent with `spend` once the post is otherwise valid)."""
    if honeypot:
        raise ValidationError(_("提交未通过校验，请刷新页面后重新填写。"), code="bot")
    try:
        shown, nonce = signing.loads(started or "", salt=SALT, max_age=MAX_AGE)
        shown = float(shown)
    except (signing.BadSignature, TypeError, ValueError) as exc:
        raise ValidationError(_("页面已过期，请刷新页面后重新填写。"), code="expired") from exc
    if time.time() - shown < settings.JIANGUAN_FORM_MIN_SECONDS:
        raise ValidationError(_("提交过快，请核对填写内容后再提交。"), code="too_fast")
    return str(nonce)


def spend(nonce: str) -> None:
    """Use the stamp up; a second post with it (a replay, a double submit) is refused."""
    if not cache.add(f"bottrap:{nonce}", 1, timeout=MAX_AGE + 60):
        raise ValidationError(_("该表单已经提交过，请刷新页面后重新填写。"), code="replayed")


class BotTrapForm(forms.Form):
    """Mix into a public form; render `website` inside an element with class `visually-hidden` and aria-hidden."""

    website = forms.CharField(
        max_length=100,
        required=False,
        label=_("网址（请勿填写）"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["started"] = stamp()

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        nonce = check(self.data.get("started", ""), self.data.get("website", ""))
        if not self.errors:
            spend(nonce)
            # Should the post still be refused further on, the form shown again carries a fresh stamp.
            self.data = self.data.copy()
            self.data["started"] = stamp()
        return cleaned
