"""The transfer pages and the feed pages: each persona on each page, the flow through the forms, the list's overdue
badge and filters, and query budgets that do not grow with rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from jianguan.transfers.models import Subscription, Transfer
from tests.support.district import PERSONAS

from .conftest import send

# A 移送 from education to the fire brigade about institution a: who gets its page.
DETAIL = {"admin": 200, "lead": 200, "leader": 200, "legal": 200, "edu_officer": 200, "fire_officer": 200,
          "street_a": 404, "street_b": 404, "institution": 403}  # fmt: skip
STAFF = [p for p in PERSONAS if p not in ("institution", "anonymous")]


def _fire_transfer(district):
    return send(district, receiver_department=district.departments["fire"], institution=district.institutions["a"],
                category="fire_safety", subject="安全出口堵塞")  # fmt: skip


@pytest.mark.parametrize("name", PERSONAS)
def test_pages_by_persona(district, client_for, name):
    transfer = _fire_transfer(district)
    client = client_for(name)
    pages = [reverse("transfers:transfer_list"), reverse("transfers:feed"), reverse("transfers:subscription_list")]
    for url in pages:
        response = client.get(url)
        if name == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code == (200 if name in STAFF else 403), url
    response = client.get(reverse("transfers:transfer_detail", args=[transfer.pk]))
    assert response.status_code == (302 if name == "anonymous" else DETAIL[name])
    senders = {"lead", "edu_officer", "fire_officer", "street_a", "street_b"}
    response = client.get(reverse("transfers:transfer_new"))
    assert response.status_code == (302 if name == "anonymous" else 200 if name in senders else 403)


def test_send_from_an_institution_page_and_answer_through_the_forms(district, client_for):
    edu = client_for("edu_officer")
    url = reverse("transfers:transfer_new") + f"?institution={district.institutions['a'].pk}"
    page = edu.get(url)
    assert page.status_code == 200 and "甲街道培训学校" in page.content.decode()
    response = edu.post(url, {
        "kind": "transfer", "receiver_department": district.departments["fire"].pk, "category": "fire_safety",
        "subject": "消防通道堵塞", "facts": "检查发现安全出口被杂物堵塞。", "request": "请依法处理。",
    })  # fmt: skip
    transfer = Transfer.objects.get(subject="消防通道堵塞")
    assert response.status_code == 302 and transfer.institution == district.institutions["a"]
    fire = client_for("fire_officer")
    page = fire.get(reverse("transfers:transfer_detail", args=[transfer.pk])).content.decode()
    assert 'data-testid="action-accept"' in page and transfer.letter_number in page
    # The letter is the receiver's to read too (whoever sees the transfer), not a street's.
    from jianguan.documents.models import Document

    letter = Document.objects.get(source_type="transfers.transfer", source_id=str(transfer.pk))
    assert fire.get(reverse("documents:download", args=[letter.pk, "pdf"])).status_code == 200
    assert client_for("street_a").get(reverse("documents:download", args=[letter.pk, "pdf"])).status_code == 404
    # Refusing without a reason: the form comes back, nothing changes.
    refused = fire.post(reverse("transfers:transfer_action", args=[transfer.pk, "refuse"]),
                        {"refuse-reason": "", "refuse-version": transfer.version})  # fmt: skip
    assert refused.status_code == 400
    transfer.refresh_from_db()
    assert transfer.status == "sent"
    # The sender is not offered the receiver's steps, and may not take them.
    assert (
        'data-testid="action-accept"'
        not in edu.get(reverse("transfers:transfer_detail", args=[transfer.pk])).content.decode()
    )
    assert edu.post(reverse("transfers:transfer_action", args=[transfer.pk, "accept"]), {}).status_code == 403
    fire.post(reverse("transfers:transfer_action", args=[transfer.pk, "accept"]), {"accept-version": transfer.version})
    fire.post(reverse("transfers:transfer_action", args=[transfer.pk, "report"]),
              {"report-result": "已责令限期清理，复查通过。", "report-version": transfer.version + 1})  # fmt: skip
    transfer.refresh_from_db()
    assert transfer.status == "closed" and transfer.result == "已责令限期清理，复查通过。"
    # Accepting again is impossible: a message, nothing saved.
    again = fire.post(reverse("transfers:transfer_action", args=[transfer.pk, "accept"]), {}, follow=True)
    assert "不能接收" in again.content.decode()


def test_new_form_refuses_a_record_outside_the_senders_scope(district, client_for):
    url = reverse("transfers:transfer_new") + f"?institution={district.institutions['b'].pk}"
    assert client_for("street_a").get(url).status_code == 404
    assert client_for("street_a").get(reverse("transfers:transfer_new") + "?institution=x").status_code == 400


def test_list_marks_overdue_and_filters(district, client_for):
    transfer = _fire_transfer(district)
    later = timezone.localtime() + timedelta(days=30)
    with time_machine.travel(later, tick=False):
        html = client_for("fire_officer").get(reverse("transfers:transfer_list")).content.decode()
        assert 'data-testid="overdue"' in html and transfer.subject in html
        overdue = client_for("fire_officer").get(reverse("transfers:transfer_list"), {"overdue": "1"})
        assert transfer.subject in overdue.content.decode()
    received = client_for("edu_officer").get(reverse("transfers:transfer_list"), {"direction": "received"})
    assert transfer.subject not in received.content.decode()
    sent = client_for("edu_officer").get(reverse("transfers:transfer_list"), {"direction": "sent"})
    assert transfer.subject in sent.content.decode()
    assert client_for("edu_officer").get(reverse("transfers:transfer_list"), {"kind": "nope"}).status_code == 400


def test_list_queries_do_not_grow_with_rows(district, client_for, django_assert_max_num_queries):
    client = client_for("fire_officer")
    url = reverse("transfers:transfer_list")
    _fire_transfer(district)
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _n in range(8):
        _fire_transfer(district)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count("安全出口堵塞") == 9


def test_subscription_pages(district, client_for):
    fire = client_for("fire_officer")
    response = fire.post(reverse("transfers:subscription_list"), {"name": "消防动态", "events": ["finding_recorded"],
                                                                   "categories": ["fire_safety"]})  # fmt: skip
    assert response.status_code == 302
    sub = Subscription.objects.get(name="消防动态")
    assert sub.department == district.departments["fire"]
    html = fire.get(reverse("transfers:subscription_list")).content.decode()
    assert "消防动态" in html and "检查发现问题" in html
    assert fire.get(reverse("transfers:feed")).status_code == 200
    assert fire.get(reverse("transfers:feed"), {"days": "8"}).status_code == 400
    assert client_for("street_a").get(reverse("transfers:subscription_edit", args=[sub.pk])).status_code == 404
    assert client_for("lead").get(reverse("transfers:subscription_edit", args=[sub.pk])).status_code == 403
    edit = fire.post(reverse("transfers:subscription_edit", args=[sub.pk]),
                     {"name": "消防动态（改）", "events": ["finding_recorded", "order_issued"]})  # fmt: skip
    assert edit.status_code == 302
    refused = fire.post(reverse("transfers:subscription_list"), {"name": "食品", "events": ["finding_recorded"],
                                                                 "categories": ["food_safety"]})  # fmt: skip
    assert refused.status_code == 400
    assert fire.post(reverse("transfers:subscription_delete", args=[sub.pk])).status_code == 302
    assert not Subscription.objects.filter(pk=sub.pk).exists()


def test_feed_and_subscription_pages_queries_do_not_grow(district, client_for, django_assert_max_num_queries):
    from jianguan.transfers.services import subscription_save

    fire = district.users["fire_officer"]
    client = client_for("fire_officer")
    subscription_save(actor=fire, name="全部", events=["complaint_received", "finding_recorded", "transfer_received"])
    _fire_transfer(district)
    urls = [reverse("transfers:feed"), reverse("transfers:subscription_list")]
    budgets = {}
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(60) as few:
            client.get(url)
        budgets[url] = len(few.captured_queries)
    for n in range(5):
        _fire_transfer(district)
        subscription_save(actor=fire, name=f"订阅{n}", events=["finding_recorded"], streets=[district.streets["a"]])
    for url in urls:
        with django_assert_max_num_queries(budgets[url]):
            assert client.get(url).status_code == 200
