"""Template helpers available in every template (registered as a builtin in settings)."""

from __future__ import annotations

from django import forms, template

register = template.Library()


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
