"""Fee fixtures: a supervised account and a charge at institution a, entered by the institution itself."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

ACCOUNT_NUMBER = "6222020200112233445"


def record_fields(**kw: Any) -> dict[str, Any]:
    fields = {
        "student_name": "张小明", "course_name": "少儿美术", "hours": 40, "amount": "3600.00",
        "contract_number": "HT-2026-001", "period_start": date(2026, 3, 1), "period_end": date(2026, 5, 31),
        "paid_on": date(2026, 2, 25),
    }  # fmt: skip
    fields.update(kw)
    return fields


@pytest.fixture
def account(district: Any) -> Any:
    from jianguan.fees.services import fee_account_set

    return fee_account_set(
        actor=district.users["institution"], institution=district.institutions["a"], kind="supervision",
        version=0, bank="中国工商银行测试支行", account_number=ACCOUNT_NUMBER, agreement_date=date(2026, 1, 10),
    )  # fmt: skip


@pytest.fixture
def record(district: Any) -> Any:
    from jianguan.fees.services import fee_record_create

    return fee_record_create(
        actor=district.users["institution"], institution=district.institutions["a"], **record_fields()
    )
