"""行政处罚信息公示: what is published, when, for how long, and how it ends (withdrawal, credit repair)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from jianguan.enforcement import clocks, services
from jianguan.enforcement.models import Publication
from jianguan.enforcement.tests.conftest import LIGHT, drive
from jianguan.enforcement.workflow import Conflict

pytestmark = pytest.mark.django_db

SMALL_FINE = {"provision": "xwpx_18_serious", "penalties": ["fine"], "fine": Decimal(2000), "illegal_gains": None}


def at(day: date):  # type: ignore[no-untyped-def]
    return time_machine.travel(timezone.make_aware(datetime(day.year, day.month, day.day, 10)), tick=False)


def _public(institution_pk: int) -> tuple[str, str, str]:
    client = Client()
    return (
        client.get("/public/penalties/").content.decode(),
        client.get(f"/public/institutions/{institution_pk}/").content.decode(),
        json.dumps(client.get("/api/v1/public/penalties").json(), ensure_ascii=False),
    )


def test_a_served_decision_is_published_with_its_public_summary_only(district, people):
    case = drive(district, people, "served")
    publication = case.publication
    assert publication.published_on == case.served_on and publication.number == services.decision_document(case).number
    assert publication.display_until == clocks.add_months(case.served_on, 36)  # 责令停止举办: three years
    assert publication.penalty == "罚款 20,000.00 元、责令停止举办"  # in the order of 53号令 第五条
    listing, page, api = _public(case.institution_id)
    for text in (listing, page, api):
        assert publication.number in text and "甲街道培训学校" in text
        assert "群众举报" not in text and people.edu.name not in text  # the clue and the officers stay inside


def test_a_warning_only_is_not_published(district, people):
    case = drive(district, people, "served", LIGHT)
    assert not Publication.objects.filter(case=case).exists()
    assert "甲街道培训学校" not in _public(case.institution_id)[0]


def test_a_small_fine_is_shown_three_months_and_then_removed(district, people):
    case = drive(district, people, "served", SMALL_FINE, days_ago=60)
    until = case.publication.display_until
    assert until == clocks.add_months(case.served_on, 3)
    assert Publication.objects.shown_on(until).exists()
    assert not Publication.objects.shown_on(until + timedelta(days=1)).exists()


def test_a_withdrawn_decision_leaves_the_portal_at_once(district, people):
    case = drive(district, people, "served")
    with pytest.raises(Exception, match="负责人"):
        services.case_withdraw(actor=people.edu, case=case, reason="复议撤销")
    services.case_withdraw(actor=people.head, case=case, reason="经行政复议，原处罚决定被撤销")
    case.publication.refresh_from_db()
    assert case.publication.withdrawn_on == timezone.localdate()
    assert case.publication.number not in _public(case.institution_id)[0]
    with pytest.raises(Conflict, match="没有正在公示"):
        services.case_withdraw(actor=people.head, case=case, reason="再次")


def test_credit_repair_after_the_minimum_period_ends_the_display_early(district, people, settings):
    settings.JIANGUAN_CREDIT_REPAIR_MIN_DAYS = 30
    case = drive(district, people, "served", SMALL_FINE, days_ago=60)
    party = district.users["institution"]
    with pytest.raises(Conflict, match="缴清罚款"):
        services.case_repair_apply(actor=party, case=case, text="已整改")
    case = services.case_pay(actor=people.edu, case=case, amount=Decimal(2000), paid_on=case.served_on)
    with at(case.served_on + timedelta(days=29)), pytest.raises(Conflict, match="公示满 30 日"):
        services.case_repair_apply(actor=party, case=case, text="已整改")
    case = services.case_repair_apply(actor=party, case=case, text="已缴清罚款，停止违规培训，退还学费。")
    case = services.case_repair_decide(actor=people.head, case=case, approve=True, reason="符合信用修复条件")
    case.publication.refresh_from_db()
    assert case.publication.repaired_on == timezone.localdate()
    assert not Publication.objects.shown_on(timezone.localdate()).exists()


def test_no_credit_repair_for_heavy_penalties(district, people, settings):
    settings.JIANGUAN_CREDIT_REPAIR_MIN_DAYS = 0
    case = drive(district, people, "closed")
    with pytest.raises(Conflict, match="不适用信用修复"):
        services.case_repair_apply(actor=district.users["institution"], case=case, text="已整改")
