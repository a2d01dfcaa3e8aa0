"""预收费 services: the account sealed and masked, the student masked on the way in, scope, audit, stale pages, and
hostile input."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jianguan.audit.models import AuditEvent
from jianguan.fees import services
from jianguan.fees.models import FeeAccount, FeeRecord
from jianguan.fees.services import AccountConflict
from jianguan.lib.protected import unseal

from .conftest import ACCOUNT_NUMBER, record_fields


def _last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-seq").first()


def test_account_number_is_sealed_and_only_masked_in_the_audit(district, account):
    assert account.account_masked == "**** **** 3445"
    assert ACCOUNT_NUMBER not in account.account_sealed
    assert unseal(account.account_sealed) == ACCOUNT_NUMBER
    event = _last("fee_account.set")
    assert event.institution_id == district.institutions["a"].pk
    text = json.dumps([event.before, event.after], ensure_ascii=False)
    assert ACCOUNT_NUMBER not in text and "account_sealed" not in text
    assert event.after["account_masked"] == "**** **** 3445"


def test_account_number_with_spaces_and_full_width_digits_is_normalised(district):
    account = services.fee_account_set(
        actor=district.users["admin"], institution=district.institutions["b"], kind="supervision", version=0,
        bank="农行", account_number="６２２８ 4800-1234 5678", agreement_date=date(2026, 1, 1),
    )  # fmt: skip
    assert unseal(account.account_sealed) == "6228480012345678"


def test_correcting_the_account_keeps_the_number_when_left_blank_and_bumps_the_version(district, account):
    updated = services.fee_account_set(
        actor=district.users["institution"], institution=district.institutions["a"], kind="supervision", version=1,
        bank="中国建设银行", account_number="", agreement_date=date(2026, 2, 1),
    )  # fmt: skip
    assert updated.version == 2 and updated.bank == "中国建设银行"
    assert unseal(updated.account_sealed) == ACCOUNT_NUMBER
    assert _last("fee_account.set").before["bank"] == "中国工商银行测试支行"


def test_a_stale_account_page_is_refused(district, account):
    services.fee_account_set(
        actor=district.users["lead"], institution=district.institutions["a"], kind="deposit", version=1,
        deposit_amount="50000",
    )  # fmt: skip
    with pytest.raises(AccountConflict):
        services.fee_account_set(
            actor=district.users["institution"], institution=district.institutions["a"], kind="supervision",
            version=1, bank="甲", account_number="12345678", agreement_date=date(2026, 1, 1),
        )  # fmt: skip
    assert FeeAccount.objects.get(pk=account.pk).kind == "deposit"
    # A page that showed no account yet (version 0) is stale once someone has recorded one.
    with pytest.raises(AccountConflict):
        services.fee_account_set(
            actor=district.users["institution"], institution=district.institutions["a"], kind="deposit", version=0,
            deposit_amount="1",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "supervision", "bank": "", "account_number": "12345678", "agreement_date": date(2026, 1, 1)}, "bank"),
        ({"kind": "supervision", "bank": "甲", "account_number": "", "agreement_date": date(2026, 1, 1)},
         "account_number"),
        ({"kind": "supervision", "bank": "甲", "account_number": "1234", "agreement_date": date(2026, 1, 1)},
         "account_number"),
        ({"kind": "supervision", "bank": "甲", "account_number": "1234abcd5678", "agreement_date": date(2026, 1, 1)},
         "account_number"),
        ({"kind": "supervision", "bank": "甲\x00", "account_number": "12345678", "agreement_date": date(2026, 1, 1)},
         "bank"),
        ({"kind": "supervision", "bank": "行" * 61, "account_number": "12345678", "agreement_date": date(2026, 1, 1)},
         "bank"),
        ({"kind": "supervision", "bank": "甲", "account_number": "12345678", "agreement_date": "2026-02-30"},
         "agreement_date"),
        ({"kind": "supervision", "bank": "甲", "account_number": "12345678", "agreement_date": date(2999, 1, 1)},
         "agreement_date"),
        ({"kind": "deposit", "deposit_amount": "-1"}, "deposit_amount"),
        ({"kind": "deposit", "deposit_amount": "NaN"}, "deposit_amount"),
        ({"kind": "deposit", "deposit_amount": "1e30"}, "deposit_amount"),
        ({"kind": "deposit"}, "deposit_amount"),
        ({"kind": "bitcoin"}, "kind"),
    ],
)  # fmt: skip
def test_hostile_account_input_is_refused_with_nothing_saved(district, fields, field):
    with pytest.raises(ValidationError) as exc:
        services.fee_account_set(
            actor=district.users["institution"], institution=district.institutions["a"], version=0, **fields
        )
    assert field in exc.value.message_dict
    assert not FeeAccount.objects.exists()


@pytest.mark.parametrize("who", ["edu_officer", "fire_officer", "street_a", "street_b", "legal", "leader"])
def test_other_roles_may_not_set_the_account_or_record_charges(district, who):
    with pytest.raises(PermissionDenied):
        services.fee_account_set(
            actor=district.users[who], institution=district.institutions["a"], kind="deposit", version=0,
            deposit_amount="1000",
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.fee_record_create(actor=district.users[who], institution=district.institutions["a"], **record_fields())
    assert not FeeAccount.objects.exists() and not FeeRecord.objects.exists()


def test_institution_may_not_write_for_another_institution(district, record):
    with pytest.raises(PermissionDenied):
        services.fee_record_create(
            actor=district.users["institution"], institution=district.institutions["b"], **record_fields()
        )
    other = services.fee_record_create(
        actor=district.users["admin"], institution=district.institutions["b"], **record_fields()
    )
    with pytest.raises(PermissionDenied):
        services.fee_record_update(actor=district.users["institution"], record=other, amount="1")
    with pytest.raises(PermissionDenied):
        services.fee_record_delete(actor=district.users["institution"], record=other)
    assert FeeRecord.objects.get(pk=other.pk).amount == Decimal("3600.00")


def test_only_the_masked_student_name_is_stored(district, record):
    assert record.student_masked == "张**"
    stored = FeeRecord.objects.filter(pk=record.pk).values()[0]
    assert "张小明" not in json.dumps(stored, default=str, ensure_ascii=False)
    event = _last("fee_record.create")
    assert "张小明" not in json.dumps(event.after, ensure_ascii=False)
    assert record.source == "entered" and record.into_supervised_account is True


def test_charges_over_the_limits_are_recorded_not_refused(district):
    """3 months, 60 hours, ¥5,000 and the supervised account are the checker's rules, not the form's."""
    found = services.fee_record_create(
        actor=district.users["institution"], institution=district.institutions["a"],
        **record_fields(hours=120, amount="18000", period_end=date(2026, 12, 31), into_supervised_account=False),
    )  # fmt: skip
    assert found.hours == 120 and found.into_supervised_account is False


def test_a_charge_for_an_academic_course_is_academic(district):
    from jianguan.courses.services import course_create

    course = course_create(
        actor=district.users["institution"], institution=district.institutions["a"], name="初中数学", subject="数学",
        academic=True,
    )  # fmt: skip
    found = services.fee_record_create(
        actor=district.users["institution"], institution=district.institutions["a"],
        **record_fields(course=course, course_name=""),
    )  # fmt: skip
    assert found.academic is True and found.course_name == "初中数学"


def test_course_of_another_institution_is_refused(district):
    from jianguan.courses.services import course_create

    other = course_create(actor=district.users["admin"], institution=district.institutions["b"], name="午托",
                          subject="托管")  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.fee_record_create(
            actor=district.users["institution"], institution=district.institutions["a"], **record_fields(course=other)
        )
    assert "course" in exc.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("student_name", "张\x00三"),
        ("student_name", "名" * 5000),
        ("student_name", " "),
        ("course_name", "课" * 61),
        ("contract_number", "H\x07T"),
        ("hours", "-1"),
        ("hours", "1.25"),
        ("hours", "inf"),
        ("amount", "-0.01"),
        ("amount", "abc"),
        ("amount", "1e12"),
        ("amount", True),
        ("period_start", "2026-02-30"),
        ("period_end", date(2026, 2, 1)),
        ("paid_on", date(1900, 1, 1)),
        ("paid_on", None),
    ],
)
def test_hostile_record_input_is_refused_with_nothing_saved(district, field, value):
    with pytest.raises(ValidationError) as exc:
        services.fee_record_create(
            actor=district.users["institution"], institution=district.institutions["a"],
            **record_fields(**{field: value}),
        )  # fmt: skip
    assert field in exc.value.message_dict
    assert not FeeRecord.objects.exists()


def test_a_payment_in_the_future_is_refused(district):
    with pytest.raises(ValidationError):
        services.fee_record_create(
            actor=district.users["institution"], institution=district.institutions["a"],
            **record_fields(paid_on=timezone.localdate() + timedelta(days=1)),
        )  # fmt: skip


def test_the_same_contract_number_twice_is_refused(district, record):
    with pytest.raises(ValidationError) as exc:
        services.fee_record_create(
            actor=district.users["institution"], institution=district.institutions["a"], **record_fields()
        )
    assert "contract_number" in exc.value.message_dict
    # Another institution may use the same number.
    services.fee_record_create(actor=district.users["admin"], institution=district.institutions["b"], **record_fields())


def test_correcting_a_charge_keeps_the_masked_name_unless_a_new_one_is_given(district, record):
    updated = services.fee_record_update(actor=district.users["lead"], record=record, amount="3000", student_name="")
    assert updated.student_masked == "张**" and updated.amount == Decimal("3000")
    event = _last("fee_record.update")
    assert event.before["amount"] == "3600.00" and event.after["amount"] == "3000.00"
    updated = services.fee_record_update(actor=district.users["lead"], record=record, student_name="欧阳娜娜")
    assert updated.student_masked == "欧***"


def test_removing_a_charge_is_audited(district, record):
    services.fee_record_delete(actor=district.users["institution"], record=record)
    assert not FeeRecord.objects.exists()
    assert _last("fee_record.delete").before["student_masked"] == "张**"


def test_a_correction_from_a_stale_page_is_refused_and_changes_nothing(district):
    record = services.fee_record_create(
        actor=district.users["lead"], institution=district.institutions["a"], student_name="张小明",
        course_name="美术", hours="20", amount="2000", period_start=date(2026, 9, 1), period_end=date(2026, 11, 30),
        paid_on=date(2026, 9, 1),
    )  # fmt: skip
    seen = record.version
    services.fee_record_update(actor=district.users["lead"], record=record, version=seen, amount="2100")
    with pytest.raises(services.RecordConflict):
        services.fee_record_update(actor=district.users["institution"], record=record, version=seen, amount="1")
    record.refresh_from_db()
    assert record.amount == Decimal("2100") and record.version == seen + 1
