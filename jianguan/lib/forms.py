"""Small helpers shared by the apps' forms and views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's validation errors on the form: on the field they name, or above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def attempt(request: HttpRequest, action: Callable[[], Any], done: str) -> tuple[bool, Any]:
    """Run a service for a POST button; its refusal (ValidationError) becomes an error message, success a success
    message. Returns (went through, the service's result)."""
    try:
        result = action()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return False, None
    messages.success(request, done)
    return True, result


def paginate(request: HttpRequest, queryset, per_page: int = 50) -> Page:  # type: ignore[no-untyped-def]
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


class HtmlDateInput(forms.DateInput):
    """<input type="date">: the browser's date picker needs the ISO value (2026-11-26), whatever the language's
    display format (the Chinese one, 2026年11月26日, would leave the picker empty)."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (photos from the phone's camera or gallery, or PDFs). The services check each
    file's content; `accept` only guides the phone's picker."""

    def __init__(self, *args: Any, accept: str = "image/*,application/pdf", **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept, "multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, (list, tuple)):
            return [
                super(MultipleFileField, self).clean(d, initial) for d in data if d
            ]  # (a comprehension: no bare super)
        return [super().clean(data, initial)] if data else []


class VersionForm(forms.Form):
    """The version of the object the page showed: a service compares it to refuse a stale form (conflict)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def form_errors_text(form: forms.BaseForm) -> str:
    """A refused action form as one message line: "label：error；…" (for forms posted from a detail page)."""
    return "；".join(
        f"{form.fields[name].label}：{e}" if name in form.fields else str(e)
        for name, errors in form.errors.items()
        for e in errors
    )
