"""The administrator's pages: create (the secret shown once), edit, deactivate, rotate, the delivery log and
重新发送; nobody else gets them; the secret is never shown again, nor logged, nor stored in plain text."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from jianguan.audit.models import AuditEvent
from jianguan.webhooks.models import Delivery, Subscription
from jianguan.webhooks.tests.conftest import Answer, run_worker
from tests.support.district import PERSONAS


def _create(client, url, events=("institution.changed",), name="市数据中心"):
    response = client.post(
        reverse("webhooks:subscription_create"),
        {"name": name, "target_url": url, "events": list(events), "is_active": "on"},
    )
    assert response.status_code == 200, response.content[:500]
    secret = re.search(r'data-testid="secret">([0-9a-f]{64})<', response.content.decode()).group(1)
    return response, Subscription.objects.get(name=name), secret


def test_the_secret_is_shown_once_and_kept_only_sealed(district, client_for, receiver):
    admin = client_for("admin")
    response, subscription, secret = _create(admin, receiver.url + "?token=abc123")
    assert response["Cache-Control"] == "no-store"
    assert secret not in subscription.secret_sealed and subscription.secret_sealed.startswith("v1:")
    from jianguan.lib.protected import unseal

    assert unseal(subscription.secret_sealed) == secret
    # Not on the list, nor the edit page, nor (after a delivery) the log; never in the audit trail.
    from jianguan.registry.services import institution_update

    institution_update(actor=district.users["lead"], institution=district.institutions["a"], address="甲街道 9 号")
    run_worker()
    delivery = Delivery.objects.get()
    pages = [
        admin.get(reverse("webhooks:subscription_list")),
        admin.get(reverse("webhooks:subscription_edit", kwargs={"pk": subscription.pk})),
        admin.get(reverse("webhooks:delivery_list")),
        admin.get(reverse("webhooks:delivery_detail", kwargs={"pk": delivery.pk})),
    ]
    for page in pages:
        assert page.status_code == 200
        assert secret not in page.content.decode()
    assert "abc123" not in pages[0].content.decode()  # a token in the URL's query is not shown on the list
    trail = json.dumps(list(AuditEvent.objects.values("before", "after", "object_label")), ensure_ascii=False)
    assert secret not in trail and subscription.secret_sealed not in trail and "abc123" not in trail
    assert AuditEvent.objects.filter(action="webhook.subscription_create").exists()
    # The receiver got a request signed with it.
    assert len(receiver.received) == 1


def test_a_rotation_shows_the_new_secret_once(district, client_for, receiver):
    admin = client_for("admin")
    _response, subscription, old = _create(admin, receiver.url)
    response = admin.post(reverse("webhooks:subscription_rotate", kwargs={"pk": subscription.pk}))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    new = re.search(r'data-testid="secret">([0-9a-f]{64})<', response.content.decode()).group(1)
    assert new != old
    event = AuditEvent.objects.get(action="webhook.secret_rotate")
    assert new not in json.dumps(event.after)
    assert admin.get(reverse("webhooks:subscription_rotate", kwargs={"pk": subscription.pk})).status_code == 405


def test_a_form_with_a_bad_address_or_no_events_is_refused_in_chinese(district, client_for):
    admin = client_for("admin")
    url = reverse("webhooks:subscription_create")
    response = admin.post(url, {"name": "x", "target_url": "ftp://example.cn/", "events": ["item.closed"]})
    assert response.status_code == 400 and "http:// 或 https://" in response.content.decode()
    response = admin.post(url, {"name": "x", "target_url": "https://example.cn/"})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    response = admin.post(url, {"name": "x", "target_url": "https://example.cn/", "events": ["nope"]})
    assert response.status_code == 400
    assert not Subscription.objects.exists()


def test_editing_changes_what_is_sent_and_refuses_a_stale_form(district, client_for, receiver):
    admin = client_for("admin")
    _response, subscription, _secret = _create(admin, receiver.url)
    url = reverse("webhooks:subscription_edit", kwargs={"pk": subscription.pk})
    data = {"name": "市数据中心（新）", "target_url": receiver.url, "events": ["item.closed"], "is_active": "on",
            "version": subscription.version}  # fmt: skip
    assert admin.post(url, data).status_code == 302
    subscription.refresh_from_db()
    assert (
        subscription.name == "市数据中心（新）" and subscription.events == ["item.closed"] and subscription.version == 2
    )
    event = AuditEvent.objects.get(action="webhook.subscription_update")
    assert event.after == {"name": "市数据中心（新）", "events": ["item.closed"]}
    stale = admin.post(url, {**data, "name": "过时的修改", "version": 1})
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()
    subscription.refresh_from_db()
    assert subscription.name == "市数据中心（新）"


def test_deactivating_from_the_list(district, client_for, receiver):
    admin = client_for("admin")
    _response, subscription, _secret = _create(admin, receiver.url)
    url = reverse("webhooks:subscription_deactivate", kwargs={"pk": subscription.pk})
    assert admin.post(url).status_code == 302
    subscription.refresh_from_db()
    assert not subscription.is_active
    page = admin.get(reverse("webhooks:subscription_list")).content.decode()
    assert "停用" in page and url not in page  # no button to stop it again
    follow = admin.post(url, follow=True).content.decode()
    assert "该订阅已停用" in follow


def test_the_delivery_log_filters_and_sends_again(district, client_for, receiver, subscribe, settings):
    settings.JIANGUAN_WEBHOOK_MAX_ATTEMPTS = 1
    from jianguan.ledger.services import recheck
    from jianguan.registry.services import institution_update

    changes, _ = subscribe(["institution.changed"], name="甲系统")
    closes, _ = subscribe(["item.closed"], name="乙系统")
    receiver.answer(Answer(500, b"receiver down"))
    institution_update(actor=district.users["lead"], institution=district.institutions["a"], address="甲街道 7 号")
    run_worker()
    recheck(
        actor=district.users["fire_officer"], officers=[district.users["edu_officer"]], item=district.ledger["a"],
        passed=True, note="已复查",
    )  # fmt: skip
    run_worker()
    failed = Delivery.objects.get(subscription=changes)
    assert failed.status == "given_up"
    admin = client_for("admin")
    url = reverse("webhooks:delivery_list")
    page = admin.get(url).content.decode()
    assert page.count('data-status="') == 2
    assert "接收方返回 HTTP 500" in page and "重新发送" in page
    only = admin.get(url, {"subscription": closes.pk}).content.decode()
    assert only.count('data-status="succeeded"') == 1 and 'data-status="given_up"' not in only
    assert admin.get(url, {"event": "institution.changed"}).content.decode().count('data-status="') == 1
    assert admin.get(url, {"status": "given_up"}).content.decode().count('data-status="given_up"') == 1
    assert admin.get(url, {"subscription": "abc"}).status_code == 400
    assert admin.get(url, {"status": "nope"}).status_code == 400
    detail = admin.get(reverse("webhooks:delivery_detail", kwargs={"pk": failed.pk})).content.decode()
    assert "receiver down" in detail and "500" in detail and str(failed.event_id) in detail
    assert f"/api/v1/institutions/{district.institutions['a'].pk}" in detail

    redeliver = reverse("webhooks:delivery_redeliver", kwargs={"pk": failed.pk})
    assert admin.post(redeliver).status_code == 302
    run_worker()
    failed.refresh_from_db()
    assert failed.status == "succeeded" and len(receiver.received) == 3
    # Delivered: no second redelivery, and no button.
    response = admin.post(redeliver, follow=True).content.decode()
    assert "不能重新发送" in response
    assert run_worker() == 0


def test_the_log_takes_the_same_queries_for_few_or_many(district, client_for, subscribe, django_assert_max_num_queries):
    import uuid

    subscription, _ = subscribe(["item.closed"])
    admin = client_for("admin")

    def add(n):
        Delivery.objects.bulk_create(
            Delivery(subscription=subscription, event="item.closed", event_id=uuid.uuid4(), payload={"object": {}})
            for _ in range(n)
        )

    add(2)
    admin.get(reverse("webhooks:delivery_list"))  # warm the session and caches
    with django_assert_max_num_queries(12) as few:
        admin.get(reverse("webhooks:delivery_list"))
    add(40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin.get(reverse("webhooks:delivery_list"))
    with django_assert_max_num_queries(12) as one:
        admin.get(reverse("webhooks:subscription_list"))
    for n in range(5):
        subscribe(["item.closed"], name=f"系统{n}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert admin.get(reverse("webhooks:subscription_list")).content.decode().count("系统") >= 5


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ("admin", "anonymous")])
def test_no_one_else_reaches_the_pages_or_changes_anything(district, client_for, subscribe, persona):
    subscription, _ = subscribe(["item.closed"])
    client = client_for(persona)
    for name, method in [("webhooks:subscription_list", "get"), ("webhooks:subscription_create", "post"),
                         ("webhooks:delivery_list", "get")]:  # fmt: skip
        assert getattr(client, method)(reverse(name), {"name": "x", "target_url": "https://e.cn/"}).status_code == 403
    for name in ["webhooks:subscription_edit", "webhooks:subscription_deactivate", "webhooks:subscription_rotate"]:
        assert client.post(reverse(name, kwargs={"pk": subscription.pk})).status_code == 403
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.version == 1 and Subscription.objects.count() == 1
    assert "事件推送" not in client.get(reverse("home")).content.decode()  # not in the menu either


def test_the_admin_finds_the_pages_in_the_menu(district, client_for):
    assert reverse("webhooks:subscription_list") in client_for("admin").get(reverse("home")).content.decode()


def test_a_missing_subscription_or_delivery_is_404(district, client_for):
    admin = client_for("admin")
    assert admin.get(reverse("webhooks:subscription_edit", kwargs={"pk": 99999})).status_code == 404
    assert admin.get(reverse("webhooks:delivery_detail", kwargs={"pk": 99999})).status_code == 404
    assert admin.post(reverse("webhooks:delivery_redeliver", kwargs={"pk": 99999})).status_code == 404
