"""The JSON API: every operation × every persona, token authentication, JSON errors in Chinese, its own schema."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from jianguan.accounts.services import api_token_create, api_token_revoke
from tests.support.district import PERSONAS, persona_client

SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]
TEAM = ["edu_officer", "fire_officer"]
TEAM_PLANNERS = ["lead", *TEAM]
LEDGER_A_VIEWERS = ["admin", "lead", "leader", "legal", "fire_officer", "street_a", "institution"]
LEDGER_SUPERVISORS = ["lead", "fire_officer"]
# Allowed callers whose call is nonetheless impossible in the item's state answer 409, not 2xx.
CONFLICTS = {
    ("post", "/api/v1/ledger/items/{ledger_a}/acknowledge"),  # already submitted
    ("post", "/api/v1/ledger/items/{ledger_a}/submit"),  # already submitted
    ("post", "/api/v1/ledger/items/{ledger_a}/request-extension"),  # only before submitting
    ("post", "/api/v1/ledger/items/{ledger_a}/decide-extension"),  # nothing to decide
}

# Allowed callers whose body the service refuses answer 400 (one investigator: a case needs two).
REFUSED = {("post", "/api/v1/cases/{case_a}/propose-filing")}
# A plan without campaigns is not published (400); its managers are the administrator and the lead coordinator.
REFUSED.add(("post", "/api/v1/plans/{plan_a}/publish"))
CASE_VIEWERS = ["admin", "lead", "edu_officer", "legal", "leader"]
# The case waits for 立案: only an officer of its department may propose it; every other step is someone else's
# (the head's, an investigator's, the reviewer's, the party's) or for a later stage.
CASE_BODIES = {
    "propose-filing": {"facts": "事实", "provision": "xwpx_18", "investigators": "{edu}"},
    "approve-filing": {}, "return-filing": {"reason": "补充材料"}, "decline-filing": {"reason": "不属于管辖"},
    "evidence": {"kind": "document", "title": "收费收据", "collected_on": "2026-01-05"},
    "extend": {"reason": "案情复杂"},
    "end-investigation": {"outcome": "penalty", "report": "查明", "penalties": ["warning"]},
    "review-pass": {"opinion": "通过"}, "review-return": {"opinion": "退回"},
    "discuss": {"held_on": "2026-01-05", "attendees": "局长", "conclusion": "同意"},
    "notify": {"served_on": "2026-01-05", "method": "hand"}, "statement": {"text": "陈述"},
    "answer": {"statement": 1, "accepted": False, "answer": "不采纳"}, "waive": {}, "request-hearing": {},
    "schedule-hearing": {"hearing_on": "2099-01-05", "place": "听证室", "presider": 1},
    "record-hearing": {"record": "笔录"}, "decide": {"reasons": "理由", "penalties": ["warning"]},
    "serve": {"served_on": "2026-01-05", "method": "hand"}, "pay": {"amount": "100", "paid_on": "2026-01-05"},
    "close": {"report": "结案"}, "withdraw": {"reason": "复议撤销"}, "repair-apply": {"text": "已整改"},
    "repair-decide": {"approve": True, "reason": "同意"}, "preserve": {"items": "账本"},
    "preservation-decide": {"measure": "解除"}, "defer": {"deferred_to": "2099-01-05", "reason": "困难"},
}  # fmt: skip

# Who may take a step by role (the legal reviewer reviews any case he did not investigate: at 待立案 that is a 409).
CASE_ACTORS = {"propose-filing": ["edu_officer"], "review-pass": ["legal"], "review-return": ["legal"]}
CONFLICTS |= {("post", f"/api/v1/cases/{{case_a}}/{a}") for a in ("review-pass", "review-return")}

# 移送 / 协查: transfer_a is a 移送 from the education officer to the fire brigade, waiting for an answer. Its receiver
# (the fire officer) answers it; its sender's unit (education: the officer and the lead coordinator) withdraws it;
# both write in its thread; the district-wide readers see it but take no step (403); streets never see it (404).
TRANSFER_STEPS = {
    "accept": (["fire_officer"], {}), "refuse": (["fire_officer"], {"reason": "不属于本单位职责"}),
    "report": (["fire_officer"], {"result": "已处理"}), "withdraw": (["lead", "edu_officer"], {"reason": "重复发送"}),
    "comment": (["lead", "edu_officer", "fire_officer"], {"text": "请补充材料"}),
}  # fmt: skip
CONFLICTS.add(("post", "/api/v1/transfers/{transfer_a}/report"))  # not accepted yet

# (method, path template, allowed personas, status for others)
OPERATIONS = [
    ("get", "/api/v1/me", SIGNED_IN, None),
    ("get", "/api/v1/tokens", SIGNED_IN, None),
    # An institution only where JIANGUAN_INSTITUTION_API_TOKENS enables it (test_tokens.py).
    ("post", "/api/v1/tokens", [p for p in SIGNED_IN if p != "institution"], 403),
    ("get", "/api/v1/org/regions", SIGNED_IN, None),
    ("get", "/api/v1/org/departments", SIGNED_IN, None),
    ("get", "/api/v1/org/responsibilities", ["admin", "lead", "edu_officer", "fire_officer", "leader"], 403),
    ("get", "/api/v1/institutions", SIGNED_IN, None),
    ("get", "/api/v1/institutions/export", SIGNED_IN, None),
    (
        "get",
        "/api/v1/institutions/{inst_a}",
        ["admin", "lead", "edu_officer", "fire_officer", "street_a", "legal", "leader", "institution"],
        404,
    ),
    (
        "get",
        "/api/v1/institutions/{inst_b}",
        ["admin", "lead", "edu_officer", "fire_officer", "street_b", "legal", "leader"],
        404,
    ),
    ("get", "/api/v1/audit/events", ["admin"], 403),
    ("patch", "/api/v1/institutions/{inst_a}", ["admin", "lead", "street_a"], 403),
    ("post", "/api/v1/institutions", ["admin", "lead", "street_b"], 403),
    ("get", "/api/v1/campaigns", [p for p in SIGNED_IN if p != "institution"], 403),
    ("get", "/api/v1/campaigns/{campaign}", [p for p in SIGNED_IN if p != "institution"], 403),
    ("get", "/api/v1/inspections", SIGNED_IN, None),
    ("get", "/api/v1/inspections/{done}", [p for p in SIGNED_IN if p != "street_b"], 404),
    ("post", "/api/v1/inspections", TEAM_PLANNERS, 403),
    ("post", "/api/v1/inspections/{planned}/start", TEAM, 403),
    ("put", "/api/v1/inspections/{on_site}/results/{on_site_item}", TEAM, 403),
    ("post", "/api/v1/inspections/{on_site}/findings", TEAM, 403),
    ("post", "/api/v1/inspections/{on_site}/photos", TEAM, 403),
    ("post", "/api/v1/inspections/{on_site}/complete", TEAM, 403),
    ("get", "/api/v1/documents", SIGNED_IN, None),
    ("get", "/api/v1/ledger/items", SIGNED_IN, None),
    ("get", "/api/v1/ledger/items/export", SIGNED_IN, None),
    ("get", "/api/v1/ledger/items/{ledger_a}", LEDGER_A_VIEWERS, 404),
    ("post", "/api/v1/ledger/items/{ledger_a}/acknowledge", ["institution"], 403),  # allowed: 409, it is submitted
    ("post", "/api/v1/ledger/items/{ledger_a}/submit", ["institution"], 403),
    ("post", "/api/v1/ledger/items/{ledger_a}/recheck", LEDGER_SUPERVISORS, 403),
    ("post", "/api/v1/ledger/items/{ledger_a}/request-extension", ["institution"], 403),
    ("post", "/api/v1/ledger/items/{ledger_a}/decide-extension", LEDGER_SUPERVISORS, 403),
    ("post", "/api/v1/ledger/items/{ledger_a}/escalate", LEDGER_SUPERVISORS, 403),
    ("get", "/api/v1/documents/{document}", [p for p in SIGNED_IN if p != "street_b"], 404),
    ("get", "/api/v1/complaints", [p for p in SIGNED_IN if p != "institution"], 403),
    ("get", "/api/v1/complaints/{complaint_a}", ["admin", "lead", "leader", "legal", "fire_officer"], 403),
    ("get", "/api/v1/risk/institutions", [p for p in SIGNED_IN if p != "institution"], 403),
    ("get", "/api/v1/risk/institutions/{inst_a}", [p for p in SIGNED_IN if p not in ("institution", "street_b")], 403),
    ("get", "/api/v1/alerts", SIGNED_IN, None),
    # The key names a complaint about an unregistered site, not yet assigned: only the district-wide roles see it.
    ("post", "/api/v1/alerts/acknowledge", ["admin", "lead", "leader", "legal"], 400),
    ("get", "/api/v1/cases", [p for p in SIGNED_IN if not p.startswith("street")], 403),
    ("get", "/api/v1/cases/{case_a}", CASE_VIEWERS, 403),
    *[("post", f"/api/v1/cases/{{case_a}}/{a}", CASE_ACTORS.get(a, []), 403) for a in CASE_BODIES],
    # Joint meetings: every member reads; the task's unit (the fire brigade) reports progress, the convener closes.
    ("get", "/api/v1/meetings", [p for p in SIGNED_IN if p != "institution"], 403),
    ("get", "/api/v1/meetings/{meeting_session}", [p for p in SIGNED_IN if p != "institution"], 403),
    ("get", "/api/v1/meeting-tasks", [p for p in SIGNED_IN if p != "institution"], 403),
    ("post", "/api/v1/meeting-tasks/{meeting_task}/progress", ["fire_officer"], 403),
    ("post", "/api/v1/meeting-tasks/{meeting_task}/close", ["lead"], 403),
    # The year plan and a campaign's 双随机 draw: staff read; the administrator and the lead coordinator publish.
    ("get", "/api/v1/plans", [p for p in SIGNED_IN if p != "institution"], 403),
    ("get", "/api/v1/plans/{plan_a}", [p for p in SIGNED_IN if p != "institution"], 403),
    ("post", "/api/v1/plans/{plan_a}/publish", ["admin", "lead"], 403),
    ("get", "/api/v1/campaigns/{drawn}/draw", [p for p in SIGNED_IN if p != "institution"], 403),
    ("get", "/api/v1/transfers", [p for p in SIGNED_IN if p != "institution"], 403),
    ("get", "/api/v1/transfers/{transfer_a}", ["admin", "lead", "edu_officer", "fire_officer", "legal", "leader"], 403),
    ("post", "/api/v1/transfers", ["lead", "edu_officer", "fire_officer", "street_a", "street_b"], 403),
    *[("post", f"/api/v1/transfers/{{transfer_a}}/{a}", who, 403) for a, (who, _body) in TRANSFER_STEPS.items()],
]
# Who may not see the object at all gets 404 for it, not 403.
NOT_FOUND = {
    ("get", "/api/v1/complaints/{complaint_a}"): {"edu_officer", "street_a", "street_b"},
    ("get", "/api/v1/risk/institutions/{inst_a}"): {"street_b"},
    **{
        (m, f"/api/v1/cases/{{case_a}}{rest}"): {"fire_officer", "institution"}
        for m, rest in [("get", ""), *[("post", f"/{a}") for a in CASE_BODIES]]
    },
    ("patch", "/api/v1/institutions/{inst_a}"): {"street_b"},
    **{
        (m, f"/api/v1/transfers/{{transfer_a}}{rest}"): {"street_a", "street_b"}
        for m, rest in [("get", ""), *[("post", f"/{a}") for a in TRANSFER_STEPS]]
    },
    ("post", "/api/v1/inspections/{planned}/start"): {"street_b", "institution"},
    **{
        ("post", f"/api/v1/ledger/items/{{ledger_a}}/{a}"): {"edu_officer", "street_b"}
        for a in ("acknowledge", "submit", "recheck", "request-extension", "decide-extension", "escalate")
    },
    **{
        (m, f"/api/v1/inspections/{{on_site}}/{rest}"): {"street_a", "institution"}
        for m, rest in [
            ("put", "results/{on_site_item}"),
            ("post", "findings"),
            ("post", "photos"),
            ("post", "complete"),
        ]
    },
}
BODIES = {
    "/api/v1/plans/{plan_a}/publish": {"version": 1},
    "/api/v1/tokens": {"name": "对接"},
    "/api/v1/institutions": {"name": "新登记机构", "kind": "other", "street_id": "{street_b}"},
    "/api/v1/institutions/{inst_a}": {"address": "甲街道 9 号"},
    "/api/v1/inspections": {"institution_id": "{inst_b}", "scheduled_at": "{now}", "officer_ids": "{team}"},
    "/api/v1/inspections/{planned}/start": {},
    "/api/v1/inspections/{on_site}/results/{on_site_item}": {"outcome": "fail", "note": "灭火器过期"},
    "/api/v1/inspections/{on_site}/findings": {"category": "premises", "description": "走廊堆物", "severity": "minor"},
    "/api/v1/inspections/{on_site}/complete": {
        "representative_name": "王店长",
        "certificates_shown": True,
        "recusal_requested": False,
    },  # fmt: skip
    "/api/v1/ledger/items/{ledger_a}/acknowledge": {},
    "/api/v1/ledger/items/{ledger_a}/recheck": {"passed": True, "note": "通道畅通", "officer_ids": "{team}"},
    "/api/v1/ledger/items/{ledger_a}/request-extension": {"requested_deadline": "2099-01-01", "reason": "订货"},
    "/api/v1/ledger/items/{ledger_a}/decide-extension": {"approve": True},
    "/api/v1/ledger/items/{ledger_a}/escalate": {"reason": "拒不整改"},
    "/api/v1/alerts/acknowledge": {"key": "{alert_key}", "note": "已知悉"},
    **{f"/api/v1/cases/{{case_a}}/{a}": body for a, body in CASE_BODIES.items()},
    "/api/v1/meeting-tasks/{meeting_task}/progress": {"text": "已指导", "done": True},
    "/api/v1/meeting-tasks/{meeting_task}/close": {"note": "办结"},
    # No institution named: every sender may send it (the matrix makes the market regulator competent for food).
    "/api/v1/transfers": {
        "kind": "transfer",
        "receiver_department_id": "{market}",
        "category": "food_safety",
        "subject": "食品问题",
        "facts": "无留样柜。",
    },
    **{f"/api/v1/transfers/{{transfer_a}}/{a}": body for a, (_who, body) in TRANSFER_STEPS.items()},
}


def _path(template: str, district) -> str:
    on_site = district.inspections["on_site"]
    return template.format(
        inst_a=district.institutions["a"].pk,
        inst_b=district.institutions["b"].pk,
        campaign=district.campaigns["a"].pk,
        planned=district.inspections["planned"].pk,
        done=district.inspections["done"].pk,
        on_site=on_site.pk,
        on_site_item=on_site.checklist_version.items.first().pk,
        document=district.documents["a"].pk,
        ledger_a=district.ledger["a"].pk,
        complaint_a=district.complaints["a"].pk,
        case_a=_case_a(district) if "{case_a}" in template else 0,
        meeting_session=_meeting_task(district).session_id if "{meeting_session}" in template else 0,
        meeting_task=_meeting_task(district).pk if "{meeting_task}" in template else 0,
        transfer_a=_transfer_a(district) if "{transfer_a}" in template else 0,
        plan_a=_plan_a(district) if "{plan_a}" in template else 0,
        drawn=_drawn(district) if "{drawn}" in template else 0,
    )


def _plan_a(district) -> int:
    """A draft year plan, without campaigns yet."""
    from jianguan.planning.models import YearPlan
    from jianguan.planning.services import plan_create

    plan = YearPlan.objects.filter(year=2099).first() or plan_create(
        actor=district.users["lead"], year=2099, title="接口测试方案", objectives="全覆盖"
    )
    return plan.pk


def _drawn(district) -> int:
    """A 双随机 campaign over the district, drawn (every institution; the education and fire officers as team)."""
    from datetime import timedelta

    from django.utils import timezone

    from jianguan.inspections.models import Campaign
    from jianguan.inspections.services import campaign_create
    from jianguan.planning.services import draw_make

    campaign = Campaign.objects.filter(name="接口测试双随机").first()
    if campaign is None:
        campaign = campaign_create(
            actor=district.users["lead"], name="接口测试双随机", method="random",
            starts_on=timezone.localdate() + timedelta(days=1), ends_on=timezone.localdate() + timedelta(days=9),
            lead_department=district.departments["edu"], departments=[district.departments["fire"]],
        )  # fmt: skip
        draw_make(actor=district.users["lead"], campaign=campaign, seed="接口", seed_source="测试",
                  ratios={"A": 100, "B": 100, "C": 100, "D": 100})  # fmt: skip
    return campaign.pk


def _case_a(district) -> int:
    """A case against institution a opened by the education officer, waiting for 立案."""
    from jianguan.enforcement.models import Case
    from jianguan.enforcement.services import case_open

    case = Case.objects.filter(clue="接口测试线索").first() or case_open(
        actor=district.users["edu_officer"], department=district.departments["edu"],
        institution=district.institutions["a"], clue="接口测试线索",
    )  # fmt: skip
    return case.pk


def _transfer_a(district) -> int:
    """A 移送 from the education officer to the fire brigade about institution a, waiting for an answer."""
    from jianguan.transfers.models import Transfer
    from jianguan.transfers.services import transfer_send

    found = Transfer.objects.filter(subject="接口测试移送").first() or transfer_send(
        actor=district.users["edu_officer"], kind="transfer", receiver_department=district.departments["fire"],
        institution=district.institutions["a"], category="fire_safety", subject="接口测试移送", facts="安全出口堵塞。",
    )  # fmt: skip
    return found.pk


def _meeting_task(district):  # type: ignore[no-untyped-def]
    """The fire brigade's task of a joint meeting session held yesterday (made the first time)."""
    from datetime import timedelta

    from django.utils import timezone

    from jianguan.meetings import services as meetings
    from jianguan.meetings.models import MeetingTask

    task = MeetingTask.objects.filter(decision="接口测试事项").first()
    if task is None:
        lead, today = district.users["lead"], timezone.localdate()
        meeting = meetings.meeting_save(
            actor=lead, name="接口测试联席会议", department=district.departments["edu"], convener=lead,
            departments=list(district.departments.values()), streets=list(district.streets.values()),
            schedule="quarterly",
        )  # fmt: skip
        session = meetings.session_schedule(
            actor=lead, meeting=meeting, held_on=today - timedelta(days=1), place="会议室", agenda="议程"
        )
        meetings.session_minutes_record(
            actor=lead, session=session, minutes="纪要",
            decisions=[{"decision": "接口测试事项", "unit": f"d{district.departments['fire'].pk}", "deadline": today}],
        )  # fmt: skip
        task = MeetingTask.objects.get(decision="接口测试事项")
    return task


def _alert_key() -> str:
    """A warning only the district-wide roles see: a complaint about a site outside the registry, not yet assigned."""
    from django.utils import timezone

    from jianguan.alerts.selectors import object_key
    from jianguan.complaints.services import complaint_submit

    complaint, _code = complaint_submit(
        typed_name="接口无名班", typed_address="乙街道 9 号", category="unlicensed", content="有人无证办班。",
        anonymous=True,
    )  # fmt: skip
    day = timezone.localtime(complaint.received_at).date()
    return object_key("complaint_unregistered", "complaints.complaint", complaint.pk, day)


def _body(template: str, district) -> str:
    from django.utils import timezone

    values = {
        "{street_b}": district.streets["b"].pk,
        "{inst_b}": district.institutions["b"].pk,
        "{now}": timezone.now().isoformat(),
        "{team}": [district.users[p].pk for p in TEAM],
        "{edu}": [district.users["edu_officer"].pk],
        "{market}": district.departments["market"].pk,
    }
    if "{alert_key}" in BODIES[template].values():
        values["{alert_key}"] = _alert_key()
    body = {k: values.get(v, v) if isinstance(v, str) else v for k, v in BODIES[template].items()}
    return json.dumps(body)


def _request_kwargs(method: str, template: str, district) -> dict:
    if template.endswith("/submit"):
        return {"data": {"note": "已整改"}}  # multipart
    if template.endswith("/photos"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tests.support.district import tiny_jpeg

        return {"data": {"file": SimpleUploadedFile("a.jpg", tiny_jpeg(), "image/jpeg")}}  # multipart
    if method in ("post", "patch", "put"):
        return {"data": _body(template, district), "content_type": "application/json"}
    return {}


def test_every_api_operation_is_in_the_matrix(client):
    schema = client.get("/api/v1/openapi.json").json()
    documented = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    names = {
        "{inst_a}": "{institution_id}", "{inst_b}": "{institution_id}", "{campaign}": "{campaign_id}",
        "{planned}": "{inspection_id}", "{done}": "{inspection_id}", "{on_site}": "{inspection_id}",
        "{on_site_item}": "{item_id}", "{document}": "{document_id}", "{ledger_a}": "{item_id}",
        "{complaint_a}": "{complaint_id}", "{case_a}": "{case_id}", "{transfer_a}": "{transfer_id}",
        "{meeting_session}": "{session_id}", "{meeting_task}": "{task_id}",
        "{plan_a}": "{plan_id}", "{drawn}": "{campaign_id}",
    }  # fmt: skip

    def documented_path(path: str) -> str:
        for ours, theirs in names.items():
            path = path.replace(ours, theirs)
        return path

    covered = {(m, documented_path(p)) for m, p, *_ in OPERATIONS}
    covered.add(("delete", "/api/v1/tokens/{token_id}"))  # test_token_revoke_by_owner_only
    # Public, without authentication: portal/tests/test_portal.py
    covered |= {("get", "/api/v1/public/institutions"), ("get", "/api/v1/public/institutions/{institution_id}")}
    # Public articles, published ones only: articles/tests/test_public.py
    covered |= {("get", "/api/v1/public/articles"), ("get", "/api/v1/public/articles/{article_id}")}
    # Published penalty decisions: enforcement/tests/test_publication.py
    covered.add(("get", "/api/v1/public/penalties"))
    # Complaints from the public, without authentication: complaints/tests/test_public.py
    covered |= {("post", "/api/v1/public/complaints"), ("post", "/api/v1/public/complaints/track")}
    assert documented == covered


@pytest.mark.parametrize("method,template,allowed,denied", OPERATIONS)
def test_api_access(method, template, allowed, denied, persona, district):
    persona_name, user = persona
    client = persona_client(user)
    kwargs = _request_kwargs(method, template, district)
    response = getattr(client, method)(_path(template, district), **kwargs)
    if persona_name == "anonymous":
        assert response.status_code == 401
        assert response.json() == {"code": "unauthenticated", "message": "未登录或 API 令牌无效。"}
        assert response["WWW-Authenticate"] == 'Bearer realm="jianguan"'
    elif persona_name in allowed:
        expected = (
            (409,) if (method, template) in CONFLICTS else (400,) if (method, template) in REFUSED else (200, 201)
        )
        assert response.status_code in expected, response.content
    elif persona_name in NOT_FOUND.get((method, template), set()):
        assert response.status_code == 404
    else:
        assert response.status_code == denied
        assert response.json()["message"]
        assert (
            response.json()["code"]
            in {400: ("invalid", "bad_request"), 403: ("forbidden",), 404: ("not_found",)}[denied]
        )


@pytest.mark.parametrize(
    "persona_name,visible",
    [
        ("admin", {"a", "b"}),
        ("street_a", {"a"}),
        ("street_b", {"b"}),
        ("institution", {"a"}),
        ("fire_officer", {"a", "b"}),
    ],
)
def test_institution_list_is_scoped(client_for, district, persona_name, visible):
    items = client_for(persona_name).get("/api/v1/institutions").json()["items"]
    assert {i["id"] for i in items} == {district.institutions[k].pk for k in visible}


def test_me_reports_roles_and_scope(client_for, district):
    data = client_for("street_a").get("/api/v1/me").json()
    assert data["roles"] == ["street_officer"]
    assert data["role_labels"] == ["街道/乡镇工作人员"]
    assert data["scope"]["street_ids"] == [district.streets["a"].pk]
    assert data["scope"]["streets"] == ["甲街道"]
    officer = client_for("fire_officer").get("/api/v1/me").json()
    assert officer["scope"]["department"] == "测试区消防救援大队"
    assert officer["certificate"]["valid"] is True
    inst = client_for("institution").get("/api/v1/me").json()
    assert inst["scope"]["institution_id"] == district.institutions["a"].pk


def test_token_authenticates_without_session(personas, district):
    token, raw = api_token_create(actor=personas["street_b"], name="对接")
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/me", **headers).json()["username"] == "p_street_b"
    # A token whose user lacks scope gets 404 for objects outside it.
    outside = client.get(f"/api/v1/institutions/{district.institutions['a'].pk}", **headers)
    assert outside.status_code == 404
    assert outside.json()["message"] == "对象不存在，或不在您的权限范围内。"
    token.refresh_from_db()
    assert token.last_used_at is not None
    api_token_revoke(actor=personas["street_b"], token=token)
    assert client.get("/api/v1/me", **headers).status_code == 401


def test_token_is_stored_hashed_and_shown_once(client_for, personas):
    from jianguan.accounts.models import ApiToken

    response = client_for("lead").post("/api/v1/tokens", data={"name": "数据对接"}, content_type="application/json")
    raw = response.json()["token"]
    stored = ApiToken.objects.get(pk=response.json()["id"])
    assert raw.startswith("jg_") and len(raw) > 40
    assert raw not in (stored.token_hash, stored.prefix) and stored.token_hash != raw
    listed = client_for("lead").get("/api/v1/tokens").json()
    assert all("token" not in t for t in listed)


def test_wrong_or_malformed_tokens_are_401(db):
    client = Client()
    for header in ["Bearer jg_notatoken", "Bearer ", "Token abc", "Basic dXNlcjpwYXNz"]:
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401
        assert response.json()["message"]


def test_token_revoke_by_owner_only(client_for, personas):
    token, _ = api_token_create(actor=personas["lead"], name="对接")
    assert client_for("admin").delete(f"/api/v1/tokens/{token.pk}").status_code == 404
    response = client_for("lead").delete(f"/api/v1/tokens/{token.pk}")
    assert response.status_code == 200 and response.json()["revoked_at"]


def test_session_api_writes_need_csrf(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["lead"])
    response = client.post("/api/v1/tokens", data={"name": "x"}, content_type="application/json")
    assert response.status_code in (401, 403)


def test_invalid_request_is_json_in_chinese(client_for):
    response = client_for("lead").post("/api/v1/tokens", data={"nom": "x"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["message"] == "请求参数有误。"
    # The schema says a name has a non-blank character (minLength, pattern): a blank one is a malformed request.
    blank = client_for("lead").post("/api/v1/tokens", data={"name": "  "}, content_type="application/json")
    assert blank.status_code == 422
    assert "请填写令牌用途。" in str(blank.json()["errors"])


def test_docs_work_offline(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle." in html
    assert "cdn." not in html and "https://" not in html.split("<body")[0]


def test_unparsable_body_is_a_chinese_json_error(client_for):
    response = client_for("lead").post("/api/v1/tokens", data="[{<", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"] == "请求内容无法解析，请提交有效的 JSON。"


@pytest.mark.parametrize("name", ["含\x00空字符", "响铃\x07", "\udaf1孤立代理"])
def test_control_characters_are_refused_in_chinese(client_for, name):
    import json as _json

    body = _json.dumps({"name": name})
    response = client_for("lead").post("/api/v1/tokens", data=body, content_type="application/json")
    assert response.status_code == 422
    assert "控制字符" in str(response.json()["errors"])


def test_schema_names_are_unique_across_apps(client):
    """Two apps' schemas with one class name would silently share one OpenAPI component (the later one wins)."""
    from ninja.schema import Schema

    from jianguan.api import api

    api.get_openapi_schema()  # imports every router
    names: dict[str, str] = {}
    for cls in Schema.__subclasses__() + [c for s in Schema.__subclasses__() for c in s.__subclasses__()]:
        if cls.__module__.startswith("jianguan."):
            assert names.setdefault(cls.__name__, cls.__module__) == cls.__module__, (cls.__name__, cls.__module__)
