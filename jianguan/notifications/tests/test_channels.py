"""E-mail and SMS: events reach the people they concern on the channels they chose, through a real SMTP server
(aiosmtpd) and a real HTTP gateway on loopback, by the task the worker runs; failures are retried, then shown to the
administrator, who sends them again."""

from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from jianguan.audit.models import AuditEvent
from jianguan.ledger import services as ledger
from jianguan.notifications import services
from jianguan.notifications.models import Delivery, Notification, Preference


def run_worker(limit: int = 50) -> int:
    """What `manage.py db_worker` does with each ready task, inside the test's transaction."""
    worker = Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test", excluded_queue_names=[],
    )  # fmt: skip
    ran = 0
    while ran < limit and (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        result.claim("test")
        worker.run_task(result)
        ran += 1
    return ran


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=port,
        JIANGUAN_SITE_URL="https://jg.example.gov.cn",
    ):  # fmt: skip
        yield inbox
    controller.stop()


class Gateway:
    """An SMS gateway on loopback: records each POST and answers with the status it is told to."""

    def __init__(self) -> None:
        self.received: list[tuple[dict, dict]] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers["Content-Length"])
                gateway.received.append((dict(self.headers), json.loads(self.rfile.read(length))))
                self.send_response(gateway.status)
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    g = Gateway()
    template = '{"mobile": "$phone", "content": "$text", "sign": "监管"}'
    with override_settings(JIANGUAN_SMS_URL=g.url, JIANGUAN_SMS_TEMPLATE=template, JIANGUAN_SMS_TOKEN="t0ken"):
        yield g
    g.close()


def _recheck(district, passed=True):
    return ledger.recheck(
        officers=[district.users["edu_officer"]],
        actor=district.users["fire_officer"],
        item=district.ledger["a"],
        passed=passed,
        note="已复查，通道畅通",
    )


def test_a_recheck_result_reaches_the_institution_by_email_through_a_real_smtp_server(district, smtp):
    head = district.users["institution"]
    head.email = "head@school.example.cn"
    head.save(update_fields=["email"])
    _recheck(district)
    note = Notification.objects.get(recipient=head, reason="ledger.recheck")
    assert "复查通过" in note.text
    delivery = Delivery.objects.get(notification=note)
    assert delivery.channel == "email" and delivery.status == "pending"
    assert not smtp.messages  # nothing leaves before the worker runs the task
    assert run_worker() >= 1
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 1 and delivery.sent_at is not None
    [(to, message)] = smtp.messages
    assert to == ["head@school.example.cn"]
    assert "复查通过" in str(make_header(decode_header(message["Subject"])))
    body = message.get_payload(decode=True).decode("utf-8")
    assert note.text in body and f"https://jg.example.gov.cn{note.url}" in body
    outcome = AuditEvent.objects.filter(action="notification.deliver").latest("pk")
    assert outcome.after["status"] == "sent" and "head@" not in json.dumps(outcome.after)  # the address is masked
    run_worker()
    assert len(smtp.messages) == 1  # the task is done: never sent twice


def test_an_order_reaches_the_institution_by_sms_at_its_contact_phone(district, gateway):
    """An institution's users get SMS by default; without a mobile of their own, at the institution's contact phone."""
    from jianguan.ledger.notify import order_issued

    institution = district.institutions["a"]
    institution.contact_phone = "13800138000"
    institution.save(update_fields=["contact_phone"])
    order_issued([district.ledger["a"]], "青岚教责改〔2026〕1号")
    run_worker()
    [(headers, body)] = gateway.received
    assert body["mobile"] == "13800138000" and body["sign"] == "监管"
    assert body["content"].startswith("【监管平台】收到责令整改通知书 青岚教责改〔2026〕1号")
    assert headers["Authorization"] == "Bearer t0ken"
    assert Delivery.objects.get(channel="sms").masked_address == "138****8000"


def test_a_person_chooses_the_channels(district, smtp, gateway, client_for):
    institution = district.institutions["a"]
    institution.contact_phone = "13800138000"
    institution.save(update_fields=["contact_phone"])
    client = client_for("institution")
    page = client.get("/notifications/settings/").content.decode()
    assert "不填时发到机构的联系电话 138" in page
    response = client.post("/notifications/settings/", {"email": "on", "email_address": ""})
    assert response.status_code == 400 and "请填写电子邮箱" in response.content.decode()
    response = client.post("/notifications/settings/", {"phone": "139 0000 1111x"})
    assert response.status_code == 400 and "有效的电话号码" in response.content.decode()
    assert client.post("/notifications/settings/", {"phone": "13900001111"}).status_code == 302  # SMS off
    head = district.users["institution"]
    head.refresh_from_db()
    assert head.phone == "13900001111" and not Preference.objects.get(user=head).sms
    assert AuditEvent.objects.filter(action="notification.preference", object_id=str(head.pk)).exists()
    _recheck(district)
    assert Notification.objects.filter(recipient=head, reason="ledger.recheck").exists()  # the inbox always
    assert not Delivery.objects.exists()
    client.post("/notifications/settings/", {"phone": "13900001111", "sms": "on"})
    services.notify_many([services.Message(head.pk, "test", "x:1", "测试短信")])
    run_worker()
    assert [body["mobile"] for _h, body in gateway.received] == ["13900001111"]


def test_staff_get_no_sms_unless_they_ask(district, gateway):
    officer = district.users["fire_officer"]
    officer.phone = "13700000000"
    officer.save(update_fields=["phone"])
    services.notify_many([services.Message(officer.pk, "test", "x:2", "测试")])
    assert not Delivery.objects.exists()
    Preference.objects.create(user=officer, email=False, sms=True)
    services.notify_many([services.Message(officer.pk, "test", "x:3", "测试")])
    assert Delivery.objects.get().address == "13700000000"


def test_a_failing_gateway_is_retried_then_shown_to_the_administrator(district, gateway, client_for):
    head = district.users["institution"]
    head.phone = "13900001111"
    head.save(update_fields=["phone"])
    gateway.status = 500
    with override_settings(JIANGUAN_NOTIFY_MAX_ATTEMPTS=3):
        services.notify_many([services.Message(head.pk, "test", "x:4", "测试")])
        delivery = Delivery.objects.get()
        run_worker()
        delivery.refresh_from_db()
        assert delivery.status == "pending" and delivery.attempts == 1 and "HTTP 500" in delivery.last_error
        assert delivery.next_attempt_at > timezone.now()  # the retry waits its turn
        assert run_worker() == 0
        for _ in range(2):  # the pauses pass
            DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))
            run_worker()
        delivery.refresh_from_db()
        assert delivery.status == "failed" and delivery.attempts == 3
        assert len(gateway.received) == 3
    assert AuditEvent.objects.filter(action="notification.deliver", after__status="failed").exists()

    page = client_for("admin").get("/notifications/deliveries/").content.decode()
    assert "短信网关返回 HTTP 500" in page and "139****1111" in page and "13900001111" not in page
    assert client_for("lead").get("/notifications/deliveries/").status_code == 403
    assert client_for("institution").post(f"/notifications/deliveries/{delivery.pk}/retry/").status_code == 403

    gateway.status = 200
    assert client_for("admin").post(f"/notifications/deliveries/{delivery.pk}/retry/").status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts == 0
    assert AuditEvent.objects.filter(action="notification.retry").exists()
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "sent" and len(gateway.received) == 4
    # Sent: no second retry.
    client_for("admin").post(f"/notifications/deliveries/{delivery.pk}/retry/")
    assert run_worker() == 0


def test_an_unreachable_gateway_and_a_broken_template_are_reasons_not_crashes(district, gateway):
    head = district.users["institution"]
    head.phone = "13900001111"
    head.save(update_fields=["phone"])
    with override_settings(JIANGUAN_SMS_URL=f"http://127.0.0.1:{free_port()}/"):
        services.notify_many([services.Message(head.pk, "test", "x:5", "测试")])
        run_worker()
    assert "无法连接短信网关" in Delivery.objects.get().last_error
    with override_settings(JIANGUAN_SMS_TEMPLATE='{"mobile": "$phone"'):
        services.notify_many([services.Message(head.pk, "test", "x:6", "测试")])
        run_worker()
    assert "不是有效的 JSON" in Delivery.objects.get(notification__subject="x:6").last_error


def test_a_task_queued_twice_sends_once(district, gateway):
    head = district.users["institution"]
    head.phone = "13900001111"
    head.save(update_fields=["phone"])
    services.notify_many([services.Message(head.pk, "test", "x:7", "测试")])
    from jianguan.notifications.tasks import deliver

    deliver.enqueue(Delivery.objects.get().pk)
    run_worker()
    assert len(gateway.received) == 1


def test_routing_takes_the_same_queries_for_one_or_many_recipients(district, gateway, django_assert_max_num_queries):
    from jianguan.accounts.models import User

    users = list(User.objects.filter(is_active=True).values_list("pk", flat=True))
    User.objects.update(phone="13900001111")
    Preference.objects.bulk_create(Preference(user_id=pk, email=False, sms=True) for pk in users)
    with django_assert_max_num_queries(2):
        one = services.routes(users[:1])
    with django_assert_max_num_queries(2):
        many = services.routes(users)
    assert len(one) == 1 and len(many) == len(users)
