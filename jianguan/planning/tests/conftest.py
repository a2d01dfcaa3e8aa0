"""双随机 fixtures: two more certified officers (one of education, one of fire) and a 双随机 campaign over the test
district, not started, with education leading and fire taking part."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.support.district import PASSWORD


@dataclass
class Lots:
    campaign: Any
    officers: dict[str, Any]  # edu, edu2, fire, fire2


@pytest.fixture
def lots(district: Any) -> Lots:
    from jianguan.accounts import services as accounts
    from jianguan.accounts.choices import Role
    from jianguan.inspections.choices import CampaignMethod
    from jianguan.inspections.services import campaign_create

    admin = district.users["admin"]
    officers = {"edu": district.users["edu_officer"], "fire": district.users["fire_officer"]}
    for key, department in [("edu2", "edu"), ("fire2", "fire")]:
        user = accounts.user_create(
            actor=admin, username=f"p_{key}", name=f"{key}抽签", role=Role.DEPARTMENT_OFFICER, password=PASSWORD,
            department=district.departments[department],
        )  # fmt: skip
        accounts.officer_profile_set(
            actor=admin, user=user, certificate_number=f"LOTS{key}", certificate_valid_until=date(2099, 12, 31)
        )
        officers[key] = user
    today = timezone.localdate()
    campaign = campaign_create(
        actor=district.users["lead"],
        name="双随机抽查测试",
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=40),
        lead_department=district.departments["edu"],
        departments=[district.departments["fire"]],
        method=CampaignMethod.RANDOM,
    )
    return Lots(campaign, officers)
