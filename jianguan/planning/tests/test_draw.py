"""The draw as a pure function: reproducible from the seed and the snapshot, stratified by level and kind, teams of
two or more from the competent departments, never an officer with a declared relationship, the per-officer limit."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from jianguan.planning import draw as lots

LEVELS = "ABCD"
KINDS = ["academic", "non_academic", "meal_care"]
RATIOS = {"A": 5, "B": 10, "C": 20, "D": 100}


def synthetic(institutions: int = 2000, per_department: int = 30, conflicts: int = 200) -> lots.Snapshot:
    """Institutions spread over the kinds and levels (D rarer), three departments, some declared relationships."""
    targets = [(i, KINDS[i % 3], LEVELS[min(3, (i * 7919) % 10 // 3)]) for i in range(1, institutions + 1)]
    officers = [(1000 + n, 1 + n % 3) for n in range(per_department * 3)]
    pairs = [(1000 + (n * 13) % (per_department * 3), 1 + (n * 37) % institutions) for n in range(conflicts)]
    competent = {"academic": [1, 2], "non_academic": [1, 2], "meal_care": [3, 1, 2]}
    return lots.Snapshot.build(targets=targets, officers=officers, conflicts=pairs, competent=competent)


def test_same_seed_and_snapshot_give_the_same_draw_a_different_seed_another():
    snapshot = synthetic()
    first = lots.draw(seed="2026-12-01 开奖号 03 17 22", snapshot=snapshot, ratios=RATIOS, max_per_officer=40)
    again = lots.draw(seed="2026-12-01 开奖号 03 17 22", snapshot=synthetic(), ratios=RATIOS, max_per_officer=40)
    other = lots.draw(seed="2026-12-01 开奖号 03 17 23", snapshot=snapshot, ratios=RATIOS, max_per_officer=40)
    assert first.digest() == again.digest()
    assert [(t.institution_id, t.officers) for t in first.targets] == [
        (t.institution_id, t.officers) for t in again.targets
    ]
    assert other.digest() != first.digest()
    assert {t.institution_id for t in other.targets} != {t.institution_id for t in first.targets}


def test_the_snapshot_is_canonical_whatever_order_the_directories_come_in():
    snapshot = synthetic(200, 5, 20)
    shuffled = lots.Snapshot.build(
        targets=list(reversed(snapshot.targets)),
        officers=list(reversed(snapshot.officers)),
        conflicts=list(reversed(snapshot.conflicts)),
        competent={k: list(v) for k, v in snapshot.competent},
    )
    assert shuffled.target_hash == snapshot.target_hash
    assert shuffled.officer_hash == snapshot.officer_hash
    assert lots.Snapshot.from_json(snapshot.as_json()) == snapshot
    # One more institution in the directory changes its hash, not the officers'.
    grown = lots.Snapshot.build(
        targets=[*snapshot.targets, (99999, "academic", "A")], officers=snapshot.officers,
        conflicts=snapshot.conflicts, competent={k: list(v) for k, v in snapshot.competent},
    )  # fmt: skip
    assert grown.target_hash != snapshot.target_hash
    assert grown.officer_hash == snapshot.officer_hash


def test_a_known_draw_gives_the_same_result_on_every_machine():
    """A fixed snapshot and seed and the result they must give: the ranking is SHA-256 of text, so this value holds
    on any platform, Python and database (CI runs it on SQLite and PostgreSQL alike)."""
    snapshot = lots.Snapshot.build(
        targets=[(i, "academic" if i % 2 else "meal_care", "ABCD"[i % 4]) for i in range(1, 41)],
        officers=[(100 + n, 1 + n % 2) for n in range(8)],
        conflicts=[(100, 4), (101, 4)],
        competent={"academic": [1, 2], "meal_care": [2, 1]},
    )
    result = lots.draw(seed="监管2026", snapshot=snapshot, ratios=RATIOS, max_per_officer=10)
    assert snapshot.target_hash == GOLDEN_TARGET_HASH
    assert result.digest() == GOLDEN_RESULT


GOLDEN_TARGET_HASH = "c89308ed737d254f4f5eba2edea395b36673edf27de5f7a11ca3cae492717868"
GOLDEN_RESULT = "f4dc871f02963679dfb24a7c1d0e1370ab2c91108804b7091485a3ab6d4087f1"


def test_each_stratum_is_drawn_at_its_ratio_and_every_d_level_institution_is_drawn():
    snapshot = synthetic()
    result = lots.draw(seed="ratios", snapshot=snapshot, ratios=RATIOS, max_per_officer=60)
    in_directory = Counter((k, lv) for _i, k, lv in snapshot.targets)
    drawn = Counter((t.kind, t.level) for t in result.targets)
    for stratum, n in in_directory.items():
        assert drawn[stratum] == math.ceil(n * RATIOS[stratum[1]] / 100), stratum
        assert result.strata[stratum] == (n, drawn[stratum])
    d_level = {i for i, _k, lv in snapshot.targets if lv == "D"}
    assert d_level and d_level <= {t.institution_id for t in result.targets}


def test_a_kind_ratio_is_a_floor_over_the_level_ratio():
    snapshot = synthetic(600)
    result = lots.draw(
        seed="小饭桌", snapshot=snapshot, ratios=RATIOS, kind_ratios={"meal_care": 100}, max_per_officer=100
    )
    meal_care = {i for i, k, _lv in snapshot.targets if k == "meal_care"}
    assert meal_care <= {t.institution_id for t in result.targets}


def test_teams_have_two_officers_of_competent_departments_none_conflicted_none_over_the_limit():
    snapshot = synthetic()
    result = lots.draw(seed="teams", snapshot=snapshot, ratios=RATIOS, max_per_officer=25)
    department = dict(snapshot.officers)
    conflicts = set(snapshot.conflicts)
    competent = dict(snapshot.competent)
    for target in result.targets:
        assert len(target.officers) >= 2
        assert len(set(target.officers)) == len(target.officers)
        assert all((u, target.institution_id) not in conflicts for u in target.officers)
        assert {department[u] for u in target.officers} <= set(competent[target.kind])
        # One from each competent department: the 小饭桌's market regulation officer leads its team.
        assert department[target.officers[0]] == competent[target.kind][0]
    loads = result.loads()
    assert max(loads.values()) <= 25
    # Round-robin: the work is spread, nobody idle while another is at the limit in the same department.
    assert max(loads.values()) - min(loads.values()) <= 25


def test_a_conflicted_officer_is_never_drawn_for_that_institution():
    targets = [(1, "academic", "D")]
    officers = [(10, 1), (11, 1), (12, 2), (13, 2)]
    for seed in range(30):
        result = lots.draw(
            seed=str(seed),
            snapshot=lots.Snapshot.build(
                targets=targets, officers=officers, conflicts=[(10, 1), (12, 1)], competent={"academic": [1, 2]}
            ),
            ratios=RATIOS,
            max_per_officer=5,
        )
        assert result.targets[0].officers == [11, 13]


def test_too_few_officers_stop_the_draw_with_the_reason():
    snapshot = lots.Snapshot.build(
        targets=[(i, "academic", "D") for i in range(1, 6)], officers=[(10, 1), (11, 1)], competent={"academic": [1]}
    )
    with pytest.raises(lots.DrawError, match="无法组成 2 人以上的检查组"):
        lots.draw(seed="x", snapshot=snapshot, ratios=RATIOS, max_per_officer=2)
    result = lots.draw(seed="x", snapshot=snapshot, ratios=RATIOS, max_per_officer=5)
    assert all(t.officers and sorted(t.officers) == [10, 11] for t in result.targets)


def test_nothing_to_draw_and_no_seed_are_refused():
    snapshot = lots.Snapshot.build(targets=[(1, "academic", "A")], officers=[(10, 1), (11, 1)])
    with pytest.raises(lots.DrawError, match="没有可抽取"):
        lots.draw(seed="x", snapshot=snapshot, ratios={"A": 0}, max_per_officer=5)
    with pytest.raises(lots.DrawError, match="随机种子"):
        lots.draw(seed="", snapshot=snapshot, ratios=RATIOS, max_per_officer=5)


def test_a_replacement_comes_from_the_same_department_and_skips_the_team_and_the_conflicted():
    snapshot = lots.Snapshot.build(
        targets=[(1, "academic", "D")],
        officers=[(10, 1), (11, 1), (12, 1), (20, 2), (21, 2)],
        conflicts=[(12, 1)],
        competent={"academic": [1, 2]},
    )
    chosen = lots.replacement(
        seed="s", snapshot=snapshot, round_=1, institution_id=1, kind="academic", department_id=1,
        team=[10, 20], loads={}, max_per_officer=5,
    )  # fmt: skip
    assert chosen == 11
    # Nobody left in the department: another competent department's officer.
    chosen = lots.replacement(
        seed="s", snapshot=snapshot, round_=2, institution_id=1, kind="academic", department_id=1,
        team=[10, 11, 20], loads={}, max_per_officer=5,
    )  # fmt: skip
    assert chosen == 21


@pytest.mark.parametrize("text", ["A:5,B:10,C:20,D:100", " A:5 , D:100 "])
def test_ratios_parse(text):
    assert lots.parse_ratios(text)["A"] == 5


@pytest.mark.parametrize("text", ["A:5,B", "A:101", "A:-1", "A:x"])
def test_bad_ratios_are_refused_in_chinese(text):
    with pytest.raises(ValueError, match="抽查比例"):
        lots.parse_ratios(text)
