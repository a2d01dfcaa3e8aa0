"""Shared API pieces: the error body every endpoint documents for its 4xx answers."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Schema
from pydantic import AfterValidator

from jianguan.lib.validators import validate_plain_text


def _plain_text(value: str) -> str:
    try:
        validate_plain_text(value)
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from exc
    return value


# A string without control characters or invalid Unicode: use it for every text field an API accepts.
PlainText = Annotated[str, AfterValidator(_plain_text)]


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
