"""Unified social credit codes (统一社会信用代码, GB 32100-2015): normalisation, check character, validation.

A code is 18 characters from ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (I, O, S, V and Z are never used, so they cannot
be confused with 1, 0, 5, U and 2). Position 1 is the registration authority (登记管理部门代码), position 2 the
organisation category (机构类别代码), positions 3–8 the registering area's administrative division code (digits
only), positions 9–17 the organisation code, and position 18 a mod-31 check character over positions 1–17.

Only the structure and the check character are verified: which authority and category codes are in use changes
over time, and a wrong but well-formed code can only be caught by looking it up in the national register.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = [
    "ALPHABET",
    "LENGTH",
    "CreditCodeError",
    "check_char",
    "django_validator",
    "is_valid",
    "normalize",
    "validate",
]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18

_VALUES = {char: value for value, char in enumerate(ALPHABET)}
# Weight of position i (1-based) is 3^(i-1) mod 31: 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28.
_WEIGHTS = tuple(pow(3, i, 31) for i in range(LENGTH - 1))
_UNUSED_LETTERS = frozenset("IOSVZ")
_AREA = slice(2, 8)

# Invisible characters that survive copy-and-paste from web pages, Word and Excel. They are not whitespace to
# str.isspace() and NFKC keeps them, so they are removed explicitly.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_MAX_PASSES = 8


class CreditCodeError(ValueError):
    """A code that is not a valid unified social credit code.

    ``code`` is a short machine-readable reason (``"charset"``, ``"length"``, ``"area"`` or ``"check"``),
    ``message`` the Chinese explanation shown to the user, and ``position`` the 1-based position of the offending
    character when there is one.
    """

    def __init__(self, message: str, code: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.position = position

    def __reduce__(self) -> tuple[type[CreditCodeError], tuple[str, str, int | None]]:
        # args holds only the message, so default pickling would call __init__ without code and position.
        return (type(self), (self.message, self.code, self.position))


def normalize(raw: str) -> str:
    """Return ``raw`` with full-width characters made half-width, all whitespace and invisible characters removed,
    and letters uppercased. Does not validate."""
    # NFKC turns full-width digits and letters (typed with a Chinese input method) into ASCII and U+3000 into a space.
    # One pass is not always stable: removing a space can join a combining mark to the letter before it, and
    # uppercasing some Greek letters yields decomposed text, so both need another NFKC. Repeating until nothing
    # changes makes normalize idempotent (a stored code re-normalises to itself). Every single character, and
    # random strings of the characters these steps touch, settle within three passes; the cap only guards
    # against looping forever on some input nobody has found.
    text = raw
    for _pass in range(_MAX_PASSES):
        normalized = "".join(unicodedata.normalize("NFKC", text).translate(_INVISIBLE).split()).upper()
        if normalized == text:
            break
        text = normalized
    return text


def _check_charset(code: str) -> None:
    for position, char in enumerate(code, start=1):
        if char in _VALUES:
            continue
        if char in _UNUSED_LETTERS:
            message = _("含有不允许的字符“%(char)s”（第 %(position)d 位；统一社会信用代码不使用 I、O、S、V、Z）")
        else:
            message = _(
                "含有不允许的字符“%(char)s”（第 %(position)d 位；只能使用数字和除 I、O、S、V、Z 以外的大写字母）"
            )
        raise CreditCodeError(message % {"char": char, "position": position}, "charset", position)


def _compute_check(body: str) -> str:
    total = sum(_VALUES[char] * weight for char, weight in zip(body, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def check_char(first17: str) -> str:
    """Return the check character (position 18) for the first 17 characters of a code.

    ``first17`` is used as given, not normalised. Raises :class:`CreditCodeError` when it is not 17 characters of
    the code alphabet.
    """
    _check_charset(first17)
    if len(first17) != LENGTH - 1:
        raise CreditCodeError(_("计算校验位需要前 17 位（当前 %(length)d 位）") % {"length": len(first17)}, "length")
    return _compute_check(first17)


def validate(raw: str) -> str:
    """Return the normalised code, or raise :class:`CreditCodeError` saying what is wrong with it."""
    code = normalize(raw)
    # Characters first: for a pasted "代码：9144…" or a stray hyphen, the bad character explains the problem,
    # while "length 19" alone would leave the user searching for it.
    _check_charset(code)
    if len(code) != LENGTH:
        raise CreditCodeError(_("长度应为 18 位（当前 %(length)d 位）") % {"length": len(code)}, "length")
    for position, char in enumerate(code[_AREA], start=_AREA.start + 1):
        if not char.isdigit():
            raise CreditCodeError(
                _("第 3–8 位应为行政区划代码（数字），第 %(position)d 位却是“%(char)s”")
                % {"position": position, "char": char},
                "area",
                position,
            )
    expected = _compute_check(code[:-1])
    if code[-1] != expected:
        raise CreditCodeError(
            _("校验位错误：第 18 位应为“%(expected)s”，实际为“%(actual)s”，请核对前 17 位是否抄错")
            % {"expected": expected, "actual": code[-1]},
            "check",
            LENGTH,
        )
    return code


def is_valid(raw: str) -> bool:
    """Whether ``raw`` is, after normalisation, a valid unified social credit code."""
    try:
        validate(raw)
    except CreditCodeError:
        return False
    return True


def django_validator(value: object) -> None:
    """Validator for model and form fields. Empty values pass: institutions without a licence have no code.

    Only validates; store :func:`normalize` of the value (e.g. in the form's ``clean_<field>``) so that full-width
    or spaced input is not saved as typed.
    """
    if value is None or value == "":
        return
    try:
        validate(str(value))
    except CreditCodeError as exc:
        raise ValidationError(exc.message, code=f"credit_code_{exc.code}") from exc
