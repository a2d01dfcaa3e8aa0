"""移送 / 协查 over the API: enum filters (unknown values 422), overdue and direction, the detail, sending, the steps
with 409 for impossible ones, and a query budget on the list."""

from __future__ import annotations

import json
from datetime import timedelta

import time_machine
from django.utils import timezone

from .conftest import send


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_list_filters_are_enums(district, client_for):
    send(district)
    client = client_for("edu_officer")
    assert client.get("/api/v1/transfers").json()["count"] == 1
    for bad in ({"kind": "nope"}, {"status": "open"}, {"direction": "both"}, {"overdue": "maybe"}):
        assert client.get("/api/v1/transfers", bad).status_code == 422, bad
    assert client.get("/api/v1/transfers", {"direction": "sent", "kind": "transfer"}).json()["count"] == 1
    assert client.get("/api/v1/transfers", {"direction": "received"}).json()["count"] == 0
    assert client_for("fire_officer").get("/api/v1/transfers").json()["count"] == 0


def test_overdue_and_deadline_are_reported(district, market_officer, client_for):
    transfer = send(district)
    from tests.support.district import persona_client

    client = persona_client(market_officer)
    item = client.get("/api/v1/transfers").json()["items"][0]
    assert item["reply_due"] == transfer.reply_due.isoformat() and item["overdue"] is False
    with time_machine.travel(timezone.localtime() + timedelta(days=30), tick=False):
        client = persona_client(market_officer)  # signed in on that day
        page = client.get("/api/v1/transfers", {"overdue": "true"}).json()
        assert page["count"] == 1 and page["items"][0]["overdue"] is True


def test_send_and_answer_over_the_api(district, market_officer, client_for):
    from tests.support.district import persona_client

    edu = client_for("edu_officer")
    body = {"kind": "transfer", "receiver_department_id": district.departments["market"].pk,
            "institution_id": district.institutions["b"].pk, "category": "food_safety", "subject": "食品问题",
            "facts": "无留样柜。"}  # fmt: skip
    created = _post(edu, "/api/v1/transfers", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["letter_number"].startswith("测教移〔") and data["documents"][0]["number"] == data["letter_number"]
    assert _post(edu, "/api/v1/transfers", {**body, "receiver_department_id": district.departments["edu"].pk,
                                            "category": None}).status_code == 400  # fmt: skip
    path = f"/api/v1/transfers/{data['id']}"
    market = persona_client(market_officer)
    assert market.get(path).json()["actions"] == ["transfer_accept", "transfer_refuse", "transfer_comment"]
    assert _post(edu, f"{path}/accept", {}).status_code == 403
    assert _post(market, f"{path}/refuse", {}).status_code == 422  # a reason is required
    assert _post(market, f"{path}/report", {"result": "已处理"}).status_code == 409
    accepted = _post(market, f"{path}/accept", {"version": data["version"]})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert _post(market, f"{path}/accept", {}).status_code == 409
    assert _post(market, f"{path}/refuse", {"reason": "x", "version": data["version"]}).status_code == 409
    done = _post(market, f"{path}/report", {"result": "已立案查处。"}).json()
    assert done["status"] == "closed" and [s["action"] for s in done["steps"]] == ["send", "accept", "report"]
    assert client_for("fire_officer").get(path).status_code == 404
    assert client_for("institution").get(path).status_code == 403


def test_list_queries_do_not_grow_with_rows(district, client_for, django_assert_max_num_queries):
    client = client_for("edu_officer")
    send(district)
    with django_assert_max_num_queries(20) as few:
        client.get("/api/v1/transfers")
    for _n in range(6):
        send(district)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/transfers").json()["count"] == 7
