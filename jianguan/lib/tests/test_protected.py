"""Personal numbers: sealed and read back, fingerprinted, masked; hostile ID numbers refused in Chinese."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jianguan.lib import protected


def test_sealed_numbers_read_back_and_never_show_the_plain_text():
    token = protected.seal("110105199003070017")
    assert "110105" not in token and token.startswith("v1:")
    assert protected.unseal(token) == "110105199003070017"
    assert protected.seal("110105199003070017") != token  # a fresh nonce each time
    assert protected.unseal(token[:-4] + "AAAA") == ""  # tampered: nothing, not an error
    assert protected.unseal("") == "" and protected.seal("") == ""


def test_fingerprints_match_the_same_number_only():
    a = protected.fingerprint("110105199003070017")
    assert a == protected.fingerprint("110105199003070017") and len(a) == 64
    assert a != protected.fingerprint("330102199003070019")


def test_a_different_field_key_cannot_read_the_number(settings):
    token = protected.seal("110105199003070017")
    settings.JIANGUAN_FIELD_KEY = "ab" * 32
    assert protected.unseal(token) == ""


def test_masks():
    assert protected.mask_id_number("110105199003070017") == "110***********0017"
    assert protected.mask_account("6222020200112233445") == "**** **** 3445"
    assert protected.mask_person_name("张小明") == "张**"
    assert protected.mask_person_name("李") == "*"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("11010519900307001", "18 位"),
        ("110105199003070018", "无效"),  # check digit
        ("110105199013070017", "无效"),  # month 13
        ("330199198001010015", "无效"),  # a region stdnum does not know (KeyError inside stdnum)
        ("1101051990\x0003070017", "18 位"),
    ],
)
def test_bad_id_numbers_are_refused_in_chinese(value, message):
    with pytest.raises(ValueError, match=message):
        protected.clean_id_number(value)


def test_full_width_and_lower_case_are_normalised():
    assert protected.clean_id_number("１１０１０５１９９００３０７００１７") == "110105199003070017"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_refused_or_accepted_never_crashes(text):
    with contextlib.suppress(ValueError):
        protected.clean_id_number(text)


def test_the_deploy_check_asks_for_a_field_key_of_its_own(settings):
    settings.JIANGUAN_FIELD_KEY = ""
    assert [m.id for m in protected.check_field_key()] == ["protected.W001"]
    settings.JIANGUAN_FIELD_KEY = "not hex"
    assert [m.id for m in protected.check_field_key()] == ["protected.E001"]
    settings.JIANGUAN_FIELD_KEY = "ab" * 32
    assert protected.check_field_key() == []
