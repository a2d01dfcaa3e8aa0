"""The scoring function on hand-written facts: every factor moves the score and the level as the defaults documented
in settings.py, the README and scoring.py say; the settings change them; wrong settings are refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from jianguan.risk.scoring import WEIGHT_CODES, Factor, Facts, check_settings, score

# (facts, expected score, expected level, the explanations of its factors) under the default settings.
TABLE = [
    (Facts(), 0, "A", []),
    (Facts(licences_missing=1), 25, "B", ["缺少必备证照 1 项 +25"]),
    (Facts(licences_missing=2), 50, "C", ["缺少必备证照 2 项 +50"]),
    (Facts(licences_expired=1), 20, "B", ["证照过期 1 项 +20"]),
    (Facts(open_items={"minor": 1}), 2, "A", ["未销号整改事项（一般） 1 项 +2"]),
    (Facts(open_items={"major": 2}), 10, "B", ["未销号整改事项（较重） 2 项 +10"]),
    (Facts(open_items={"severe": 1}), 10, "B", ["未销号整改事项（严重） 1 项 +10"]),
    # An overdue item counts as open and again as overdue.
    (Facts(open_items={"minor": 1}, overdue_items={"minor": 1}), 7, "A", None),
    (Facts(open_items={"major": 1}, overdue_items={"major": 1}), 15, "B", None),
    (
        Facts(open_items={"severe": 1}, overdue_items={"severe": 1}),
        30,
        "C",
        ["未销号整改事项（严重） 1 项 +10", "逾期未整改（严重） 1 项 +20"],
    ),
    (Facts(rechecks_failed=1), 8, "A", ["复查未通过 1 次 +8"]),
    (Facts(rechecks_failed=2), 16, "B", None),
    (Facts(complaints=1), 3, "A", ["投诉举报（未核实） 1 件 +3"]),
    (Facts(complaints_partly=1), 6, "A", ["投诉举报（部分属实） 1 件 +6"]),
    (Facts(complaints_substantiated=1), 10, "B", ["投诉举报（属实） 1 件 +10"]),
    (Facts(referrals=1), 30, "C", ["移交处罚 1 次 +30"]),
    (Facts(referrals=2), 60, "D", None),
    (Facts(status="stop_enrolling"), 60, "D", ["经营状态：责令停止招生 +60"]),
    (Facts(status="suspended"), 60, "D", ["经营状态：停业整顿 +60"]),
    (Facts(status="licence_revoked"), 60, "D", ["经营状态：已吊销许可 +60"]),
    (Facts(status="unregistered", licences_missing=1), 85, "D", ["缺少必备证照 1 项 +25", "经营状态：未登记 +60"]),
    # No longer operating: rated on the records, and the page says so.
    (Facts(status="banned"), 0, "A", ["经营状态：已取缔 +0（已不再经营，评级仅供参考）"]),
    (Facts(status="deregistered", licences_expired=1), 20, "B", None),
    # The thresholds are inclusive: 9 is A, 10 is B, 29 is B, 30 is C, 59 is C, 60 is D.
    (Facts(complaints=3), 9, "A", None),
    (Facts(open_items={"severe": 1}), 10, "B", None),
    (Facts(licences_missing=1, complaints=1, rechecks_failed=0, open_items={"minor": 0}), 28, "B", None),
    (Facts(licences_missing=1, complaints=1, open_items={"minor": 1}), 30, "C", None),
    (Facts(licences_missing=2, complaints=3), 59, "C", None),
    (Facts(licences_missing=2, complaints=3, open_items={"minor": 1}), 61, "D", None),
]


@pytest.mark.parametrize("facts,points,level,explanations", TABLE)
def test_each_factor_moves_the_score_and_level_as_documented(facts, points, level, explanations):
    rating = score(facts)
    assert (rating.score, rating.level) == (points, level)
    assert rating.score == sum(f.points for f in rating.factors)
    if explanations is not None:
        assert [f.explanation for f in rating.factors] == explanations


def test_the_default_weights_are_the_documented_ones(settings):
    assert settings.JIANGUAN_RISK_LEVELS == {"D": 60, "C": 30, "B": 10}
    assert set(settings.JIANGUAN_RISK_WEIGHTS) == set(WEIGHT_CODES)
    assert settings.JIANGUAN_RISK_WEIGHTS["licence_expired"] == 20
    assert settings.JIANGUAN_RISK_WEIGHTS["status_stop_enrolling"] >= settings.JIANGUAN_RISK_LEVELS["D"]


def test_more_of_anything_never_lowers_the_score():
    base = Facts(licences_missing=1, open_items={"major": 1}, complaints=1)
    for more in [
        Facts(licences_missing=2, open_items={"major": 1}, complaints=1),
        Facts(licences_missing=1, open_items={"major": 2}, complaints=1),
        Facts(licences_missing=1, open_items={"major": 1}, overdue_items={"major": 1}, complaints=1),
        Facts(licences_missing=1, open_items={"major": 1}, complaints=1, complaints_substantiated=1),
        Facts(licences_missing=1, open_items={"major": 1}, complaints=1, referrals=1),
    ]:
        assert score(more).score > score(base).score


def test_a_substantiated_complaint_weighs_more_than_an_unverified_one():
    assert score(Facts(complaints_substantiated=1)).score > score(Facts(complaints_partly=1)).score
    assert score(Facts(complaints_partly=1)).score > score(Facts(complaints=1)).score


def test_weights_and_thresholds_come_from_the_settings(settings):
    facts = Facts(complaints=2)
    assert (score(facts).score, score(facts).level) == (6, "A")
    settings.JIANGUAN_RISK_WEIGHTS = {**settings.JIANGUAN_RISK_WEIGHTS, "complaint": 20}
    assert (score(facts).score, score(facts).level) == (40, "C")
    settings.JIANGUAN_RISK_LEVELS = {"D": 40, "C": 20, "B": 5}
    assert score(facts).level == "D"
    assert score(facts).factors == [Factor("complaint", 2, 40)]


def test_a_factor_weighted_zero_is_left_out(settings):
    settings.JIANGUAN_RISK_WEIGHTS = {**settings.JIANGUAN_RISK_WEIGHTS, "complaint": 0}
    rating = score(Facts(complaints=4, licences_expired=1))
    assert [f.code for f in rating.factors] == ["licence_expired"] and rating.score == 20


@pytest.mark.parametrize(
    "weights,levels",
    [
        ({"complaint": 3}, None),  # every other code missing
        ("unknown", None),
        ("negative", None),
        (None, {"D": 10, "C": 30, "B": 5}),  # out of order
        (None, {"D": 60, "C": 30}),  # B missing
    ],
)
def test_wrong_settings_are_refused(settings, weights, levels):
    if weights == "unknown":
        weights = {**settings.JIANGUAN_RISK_WEIGHTS, "complaints": 3}
    elif weights == "negative":
        weights = {**settings.JIANGUAN_RISK_WEIGHTS, "complaint": -3}
    if weights is not None:
        settings.JIANGUAN_RISK_WEIGHTS = weights
    if levels is not None:
        settings.JIANGUAN_RISK_LEVELS = levels
    with pytest.raises(ImproperlyConfigured):
        score(Facts())
    assert [e.id for e in check_settings()] == ["risk.E001"]


def test_the_default_settings_pass_the_system_check():
    assert check_settings() == []


def test_stored_factors_keep_codes_and_numbers_only():
    factor = score(Facts(licences_expired=1)).factors[0]
    assert factor.as_json() == {"code": "licence_expired", "count": 1, "points": 20}
    assert Factor.from_json(factor.as_json()) == factor
    # A code a later version no longer knows still displays.
    assert Factor.from_json({"code": "gone", "count": 1, "points": 5}).explanation == "gone +5"
