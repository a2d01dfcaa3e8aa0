"""Small helpers shared by the apps' forms and views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _


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


def workflow_step(
    request: HttpRequest,
    *,
    record: Any,
    action: str,
    workflow: Any,
    form: forms.BaseForm,
    act: Callable[..., Any],
    page: Callable[[tuple[str, Any]], HttpResponse],
    done_url: str,
) -> HttpResponse:
    """One step of a record's state machine from its page (a penalty case, a transfer): who may not take it is
    refused (403, the workflow's words) before the form is read; an invalid form or a service's refusal comes back on
    the page (400) with the form; an impossible step (the record moved on, a stale page) as a message; nothing saved
    in either case. `workflow` is the app's module (TRANSITIONS, may_act, WHO_LABELS, Conflict); `act` is the
    service, called with the form's data and its `version`."""
    rule = workflow.TRANSITIONS[action]
    if not workflow.may_act(request.user, record, rule.who):
        raise PermissionDenied(str(workflow.WHO_LABELS[rule.who]))
    if not form.is_valid():
        return page((action, form))
    data = dict(form.cleaned_data)
    version = data.pop("version", None)
    try:
        act(version=version, **data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return page((action, form))
    except workflow.Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已保存。"))
    return redirect(done_url)
