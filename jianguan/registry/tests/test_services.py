"""Registry services: scope, credit codes, duplicates, status changes, licences and the licence state."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jianguan.audit.models import AuditEvent
from jianguan.registry import services
from jianguan.registry.choices import LicenceStatus
from jianguan.registry.models import Institution, InstitutionStatusChange
from jianguan.registry.selectors import licence_state_q, licence_summary

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
        services.institution_status_change(actor=personas["lead"], institution=inst, to_status="suspended", reason=" ")
    with pytest.raises(PermissionDenied):
        services.institution_status_change(
            actor=personas["street_a"], institution=inst, to_status="suspended", reason="x"
        )
    change = services.institution_status_change(
        actor=personas["lead"], institution=inst, to_status="stop_enrolling", reason="未取得办学许可擅自招生"
    )
    inst.refresh_from_db()
    assert inst.status == "stop_enrolling" and change.from_status == "normal"
    assert InstitutionStatusChange.objects.filter(institution=inst).count() == 1
    event = AuditEvent.objects.get(action="institution.status_change", institution_id=inst.pk)
    assert event.after["reason"] == "未取得办学许可擅自招生"
    with pytest.raises(ValidationError):
        services.institution_status_change(
            actor=personas["lead"], institution=inst, to_status="stop_enrolling", reason="再次"
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
