"""Validators shared by models, forms and API schemas."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# NUL and other control characters (tab and newlines are fine) cannot be stored by PostgreSQL or shown sensibly;
# lone surrogates cannot be encoded as UTF-8 at all.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def validate_plain_text(value: str) -> None:
    """Refuse text that holds control characters or invalid Unicode."""
    if isinstance(value, str) and _FORBIDDEN.search(value):
        raise ValidationError(_("内容包含不可见的控制字符或无效字符，请删除后重试。"), code="control_characters")


def field_text(value: object, field: str, limit: int, *, required: bool = True) -> str:
    """A service's text argument, trimmed and checked: required, at most `limit` characters, no control characters;
    a ValidationError on `field` with a Chinese message otherwise (what an API caller or an import row may send)."""
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise ValidationError({field: _("请填写此项。")})
    if len(text) > limit:
        raise ValidationError({field: _("不能超过 %(n)s 个字。") % {"n": limit}})
    try:
        validate_plain_text(text)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    return text


# Every free-text field has a bound: forms through max_length, the API through PlainText (jianguan.lib.api). Notes,
# reasons, opinions and descriptions hold at most TEXT_MAX_LENGTH characters unless a field states its own bound.
TEXT_MAX_LENGTH = 2000
PASSWORD_MAX_LENGTH = 128
ARTICLE_BODY_MAX_LENGTH = 200_000  # the sanitised HTML of a public article


_ITEM_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")


def validate_item_code(value: str) -> None:
    """A checklist item's code, by which the responsibility matrix splits an item off its category (the item's
    field, the matrix's entries and the matrix sheet all check it here)."""
    if value and not _ITEM_CODE.fullmatch(value):
        raise ValidationError(
            _("检查项代码只能由小写字母、数字和下划线组成，以字母开头，最多 40 个字符。"), code="item_code"
        )
