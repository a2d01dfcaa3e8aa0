"""Cleaning cell values from the Excel sheets street offices send in: text, dates, integers, decimals and names.

The sheets are typed by hand with Chinese input methods, so cells hold full-width digits and letters, stray
spaces, invisible characters pasted from web pages, phone numbers that Excel turned into floats, and dates in
every format people write. Each function takes the raw cell value (``str``, ``int``, ``float``, ``Decimal``,
``date``/``datetime`` or ``None``, as openpyxl returns them) and either returns a clean value or raises
:class:`ValueError` with a Chinese message that can be shown next to the row.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

__all__ = ["clean_text", "mask_phone", "normalize_name", "parse_date", "parse_decimal", "parse_int"]

# Full-width forms that are the normal punctuation of Chinese text. They stay as typed in names and addresses
# (“北京市（海淀区）” must not become “北京市(海淀区)”); every other character of U+FF01–U+FF5E is a full-width copy
# of an ASCII letter, digit or symbol and is made half-width.
_CHINESE_PUNCTUATION = "！（），：；？"

_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALF_WIDTH[0x3000] = ord(" ")  # ideographic space
# Invisible characters pasted from web pages and Word; str.isspace() does not count them as whitespace.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))

_TEXT_TABLE = {code: to for code, to in {**_HALF_WIDTH, **_INVISIBLE}.items() if chr(code) not in _CHINESE_PUNCTUATION}
# Numbers and dates have no Chinese text to keep readable, so there “，” and “．” become “,” and “.” too.
_NUMBER_TABLE = {**_HALF_WIDTH, **_INVISIBLE}

_WHITESPACE = re.compile(r"\s+")

# Excel's 1900 date system counts 1900-01-01 as day 1 and, copying a Lotus 1-2-3 bug, also counts the nonexistent
# 1900-02-29 as day 60. From day 61 on, the serial is therefore days since 1899-12-30; before it, days since
# 1899-12-31. This is what openpyxl.utils.datetime.from_excel does.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_EARLY_EPOCH = date(1899, 12, 31)
_EXCEL_FAKE_LEAP_DAY = 60

# Years are required to have four digits: “26-3-1” could be 2026 or 1926, and guessing is worse than asking.
# A time after the date (“2026-03-01 00:00:00”, the text of a datetime cell copied as text) is accepted and dropped.
_TIME = r"(?:\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + _TIME),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)

# Plain digits, or digits grouped by commas in threes. “12,5” is refused rather than read as 125 or 12.5.
_NUMBER = re.compile(r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?|[+-]?\.\d+")


def _number_text(value: int | float | Decimal) -> str:
    if isinstance(value, float) and value.is_integer():
        # Excel stores every number as a float: a phone number arrives as 13800138000.0.
        return str(int(value))
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return str(int(value))
    return str(value)


def clean_text(value: object) -> str:
    """Return the cell as tidy text: full-width letters, digits and symbols made half-width (Chinese punctuation
    such as “，（）” kept), invisible characters removed, whitespace trimmed and inner runs collapsed to one space.

    ``None`` becomes ``""``; numbers become their text, without the “.0” Excel adds to whole numbers.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        text = str(value)
    elif isinstance(value, int | float | Decimal):
        text = _number_text(value)
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    # Deliberately not NFKC: it would also rewrite Chinese punctuation, circled numbers (① → 1), units (㎡ → m2)
    # and CJK compatibility ideographs, changing names and addresses that are correct as typed.
    text = text.translate(_TEXT_TABLE)
    return _WHITESPACE.sub(" ", text).strip()


def _numeric_cell_text(value: object) -> str:
    # clean_text plus the full-width punctuation it keeps for prose (“８５．５”, “１，２００”).
    return clean_text(value).translate(_NUMBER_TABLE)


def _cell_decimal(value: object) -> tuple[Decimal | None, str]:
    """The cell as a finite Decimal (``None`` when empty or not a number) and its text for messages."""
    if isinstance(value, bool):
        # bool is an int subclass; TRUE in a number column is a mistake, not 1.
        return None, str(value)
    if isinstance(value, float):
        # repr gives the shortest text that round-trips, so 0.1 stays 0.1 instead of its binary expansion.
        number = Decimal(repr(value))
        return (number if number.is_finite() else None), repr(value)
    if isinstance(value, int | Decimal):
        number = Decimal(value)
        return (number if number.is_finite() else None), str(value)
    text = _numeric_cell_text(value)
    # Inner spaces are not skipped: “12 5” is more likely two values run together than 125.
    if not _NUMBER.fullmatch(text):
        return None, text
    return Decimal(text.replace(",", "")), text


def parse_int(value: object) -> int | None:
    """Return the cell as an integer, ``None`` when it is empty.

    Accepts numbers stored as text, full-width digits, surrounding spaces, thousands separators and a zero
    fraction (“120.0”). Raises :class:`ValueError` for anything else, including “12.5”.
    """
    if value is None or (isinstance(value, str) and clean_text(value) == ""):
        return None
    number, text = _cell_decimal(value)
    if number is None or number != number.to_integral_value():
        raise ValueError(_("“%(value)s”不是整数") % {"value": text})
    return int(number)


def parse_decimal(value: object) -> Decimal | None:
    """Return the cell as a Decimal, ``None`` when it is empty.

    Accepts numbers stored as text, full-width digits and decimal point (“８５．５”), surrounding spaces and
    thousands separators (“1,200.5”). Raises :class:`ValueError` for anything else.
    """
    if value is None or (isinstance(value, str) and clean_text(value) == ""):
        return None
    number, text = _cell_decimal(value)
    if number is None:
        raise ValueError(_("“%(value)s”不是有效的数字") % {"value": text})
    return number


def _unrecognised_date(text: str) -> ValueError:
    return ValueError(_("日期“%(value)s”无法识别，请使用 2026-03-01 这样的格式") % {"value": text})


def _make_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(_("日期“%(value)s”不存在") % {"value": text}) from None


def _date_from_serial(serial: int | float | Decimal, text: str) -> date:
    try:
        day = int(serial)  # the fraction is the time of day
    except (ValueError, OverflowError):  # NaN, infinity
        raise _unrecognised_date(text) from None
    if day < 1:
        raise _unrecognised_date(text)
    if day == _EXCEL_FAKE_LEAP_DAY:
        raise ValueError(_("日期“%(value)s”不存在") % {"value": text})
    epoch = _EXCEL_EPOCH if day > _EXCEL_FAKE_LEAP_DAY else _EXCEL_EARLY_EPOCH
    try:
        return epoch + timedelta(days=day)
    except OverflowError:
        raise _unrecognised_date(text) from None


def parse_date(value: object) -> date | None:
    """Return the cell as a date, ``None`` when it is empty.

    Accepts ``date``/``datetime`` cells, Excel serial numbers (1900 date system), numbers typed as 20260301, and
    text such as 2026-3-1, 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日 or 20260301, with full-width digits and
    surrounding spaces. Raises :class:`ValueError` with a Chinese message for anything else or a date that does
    not exist (2026-02-30).
    """
    if value is None:
        return None
    # datetime is a subclass of date, so it is tested first.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise _unrecognised_date(str(value))
    if isinstance(value, int | float | Decimal):
        text = _number_text(value)
        # 20260301 typed into a cell that is not formatted as a date is stored as a number, not as text. As a
        # serial it would be far beyond year 9999 (serial 2958465), so reading it as YYYYMMDD is unambiguous.
        if re.fullmatch(r"\d{8}", text):
            return _make_date(int(text[:4]), int(text[4:6]), int(text[6:]), text)
        return _date_from_serial(value, text)
    text = _numeric_cell_text(value)
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return _make_date(int(match["y"]), int(match["m"]), int(match["d"]), text)
    raise _unrecognised_date(text)


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def normalize_name(value: object) -> str:
    """Return a key for spotting duplicate institution names: the cleaned text without whitespace or punctuation
    (ASCII and Chinese, e.g. （）()·.,，、-—《》“”"'), ASCII letters lowercased.

    “ABC 教育（海淀）” and “abc教育(海淀)” give the same key. Use it only for comparison, never for display.
    """
    text = clean_text(value)
    # Unicode category P covers every bracket, dash, quote and dot in both scripts (including the several
    # different middle dots and dashes people type), so no hand-kept list can miss one.
    kept = (char for char in text if not char.isspace() and not _is_punctuation(char))
    return "".join(char.lower() if char.isascii() else char for char in kept)


def mask_phone(phone: str) -> str:
    """13800138000 → 138****8000; 0571-88886666 → 0571-****6666; anything else keeps only its last 4 digits."""
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return ""
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if "-" in phone:
        area = phone.split("-")[0].strip()
        return f"{area}-****{digits[-4:]}"
    return f"****{digits[-4:]}"
