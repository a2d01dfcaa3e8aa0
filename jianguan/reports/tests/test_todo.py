"""The officer's home page is a to-do list: inspections planned for me, rechecks due, extensions to decide and
complaints assigned, each with its date; the lead coordinator's has the complaints to accept; others have none. Its
queries do not grow with the rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jianguan.inspections import services as inspections
from jianguan.ledger import services as ledger
from jianguan.reports.todo import todo


def _sections(user):
    return {s.key: s for s in todo(user, timezone.localdate())}


def test_the_fire_officer_sees_what_waits_for_them(district, client_for):
    sections = _sections(district.users["fire_officer"])
    assert sections["inspections"].total == 2  # the planned campaign inspection and the one on site
    assert sections["rechecks"].total == 1 and sections["rechecks"].rows[0].label == district.institutions["a"].name
    assert sections["rechecks"].rows[0].due is not None
    assert sections["extensions"].total == 0
    [complaint] = sections["complaints"].rows
    assert complaint.due == district.complaints["a"].deadline and not complaint.overdue
    page = client_for("fire_officer").get("/").content.decode()
    assert 'data-testid="todo"' in page and "待复查" in page and "交办给我的投诉" in page
    # Each section's link opens the whole list, and the list accepts it.
    for section in sections.values():
        assert client_for("fire_officer").get(section.url).status_code == 200


def test_the_education_officer_does_not_see_the_fire_departments_rechecks(district):
    sections = _sections(district.users["edu_officer"])
    assert sections["rechecks"].total == 0 and sections["complaints"].total == 0


def test_an_extension_request_is_on_the_supervisors_list(district, client_for):
    users, item = district.users, district.ledger["a"]
    ledger.recheck(officers=[users["edu_officer"]], actor=users["fire_officer"], item=item, passed=False, note="未整改")
    item.refresh_from_db()
    ledger.request_extension(
        actor=users["institution"], item=item, requested_deadline=item.deadline + timedelta(days=5), reason="施工"
    )
    [row] = _sections(users["fire_officer"])["extensions"].rows
    assert row.label == district.institutions["a"].name and "申请延至" in row.detail
    listing = client_for("fire_officer").get("/ledger/?status=extension_pending").content.decode()
    assert item.description[:10] in listing


@pytest.mark.parametrize("persona", ["admin", "leader", "legal", "institution"])
def test_roles_without_a_to_do_list(district, client_for, persona):
    assert todo(district.users[persona], timezone.localdate()) == []
    assert 'data-testid="todo"' not in client_for(persona).get("/").content.decode()


def test_the_lead_accepts_complaints(district):
    from jianguan.complaints import services as complaints

    complaints.complaint_submit(
        institution=district.institutions["b"], category="food", content="饭菜变质。", anonymous=True
    )
    sections = _sections(district.users["lead"])
    assert sections["complaints"].title == "待受理的投诉" and sections["complaints"].total == 1
    assert "inspections" in sections and "rechecks" in sections


def test_queries_do_not_grow_with_rows(district, django_assert_num_queries):
    officer = district.users["fire_officer"]
    officer.refresh_from_db()
    todo(officer, timezone.localdate())  # warm the scope and the calendar
    with CaptureQueriesContext(connection) as few:
        todo(officer, timezone.localdate())
    for n in range(12):
        inspections.inspection_create(
            actor=district.users["lead"], institution=district.institutions["b"],
            scheduled_at=timezone.now() + timedelta(days=1, hours=n), officers=[officer, district.users["edu_officer"]],
        )  # fmt: skip
    with django_assert_num_queries(len(few.captured_queries) + 1):  # one count once a section overflows
        sections = {s.key: s for s in todo(officer, timezone.localdate())}
    assert sections["inspections"].total == 14 and len(sections["inspections"].rows) == 8
