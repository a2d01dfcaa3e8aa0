"""Sending: retries with growing pauses, giving up, redirects not followed, answers read only so far, timeouts, the
allowed hosts, a task queued twice, a stopped subscription and a rotated secret."""

from __future__ import annotations

import hashlib
import hmac
import socket

from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jianguan.audit.models import AuditEvent
from jianguan.webhooks import services
from jianguan.webhooks.models import Delivery
from jianguan.webhooks.tests.conftest import Answer, let_pauses_pass, run_worker


def _change(district, address="甲街道 8 号"):
    from jianguan.registry.services import institution_update

    institution_update(actor=district.users["lead"], institution=district.institutions["a"], address=address)
    return Delivery.objects.latest("pk")


def _signed_with(secret, request):
    timestamp = request.headers["x-jianguan-timestamp"]
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"sha256={mac}", request.headers["x-jianguan-signature"])


def test_a_failing_receiver_is_retried_with_growing_pauses_then_succeeds(district, receiver, subscribe):
    subscribe(["institution.changed"])
    receiver.answer(Answer(500, b"oops"), Answer(503, b"busy"), Answer(200))
    delivery = _change(district)
    pauses = []
    for expected in ("failed", "failed"):
        before = timezone.now()
        run_worker()
        delivery.refresh_from_db()
        assert delivery.status == expected
        assert run_worker() == 0  # the retry waits its turn
        pauses.append((delivery.next_attempt_at - before).total_seconds())
        let_pauses_pass()
    assert 55 <= pauses[0] <= 65 and 115 <= pauses[1] <= 125  # 1 minute, then 2
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 3 and delivery.next_attempt_at is None
    assert delivery.last_error == "" and delivery.last_status_code == 200
    log = list(delivery.attempt_log.values_list("number", "status_code"))
    assert log == [(1, 500), (2, 503), (3, 200)]
    assert delivery.attempt_log.get(number=1).response_excerpt == "oops"
    assert "HTTP 500" in delivery.attempt_log.get(number=1).error
    # The same event each time (a receiver can tell a retry), numbered attempts.
    assert {r.headers["x-jianguan-delivery"] for r in receiver.received} == {str(delivery.event_id)}
    assert [r.headers["x-jianguan-attempt"] for r in receiver.received] == ["1", "2", "3"]
    assert len({r.body for r in receiver.received}) == 1


def test_the_pauses_double_up_to_a_cap():
    with override_settings(JIANGUAN_WEBHOOK_RETRY_SECONDS=60):
        assert [services.retry_pause(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
        assert services.retry_pause(30) == services.MAX_PAUSE


def test_a_delivery_is_given_up_after_the_last_attempt(district, receiver, subscribe):
    subscribe(["institution.changed"])
    with override_settings(JIANGUAN_WEBHOOK_MAX_ATTEMPTS=3):
        receiver.answer(*[Answer(500)] * 5)
        delivery = _change(district)
        for _ in range(5):
            run_worker()
            let_pauses_pass()
    delivery.refresh_from_db()
    assert delivery.status == "given_up" and delivery.attempts == 3 and delivery.next_attempt_at is None
    assert len(receiver.received) == 3
    assert not DBTaskResult.objects.filter(status="READY").exists()
    outcome = AuditEvent.objects.get(action="webhook.give_up")
    assert outcome.after["attempts"] == 3 and "HTTP 500" in outcome.after["error"]


def test_a_redirect_is_not_followed(district, receiver, subscribe):
    subscribe(["institution.changed"])
    receiver.answer(Answer(302, b"", headers={"Location": "http://127.0.0.1:9/elsewhere"}))
    delivery = _change(district)
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.last_status_code == 302
    assert "重定向" in delivery.last_error and "未跟随" in delivery.last_error
    assert [r.path for r in receiver.received] == ["/hooks/jianguan"]


def test_a_huge_answer_is_read_only_so_far(district, receiver, subscribe):
    subscribe(["institution.changed"])
    receiver.answer(Answer(200, stream_bytes=64 * 1024 * 1024))
    delivery = _change(district)
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert len(delivery.attempt_log.get().response_excerpt) == 4096


def test_a_slow_receiver_times_out(district, receiver, subscribe):
    subscribe(["institution.changed"])
    receiver.answer(Answer(200, delay=3))
    with override_settings(JIANGUAN_WEBHOOK_TIMEOUT_SECONDS=1):
        delivery = _change(district)
        run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "超时" in delivery.last_error and delivery.last_status_code is None


def test_an_unreachable_receiver_is_a_reason_not_a_crash(district, subscribe):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subscribe(["institution.changed"], url=f"http://127.0.0.1:{port}/hook")
    delivery = _change(district)
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "无法连接接收方" in delivery.last_error


def test_only_allowed_hosts_are_accepted_and_sent_to(district, receiver, subscribe):
    from django.core.exceptions import ValidationError

    subscription, _ = subscribe(["institution.changed"])
    with override_settings(JIANGUAN_WEBHOOK_ALLOWED_HOSTS=["hooks.example.gov.cn", ".data.example.gov.cn"]):
        for url, ok in [
            ("https://hooks.example.gov.cn/in", True),
            ("https://data.example.gov.cn/in", True),
            ("https://x.data.example.gov.cn/in", True),
            ("https://evil.example.com/in", False),
            ("http://127.0.0.1:8080/in", False),
            ("https://hooks.example.gov.cn.evil.com/in", False),
        ]:
            try:
                subscribe(["item.closed"], url=url)
            except ValidationError as exc:
                assert not ok and "不在允许的范围内" in str(exc), url
            else:
                assert ok, url
        # A subscription entered before the list was set is not sent to either.
        delivery = Delivery.objects.get(pk=_change(district).pk)
        assert delivery.subscription == subscription
        run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "given_up" and "不在允许的范围内" in delivery.last_error
    assert not receiver.received


def test_only_http_and_https_without_credentials(district):
    from django.core.exceptions import ValidationError

    for url in ["ftp://example.com/x", "file:///etc/passwd", "gopher://127.0.0.1:25/", "http://user:pw@example.com/",
                "https:///nohost", "javascript:alert(1)", "http://exa mple.cn/", "http://bad_host/x",
                "http://例子.中国/x", "http://example.cn:99999/", "http://example.cn/路径", "http://example.cn/a\tb"]:  # fmt: skip
        try:
            services.subscription_create(
                actor=district.users["admin"], name="x", target_url=url, events=["item.closed"]
            )
        except ValidationError as exc:
            assert "target_url" in exc.message_dict, url
        else:
            raise AssertionError(f"{url} was accepted")


def test_a_task_queued_twice_sends_once(district, receiver, subscribe):
    from jianguan.webhooks.tasks import deliver

    subscribe(["institution.changed"])
    delivery = _change(district)
    deliver.enqueue(delivery.pk, 0)
    run_worker()
    assert len(receiver.received) == 1


def test_a_stopped_subscription_sends_nothing_more(district, receiver, subscribe):
    subscription, _ = subscribe(["institution.changed"])
    delivery = _change(district)
    services.subscription_deactivate(actor=district.users["admin"], subscription=subscription)
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "given_up" and "停用" in delivery.last_error and not receiver.received


def test_retries_are_signed_with_the_rotated_secret(district, receiver, subscribe):
    subscription, old = subscribe(["institution.changed"])
    receiver.answer(Answer(500))
    _change(district)
    run_worker()
    _subscription, new = services.subscription_rotate_secret(actor=district.users["admin"], subscription=subscription)
    assert new != old
    let_pauses_pass()
    run_worker()
    first, second = receiver.received
    assert _signed_with(old, first) and not _signed_with(new, first)
    assert _signed_with(new, second) and not _signed_with(old, second)


def test_a_redelivery_sends_the_same_event_again(district, receiver, subscribe):
    subscribe(["institution.changed"])
    with override_settings(JIANGUAN_WEBHOOK_MAX_ATTEMPTS=1):
        receiver.answer(Answer(500))
        delivery = _change(district)
        run_worker()
        delivery.refresh_from_db()
        assert delivery.status == "given_up"
        services.delivery_redeliver(actor=district.users["admin"], delivery=delivery)
        delivery.refresh_from_db()
        assert delivery.status == "pending" and delivery.attempts == 0
        run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert [a.number for a in delivery.attempt_log.all()] == [1, 1]  # one round each
    first, second = receiver.received
    assert first.body == second.body and first.headers["x-jianguan-delivery"] == second.headers["x-jianguan-delivery"]
    assert AuditEvent.objects.filter(action="webhook.redeliver").exists()


def test_a_sealed_secret_that_cannot_be_read_gives_up_with_the_reason(district, receiver, subscribe):
    from jianguan.webhooks.models import Subscription

    subscription, _ = subscribe(["institution.changed"])
    Subscription.objects.filter(pk=subscription.pk).update(secret_sealed="v1:broken")
    delivery = _change(district)
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "given_up" and "签名密钥" in delivery.last_error and not receiver.received


def test_the_reference_verifier_accepts_only_fresh_well_signed_bodies():
    import time

    from jianguan.webhooks import signing

    body = b'{"id":"x"}'
    now = int(time.time())
    header = signing.signature("s3cret", now, body)
    assert signing.verify("s3cret", str(now), body, header)
    assert not signing.verify("s3cret", str(now), body + b" ", header)
    assert not signing.verify("other", str(now), body, header)
    assert not signing.verify("s3cret", str(now - 600), body, signing.signature("s3cret", now - 600, body))
    assert not signing.verify("s3cret", "soon", body, header)


def test_intranet_names_and_addresses_are_accepted(district):
    for url in ["http://sjzx/hook", "http://10.20.30.40:8080/in", "https://[fd00::1]/in", "https://xn--fiqs8s.cn/in",
                "https://hooks.example.gov.cn/in?token=t"]:  # fmt: skip
        subscription, _ = services.subscription_create(
            actor=district.users["admin"], name=url[:90], target_url=url, events=["item.closed"]
        )
        assert subscription.target_url == url
