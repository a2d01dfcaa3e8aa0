"""Every meeting page and endpoint × every persona (the meeting has all four departments and both streets as members;
its task is the fire brigade's), the API's filters and conflicts, and query counts that do not grow with the rows."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jianguan.meetings import services
from jianguan.meetings.tests.conftest import hold, later
from tests.support.district import PERSONAS, persona_client

STAFF = [p for p in PERSONAS if p not in ("anonymous", "institution")]


@pytest.fixture
def held(district, meeting):  # type: ignore[no-untyped-def]
    """A session held yesterday (its fire task open) and the next one scheduled, with its materials."""
    first = hold(district, meeting, 1, [("消防指导", "fire", 10)])
    lead = district.users["lead"]
    second = services.session_schedule(actor=lead, meeting=meeting, held_on=later(3), place="会议室", agenda="议程")
    second = services.session_materials_generate(actor=lead, session=second)
    return first, second


def _pages(meeting, first, second, task):  # type: ignore[no-untyped-def]
    """(name, method, url, data, who may, the status they get)"""
    return [
        ("meeting_list", "get", reverse("meetings:meeting_list"), {}, STAFF, 200),
        ("task_list", "get", reverse("meetings:task_list") + "?status=open&overdue=false", {}, STAFF, 200),
        ("session_detail", "get", reverse("meetings:session_detail", args=[first.pk]), {}, STAFF, 200),
        ("materials_docx", "get", reverse("meetings:session_materials_download", args=[second.pk, "docx"]), {}, STAFF,
         200),
        ("meeting_new", "get", reverse("meetings:meeting_new"), {}, ["lead"], 200),
        ("meeting_edit", "get", reverse("meetings:meeting_edit", args=[meeting.pk]), {}, ["lead"], 200),
        ("session_new", "get", reverse("meetings:session_new", args=[meeting.pk]), {}, ["lead"], 200),
        ("session_attendance", "get", reverse("meetings:session_attendance", args=[first.pk]), {}, ["lead"], 200),
        ("session_minutes", "get", reverse("meetings:session_minutes", args=[second.pk]), {}, ["lead"], 200),
        ("session_materials", "post", reverse("meetings:session_materials", args=[second.pk]),
         {"version": second.version}, ["lead"], 302),
        ("task_progress", "post", reverse("meetings:task_progress", args=[task.pk]),
         {"version": task.version, "text": "已指导"}, ["fire_officer"], 302),
        ("task_close", "post", reverse("meetings:task_close", args=[task.pk]), {"version": task.version},
         ["lead"], 302),
    ]  # fmt: skip


@pytest.mark.parametrize("persona_name", PERSONAS)
def test_every_page_for_every_persona(district, meeting, held, persona_name):
    first, second = held
    task = first.tasks.get()
    client = persona_client(district.users[persona_name])
    for name, method, url, data, allowed, ok in _pages(meeting, first, second, task):
        response = getattr(client, method)(url, data)
        if persona_name == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), name
        elif persona_name in allowed:
            assert response.status_code == ok, (name, response.content[:300])
        else:
            assert response.status_code == 403, (name, response.status_code)


def _api(meeting, first, task):  # type: ignore[no-untyped-def]
    return [
        ("get", "/api/v1/meetings", None, STAFF, 200),
        ("get", f"/api/v1/meetings/{first.pk}", None, STAFF, 200),
        ("get", "/api/v1/meeting-tasks?status=open&overdue=true", None, STAFF, 200),
        ("post", f"/api/v1/meeting-tasks/{task.pk}/progress", {"text": "已指导", "done": True}, ["fire_officer"], 200),
        ("post", f"/api/v1/meeting-tasks/{task.pk}/close", {"note": "办结"}, ["lead"], 200),
    ]


@pytest.mark.parametrize("persona_name", PERSONAS)
def test_every_endpoint_for_every_persona(district, meeting, held, persona_name):
    first, _second = held
    task = first.tasks.get()
    client = persona_client(district.users[persona_name])
    for method, url, body, allowed, ok in _api(meeting, first, task):
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
        response = getattr(client, method)(url, **kwargs)
        if persona_name == "anonymous":
            assert response.status_code == 401, url
        elif persona_name in allowed:
            assert response.status_code == ok, (url, response.content[:300])
        else:
            assert response.status_code == 403, (url, response.status_code)
            assert response.json()["message"]


def test_api_shows_sessions_with_attendance_documents_and_tasks(district, held, client_for):
    first, second = held
    items = {s["id"]: s for s in client_for("street_b").get("/api/v1/meetings").json()["items"]}
    assert items[first.pk]["attendees"] and items[first.pk]["documents"][0]["kind"] == "meeting_minutes"
    assert items[first.pk]["tasks"][0]["decision"] == "消防指导" and items[first.pk]["tasks"][0]["actions"] == []
    assert items[second.pk]["materials_pdf_url"].endswith("materials.pdf")
    detail = client_for("lead").get(f"/api/v1/meetings/{second.pk}").json()
    assert [t["decision"] for t in detail["carried"]] == ["消防指导"]
    assert detail["actions"] == [] and detail["materials"]["sections"]
    assert [t["code"] for t in detail["transitions"]] == ["materials"]
    fire = client_for("fire_officer").get("/api/v1/meeting-tasks").json()["items"][0]
    assert fire["actions"] == ["meeting_task_progress"]
    assert fire["transitions"] == [{"code": "progress", "label": "报告办理进展"}]


@pytest.mark.parametrize("query", ["status=maybe", "overdue=perhaps", "offset=-1", "limit=0"])
def test_api_refuses_unknown_filter_values(client_for, query):
    response = client_for("lead").get(f"/api/v1/meeting-tasks?{query}")
    assert response.status_code == 422 and response.json()["message"]


def test_api_closing_twice_or_with_a_stale_version_is_409(district, held, client_for):
    task = held[0].tasks.get()
    client = client_for("lead")
    stale = client.post(f"/api/v1/meeting-tasks/{task.pk}/close", json.dumps({"version": task.version + 5}),
                        content_type="application/json")  # fmt: skip
    assert stale.status_code == 409
    assert (
        client.post(f"/api/v1/meeting-tasks/{task.pk}/close", "{}", content_type="application/json").status_code == 200
    )
    again = client.post(f"/api/v1/meeting-tasks/{task.pk}/close", "{}", content_type="application/json")
    assert again.status_code == 409 and again.json()["message"] == "该督办事项已办结。"
    progress = client_for("fire_officer").post(
        f"/api/v1/meeting-tasks/{task.pk}/progress", json.dumps({"text": "补充"}), content_type="application/json"
    )
    assert progress.status_code == 409


def test_api_task_filters(district, meeting, client_for):
    hold(district, meeting, 20, [("逾期事项", "fire", -1), ("未到期事项", "fire", 5)])
    client = client_for("edu_officer")  # a member, not responsible: reads every task of the meeting

    def decisions(query: str) -> list[str]:
        return [t["decision"] for t in client.get(f"/api/v1/meeting-tasks?{query}").json()["items"]]

    assert decisions("overdue=true") == ["逾期事项"]
    assert decisions("overdue=false") == ["未到期事项"]
    assert decisions("status=closed") == []
    page = client.get(reverse("meetings:task_list") + "?overdue=true").content.decode()
    assert "逾期事项" in page and "未到期事项" not in page


def _count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_rows(district, meeting):
    first = hold(district, meeting, 10, [("事项一", "fire", 5)])
    urls = [
        reverse("meetings:meeting_list"), reverse("meetings:task_list"),
        reverse("meetings:session_detail", args=[first.pk]), "/api/v1/meetings", "/api/v1/meeting-tasks",
        f"/api/v1/meetings/{first.pk}",
    ]  # fmt: skip
    clients = {name: persona_client(district.users[name]) for name in ("lead", "street_a")}
    for client in clients.values():
        for url in urls:
            _count(client, url)  # warm the per-process caches (sessions, the calendar)
    before = {(n, u): _count(c, u) for n, c in clients.items() for u in urls}
    # More sessions, tasks, attendance and progress reports — on the first session's page too (its tasks).
    for days in (8, 6, 4):
        hold(district, meeting, days, [("事项二", "fire", 5), ("事项三", "a", 5), ("事项四", "market", 5)])
    for task in first.tasks.all():
        services.task_progress_report(actor=district.users["fire_officer"], task=task, text="进展一")
        services.task_progress_report(actor=district.users["fire_officer"], task=task, text="进展二")
    services.task_progress_report(
        actor=district.users["street_a"], task=first.meeting.sessions.get(number=2).tasks.get(number=2), text="已排查"
    )
    after = {(n, u): _count(c, u) for n, c in clients.items() for u in urls}
    assert after == before


def test_the_convener_runs_a_meeting_through_the_forms(district, client_for):
    from jianguan.meetings.models import JointMeeting

    client, today = client_for("lead"), later(0)
    departments = district.departments
    response = client.post(reverse("meetings:meeting_new"), {
        "name": "表单联席会议", "department": departments["edu"].pk, "convener": district.users["lead"].pk,
        "departments": [departments["fire"].pk, departments["market"].pk], "streets": [district.streets["a"].pk],
        "schedule": "quarterly", "duties": "",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:500]
    meeting = JointMeeting.objects.get(name="表单联席会议")
    response = client.post(reverse("meetings:session_new", args=[meeting.pk]), {
        "kind": "extra", "held_on": today.isoformat(), "place": "三楼会议室", "agenda": "研究消防整改\n部署排查",
    })  # fmt: skip
    session = meeting.sessions.get()
    assert response.status_code == 302 and session.kind == "extra"
    fire, street = f"d{departments['fire'].pk}", f"s{district.streets['a'].pk}"
    form = {
        "version": session.version,
        f"{fire}_status": "deputy",
        f"{fire}_attendee": "",
        f"{street}_status": "absent",
    }
    for key in (f"d{departments['edu'].pk}", f"d{departments['market'].pk}"):
        form[f"{key}_status"] = "attended"
    assert client.post(reverse("meetings:session_attendance", args=[session.pk]), form).status_code == 400  # no name
    form[f"{fire}_attendee"] = "副大队长 王强"
    assert client.post(reverse("meetings:session_attendance", args=[session.pk]), form).status_code == 302
    session.refresh_from_db()
    response = client.post(reverse("meetings:session_minutes", args=[session.pk]), {
        "version": session.version, "minutes": "会议研究了消防整改。",
        "decision_1": "完成消防通道整改复查", "unit_1": fire, "deadline_1": later(14).isoformat(),
        "decision_2": "排查无证托管班", "unit_2": street, "deadline_2": "",
    })  # fmt: skip
    assert response.status_code == 400 and "请填写办理时限" in response.content.decode()
    response = client.post(reverse("meetings:session_minutes", args=[session.pk]), {
        "version": session.version, "minutes": "会议研究了消防整改。",
        "decision_1": "完成消防通道整改复查", "unit_1": fire, "deadline_1": later(14).isoformat(),
        "decision_2": "排查无证托管班", "unit_2": street, "deadline_2": later(30).isoformat(),
    })  # fmt: skip
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == "held"
    assert [(t.decision, t.unit_name) for t in session.tasks.order_by("number")] == [
        ("完成消防通道整改复查", "测试区消防救援大队"), ("排查无证托管班", "甲街道"),
    ]  # fmt: skip
    # The dashboard shows the open tasks and exports them like any other section.
    assert "联席会议督办事项" in client.get(reverse("reports:dashboard")).content.decode()
    export = client.get(reverse("reports:dashboard_export", kwargs={"key": "meeting_tasks"}))
    assert export.status_code == 200
