"""Shared API pieces: the error body every endpoint documents for its 4xx answers."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
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


class ErrorOut(Schema):
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
