"""The staff pages: who reads full ID numbers (the institution itself, the supervising departments, the lead
coordinator) and who only masked ones, on pages and in exports; the public teacher list; the self-service forms."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jianguan.staff.models import StaffMember
from jianguan.staff.selectors import may_see_id_numbers, public_teachers
from jianguan.staff.tests.support import add_staff, id_number

pytestmark = pytest.mark.django_db

FULL = ["institution", "edu_officer", "fire_officer", "lead"]
MASKED = ["street_a", "admin", "leader", "legal"]


def _masked(number: str) -> str:
    return number[:3] + "*" * 11 + number[-4:]


@pytest.fixture
def teacher(district):  # type: ignore[no-untyped-def]
    return add_staff(district, seq=11, name="王学科", teaches_academic=True, teacher_cert_number="20234400012345")


@pytest.mark.parametrize("persona", FULL)
def test_full_id_numbers_on_the_institution_page_for_those_with_the_need(client_for, district, teacher, persona):
    html = client_for(persona).get(reverse("staff:institution_staff", args=[district.institutions["a"].pk])).content
    assert id_number(11) in html.decode()


@pytest.mark.parametrize("persona", MASKED)
def test_masked_id_numbers_on_the_institution_page_for_everyone_else(client_for, district, teacher, persona):
    response = client_for(persona).get(reverse("staff:institution_staff", args=[district.institutions["a"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert id_number(11) not in html and _masked(id_number(11)) in html


def test_may_see_id_numbers_needs_the_permission_and_the_scope(district, personas):
    a, b = district.institutions["a"], district.institutions["b"]
    assert may_see_id_numbers(personas["institution"], a)
    assert not may_see_id_numbers(personas["institution"], b)
    assert may_see_id_numbers(personas["edu_officer"], b) and may_see_id_numbers(personas["lead"], b.pk)
    for name in MASKED:
        assert not may_see_id_numbers(personas[name], a)
    assert not may_see_id_numbers(None, a)


@pytest.mark.parametrize(
    "persona, full", [("lead", True), ("edu_officer", True), ("street_a", False), ("admin", False)]
)
def test_the_district_list_shows_full_numbers_only_with_the_permission(client_for, teacher, persona, full):
    html = client_for(persona).get(reverse("staff:staff_list")).content.decode()
    assert "王学科" in html
    assert (id_number(11) in html) is full
    assert _masked(id_number(11)) in html or full


def test_the_district_list_is_scoped_and_filtered(client_for, district):
    add_staff(district, seq=1, name="甲老师")
    add_staff(district, seq=2, name="乙厨师", institution="b", role="cook")
    add_staff(district, seq=3, name="甲离职", end_date=date(2025, 12, 31))
    assert "乙厨师" not in client_for("street_a").get(reverse("staff:staff_list")).content.decode()
    client = client_for("lead")
    html = client.get(reverse("staff:staff_list")).content.decode()
    assert "甲老师" in html and "乙厨师" in html and "甲离职" not in html
    html = client.get(reverse("staff:staff_list"), {"role": "cook"}).content.decode()
    assert "乙厨师" in html and "甲老师" not in html
    html = client.get(reverse("staff:staff_list"), {"state": "left"}).content.decode()
    assert "甲离职" in html and "甲老师" not in html
    html = client.get(reverse("staff:staff_list"), {"institution": district.institutions["b"].pk}).content.decode()
    assert "乙厨师" in html and "甲老师" not in html
    # a bad filter value is left out rather than failing the page
    assert client.get(reverse("staff:staff_list"), {"institution": "x", "role": "pilot"}).status_code == 200


def _xlsx_ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    data = b"".join(response.streaming_content) if response.streaming else response.content
    ws = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    column = rows[0].index("身份证号码")
    return [row[column] for row in rows[1:]]


def _csv_ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    column = rows[0].index("身份证号码")
    return [row[column] for row in rows[1:]]


@pytest.mark.parametrize("persona", ["lead", "edu_officer"])
def test_exports_hold_full_numbers_for_roles_with_the_permission(client_for, teacher, persona):
    client = client_for(persona)
    assert _xlsx_ids(client.get(reverse("staff:staff_export_xlsx"))) == [id_number(11)]
    assert _csv_ids(client.get(reverse("staff:staff_export_csv"))) == [id_number(11)]


def test_an_export_with_full_numbers_is_recorded_in_the_audit_log(client_for, teacher, district):
    from jianguan.audit.models import AuditEvent

    client_for("edu_officer").get(reverse("staff:staff_export_csv"), {"role": "teacher"})
    event = AuditEvent.objects.filter(action="staff.export_ids").order_by("-pk").first()
    assert event is not None and event.after == {"rows": 1, "filters": "role=teacher", "format": "csv"}
    assert event.actor_id == district.users["edu_officer"].pk
    client_for("leader").get(reverse("staff:staff_export_xlsx"))  # masked: not recorded
    assert AuditEvent.objects.filter(action="staff.export_ids").count() == 1


@pytest.mark.parametrize("persona", ["admin", "street_a", "leader", "legal"])
def test_exports_are_masked_for_roles_without_the_permission(client_for, teacher, persona):
    client = client_for(persona)
    for response, read in (
        (client.get(reverse("staff:staff_export_xlsx")), _xlsx_ids),
        (client.get(reverse("staff:staff_export_csv")), _csv_ids),
    ):
        assert read(response) == [_masked(id_number(11))]


def test_the_institution_has_no_district_list_or_export(client_for, teacher):
    client = client_for("institution")
    assert client.get(reverse("staff:staff_list")).status_code == 403
    assert client.get(reverse("staff:staff_export_csv")).status_code == 403
    assert client.get(reverse("staff:mine"))["Location"] == reverse(
        "staff:institution_staff", args=[teacher.institution_id]
    )


def test_export_query_count_does_not_grow_with_rows(client_for, district):
    for n in range(30):
        add_staff(district, seq=100 + n)
    client = client_for("lead")
    client.get(reverse("staff:staff_list"))  # the session and the user are loaded once
    with CaptureQueriesContext(connection) as few:
        assert len(_csv_ids(client.get(reverse("staff:staff_export_csv"), {"q": "人员100"}))) == 1
    with CaptureQueriesContext(connection) as many:
        assert len(_csv_ids(client.get(reverse("staff:staff_export_csv")))) == 30
    assert len(many) == len(few)


@pytest.mark.parametrize("url", ["staff:staff_list", "staff:institution_staff"])
def test_list_pages_query_count_does_not_grow_with_rows(client_for, district, url):
    args = [district.institutions["a"].pk] if url == "staff:institution_staff" else []
    client = client_for("lead")
    add_staff(district, seq=200)
    client.get(reverse(url, args=args))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(url, args=args))
    for n in range(20):
        add_staff(district, seq=201 + n)
    with CaptureQueriesContext(connection) as many:
        assert "人员220" in client.get(reverse(url, args=args)).content.decode()
    assert len(many) == len(few)


# ------------------------------------------------------------------------------------------------- public page


def test_public_teachers_are_current_academic_teachers_name_and_certificate_only(district, teacher):
    add_staff(district, seq=12, name="李美术", teaches_academic=False, teacher_cert_number="X1")
    add_staff(district, seq=13, name="赵已走", teaches_academic=True, teacher_cert_number="X2",
              end_date=date(2025, 12, 31))  # fmt: skip
    add_staff(district, seq=14, name="钱未到", teaches_academic=True, teacher_cert_number="X3",
              start_date=timezone.localdate() + timedelta(days=10))  # fmt: skip
    add_staff(district, seq=15, name="孙乙校", institution="b", teaches_academic=True, teacher_cert_number="X4")
    assert public_teachers(district.institutions["a"]) == [("王学科", "20234400012345")]


def test_the_portal_page_shows_the_teacher_list_and_nothing_else_of_the_staff(client, district, teacher):
    add_staff(district, seq=12, name="李保育", role="care", health_cert_number="JK-778899")
    html = client.get(reverse("portal:institution", args=[district.institutions["a"].pk])).content.decode()
    assert "王学科" in html and "20234400012345" in html
    assert "李保育" not in html and "JK-778899" not in html
    assert id_number(11) not in html and _masked(id_number(11)) not in html and id_number(11)[-4:] not in html


def test_the_institution_detail_page_links_to_its_staff(client_for, district):
    html = client_for("lead").get(reverse("registry:institution_detail", args=[district.institutions["a"].pk]))
    assert reverse("staff:institution_staff", args=[district.institutions["a"].pk]) in html.content.decode()


# ------------------------------------------------------------------------------------------------- self-service


def _form(**fields):  # type: ignore[no-untyped-def]
    return {"name": "周老师", "id_number": id_number(21), "role": "teacher", "start_date": "2026-02-01", **fields}


def test_the_institution_registers_edits_and_ends_staff_from_its_page(client_for, district):
    client = client_for("institution")
    inst = district.institutions["a"]
    response = client.post(reverse("staff:staff_create", args=[inst.pk]), _form(teaches_academic="on"))
    assert response.status_code == 302
    member = StaffMember.objects.get(name="周老师")
    assert member.teaches_academic and member.id_number() == id_number(21)
    page = client.get(reverse("staff:institution_staff", args=[inst.pk])).content.decode()
    assert "学科类培训未登记教师资格证" in page and "未登记违法犯罪记录查询" in page
    edit = client.get(reverse("staff:staff_edit", args=[member.pk])).content.decode()
    assert id_number(21) not in edit  # the number is never put back into the form
    response = client.post(
        reverse("staff:staff_edit", args=[member.pk]),
        _form(id_number="", teacher_cert_number="2026001", version=1, teaches_academic="on"),
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.teacher_cert_number == "2026001" and member.id_number() == id_number(21)
    client.post(reverse("staff:staff_check", args=[member.pk]),
                {"record_check_date": "2026-02-01", "record_check_result": "clear", "version": 2})  # fmt: skip
    client.post(reverse("staff:staff_health", args=[member.pk]),
                {"health_cert_number": "JK1", "health_cert_valid_until": "2027-02-01", "version": 3})  # fmt: skip
    client.post(reverse("staff:staff_leave", args=[member.pk]), {"end_date": "2026-03-01", "version": 4})
    member.refresh_from_db()
    assert member.record_check_result == "clear" and member.health_cert_number == "JK1"
    assert member.end_date == date(2026, 3, 1) and member.version == 5


def test_a_stale_edit_page_shows_the_conflict_and_changes_nothing(client_for, district):
    member = add_staff(district, seq=22, name="原名")
    client = client_for("institution")
    client.post(reverse("staff:staff_edit", args=[member.pk]), _form(name="第一次", id_number="", version=1))
    response = client.post(reverse("staff:staff_edit", args=[member.pk]), _form(name="第二次", id_number="", version=1))
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    member.refresh_from_db()
    assert member.name == "第一次"


def test_a_bad_id_number_on_the_form_is_shown_in_chinese(client_for, district):
    url = reverse("staff:staff_create", args=[district.institutions["a"].pk])
    client = client_for("institution")
    wrong = id_number(21)[:-1] + ("1" if id_number(21)[-1] != "1" else "2")  # the check digit does not match
    response = client.post(url, _form(id_number=wrong))
    assert response.status_code == 200
    assert "身份证号码无效" in response.content.decode()
    response = client.post(url, _form(id_number="1101051990"))
    assert "身份证号码应为 18 位" in response.content.decode()
    # control characters are refused before the view (the request middleware), and nothing is written
    assert client.post(url, _form(id_number="123\x00456")).status_code == 400
    assert not StaffMember.objects.exists()


def test_the_institution_cannot_open_another_institutions_staff(client_for, district):
    other = add_staff(district, seq=23, institution="b")
    client = client_for("institution")
    assert client.get(reverse("staff:institution_staff", args=[district.institutions["b"].pk])).status_code == 404
    assert client.get(reverse("staff:staff_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("staff:staff_leave", args=[other.pk]), {"end_date": "2026-01-01"}).status_code == 404
    other.refresh_from_db()
    assert other.end_date is None
