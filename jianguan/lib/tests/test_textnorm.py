"""Tests for jianguan.lib.textnorm: cleaning text, dates, integers, decimals and names from messy Excel cells."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from jianguan.lib.textnorm import clean_text, normalize_name, parse_date, parse_decimal, parse_int

FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    # The messages are asserted in Chinese whatever language an earlier test left active.
    with translation.override("zh-hans"):
        yield


# clean_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        (13800138000.0, "13800138000"),
        (120, "120"),
        (85.5, "85.5"),
        (0.0, "0"),
        (Decimal("120.00"), "120"),
        (Decimal("85.50"), "85.50"),
        (date(2026, 3, 1), "2026-03-01"),
        (datetime(2026, 3, 1), "2026-03-01"),
        (datetime(2026, 3, 1, 9, 30), "2026-03-01 09:30:00"),
        ("  阳光  教育 \n\t培训学校  ", "阳光 教育 培训学校"),
        ("ＡＢＣ　１２３", "ABC 123"),
        ("ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ", "abc@example.com"),
        ("０１０－１２３４５６７８", "010-12345678"),
        ("３＃楼　２０１室", "3#楼 201室"),
        ("阳光\u200b教育\ufeff", "阳光教育"),
    ],
)
def test_clean_text(value: object, expected: str) -> None:
    assert clean_text(value) == expected


def test_clean_text_keeps_chinese_punctuation() -> None:
    text = "北京市海淀区（中关村），“阳光”教育：语文、数学；《论语》！是吗？好。"
    assert clean_text(text) == text


def test_clean_text_converts_ascii_inside_chinese_text_only() -> None:
    assert clean_text("阳光教育（ＡＢＣ分校），电话：０１０－８８８８") == "阳光教育（ABC分校），电话：010-8888"


@pytest.mark.parametrize("text", ["①号楼", "120㎡", "第Ⅱ期", "豈"])
def test_clean_text_is_not_nfkc(text: str) -> None:
    # NFKC would turn these into 1号楼, 120m2, 第II期 and a different ideograph (U+F900 → U+8C48).
    assert clean_text(text) == text


# parse_date


@pytest.mark.parametrize(
    "text",
    [
        "2026-3-1",
        "2026-03-01",
        "2026/03/01",
        "2026/3/1",
        "2026.3.1",
        "2026.03.01",
        "2026年3月1日",
        "2026年03月01日",
        "2026年3月1号",
        "2026 年 3 月 1 日",
        "20260301",
        "２０２６－０３－０１",
        "２０２６年３月１日",
        "２０２６０３０１",
        "２０２６．３．１",
        "  2026-03-01  ",
        "\u30002026/3/1\u3000",
        "2026-03-01 00:00:00",
        "2026/3/1 8:30",
    ],
)
def test_parse_date_text(text: str) -> None:
    assert parse_date(text) == date(2026, 3, 1)


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000", "\u200b"])
def test_parse_date_empty(value: str | None) -> None:
    assert parse_date(value) is None


def test_parse_date_date_and_datetime() -> None:
    assert parse_date(date(2026, 3, 1)) == date(2026, 3, 1)
    result = parse_date(datetime(2026, 3, 1, 14, 30))
    assert result == date(2026, 3, 1)
    assert type(result) is date


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (45658, date(2025, 1, 1)),
        (46082, date(2026, 3, 1)),
        (46082.0, date(2026, 3, 1)),
        (46082.75, date(2026, 3, 1)),  # 18:00 on that day
        (Decimal("46082"), date(2026, 3, 1)),
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (2958465, date(9999, 12, 31)),
    ],
)
def test_parse_date_excel_serial(serial: float, expected: date) -> None:
    assert parse_date(serial) == expected


def openpyxl_from_excel(value: float) -> date:
    # openpyxl.utils.datetime.from_excel for the 1900 date system, reduced to the date.
    day, _fraction = divmod(value, 1)
    if 0 <= value < 60:
        day += 1
    return (datetime(1899, 12, 30) + timedelta(days=day)).date()


@given(st.one_of(st.integers(min_value=1, max_value=59), st.integers(min_value=61, max_value=2958465)))
def test_parse_date_serial_matches_openpyxl(serial: int) -> None:
    assert parse_date(serial) == openpyxl_from_excel(serial)


@given(st.floats(min_value=61, max_value=2958465.99, allow_nan=False))
def test_parse_date_fractional_serial_matches_openpyxl(serial: float) -> None:
    assert parse_date(serial) == openpyxl_from_excel(serial)


@pytest.mark.parametrize("number", [20260301, 20260301.0])
def test_parse_date_number_typed_as_yyyymmdd(number: float) -> None:
    # Beyond the last Excel serial (9999-12-31 is 2958465), so it cannot be a serial.
    assert parse_date(number) == date(2026, 3, 1)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2026-02-30", "2026-02-30"),
        ("2026年2月30日", "2026年2月30日"),
        ("2026-13-01", "2026-13-01"),
        ("20260230", "20260230"),
        ("２０２６－０２－３０", "2026-02-30"),
        (20260230, "20260230"),
        (60, "60"),  # Excel's fictitious 1900-02-29
    ],
)
def test_parse_date_nonexistent(value: object, shown: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_date(value)
    assert str(info.value) == f"日期“{shown}”不存在"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("abc", "abc"),
        ("26-3-1", "26-3-1"),
        ("2026-3/1", "2026-3/1"),
        ("2026-03", "2026-03"),
        ("3/1/2026", "3/1/2026"),
        ("2026-03-01x", "2026-03-01x"),
        ("46082", "46082"),
        (0, "0"),
        (-5, "-5"),
        (1e12, "1000000000000"),
        (float("nan"), "nan"),
        (True, "True"),
    ],
)
def test_parse_date_unrecognised(value: object, shown: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_date(value)
    assert str(info.value) == f"日期“{shown}”无法识别，请使用 2026-03-01 这样的格式"


DATE_FORMATS: list[Callable[[date], str]] = [
    lambda d: f"{d.year}-{d.month}-{d.day}",
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month:02}/{d.day:02}",
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}年{d.month:02}月{d.day:02}日",
    lambda d: d.strftime("%Y%m%d"),
]


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    st.sampled_from(DATE_FORMATS),
    st.booleans(),
    st.sampled_from(["", " ", "  ", "\u3000", "\t"]),
)
def test_parse_date_round_trips(day: date, fmt: Callable[[date], str], full_width: bool, padding: str) -> None:
    text = fmt(day)
    if full_width:
        text = text.translate(FULL_WIDTH_DIGITS)
    assert parse_date(padding + text + padding) == day


# parse_int


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120),
        ("１２０", 120),
        (" 120 ", 120),
        ("\u3000１２０\u3000", 120),
        ("120.0", 120),
        ("120.00", 120),
        ("１２０．０", 120),
        (120, 120),
        (120.0, 120),
        (Decimal("120.0"), 120),
        ("1,200", 1200),
        ("１，２００", 1200),
        ("-3", -3),
        ("+3", 3),
        ("0", 0),
    ],
)
def test_parse_int(value: object, expected: int) -> None:
    result = parse_int(value)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000"])
def test_parse_int_empty(value: str | None) -> None:
    assert parse_int(value) is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("12.5", "12.5"),
        ("abc", "abc"),
        (12.5, "12.5"),
        ("１２．５", "12.5"),
        ("12,5", "12,5"),
        ("12 5", "12 5"),
        ("120人", "120人"),
        ("1e3", "1e3"),
        (float("inf"), "inf"),
        (True, "True"),
    ],
)
def test_parse_int_rejects(value: object, shown: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_int(value)
    assert str(info.value) == f"“{shown}”不是整数"


# parse_decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("85.5", Decimal("85.5")),
        ("８５．５", Decimal("85.5")),
        (" 85.5 ", Decimal("85.5")),
        ("1,200.5", Decimal("1200.5")),
        ("１，２００．５", Decimal("1200.5")),
        ("120", Decimal("120")),
        (".5", Decimal("0.5")),
        ("-0.25", Decimal("-0.25")),
        (85.5, Decimal("85.5")),
        (0.1, Decimal("0.1")),
        (120, Decimal("120")),
        (Decimal("85.50"), Decimal("85.50")),
    ],
)
def test_parse_decimal(value: object, expected: Decimal) -> None:
    result = parse_decimal(value)
    assert result == expected
    assert isinstance(result, Decimal)


@pytest.mark.parametrize("value", [None, "", "  "])
def test_parse_decimal_empty(value: str | None) -> None:
    assert parse_decimal(value) is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [("abc", "abc"), ("85.5元", "85.5元"), ("1,20.5", "1,20.5"), ("8.5.5", "8.5.5"), (float("nan"), "nan")],
)
def test_parse_decimal_rejects(value: object, shown: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_decimal(value)
    assert str(info.value) == f"“{shown}”不是有效的数字"


# normalize_name


@pytest.mark.parametrize(
    "variant",
    [
        "ABC 教育（海淀）",
        "abc教育(海淀)",
        "ＡＢＣ教育（海淀）",
        " A.B.C. 教育—海淀 ",
        "《ABC》教育·海淀",
        "“ABC”教育、海淀",
        "'abc' 教育-海淀",
        "ABC\u200b教育,海淀",
        "A B C\u3000教育，海淀",
    ],
)
def test_normalize_name_variants_collide(variant: str) -> None:
    assert normalize_name(variant) == "abc教育海淀"


def test_normalize_name_keeps_distinct_names_distinct() -> None:
    assert normalize_name("阳光教育（海淀）") != normalize_name("阳光教育（朝阳）")
    assert normalize_name(None) == ""
