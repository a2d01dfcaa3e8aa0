"""信息共享: subscriptions and the feed derived from the records — subscribed events shown, nothing outside the
subscription, no complainant's identity or words, links only where the reader may open the record, and the daily
digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from jianguan.transfers import feed, services
from tests.support.district import REPORTER_NAME, REPORTER_PHONE

from .conftest import send


def _complaint(district, *, institution, category, street=None, content="消防通道被堵，晚上有学生上课。"):
    from jianguan.complaints.services import complaint_assign, complaint_submit

    complaint, _code = complaint_submit(
        institution=institution, category=category, content=content, reporter_name="另一位家长",
        reporter_phone="13800009999",
    )  # fmt: skip
    if street is not None:
        complaint = complaint_assign(
            actor=district.users["lead"], complaint=complaint, street=street, handler=district.users["street_b"],
            deadline=timezone.localdate() + timedelta(days=20),
        )  # fmt: skip
    return complaint


def _items(subscription, user):
    today = timezone.localdate()
    return feed.feed([subscription], user, since=today - timedelta(days=29), until=today)


def test_a_department_sees_its_categories_district_wide_and_nothing_else(district):
    fire = district.users["fire_officer"]
    sub = services.subscription_save(
        actor=fire, name="消防类动态", events=["complaint_received", "finding_recorded"], categories=["fire_safety"]
    )
    # A fire complaint in street b that the fire brigade was never assigned (outside its usual scope) …
    far = _complaint(district, institution=district.institutions["b"], category="fire", street=district.streets["b"])
    food = _complaint(district, institution=district.institutions["b"], category="food")
    from jianguan.complaints.models import Complaint

    assert not Complaint.objects.visible_to(fire).filter(pk=far.pk).exists()
    items = _items(sub, fire)
    keys = {i.key for i in items}
    assert f"complaints.complaint:{far.pk}" in keys  # … is shared, as the subscription asks
    assert f"complaints.complaint:{food.pk}" not in keys  # not its category
    assert f"complaints.complaint:{district.complaints['a'].pk}" in keys
    shared = next(i for i in items if i.key == f"complaints.complaint:{far.pk}")
    assert shared.url == ""  # it may not open the complaint itself
    own = next(i for i in items if i.key == f"complaints.complaint:{district.complaints['a'].pk}")
    assert own.url == reverse("complaints:complaint_detail", args=[district.complaints["a"].pk])
    # The fire finding of the district's ledger item (institution a) is there; every item is of its category.
    assert any(i.event == "finding_recorded" and i.category == "fire_safety" for i in items)
    assert {i.category for i in items} == {"fire_safety"}
    assert {i.event for i in items} <= {"complaint_received", "finding_recorded"}


def test_the_feed_page_never_shows_a_complainants_identity_or_words(district, client_for):
    fire = district.users["fire_officer"]
    services.subscription_save(actor=fire, name="消防投诉", events=["complaint_received"])
    far = _complaint(district, institution=district.institutions["b"], category="fire", street=district.streets["b"],
                     content="独特的投诉内容文字")  # fmt: skip
    html = client_for("fire_officer").get(reverse("transfers:feed")).content.decode()
    assert far.number in html and "乙街道小饭桌" in html
    for secret in ("另一位家长", "13800009999", "独特的投诉内容文字", REPORTER_NAME, REPORTER_PHONE):
        assert secret not in html


def test_a_department_may_not_subscribe_beyond_its_competence(district):
    with pytest.raises(ValidationError, match="消防安全"):
        services.subscription_save(
            actor=district.users["fire_officer"], name="食品", events=["complaint_received"], categories=["food_safety"]
        )
    with pytest.raises(PermissionDenied):
        services.subscription_save(actor=district.users["leader"], name="全部", events=["complaint_received"])


def test_a_street_sees_everything_in_its_own_street_only(district):
    street_a = district.users["street_a"]
    sub = services.subscription_save(
        actor=street_a, name="本街道动态", events=["complaint_received", "finding_recorded", "transfer_received"]
    )
    in_b = _complaint(district, institution=district.institutions["b"], category="fire")
    in_a = _complaint(district, institution=district.institutions["a"], category="food")
    keys = {i.key for i in _items(sub, street_a)}
    assert f"complaints.complaint:{in_a.pk}" in keys and f"complaints.complaint:{in_b.pk}" not in keys
    assert any(k.startswith("inspections.finding:") for k in keys)  # institution a's finding
    assistance = send(district, kind="assistance", receiver_department=None, receiver_street=district.streets["a"],
                      category="", request="请协助核实。")  # fmt: skip
    assert f"transfers.transfer:{assistance.pk}" in {i.key for i in _items(sub, street_a)}
    # The other street's feed has none of it.
    sub_b = services.subscription_save(actor=district.users["street_b"], name="乙", events=["complaint_received"])
    keys_b = {i.key for i in _items(sub_b, district.users["street_b"])}
    assert f"complaints.complaint:{in_b.pk}" in keys_b and f"complaints.complaint:{in_a.pk}" not in keys_b


def test_filters_narrow_by_institution_kind_and_event(district):
    fire = district.users["fire_officer"]
    sub = services.subscription_save(
        actor=fire, name="小饭桌消防", events=["complaint_received"], institution_kinds=["meal_care"]
    )
    far = _complaint(district, institution=district.institutions["b"], category="fire")
    keys = {i.key for i in _items(sub, fire)}
    assert keys == {f"complaints.complaint:{far.pk}"}


def test_feed_queries_do_not_grow_with_events(district, django_assert_max_num_queries):
    fire = district.users["fire_officer"]
    sub = services.subscription_save(actor=fire, name="全部", events=[e for e, _label in feed.FeedEvent.choices])
    _complaint(district, institution=district.institutions["b"], category="fire")
    sub = feed.subscriptions_for(fire).get(pk=sub.pk)
    with django_assert_max_num_queries(20) as few:
        feed.feed([sub], fire, since=timezone.localdate() - timedelta(days=30), until=timezone.localdate())
    for _n in range(6):
        _complaint(district, institution=district.institutions["a"], category="fire", street=district.streets["b"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        items = feed.feed([sub], fire, since=timezone.localdate() - timedelta(days=30), until=timezone.localdate())
    assert len([i for i in items if i.event == "complaint_received"]) >= 8


def test_the_daily_digest_counts_yesterdays_events(district):
    import time_machine

    from jianguan.transfers.reminders import digest

    fire = district.users["fire_officer"]
    sub = services.subscription_save(actor=fire, name="消防投诉", events=["complaint_received"])
    far = _complaint(district, institution=district.institutions["b"], category="fire")
    tomorrow = timezone.localdate(far.received_at) + timedelta(days=1)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        messages = [m for m in digest(tomorrow) if m.subject.startswith(f"transfers.subscription:{sub.pk}:")]
    assert [m.recipient_id for m in messages] == [fire.pk]
    assert "条新动态" in messages[0].text
    assert not [
        m for m in digest(tomorrow + timedelta(days=1)) if m.subject.startswith(f"transfers.subscription:{sub.pk}")
    ]


def test_only_the_units_users_change_or_delete_its_subscription(district):
    sub = services.subscription_save(actor=district.users["fire_officer"], name="消防", events=["finding_recorded"])
    with pytest.raises(PermissionDenied):
        services.subscription_save(actor=district.users["edu_officer"], name="改", events=["finding_recorded"],
                                   subscription=sub)  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.subscription_delete(actor=district.users["lead"], subscription=sub)
    services.subscription_delete(actor=district.users["fire_officer"], subscription=sub)


def test_penalty_decisions_reach_a_street_only_when_published(district, people):
    from jianguan.enforcement.tests.conftest import HEAVY, LIGHT, drive

    heavy = drive(district, people, "served", HEAVY)
    light = drive(district, people, "served", LIGHT)
    assert hasattr(heavy, "publication") and not hasattr(light, "publication")
    street = services.subscription_save(actor=district.users["street_a"], name="处罚", events=["case_decided"])
    today = timezone.localdate()
    keys = {
        i.key for i in feed.feed([street], district.users["street_a"], since=today - timedelta(days=60), until=today)
    }
    assert keys == {f"enforcement.case:{heavy.pk}"}
    edu = services.subscription_save(actor=district.users["edu_officer"], name="处罚", events=["case_decided"])
    keys = {
        i.key for i in feed.feed([edu], district.users["edu_officer"], since=today - timedelta(days=60), until=today)
    }
    assert keys == {f"enforcement.case:{heavy.pk}", f"enforcement.case:{light.pk}"}  # its own decisions
    fire = services.subscription_save(actor=district.users["fire_officer"], name="处罚", events=["case_decided"])
    assert not feed.feed([fire], district.users["fire_officer"], since=today - timedelta(days=60), until=today)
