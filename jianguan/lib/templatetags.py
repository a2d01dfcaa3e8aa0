"""Template helpers available in every template (registered as a builtin in settings)."""

from __future__ import annotations

from functools import cache
from typing import Any

from django import forms, template
from django.db import models

register = template.Library()


@cache
def _choice_labels(model: type[models.Model], field_name: str) -> dict[Any, Any]:
    return dict(model._meta.get_field(field_name).flatchoices)


@register.filter
def label(obj: models.Model, field_name: str) -> Any:
    """{{ inst|label:"kind" }}: the display label of a choice field, like get_kind_display() without rebuilding the
    choices for every call (list pages call it for every row)."""
    value = getattr(obj, field_name)
    return _choice_labels(type(obj), field_name).get(value, value)


@register.filter
def bs(field: forms.BoundField) -> str:
    """Render a form field's widget with the Bootstrap class that fits it."""
    widget = field.field.widget
    if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
        return field.as_widget()
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)
