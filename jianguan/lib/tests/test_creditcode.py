"""Tests for jianguan.lib.creditcode: real codes, normalisation, each error with its message, and properties."""

from __future__ import annotations

import pickle
import string
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from jianguan.lib import creditcode
from jianguan.lib.creditcode import (
    ALPHABET,
    CreditCodeError,
    check_char,
    django_validator,
    is_valid,
    normalize,
    validate,
)

REAL_CODES = ["91440300MA5H0HLK5U", "91133100MA0D8N1J7G"]

# Position 1–2 and 9–17 may be any character of the alphabet; 3–8 are the area code and must be digits.
bodies = st.builds(
    lambda head, area, org: head + area + org,
    st.text(alphabet=ALPHABET, min_size=2, max_size=2),
    st.text(alphabet=string.digits, min_size=6, max_size=6),
    st.text(alphabet=ALPHABET, min_size=9, max_size=9),
)
valid_codes = bodies.map(lambda body: body + check_char(body))


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    # The messages are asserted in Chinese whatever language an earlier test left active.
    with translation.override("zh-hans"):
        yield


@pytest.fixture(params=REAL_CODES)
def real_code(request: pytest.FixtureRequest) -> str:
    return request.param


def test_real_codes_are_valid(real_code: str) -> None:
    assert validate(real_code) == real_code
    assert is_valid(real_code)
    assert check_char(real_code[:17]) == real_code[17]


def test_weights_are_powers_of_three_mod_31() -> None:
    assert creditcode._WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_check_value_31_becomes_0() -> None:
    # Σ = 0 (all zeros) gives c = 31 − 0 = 31, which the standard writes as 0.
    assert check_char("0" * 17) == "0"
    assert is_valid("0" * 18)


@pytest.mark.parametrize(
    "raw",
    [
        "９１４４０３００ＭＡ５Ｈ０ＨＬＫ５Ｕ",
        "91440300ma5h0hlk5u",
        "  91440300MA5H0HLK5U  ",
        "9144 0300 MA5H 0HLK 5U",
        "\t91440300\nMA5H0HLK5U\r\n",
        "\u300091440300MA5H0HLK5U\u3000",
        "9144\u200b0300MA5H0HLK5U\ufeff",
        "９１４４０３００\u3000ｍａ５ｈ０ｈｌｋ５ｕ",
    ],
)
def test_normalisation(raw: str) -> None:
    assert normalize(raw) == "91440300MA5H0HLK5U"
    assert validate(raw) == "91440300MA5H0HLK5U"
    assert is_valid(raw)


def test_normalize_does_not_validate() -> None:
    assert normalize(" abc ") == "ABC"


def error_for(raw: str) -> CreditCodeError:
    with pytest.raises(CreditCodeError) as info:
        validate(raw)
    assert not is_valid(raw)
    return info.value


@pytest.mark.parametrize(("raw", "length"), [("91440300MA5H0HLK5", 17), ("91440300MA5H0HLK5UU", 19), ("", 0)])
def test_length_error(raw: str, length: int) -> None:
    error = error_for(raw)
    assert error.code == "length"
    assert str(error) == error.message == f"长度应为 18 位（当前 {length} 位）"


@pytest.mark.parametrize(("letter", "position"), [("I", 1), ("O", 10), ("S", 12), ("V", 17), ("Z", 18)])
def test_unused_letter(letter: str, position: int) -> None:
    code = list(REAL_CODES[0])
    code[position - 1] = letter
    error = error_for("".join(code))
    assert error.code == "charset"
    assert error.position == position
    assert error.message == f"含有不允许的字符“{letter}”（第 {position} 位；统一社会信用代码不使用 I、O、S、V、Z）"


def test_lowercase_unused_letter_is_reported_uppercased() -> None:
    error = error_for("91440300mo5h0hlk5u")
    assert error.code == "charset"
    assert "含有不允许的字符“O”" in error.message


@pytest.mark.parametrize(
    ("raw", "char", "position"),
    [
        ("91440300-MA5H0HLK5U", "-", 9),
        ("统一社会信用代码：91440300MA5H0HLK5U", "统", 1),
        ("91440300MA5H0HLK5#", "#", 18),
    ],
)
def test_other_disallowed_character(raw: str, char: str, position: int) -> None:
    # Characters are checked before length, so a stray hyphen is named instead of “19 位”.
    error = error_for(raw)
    assert error.code == "charset"
    assert error.position == position
    assert (
        error.message == f"含有不允许的字符“{char}”（第 {position} 位；只能使用数字和除 I、O、S、V、Z 以外的大写字母）"
    )


def test_area_code_must_be_digits() -> None:
    error = error_for("9144A300MA5H0HLK5U")
    assert error.code == "area"
    assert error.position == 5
    assert error.message == "第 3–8 位应为行政区划代码（数字），第 5 位却是“A”"


def test_wrong_check_character() -> None:
    error = error_for("91440300MA5H0HLK5X")
    assert error.code == "check"
    assert error.position == 18
    assert error.message.startswith("校验位错误：第 18 位应为“U”，实际为“X”")


def test_transposed_body_characters_fail_the_check() -> None:
    error = error_for("91440300AM5H0HLK5U")
    assert error.code == "check"


@pytest.mark.parametrize("body", ["91440300MA5H0HLK", "91440300MA5H0HLK5U", "91440300MA5H0HLKO"])
def test_check_char_needs_17_characters_of_the_alphabet(body: str) -> None:
    with pytest.raises(CreditCodeError):
        check_char(body)


def test_error_is_a_value_error_and_pickles() -> None:
    error = error_for("91440300MA5H0HLK5X")
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.code, copy.position) == (error.message, error.code, error.position)


@pytest.mark.parametrize("value", [None, ""])
def test_django_validator_allows_empty(value: str | None) -> None:
    django_validator(value)


def test_django_validator_accepts_valid_and_unnormalised(real_code: str) -> None:
    django_validator(real_code)
    django_validator(f" {real_code.lower()} ")


def test_django_validator_raises_validation_error_with_the_chinese_message() -> None:
    with pytest.raises(ValidationError) as info:
        django_validator("91440300MA5H0HLK5X")
    assert info.value.code == "credit_code_check"
    assert info.value.messages == [error_for("91440300MA5H0HLK5X").message]


# Properties


@given(bodies)
def test_body_plus_check_char_is_valid(body: str) -> None:
    code = body + check_char(body)
    assert validate(code) == code
    assert validate(f" {code.lower()} ") == code


@given(valid_codes, st.data())
def test_any_single_substitution_is_detected(code: str, data: st.DataObject) -> None:
    # The weights are non-zero mod the prime 31 and values differ by 1–30, so one changed character always changes
    # the weighted sum: a typo anywhere, check character included, never yields another valid code.
    position = data.draw(st.integers(min_value=0, max_value=17), label="index")
    replacement = data.draw(st.sampled_from(ALPHABET).filter(lambda char: char != code[position]), label="char")
    changed = code[:position] + replacement + code[position + 1 :]
    error = error_for(changed)
    expected = "area" if 2 <= position <= 7 and not replacement.isdigit() else "check"
    assert error.code == expected


@given(st.text())
def test_normalize_is_idempotent(raw: str) -> None:
    once = normalize(raw)
    assert normalize(once) == once


@given(st.text(alphabet=ALPHABET + ALPHABET.lower() + " \u3000\u200b\ufeff\t０１２３ＡＢＣａｂｃ"))
def test_normalize_is_idempotent_on_typical_input(raw: str) -> None:
    once = normalize(raw)
    assert normalize(once) == once
    assert set(once) <= set(ALPHABET)
