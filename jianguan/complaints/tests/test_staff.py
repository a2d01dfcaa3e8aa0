"""Staff pages and API: the reporter's identity only for the lead coordinator and the named handler, the overdue
flag, the Excel register without identity, a constant number of queries."""

from __future__ import annotations

import json
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jianguan.complaints import services
from jianguan.complaints.models import Complaint
from tests.support.district import REPORTER_NAME, REPORTER_PHONE, persona_client


@pytest.fixture
def colleague(district):
    """Another fire officer: same unit as the handler, so may handle, but is not the named handler."""
    from jianguan.accounts.models import User

    return User.objects.create_user(
        username="fire2", password="x", name="第二消防员", role="department_officer",
        department=district.departments["fire"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("lead", True), ("fire_officer", True), ("admin", False), ("leader", False), ("legal", False)],
)
def test_reporter_identity_on_the_page_and_in_the_api(client_for, district, persona, sees):
    pk = district.complaints["a"].pk
    client = client_for(persona)
    html = client.get(f"/complaints/{pk}/").content.decode()
    body = json.dumps(client.get(f"/api/v1/complaints/{pk}").json(), ensure_ascii=False)
    for text in (html, body):
        assert (REPORTER_NAME in text) is sees and (REPORTER_PHONE in text) is sees
    if not sees:
        assert "投诉人信息仅牵头部门和承办人可见" in html


def test_a_colleague_of_the_handler_handles_but_does_not_see_the_reporter(district, colleague):
    client = persona_client(colleague)
    pk = district.complaints["a"].pk
    html = client.get(f"/complaints/{pk}/").content.decode()
    assert REPORTER_NAME not in html and 'data-testid="action-note"' in html
    response = client.post(f"/complaints/{pk}/note/", {"note-note": "协助核实"}, follow=True)
    assert "已保存" in response.content.decode()


def test_reassignment_takes_the_reporter_away_from_the_first_handler(district, client_for):
    complaint = district.complaints["a"]
    services.complaint_assign(
        actor=district.users["lead"], complaint=complaint, department=district.departments["edu"],
        handler=district.users["edu_officer"],
    )  # fmt: skip
    assert client_for("fire_officer").get(f"/complaints/{complaint.pk}/").status_code == 404
    assert REPORTER_NAME in client_for("edu_officer").get(f"/complaints/{complaint.pk}/").content.decode()


def test_the_lead_triages_and_the_handler_replies_on_the_pages(district, client_for):
    complaint, _code = services.complaint_submit(
        institution=district.institutions["b"], category="fees", content="预收了一年学费，拒绝退费。", anonymous=True
    )
    lead = client_for("lead")
    page = lead.get(f"/complaints/{complaint.pk}/").content.decode()
    assert 'data-testid="action-assign"' in page and 'data-testid="action-reject"' in page
    response = lead.post(
        f"/complaints/{complaint.pk}/assign/",
        {"assign-department": district.departments["edu"].pk, "assign-handler": district.users["edu_officer"].pk},
        follow=True,
    )
    assert "已保存" in response.content.decode()
    edu = client_for("edu_officer")
    edu.post(f"/complaints/{complaint.pk}/reply/", {"reply-reply": "已约谈机构，办理退费。"})
    edu.post(f"/complaints/{complaint.pk}/close/", {"close-result": "substantiated"})
    complaint.refresh_from_db()
    assert complaint.status == "closed"
    # A handler's step on a complaint of another unit: not found; a triage step by a non-coordinator: forbidden.
    assert (
        client_for("edu_officer")
        .post(f"/complaints/{district.complaints['a'].pk}/note/", {"note-note": "x"})
        .status_code
        == 404
    )
    assert client_for("fire_officer").post(f"/complaints/{district.complaints['a'].pk}/assign/", {}).status_code == 403
    assert lead.post(f"/complaints/{complaint.pk}/nonsense/", {}).status_code == 404


def test_bad_input_on_a_page_comes_back_as_a_message(district, client_for):
    pk = district.complaints["a"].pk
    response = client_for("fire_officer").post(f"/complaints/{pk}/reply/", {"reply-reply": ""}, follow=True)
    assert "答复内容" in response.content.decode()
    assert Complaint.objects.get(pk=pk).status == "assigned"


def test_overdue_complaints_are_flagged(district, client_for):
    Complaint.objects.filter(pk=district.complaints["a"].pk).update(deadline=timezone.localdate() - timedelta(days=2))
    client = client_for("lead")
    listing = client.get("/complaints/", {"status": "overdue"}).content.decode()
    assert district.complaints["a"].number in listing and "逾期" in listing
    assert "逾期" in client.get(f"/complaints/{district.complaints['a'].pk}/").content.decode()
    assert client.get("/api/v1/complaints", {"status": "overdue"}).json()["items"][0]["overdue"] is True


def test_the_excel_register_has_no_reporter(district, client_for, tmp_path):
    response = client_for("lead").get("/complaints/export/")
    path = tmp_path / "c.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "编号", "收到日期") and len(rows) == 2
    flat = str(rows)
    assert REPORTER_NAME not in flat and REPORTER_PHONE not in flat and district.complaints["a"].number in flat


def test_lists_and_exports_take_the_same_queries_for_3_or_30_complaints(district, client_for):
    client = client_for("lead")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            complaint, _ = services.complaint_submit(
                institution=district.institutions["b"] if i % 2 else None, typed_name=f"场所{i}", typed_address="某路",
                category="other", content="十个字以上的投诉内容写在这里。", anonymous=True,
            )  # fmt: skip
            if i % 3 == 0:
                services.complaint_assign(
                    actor=district.users["lead"], complaint=complaint, street=district.streets["a"],
                    handler=district.users["street_a"],
                )  # fmt: skip

    add(2)
    few = [count(u) for u in ("/complaints/", "/complaints/export/", "/api/v1/complaints")]
    add(27)
    many = [count(u) for u in ("/complaints/", "/complaints/export/", "/api/v1/complaints")]
    assert few == many, (few, many)


def test_scope_on_the_list(district, client_for):
    number = district.complaints["a"].number
    assert number in client_for("fire_officer").get("/complaints/").content.decode()
    assert number not in client_for("edu_officer").get("/complaints/").content.decode()
    assert number not in client_for("street_a").get("/complaints/").content.decode()
    assert client_for("institution").get("/complaints/").status_code == 403


def test_home_page_counts_complaints_within_scope(district, client_for):
    services.complaint_submit(
        institution=district.institutions["b"], category="fees", content="预收了一年学费，拒绝退费。", anonymous=True
    )
    lead = client_for("lead").get("/").content.decode()
    assert "投诉待受理" in lead and "?status=received" in lead
    from jianguan.reports.selectors import complaint_figures

    today = timezone.localdate()
    assert [f.value for f in complaint_figures(district.users["lead"], today)] == [1, 1, 0]
    assert [f.value for f in complaint_figures(district.users["fire_officer"], today)] == [0, 1, 0]
    assert [f.value for f in complaint_figures(district.users["edu_officer"], today)] == [0, 0, 0]
