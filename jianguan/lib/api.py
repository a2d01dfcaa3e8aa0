"""Shared API pieces: the error body every endpoint documents for its 4xx answers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, Field, StringConstraints

from jianguan.lib.validators import TEXT_MAX_LENGTH, validate_plain_text


def _plain_text(value: str) -> str:
    try:
        validate_plain_text(value)
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from exc
    if len(value) > TEXT_MAX_LENGTH:
        raise ValueError(f"内容过长：最多 {TEXT_MAX_LENGTH} 个字，收到 {len(value)} 个字。")
    return value


def _bounded(schema: dict[str, Any]) -> None:
    schema.setdefault("maxLength", TEXT_MAX_LENGTH)  # a field's own Field(max_length=…) comes first


# A string without control characters or invalid Unicode, of at most TEXT_MAX_LENGTH characters (a field may state a
# smaller bound with Field(max_length=…)): use it for every text field an API accepts.
# (Checked in Python rather than by a string constraint, so that invalid Unicode still gets the Chinese message.)
PlainText = Annotated[str, AfterValidator(_plain_text), Field(json_schema_extra=_bounded)]
# The code of a choice (a kind, an outcome, a category): the service checks it against its choices.
ChoiceCode = Annotated[str, StringConstraints(max_length=40)]


# The machine-readable `code` of every error the API answers (a contract: clients branch on it, not on the Chinese
# `message`). By status: 400 invalid (a service refused the input) or bad_request (it could not be read), 401
# unauthenticated, 403 forbidden, 404 not_found, 405 method_not_allowed, 409 conflict (the record's state does not
# allow it) or stale_version (changed by someone else since the caller read it), 414 uri_too_long, 422
# validation_error (a parameter or field does not match the schema, e.g. an unknown filter value), 429 rate_limited,
# 500 server_error.
ErrorCode = Literal[
    "invalid",
    "bad_request",
    "unauthenticated",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "conflict",
    "stale_version",
    "uri_too_long",
    "validation_error",
    "rate_limited",
    "server_error",
]
STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    414: "uri_too_long",
    422: "validation_error",
    429: "rate_limited",
    500: "server_error",
}


class PageOut(Schema):
    """What every paged list answers beside its items: the total, and the URLs of the next and previous pages (the
    same parameters with the offset moved by the limit; null at either end)."""

    count: int
    next: str | None = None
    previous: str | None = None


def page(request: Any, count: int, offset: int, limit: int) -> dict[str, Any]:
    """count, next and previous for a page of `limit` rows from `offset` of `count` (see PageOut)."""

    def url(start: int) -> str:
        params = request.GET.copy()
        params["offset"] = str(start)
        params["limit"] = str(limit)
        return request.build_absolute_uri(request.path + "?" + params.urlencode())

    return {
        "count": count,
        "next": url(offset + limit) if offset + limit < count else None,
        "previous": url(max(offset - limit, 0)) if offset > 0 else None,
    }


class TransitionOut(Schema):
    code: str
    label: str


def endpoint_names(available: Iterable[str], endpoints: Mapping[str, str]) -> list[str]:
    """The operationIds that take the available actions, each once, in the actions' order (an action without an
    endpoint is left out: it is offered on the page only)."""
    return list(dict.fromkeys(endpoints[a] for a in available if a in endpoints))


def transitions(available: Iterable[str], choices: Any) -> list[dict[str, str]]:
    """The available actions as code and label (the choices' label in the request's language)."""
    labels = dict(choices.choices)
    return [{"code": str(a), "label": str(labels.get(a, a))} for a in available]


UPDATED_SINCE_HELP = (
    "只列出此时刻（含）以后有变动的记录，按变动时间先后排列（ISO 8601；不带时区按北京时间）。"
    "对接方记下最后一条的 updated_at，下次从它开始取。"
)


def changed_since(queryset: QuerySet[Any], since: datetime | None, field: str = "updated_at") -> QuerySet[Any]:
    """A change feed: the rows changed at or after `since`, the oldest change first (then by id, so that pages do
    not shift while the reader walks them); the queryset as it was without `since`."""
    if since is None:
        return queryset
    if timezone.is_naive(since):
        since = timezone.make_aware(since)
    try:  # in UTC: a database takes no offset beyond ±15:59, an ISO 8601 string may carry one up to ±23:59
        since = since.astimezone(UTC)
    except OverflowError:  # beyond the calendar's ends: nothing changed after year 9999, everything after year 1
        return queryset.none() if since.year > 1 else queryset.order_by(field, "pk")
    return queryset.filter(**{f"{field}__gte": since}).order_by(field, "pk")


def choice_filter(choices: Any) -> Any:
    """A filter parameter's type from a form field's choices (or a TextChoices' `.choices`): an enum in the schema,
    and any other value refused with 422 (validation_error) instead of being ignored. The empty "all" choice is
    left out: an absent parameter means all."""
    values = tuple(str(value) for value, _label in choices if value not in ("", None))
    return Literal[values]  # type: ignore[valid-type]


class ErrorOut(Schema):
    code: ErrorCode
    message: str
    errors: Any = None


# 400 a service refused the input (or a parameter held a control character), 401 no valid token or session, 403 the
# role may not, 404 missing or outside the caller's scope, 414 query string too long, 422 malformed request,
# 429 rate-limited.
ERROR_CODES = frozenset({400, 401, 403, 404, 414, 422, 429})


def responses(ok: Any, status: int = 200, conflict: bool = False) -> dict:
    """A response map: the success schema plus the documented Chinese error body for every 4xx status (and 409 for
    state transitions that can find the object already moved on)."""
    return {status: ok, (ERROR_CODES | {409}) if conflict else ERROR_CODES: ErrorOut}
