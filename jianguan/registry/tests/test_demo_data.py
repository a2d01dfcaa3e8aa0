"""Consistency of the demo registry data (jianguan.registry.demo_data); no database needed."""

from __future__ import annotations

import importlib
import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest

from jianguan.lib.creditcode import is_valid
from jianguan.registry import demo_data as d
from jianguan.registry.choices import (
    InstitutionKind,
    InstitutionSubKind,
    LicenceKind,
    OperatingStatus,
)
from jianguan.registry.models import Institution, Licence

TODAY = date(2026, 11, 26)
WINDOW_END = TODAY + timedelta(days=30)
STREET_CODES = {
    "330199001", "330199002", "330199003", "330199004", "330199005", "330199101", "330199102", "330199201",
}  # fmt: skip
# The six institutions jianguan.registry.demo loads besides ours.
EXISTING_DEMO_NAMES = {
    "青岚启航教育培训学校", "青岚星语艺术培训中心", "城东阳光小饭桌", "南湖快乐托管班", "北苑跃动体育培训", "青山镇晨曦托管中心",
}  # fmt: skip
PHONE = re.compile(r"^[0-9+\-() ]{7,20}$")
FIELDS = {
    "key", "name", "credit_code", "kind", "sub_kind", "street_code", "address", "legal_representative",
    "contact_person", "contact_phone", "capacity", "floor_area", "floors", "notes", "status", "campaign", "licences",
}  # fmt: skip
LICENCE_FIELDS = {"kind", "number", "issuer", "issue_date", "valid_until"}

BY_KEY = {i["key"]: i for i in d.INSTITUTIONS}


def licences_of(inst, kind):
    return [lic for lic in inst["licences"] if lic["kind"] == kind]


def required_until(inst):
    """valid_until of every required licence the institution holds."""
    return [
        date.fromisoformat(lic["valid_until"])
        for lic in inst["licences"]
        if lic["kind"] in d.REQUIRED_LICENCES[inst["kind"]]
    ]


def lacks_required(inst):
    held = {lic["kind"] for lic in inst["licences"]}
    return set(d.REQUIRED_LICENCES[inst["kind"]]) - held


def test_size_and_every_kind():
    assert 110 <= len(d.INSTITUTIONS) <= 130
    kinds = Counter(i["kind"] for i in d.INSTITUTIONS)
    assert set(kinds) == set(InstitutionKind.values)
    assert all(n >= 10 for n in kinds.values()), kinds
    sub_kinds = {i["sub_kind"] for i in d.INSTITUTIONS if i["kind"] == InstitutionKind.NON_ACADEMIC}
    assert sub_kinds == set(InstitutionSubKind.values)


def test_records_have_exactly_the_documented_fields():
    for inst in d.INSTITUTIONS:
        assert set(inst) == FIELDS, inst["key"]
        for lic in inst["licences"]:
            assert set(lic) == LICENCE_FIELDS, inst["key"]


def test_keys_unique_ascii_slugs():
    keys = [i["key"] for i in d.INSTITUTIONS]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z]{2}-[a-z0-9-]{2,30}", k) for k in keys)


def test_names_unique_per_street_and_not_the_existing_demo_ones():
    pairs = [(i["street_code"], i["name"]) for i in d.INSTITUTIONS]
    assert len(pairs) == len(set(pairs))
    names = [i["name"] for i in d.INSTITUTIONS]
    assert len(names) == len(set(names))
    assert not set(names) & EXISTING_DEMO_NAMES


def test_streets():
    assert [(c, level) for c, _n, level in d.EXTRA_STREETS] == [("330199005", "street"), ("330199102", "township")]
    assert set(d.STREET_NAMES) == STREET_CODES
    used = Counter(i["street_code"] for i in d.INSTITUTIONS)
    assert set(used) == STREET_CODES  # every street has institutions
    for inst in d.INSTITUTIONS:
        assert inst["address"].startswith(d.STREET_NAMES[inst["street_code"]])
        assert re.search(r"\d+ [号幢]", inst["address"]), inst["address"]


def test_credit_codes_valid_unique_and_only_for_registered_sites():
    codes = [i["credit_code"] for i in d.INSTITUTIONS if i["credit_code"]]
    assert len(codes) == len(set(codes))
    assert not set(codes) & d.RESERVED_CREDIT_CODES
    for inst in d.INSTITUTIONS:
        code = inst["credit_code"]
        if inst["status"] == OperatingStatus.UNREGISTERED:
            assert code is None and inst["licences"] == [] and inst["legal_representative"] == ""
            continue
        assert is_valid(code), code
        assert code[:2] in {"52", "91"} and code[2:8] == "330199"
        for lic in licences_of(inst, LicenceKind.LEGAL_ENTITY):
            assert lic["number"] == code


def test_phones_unique_and_valid():
    phones = [i["contact_phone"] for i in d.INSTITUTIONS]
    assert len(phones) == len(set(phones))
    assert all(PHONE.fullmatch(p) and p.startswith("1380000") and len(p) == 11 for p in phones)


def test_choices():
    for inst in d.INSTITUTIONS:
        assert inst["kind"] in InstitutionKind.values
        if inst["kind"] == InstitutionKind.NON_ACADEMIC:
            assert inst["sub_kind"] in InstitutionSubKind.values
        else:
            assert inst["sub_kind"] == ""
        assert inst["status"] in {OperatingStatus.NORMAL, OperatingStatus.UNREGISTERED}
        assert isinstance(inst["campaign"], bool)
        assert all(lic["kind"] in LicenceKind.values for lic in inst["licences"])


def test_fields_pass_the_model_validators():
    for inst in d.INSTITUTIONS:
        fields = {k: inst[k] for k in FIELDS - {"key", "street_code", "status", "campaign", "licences"}}
        assert Decimal(inst["floor_area"]) > 0 and inst["capacity"] > 0
        Institution(**fields, status=inst["status"]).clean_fields(exclude=["street"])
        for lic in inst["licences"]:
            Licence(**lic).clean_fields(exclude=["institution"])


def test_required_licences_mirror_the_migration_defaults():
    migration = importlib.import_module("jianguan.registry.migrations.0003_search_indexes_and_default_requirements")
    assert {k: set(v) for k, v in d.REQUIRED_LICENCES.items()} == {
        k: set(v) for k, v in migration.DEFAULT_REQUIREMENTS.items()
    }


def test_licence_dates_and_numbers():
    numbers = Counter()
    for inst in d.INSTITUTIONS:
        kinds = [lic["kind"] for lic in inst["licences"]]
        assert len(kinds) == len(set(kinds)), inst["key"]
        for lic in inst["licences"]:
            issued, until = date.fromisoformat(lic["issue_date"]), date.fromisoformat(lic["valid_until"])
            assert issued < until, inst["key"]
            assert issued <= TODAY, inst["key"]
            assert lic["number"] and lic["issuer"].startswith("青岚区")
            numbers[lic["kind"], lic["number"]] += 1
        # licences not required by the kind (fire, other) are all valid beyond the warning window
        for lic in inst["licences"]:
            if lic["kind"] not in d.REQUIRED_LICENCES[inst["kind"]]:
                assert date.fromisoformat(lic["valid_until"]) > WINDOW_END
    assert max(numbers.values()) == 1


def test_expiring_expired_and_missing_licences():
    expiring = [i["key"] for i in d.INSTITUTIONS if any(TODAY < u <= WINDOW_END for u in required_until(i))]
    expired = [i["key"] for i in d.INSTITUTIONS if any(u < TODAY for u in required_until(i))]
    registered_lacking = [
        i["key"] for i in d.INSTITUTIONS if i["status"] != OperatingStatus.UNREGISTERED and lacks_required(i)
    ]
    assert 8 <= len(expiring) <= 12, expiring
    assert 6 <= len(expired) <= 10, expired
    assert not set(expiring) & set(expired)
    assert 3 <= len(registered_lacking) <= 8, registered_lacking
    # the expiring ones fall within 2026-11-27 … 2026-12-25, whatever the exact window convention
    for key in expiring:
        assert all(u > WINDOW_END or date(2026, 11, 27) <= u <= date(2026, 12, 25) for u in required_until(BY_KEY[key]))
    # nobody else is near a boundary: every other licence runs at least until 2027-02-28
    for inst in d.INSTITUTIONS:
        if inst["key"] in expiring or inst["key"] in expired:
            continue
        assert all(date.fromisoformat(lic["valid_until"]) >= date(2027, 2, 28) for lic in inst["licences"])


def test_campaign_split():
    groups = [d.CAMPAIGN_UNLICENSED, d.CAMPAIGN_TEACHING, d.CAMPAIGN_FOOD, d.CAMPAIGN_FIRE, d.CAMPAIGN_CLEAN]
    assert [len(g) for g in groups] == [5, 3, 4, 6, 4]
    members = [k for g in groups for k in g]
    assert len(members) == len(set(members)) == 22  # disjoint
    assert set(d.CAMPAIGN_SITES) == set(members)
    assert {i["key"] for i in d.INSTITUTIONS if i["campaign"]} == set(members)
    kinds = Counter(BY_KEY[k]["kind"] for k in members)
    assert kinds[InstitutionKind.MEAL_CARE] >= 4 and kinds[InstitutionKind.AFTER_SCHOOL] >= 2
    assert all(BY_KEY[k]["kind"] == InstitutionKind.ACADEMIC for k in d.CAMPAIGN_TEACHING)
    assert all(BY_KEY[k]["kind"] == InstitutionKind.MEAL_CARE for k in d.CAMPAIGN_FOOD)
    assert len({BY_KEY[k]["kind"] for k in d.CAMPAIGN_FIRE}) >= 4  # mixed kinds


def test_campaign_unlicensed_sites_hold_no_school_permit():
    unlicensed = [BY_KEY[k] for k in d.CAMPAIGN_UNLICENSED]
    assert all(not licences_of(i, LicenceKind.SCHOOL_PERMIT) for i in unlicensed)
    kinds = Counter(i["kind"] for i in unlicensed)
    assert kinds == {"after_school": 2, "meal_care": 1, "non_academic": 2}
    assert any(i["status"] == OperatingStatus.UNREGISTERED for i in unlicensed)
    assert any(i["status"] == OperatingStatus.NORMAL and i["credit_code"] for i in unlicensed)


def test_other_campaign_sites_are_fully_licensed():
    for key in [*d.CAMPAIGN_TEACHING, *d.CAMPAIGN_FOOD, *d.CAMPAIGN_FIRE, *d.CAMPAIGN_CLEAN]:
        inst = BY_KEY[key]
        assert inst["status"] == OperatingStatus.NORMAL and not lacks_required(inst), key
        assert all(u > WINDOW_END for u in required_until(inst)), key


def test_unregistered_sites():
    unregistered = [i for i in d.INSTITUTIONS if i["status"] == OperatingStatus.UNREGISTERED]
    assert len(unregistered) >= 1
    assert all(i["credit_code"] is None for i in unregistered)
    assert any(not i["campaign"] for i in unregistered)  # found by street patrols too


def test_fire_exit_site():
    inst = BY_KEY[d.CAMPAIGN_FIRE_EXIT_BLOCKED]
    assert d.CAMPAIGN_FIRE_EXIT_BLOCKED in d.CAMPAIGN_FIRE
    assert inst["kind"] == InstitutionKind.AFTER_SCHOOL
    assert "消防通道" in inst["notes"]


@pytest.mark.parametrize("key", d.WHITELIST_CANDIDATES)
def test_whitelist_candidates_are_well_run(key):
    assert 3 <= len(d.WHITELIST_CANDIDATES) <= 4
    problems = {*d.CAMPAIGN_UNLICENSED, *d.CAMPAIGN_TEACHING, *d.CAMPAIGN_FOOD, *d.CAMPAIGN_FIRE}
    inst = BY_KEY[key]
    assert key not in problems
    assert inst["status"] == OperatingStatus.NORMAL and not lacks_required(inst)
    assert all(date.fromisoformat(lic["valid_until"]) > WINDOW_END for lic in inst["licences"])
    assert "放心机构" in inst["notes"]
