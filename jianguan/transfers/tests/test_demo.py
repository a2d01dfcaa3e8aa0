"""The demo's transfers and subscriptions: the education bureau's 移送 of a 小饭桌's food problem to the market
regulator, accepted and answered with a result, an open 协查 to 城东街道, and the two subscriptions filling feeds."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from jianguan.accounts.models import User
from jianguan.transfers import feed
from jianguan.transfers.demo import TRANSFER_SUBJECT
from jianguan.transfers.models import Subscription, Transfer
from tests.support.demo import load_demo_district

DAY = date(2026, 11, 26)


def test_the_demo_tells_a_transfer_an_assistance_and_subscriptions(db):
    load_demo_district(today=DAY, log=lambda *a, **k: None)
    food = Transfer.objects.get(subject=TRANSFER_SUBJECT)
    assert food.kind == "transfer" and food.status == "closed" and food.result
    assert food.sender_department.short_name == "青教" and food.receiver_department.short_name == "青市监"
    assert food.letter_number.startswith("青教移〔2026〕")
    assert [s.action for s in food.steps.all()] == ["send", "comment", "comment", "accept", "report"]
    assert food.replied_on <= food.reply_due and timezone.localtime(food.sent_at).date() < food.replied_on
    assistance = Transfer.objects.get(kind="assistance")
    assert assistance.status == "sent" and assistance.receiver_street.name == "城东街道"
    assert assistance.letter_number.startswith("青消协查〔2026〕")
    fire = Subscription.objects.get(department__short_name="青消")
    reader = User.objects.get(username="fire1")
    items = feed.feed([fire], reader, since=date(2026, 9, 1), until=DAY)
    assert items and {i.category for i in items if i.category} == {"fire_safety"}
    east = Subscription.objects.get(street__name="城东街道")
    east_items = feed.feed([east], User.objects.get(username="east"), since=date(2026, 9, 1), until=DAY)
    assert any(i.event == "transfer_received" for i in east_items)
    assert {i.street_name for i in east_items if i.street_name} == {"城东街道"}
