"""Transfer fixtures: an officer of the market regulator (the district's competent department for food), and `send`,
which sends a transfer through the real service."""

from __future__ import annotations

from typing import Any

import pytest

from jianguan.enforcement.tests.conftest import people  # noqa: F401 — the education head and officers of a case
from tests.support.district import PASSWORD


@pytest.fixture
def market_officer(district: Any) -> Any:
    from jianguan.accounts import services as accounts
    from jianguan.accounts.choices import Role

    return accounts.user_create(
        actor=district.users["admin"], username="p_market", name="市场监管甲", role=Role.DEPARTMENT_OFFICER,
        password=PASSWORD, department=district.departments["market"],
    )  # fmt: skip


def send(district: Any, actor: Any = None, **kw: Any) -> Any:
    """A 移送 from the education officer to the market regulator about the 小饭桌 (institution b): a food problem."""
    from jianguan.transfers.services import transfer_send

    fields = {
        "kind": "transfer", "receiver_department": district.departments["market"],
        "institution": district.institutions["b"], "category": "food_safety",
        "subject": "小饭桌食品安全问题", "facts": "教育部门检查发现该小饭桌厨房无留样柜，从业人员无健康证。",
    }  # fmt: skip
    fields.update(kw)
    return transfer_send(actor=actor or district.users["edu_officer"], **fields)
