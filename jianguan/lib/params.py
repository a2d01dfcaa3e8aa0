"""One way in for request parameters: ids, dates, choices and text are parsed here, and what does not parse is
refused with HTTP 400 and a Chinese message (never an exception deeper down: a 500 from SQLite's OverflowError,
PostgreSQL's refusal of NUL, or int("²") — "²".isdigit() is True).

Views call these on request.GET / request.POST; `RequestParameterGuard` (jianguan.middleware) refuses NUL and other
control characters in any parameter before a view runs, so free text reaching the database is always storable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

# The largest id either database stores (a signed 64-bit integer).
MAX_ID = 2**63 - 1
_ASCII_DIGITS = re.compile(r"^[0-9]{1,19}$")
# C0 controls except tab, line feed and carriage return (which text areas send), DEL, and C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class BadParameter(BadRequest):
    """A request parameter that does not parse; its message is shown to the user (HTTP 400)."""


def _raw(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name, "")
    return value if isinstance(value, str) else str(value)


def parse_id(value: str, *, name: str = "") -> int:
    """A positive database id written in ASCII digits, within range; anything else is a BadParameter."""
    text = value.strip()
    if not _ASCII_DIGITS.match(text) or not 0 < int(text) <= MAX_ID:
        raise BadParameter(
            _("参数 %(name)s 应为编号（正整数），收到的是“%(value)s”。") % {"name": name or "id", "value": text[:20]}
        )
    return int(text)


def id_param(params: Mapping[str, Any], name: str) -> int | None:
    """An optional id parameter: None when absent or empty."""
    text = _raw(params, name).strip()
    return parse_id(text, name=name) if text else None


def ids_param(values: Iterable[str], *, name: str) -> list[int]:
    return [parse_id(v, name=name) for v in values if v.strip()]


def text_param(params: Mapping[str, Any], name: str, *, max_length: int = 100) -> str:
    """Free text (a search), stripped and cut to ``max_length``; control characters are refused."""
    text = _raw(params, name)
    if CONTROL.search(text):
        raise BadParameter(_("参数 %(name)s 含有控制字符，请删除后重试。") % {"name": name})
    return text.strip()[:max_length]


def choice_param(params: Mapping[str, Any], name: str, choices: Iterable[str], *, extra: Iterable[str] = ()) -> str:
    """One of ``choices`` (or ``extra`` values such as "overdue"), or "" when absent; anything else is refused."""
    text = _raw(params, name).strip()
    allowed = {*choices, *extra}
    if text and text not in allowed:
        raise BadParameter(_("参数 %(name)s 的取值“%(value)s”无效。") % {"name": name, "value": text[:20]})
    return text


def date_param(params: Mapping[str, Any], name: str) -> date | None:
    """An ISO date (2026-12-05), or None when absent."""
    text = _raw(params, name).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadParameter(
            _("参数 %(name)s 应为日期（如 2026-12-05），收到的是“%(value)s”。") % {"name": name, "value": text[:20]}
        ) from None
