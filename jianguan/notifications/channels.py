"""The channels beyond the inbox: e-mail through Django's mail backend (SMTP when JIANGUAN_EMAIL_HOST is set) and SMS
through an HTTP gateway (JIANGUAN_SMS_URL). Each `send_*` returns normally or raises `SendError` with a short reason
the administrator reads on the failures page."""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from string import Template
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from jianguan.notifications.choices import Channel


class SendError(Exception):
    """A send that did not go through, with the reason (shown to the administrator, kept with the delivery)."""


def configured(channel: str) -> bool:
    if channel == Channel.EMAIL:
        return bool(settings.EMAIL_HOST)
    if channel == Channel.SMS:
        return bool(settings.JIANGUAN_SMS_URL)
    return False


def send_email(address: str, text: str, url: str) -> None:
    link = f"{settings.JIANGUAN_SITE_URL.rstrip('/')}{url}" if url else ""
    parts = [text, _("详情：%(link)s") % {"link": link} if link else "", _("此邮件由监管平台自动发送，请勿回复。")]
    body = "\n\n".join(part for part in parts if part)
    subject = settings.EMAIL_SUBJECT_PREFIX + (text if len(text) <= 60 else text[:59] + "…")
    message = EmailMessage(subject=subject, body=body, to=[address])
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(_("邮件服务器拒绝或无法连接：%(error)s") % {"error": _short(exc)}) from exc


def send_sms(phone: str, text: str) -> None:
    """POST the template with $phone and $text filled in (as JSON strings) to the gateway; any 2xx is success."""
    url = settings.JIANGUAN_SMS_URL
    if urlsplit(url).scheme not in ("http", "https"):
        raise SendError(_("短信网关地址须以 http:// 或 https:// 开头。"))
    content = f"{settings.JIANGUAN_SMS_SIGNATURE}{text}"
    body = Template(settings.JIANGUAN_SMS_TEMPLATE).safe_substitute(
        phone=json.dumps(phone, ensure_ascii=False)[1:-1], text=json.dumps(content, ensure_ascii=False)[1:-1]
    )
    try:
        json.loads(body)
    except ValueError as exc:
        raise SendError(_("短信模板 JIANGUAN_SMS_TEMPLATE 不是有效的 JSON。")) from exc
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if settings.JIANGUAN_SMS_TOKEN:
        headers["Authorization"] = f"Bearer {settings.JIANGUAN_SMS_TOKEN}"
    request = urllib.request.Request(url, data=body.encode("utf-8"), headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=settings.JIANGUAN_SMS_TIMEOUT) as response:  # noqa: S310
            response.read(4096)
    except urllib.error.HTTPError as exc:
        raise SendError(_("短信网关返回 HTTP %(status)s。") % {"status": exc.code}) from exc
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        raise SendError(_("无法连接短信网关：%(error)s") % {"error": _short(exc)}) from exc


def _short(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    return str(reason)[:200] or exc.__class__.__name__
