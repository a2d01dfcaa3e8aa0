"""Badges for an institution's operating status and licence state, as tags: rendered in Python because the list page
shows 60 of them per request, where an {% include %} each cost more than the rest of the table."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jianguan.registry.choices import LicenceStatus, OperatingStatus

register = template.Library()

STATUS_CLASSES = {OperatingStatus.NORMAL: "text-bg-success", OperatingStatus.UNREGISTERED: "text-bg-warning"}
STATUS_LABELS = dict(OperatingStatus.choices)
LICENCE_BADGES = {
    LicenceStatus.VALID: ("text-bg-success", _("证照齐全")),
    LicenceStatus.EXPIRING: ("text-bg-warning", _("即将到期")),
    LicenceStatus.EXPIRED: ("text-bg-danger", _("证照过期")),
    LicenceStatus.MISSING: ("text-bg-danger", _("证照缺失")),
}
# One licence's own validity (the institution-level badge above says whether the set is complete).
SINGLE_LICENCE_BADGES = {
    LicenceStatus.VALID: ("text-bg-success", pgettext_lazy("licence", "有效")),
    LicenceStatus.EXPIRING: ("text-bg-warning", _("即将到期")),
    LicenceStatus.EXPIRED: ("text-bg-danger", _("已过期")),
}


@register.simple_tag
def status_badge(status: str) -> SafeString:
    return format_html(
        '<span class="badge {}">{}</span>',
        STATUS_CLASSES.get(status, "text-bg-danger"),
        STATUS_LABELS.get(status, status),
    )


@register.simple_tag
def licence_badge(state: str) -> SafeString:
    css, label = LICENCE_BADGES.get(state, LICENCE_BADGES[LicenceStatus.MISSING])
    return format_html('<span class="badge {}">{}</span>', css, label)


@register.simple_tag
def single_licence_badge(state: str) -> SafeString:
    css, label = SINGLE_LICENCE_BADGES.get(state, SINGLE_LICENCE_BADGES[LicenceStatus.VALID])
    return format_html('<span class="badge {}">{}</span>', css, label)
