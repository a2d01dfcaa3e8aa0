"""staff.services: who may keep which institution's staff, ID numbers checked and kept protected, stale edits refused,
every change audited with the ID number masked."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jianguan.audit.models import AuditEvent
from jianguan.staff import services
from jianguan.staff.models import StaffMember
from jianguan.staff.tests.support import add_staff, id_number

pytestmark = pytest.mark.django_db


def _create(district, actor="admin", institution="a", **fields):  # type: ignore[no-untyped-def]
    values = {"name": "张老师", "role": "teacher", "start_date": date(2025, 9, 1), "id_number": id_number(7), **fields}
    return services.staff_create(actor=district.users[actor], institution=district.institutions[institution], **values)


def test_institution_user_registers_its_own_staff(district):
    member = _create(district, actor="institution", teaches_academic=True, teacher_cert_number="20231100012345")
    assert member.institution == district.institutions["a"]
    assert member.id_number() == id_number(7)
    assert member.id_number_masked == id_number(7)[:3] + "*" * 11 + id_number(7)[-4:]
    assert id_number(7) not in member.id_number_sealed and member.id_number_hash


def test_institution_user_cannot_touch_another_institution(district):
    with pytest.raises(PermissionDenied):
        _create(district, actor="institution", institution="b")
    other = add_staff(district, seq=2, institution="b")
    with pytest.raises(PermissionDenied):
        services.staff_update(actor=district.users["institution"], member=other, name="改名")
    assert StaffMember.objects.filter(institution=district.institutions["a"]).count() == 0


@pytest.mark.parametrize("persona", ["street_a", "edu_officer", "fire_officer", "legal", "leader"])
def test_roles_without_staff_manage_are_refused(district, persona):
    with pytest.raises(PermissionDenied):
        _create(district, actor=persona)
    member = add_staff(district, seq=3)
    with pytest.raises(PermissionDenied):
        services.staff_leave(actor=district.users[persona], member=member, end_date=date(2026, 1, 1))
    assert StaffMember.objects.count() == 1


def test_lead_may_correct_any_institution(district):
    member = _create(district, actor="lead", institution="b", role="cook")
    services.staff_update(actor=district.users["lead"], member=member, handles_food=True)
    member.refresh_from_db()
    assert member.handles_food and member.version == 2


def test_the_same_person_twice_at_one_institution_is_refused_in_chinese(district):
    _create(district)
    with pytest.raises(ValidationError) as exc:
        _create(district, name="张老师二")
    assert "本机构已登记该身份证号码的人员（张老师）" in exc.value.message_dict["id_number"][0]
    # the same person at another institution is a separate record
    _create(district, institution="b")
    assert StaffMember.objects.count() == 2


def test_changing_the_id_number_to_a_colleagues_is_refused(district):
    first = add_staff(district, seq=1)
    second = add_staff(district, seq=2)
    with pytest.raises(ValidationError):
        services.staff_update(actor=district.users["admin"], member=second, id_number=first.id_number())
    second.refresh_from_db()
    assert second.id_number() == id_number(2)


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "请填写身份证号码"),
        ("11010519900101001", "18 位"),
        (id_number(1)[:-1] + ("1" if id_number(1)[-1] != "1" else "2"), "无效"),  # wrong check digit
        ("110105199002300011", "无效"),  # 2 月 30 日
        ("1101051990010100\x0017", "格式不正确"),  # a NUL byte never cleaned into a valid number
        ("1" * 100_000, "格式不正确"),
        ("１１０１０５１９９００１０１" + "\t" + "0017", "格式不正确"),
    ],
)
def test_bad_id_numbers_are_refused_with_a_chinese_message(district, value, message):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        _create(district, id_number=value)
    assert message in exc.value.message_dict["id_number"][0]
    assert StaffMember.objects.count() == 0 and AuditEvent.objects.count() == before


def test_full_width_digits_and_a_lower_case_x_are_accepted(district):
    number = next(id_number(n) for n in range(1000) if id_number(n).endswith("X"))
    typed = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number[:-1]) + "x"
    member = _create(district, id_number=f" {typed} ")
    assert member.id_number() == number


def test_the_audit_log_holds_the_masked_number_only(district):
    member = _create(district, actor="institution")
    services.staff_update(actor=district.users["institution"], member=member, id_number=id_number(8))
    events = AuditEvent.objects.filter(object_type="staff.staffmember", object_id=str(member.pk)).order_by("seq")
    assert [e.action for e in events] == ["staff.create", "staff.update"]
    dump = json.dumps([[e.before, e.after, e.object_label] for e in events], ensure_ascii=False)
    for number in (id_number(7), id_number(8)):
        assert number not in dump
        assert number[:3] + "*" * 11 + number[-4:] in dump
    assert "id_number_sealed" not in dump and "id_number_hash" not in dump
    assert events[0].institution_id == district.institutions["a"].pk


def test_a_stale_version_is_a_conflict_and_changes_nothing(district):
    member = _create(district)
    services.staff_update(actor=district.users["admin"], member=member, version=1, name="新名字")
    with pytest.raises(services.StaffConflict) as exc:
        services.staff_update(actor=district.users["institution"], member=member, version=1, name="旧页面")
    assert "已被他人修改" in str(exc.value)
    member.refresh_from_db()
    assert member.name == "新名字" and member.version == 2


def test_an_unchanged_save_is_neither_saved_nor_audited(district):
    member = _create(district)
    before = AuditEvent.objects.count()
    services.staff_update(actor=district.users["admin"], member=member, name="张老师", id_number=id_number(7))
    member.refresh_from_db()
    assert member.version == 1 and AuditEvent.objects.count() == before


def test_leaving_records_the_end_date_once(district):
    member = _create(district)
    services.staff_leave(actor=district.users["institution"], member=member, end_date=date(2026, 6, 30), version=1)
    member.refresh_from_db()
    assert member.end_date == date(2026, 6, 30)
    assert AuditEvent.objects.filter(action="staff.leave", object_id=str(member.pk)).count() == 1
    with pytest.raises(services.StaffConflict):
        services.staff_leave(actor=district.users["institution"], member=member, end_date=date(2026, 7, 1))
    with pytest.raises(ValidationError):
        services.staff_leave(
            actor=district.users["admin"], member=add_staff(district, seq=9), end_date=date(2020, 1, 1)
        )


def test_record_check_and_health_certificate(district):
    member = _create(district, role="cook")
    today = timezone.localdate()
    services.staff_record_check(actor=district.users["institution"], member=member, check_date=today, result="clear")
    services.staff_health_cert(
        actor=district.users["institution"], member=member, number="JK2026-001", valid_until=today + timedelta(days=365)
    )
    member.refresh_from_db()
    assert member.record_check_date == today and member.record_check_result == "clear"
    assert member.handles_food and member.health_cert_number == "JK2026-001"
    actions = set(AuditEvent.objects.filter(object_id=str(member.pk)).values_list("action", flat=True))
    assert {"staff.record_check", "staff.health_cert"} <= actions
    with pytest.raises(ValidationError) as exc:
        services.staff_record_check(
            actor=district.users["institution"], member=member, check_date=today + timedelta(days=1), result="clear"
        )
    assert "不能晚于今天" in exc.value.message_dict["record_check_date"][0]
    with pytest.raises(ValidationError):
        services.staff_record_check(actor=district.users["institution"], member=member, check_date=today, result="?")


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"name": ""}, "name"),
        ({"name": "名" * 51}, "name"),
        ({"role": "pilot"}, "role"),
        ({"start_date": None}, "start_date"),
        ({"start_date": "2026-01-01"}, "start_date"),  # a string is no date
        ({"end_date": date(2025, 1, 1)}, "end_date"),  # before the start
        ({"record_check_result": "clear"}, "record_check_date"),
        ({"name": "张\x00三"}, "name"),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_written(district, fields, field):
    with pytest.raises(ValidationError) as exc:
        _create(district, **fields)
    assert field in exc.value.message_dict
    assert StaffMember.objects.count() == 0


def test_unknown_fields_are_refused(district):
    with pytest.raises(ValidationError):
        _create(district, id_number_hash="x")
