"""Registry services: scope, credit codes, duplicates, status changes, licences and the licence state."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jianguan.audit.models import AuditEvent
from jianguan.registry import services
from jianguan.registry.choices import LicenceKind, LicenceStatus
from jianguan.registry.models import Institution, InstitutionStatusChange, Licence
from jianguan.registry.selectors import annotate_licence_state, licence_requirements, licence_state_q, licence_summary
from tests.support.district import DECISION_BASIS

CODE = "91133100MA0D8N1J7G"


def _create(actor, street, **extra):
    fields = {"name": "新苗培训中心", "kind": "non_academic", "sub_kind": "arts", "street": street}
    fields.update(extra)
    return services.institution_create(actor=actor, **fields)


def test_street_officer_registers_only_in_own_street(personas, district):
    inst = _create(personas["street_a"], district.streets["a"])
    assert inst.pinyin_initials == "xmpxzx"
    with pytest.raises(PermissionDenied):
        _create(personas["street_a"], district.streets["b"], name="别的街道")
    assert not Institution.objects.filter(name="别的街道").exists()


@pytest.mark.parametrize("name", ["edu_officer", "leader", "legal", "institution", "fire_officer"])
def test_roles_without_registry_rights_cannot_register(personas, district, name):
    with pytest.raises(PermissionDenied):
        _create(personas[name], district.streets["a"])


def test_street_officer_cannot_move_an_institution_out_of_reach(personas, district):
    inst = district.institutions["a"]
    with pytest.raises(PermissionDenied):
        services.institution_update(actor=personas["street_a"], institution=inst, street=district.streets["b"])
    with pytest.raises(PermissionDenied):
        services.institution_update(actor=personas["street_b"], institution=inst, address="x")


def test_credit_code_is_normalised_and_validated(personas, district):
    inst = _create(personas["admin"], district.streets["a"], credit_code=" ９１１３３１００ma0d8n1j7g ")
    assert inst.credit_code == CODE
    with pytest.raises(ValidationError) as exc:
        _create(personas["admin"], district.streets["a"], name="错码", credit_code="91133100MA0D8N1J7X")
    assert "校验位错误" in str(exc.value.message_dict["credit_code"])


def test_same_credit_code_is_refused_with_a_link(personas, district):
    with pytest.raises(ValidationError) as exc:
        _create(
            personas["admin"], district.streets["b"], name="另一家", credit_code=district.institutions["a"].credit_code
        )
    message = exc.value.message_dict["credit_code"][0]
    assert "已登记为" in message and f"/institutions/{district.institutions['a'].pk}/" in message


def test_same_name_in_same_street_warns_until_confirmed(personas, district):
    with pytest.raises(ValidationError) as exc:
        _create(personas["admin"], district.streets["b"], name=" 乙街道　小饭桌 ")
    assert "同一街道已有名称相同的机构" in exc.value.message_dict["name"][0]
    twin = _create(personas["admin"], district.streets["b"], name="乙街道小饭桌", confirm_duplicate_name=True)
    assert twin.pk
    # The same name in another street is no warning.
    assert _create(personas["admin"], district.streets["a"], name="乙街道小饭桌").pk


def test_bad_fields_are_refused_in_chinese(personas, district):
    with pytest.raises(ValidationError) as exc:
        _create(personas["admin"], district.streets["a"], contact_phone="电话号码", capacity=10**7)
    errors = exc.value.message_dict
    assert "请输入有效的电话号码" in errors["contact_phone"][0]
    assert "capacity" in errors


def test_status_change_needs_a_reason_and_is_recorded(personas, district):
    inst = district.institutions["a"]
    with pytest.raises(ValidationError):
        services.institution_status_change(
            actor=personas["lead"],
            institution=inst,
            to_status="suspended",
            reason=" ",
            **DECISION_BASIS,
        )
    with pytest.raises(PermissionDenied):
        services.institution_status_change(
            actor=personas["street_a"],
            institution=inst,
            to_status="suspended",
            reason="x",
            **DECISION_BASIS,
        )
    change = services.institution_status_change(
        actor=personas["lead"],
        institution=inst,
        to_status="stop_enrolling",
        reason="未取得办学许可擅自招生",
        **DECISION_BASIS,
    )
    inst.refresh_from_db()
    assert inst.status == "stop_enrolling" and change.from_status == "normal"
    assert InstitutionStatusChange.objects.filter(institution=inst).count() == 1
    event = AuditEvent.objects.get(action="institution.status_change", institution_id=inst.pk)
    assert event.after["reason"] == "未取得办学许可擅自招生"
    with pytest.raises(ValidationError):
        services.institution_status_change(
            actor=personas["lead"],
            institution=inst,
            to_status="stop_enrolling",
            reason="再次",
            **DECISION_BASIS,
        )


def test_licence_state_from_requirements(personas, district):
    today = timezone.localdate()
    admin = personas["admin"]
    inst = _create(admin, district.streets["a"], kind="meal_care", sub_kind="")
    ids = lambda state: set(Institution.objects.filter(licence_state_q(state, today)).values_list("pk", flat=True))  # noqa: E731
    assert inst.pk in ids(LicenceStatus.MISSING)
    services.licence_save(actor=admin, institution=inst, kind="legal_entity", number="L1", valid_until=None)
    food = services.licence_save(
        actor=admin, institution=inst, kind="food", number="JY1", valid_until=today - timedelta(days=1)
    )
    assert inst.pk in ids(LicenceStatus.EXPIRED)
    summary = licence_summary(inst, list(inst.licences.all()), today)
    assert summary.label == "食品经营许可证/小餐饮备案已过期"
    services.licence_save(actor=admin, institution=inst, licence=food, valid_until=today + timedelta(days=10))
    assert inst.pk in ids(LicenceStatus.EXPIRING)
    services.licence_save(actor=admin, institution=inst, licence=food, valid_until=today + timedelta(days=400))
    assert inst.pk in ids(LicenceStatus.VALID)
    assert licence_summary(inst, list(inst.licences.all()), today).label == "证照齐全"
    # Every institution is in exactly one state.
    states = [ids(s) for s in LicenceStatus.values]
    assert sum(len(s) for s in states) == Institution.objects.count()


def test_licence_dates_must_make_sense(personas, district):
    with pytest.raises(ValidationError) as exc:
        services.licence_save(
            actor=personas["admin"],
            institution=district.institutions["a"],
            kind="fire",
            number="X",
            issue_date=date(2026, 5, 1),
            valid_until=date(2026, 4, 1),
        )
    assert "有效期不能早于发证日期" in exc.value.message_dict["valid_until"][0]


def test_requirements_are_configurable_and_audited(personas, district):
    services.licence_requirements_set(
        actor=personas["admin"], institution_kind="after_school", licence_kinds=["legal_entity", "fire"]
    )
    from jianguan.registry.selectors import licence_requirements

    assert sorted(licence_requirements()["after_school"]) == ["fire", "legal_entity"]
    assert AuditEvent.objects.filter(action="licence_requirement.set", object_id="after_school").exists()
    with pytest.raises(PermissionDenied):
        services.licence_requirements_set(actor=personas["lead"], institution_kind="other", licence_kinds=[])


def test_stored_licence_columns_agree_with_the_licences(personas, district):
    """The indexed columns behind the licence filter give every institution the state licence_summary computes from
    its licences, on any day: random licence sets, checked today, in the expiring window, and a year either side."""
    rng = random.Random(7)
    admin = personas["admin"]
    today = timezone.localdate()
    kinds = ["academic", "non_academic", "meal_care", "after_school", "other"]
    for n in range(40):
        inst = _create(admin, district.streets["a"], name=f"证照随机测试{n}", kind=rng.choice(kinds), sub_kind="")
        for m in range(rng.randint(0, 4)):
            services.licence_save(
                actor=admin,
                institution=inst,
                kind=rng.choice(LicenceKind.values),
                number=f"R{n}-{m}",
                valid_until=rng.choice([None, today + timedelta(days=rng.randint(-400, 400))]),
            )
    # A licence corrected and one removed move the columns too.
    lic = Licence.objects.filter(institution__name__startswith="证照随机测试").first()
    services.licence_save(actor=admin, institution=lic.institution, licence=lic, valid_until=today - timedelta(days=3))
    services.licence_delete(
        actor=admin, licence=Licence.objects.filter(institution__name__startswith="证照随机").last()
    )
    required = licence_requirements()
    institutions = list(Institution.objects.prefetch_related("licences"))
    for day in (today, today + timedelta(days=20), today + timedelta(days=365), today - timedelta(days=365)):
        by_filter = {
            pk: state
            for state in LicenceStatus.values
            for pk in Institution.objects.filter(licence_state_q(state, day)).values_list("pk", flat=True)
        }
        annotated = dict(annotate_licence_state(Institution.objects.all(), day).values_list("pk", "licence_state"))
        for inst in institutions:
            expected = licence_summary(inst, list(inst.licences.all()), day, required).state
            assert by_filter[inst.pk] == expected == annotated[inst.pk], (inst.name, day)


def test_kind_and_requirement_changes_move_the_licence_state(personas, district):
    admin = personas["admin"]
    today = timezone.localdate()
    inst = _create(admin, district.streets["a"], kind="other", sub_kind="")
    services.licence_save(actor=admin, institution=inst, kind="legal_entity", number="L9", valid_until=None)
    in_state = lambda state: Institution.objects.filter(licence_state_q(state, today), pk=inst.pk).exists()  # noqa: E731
    assert in_state(LicenceStatus.VALID)
    services.institution_update(actor=admin, institution=inst, kind="meal_care")
    assert in_state(LicenceStatus.MISSING) and inst.licence_missing  # 小饭桌 needs a food licence
    services.institution_update(actor=admin, institution=inst, kind="other")
    assert in_state(LicenceStatus.VALID)
    services.licence_requirements_set(actor=admin, institution_kind="other", licence_kinds=["legal_entity", "fire"])
    assert in_state(LicenceStatus.MISSING)


def test_create_many_applies_the_single_checks_in_bulk(personas, district):
    admin = personas["admin"]
    a, b = district.streets["a"], district.streets["b"]
    registered = _create(admin, a, name="已登记培训中心", credit_code=CODE)
    before = AuditEvent.objects.count()
    rows = [
        {"name": "批量新机构一", "kind": "other", "street": a},
        {"name": "批量新机构二", "kind": "academic", "street": b, "status": "unregistered"},
        {"name": "别名机构", "kind": "other", "street": a, "credit_code": CODE.lower()},  # registered code
        {"name": "已登记 培训中心", "kind": "other", "street": a},  # the same normalised name in the street
        {"name": "批量新机构一", "kind": "other", "street": a},  # twice in the batch
        {"name": "", "kind": "other", "street": a},  # invalid
        {"name": "正常经营不能没有", "kind": "other", "street": a, "status": "closed"},
    ]
    results = services.institution_create_many(actor=admin, rows=rows)
    ok = [r for r in results if isinstance(r, Institution)]
    assert [r.name for r in ok] == ["批量新机构一", "批量新机构二"]
    assert ok[1].status == "unregistered" and ok[0].pinyin_initials == "plxjgy" and ok[0].licence_missing
    assert "已登记为" in str(results[2].message_dict["credit_code"]) and str(registered.pk) in str(results[2])
    assert "同一街道已有名称相同的机构" in str(results[3].message_dict["name"])
    assert "与本批第 1 条" in results[4].message_dict["name"][0]
    assert "name" in results[5].message_dict and "status" in results[6].message_dict
    events = AuditEvent.objects.filter(seq__gt=before).order_by("seq")
    assert [(e.action, e.institution_id) for e in events] == [("institution.create", i.pk) for i in ok]
    # A street officer's rows outside their street are refused one by one; a role without the right, all at once.
    results = services.institution_create_many(
        actor=personas["street_a"],
        rows=[{"name": "街道内", "kind": "other", "street": a}, {"name": "街道外", "kind": "other", "street": b}],
    )
    assert isinstance(results[0], Institution) and isinstance(results[1], PermissionDenied)
    with pytest.raises(PermissionDenied):
        services.institution_create_many(actor=personas["edu_officer"], rows=[])


def test_a_sanction_is_entered_only_with_the_decision_it_rests_on(personas, district):
    inst = district.institutions["b"]
    with pytest.raises(ValidationError, match="决定文号"):
        services.institution_status_change(
            actor=personas["lead"], institution=inst, to_status="suspended", reason="消防通道堵塞"
        )
    inst.refresh_from_db()
    assert inst.status == "normal"
    change = services.institution_status_change(
        actor=personas["lead"], institution=inst, to_status="suspended", reason="消防通道堵塞",
        basis_authority="测试区消防救援大队", basis_number="测消停〔2026〕3号", basis_date=date(2026, 3, 2),
    )  # fmt: skip
    assert change.basis == "测试区消防救援大队 测消停〔2026〕3号（2026-03-02）"
    # Restoring normal operation needs only the reason.
    services.institution_status_change(actor=personas["lead"], institution=inst, to_status="normal", reason="已整改")
