"""The risk level badge (A 低 green, B 中 blue, C 较高 orange, D 高 red) and the rating card of an institution's page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from jianguan.risk.choices import RiskLevel
from jianguan.risk.scoring import risk_levels

register = template.Library()

# Bootstrap has no orange badge; the letter and the word carry the level for those who cannot tell the colours.
LEVEL_ATTRS = {
    RiskLevel.A: ("badge text-bg-success", ""),
    RiskLevel.B: ("badge text-bg-primary", ""),
    RiskLevel.C: ("badge", "background-color: var(--bs-orange, #fd7e14); color: #000;"),
    RiskLevel.D: ("badge text-bg-danger", ""),
}
LEVEL_LABELS = dict(RiskLevel.choices)


@register.simple_tag
def risk_badge(level: str) -> SafeString:
    css, style = LEVEL_ATTRS.get(level, ("badge text-bg-secondary", ""))
    if style:
        return format_html(
            '<span class="{}" style="{}" data-risk-level="{}">{}</span>', css, style, level, LEVEL_LABELS[level]
        )
    return format_html('<span class="{}" data-risk-level="{}">{}</span>', css, level, LEVEL_LABELS.get(level, level))


@register.inclusion_tag("risk/partials/rating_card.html")
def risk_card(rating: Any) -> dict[str, Any]:
    """An institution's rating with the factors behind it (the registry's institution page, for staff)."""
    return {"rating": rating, "thresholds": risk_levels()}
