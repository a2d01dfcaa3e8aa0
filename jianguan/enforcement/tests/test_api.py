"""Cases over the API: the fields integrators read, one POST per action with the form's rules, 409 when impossible."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from jianguan.enforcement import clocks, services
from jianguan.enforcement.tests.conftest import drive
from tests.support.district import persona_client

pytestmark = pytest.mark.django_db


def _post(user, path: str, body: dict):  # type: ignore[no-untyped-def]
    return persona_client(user).post(path, json.dumps(body), content_type="application/json")


def test_the_case_carries_its_dates_documents_and_actions(district, people):
    case = drive(district, people, "notified", days_ago=0)
    data = persona_client(people.edu).get(f"/api/v1/cases/{case.pk}").json()
    assert data["status"] == "notified" and data["filed_on"] == case.filed_on.isoformat()
    assert data["decision_due"] == clocks.decision_due(case.filed_on).isoformat()
    assert data["hearing_request_due"] == clocks.party_reply_due(case.notice_served_on).isoformat()
    assert {d["kind"] for d in data["documents"]} >= {"filing_approval", "penalty_notice"}
    assert set(data["actions"]) == {"case_statement", "case_answer", "case_waive", "case_request_hearing"}
    assert {t["code"] for t in data["transitions"]} == {"statement", "answer", "waive", "request_hearing"}
    assert all(t["label"] for t in data["transitions"])
    party = persona_client(district.users["institution"]).get(f"/api/v1/cases/{case.pk}").json()
    assert {d["kind"] for d in party["documents"]} == {"penalty_notice"}
    assert [s["action"] for s in party["steps"]] == ["notify"]
    listed = persona_client(district.users["lead"]).get("/api/v1/cases", {"status": "notified"}).json()
    assert [c["id"] for c in listed["items"]] == [case.pk]
    assert persona_client(district.users["lead"]).get("/api/v1/cases", {"status": "nonsense"}).status_code == 422


def test_the_party_requests_a_hearing_online_and_a_second_request_is_409(district, people):
    case = drive(district, people, "notified", days_ago=0)
    path = f"/api/v1/cases/{case.pk}/request-hearing"
    response = _post(district.users["institution"], path, {"note": "要求听证"})
    assert response.status_code == 200 and response.json()["status"] == "hearing"
    again = _post(district.users["institution"], path, {})
    assert again.status_code == 409 and "不能申请听证" in again.json()["message"]


def test_a_fine_outside_the_range_is_400_with_the_field(district, people):
    case = drive(district, people, "investigating")
    case = services.case_add_evidence(actor=people.edu, case=case, kind="document", title="收据",
                                      collected_on=case.filed_on).case  # fmt: skip
    response = _post(people.edu, f"/api/v1/cases/{case.pk}/end-investigation", {
        "outcome": "penalty", "report": "查明", "penalties": ["fine"], "fine": "60000", "illegal_gains": "10000",
        "version": case.version,
    })  # fmt: skip
    assert response.status_code == 400 and "超出" in response.json()["errors"]["fine"][0]


def test_the_head_decides_through_the_api(district, people):
    case = drive(district, people, "decision_pending")
    response = _post(people.head, f"/api/v1/cases/{case.pk}/decide",
                     {"reasons": "事实清楚", "penalties": ["stop_running", "fine"], "fine": "20000"})  # fmt: skip
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "decided" and data["decided_on"] == timezone.localdate().isoformat()
    assert any(d["kind"] == "penalty_decision" for d in data["documents"])
