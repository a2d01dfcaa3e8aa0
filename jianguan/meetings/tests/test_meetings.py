"""The joint meeting: the materials are the dashboard's figures for the period since the previous session; an overdue
task is warned, on the dashboard and carried onto the next agenda until the convener closes it; only the convener
closes, only the responsible unit reports progress; the minutes are numbered under the host department."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from jianguan.meetings import services
from jianguan.meetings.models import MeetingSession
from jianguan.meetings.tests.conftest import hold, later, unit


def test_materials_equal_the_dashboard_figures_for_the_same_period(district, meeting):
    from jianguan.meetings.materials import PACK_SECTIONS
    from jianguan.reports.dashboard import Filters, section

    lead = district.users["lead"]
    first = hold(district, meeting, 3, [("复查消防隐患", "fire", 10)])
    second = services.session_schedule(actor=lead, meeting=meeting, held_on=later(5), place="会议室", agenda="通报进展")
    second = services.session_materials_generate(actor=lead, session=second, version=second.version)
    today = timezone.localdate()
    assert (second.materials_from, second.materials_to) == (first.held_on, today)
    stored = {s["key"]: s for s in second.materials["sections"]}
    assert list(stored) == PACK_SECTIONS
    filters = Filters(date_from=first.held_on, date_to=today)
    for key in PACK_SECTIONS:
        built = section(lead, filters, key)
        assert stored[key]["headers"] == [str(h) for h in built.headers], key
        assert stored[key]["rows"] == [[c.value if isinstance(c.value, int | float) else str(c.value) for c in row]
                                       for row in built.rows], key  # fmt: skip
    # The district's problems were found today: inside the period, so the pack has figures to show.
    assert sum(row[1] for row in stored["categories"]["rows"]) > 0
    # The open task of the first session is on the pack (and the agenda) of the second.
    [carried] = second.materials["tasks"]
    assert carried["decision"] == "复查消防隐患" and carried["overdue"] is False


def test_materials_before_the_first_session_count_everything_up_to_today(district, meeting):
    from jianguan.reports.dashboard import Filters, section

    lead = district.users["lead"]
    session = services.session_schedule(actor=lead, meeting=meeting, held_on=later(2), place="会议室", agenda="议程")
    session = services.session_materials_generate(actor=lead, session=session)
    assert session.materials_from is None
    built = section(lead, Filters(date_to=timezone.localdate()), "departments")
    assert session.materials["sections"][2]["rows"] == [[c.value for c in row] for row in built.rows]


def test_overdue_task_is_warned_on_the_dashboard_and_carried_until_closed(district, meeting):
    from jianguan.alerts.choices import AlertKind
    from jianguan.alerts.selectors import alert_by_key, alert_totals, alerts_for
    from jianguan.meetings.selectors import carried_tasks
    from jianguan.reports.dashboard import Filters, section

    lead = district.users["lead"]
    first = hold(district, meeting, 30, [("复查小饭桌", "market", -1), ("排查无证托管", "a", 20)])
    overdue, upcoming = first.tasks.order_by("number")

    def seen_by() -> set[str]:
        return {
            name for name, user in district.users.items()
            if user is not None and any(a.object_id == overdue.pk for a in alerts_for(user, [AlertKind.MEETING_TASK_OVERDUE]))
        }  # fmt: skip

    # Warned to the district-wide roles and the responsible unit only (the market regulator has no persona here).
    assert seen_by() == {"admin", "lead", "legal", "leader"}
    [alert] = alerts_for(lead, [AlertKind.MEETING_TASK_OVERDUE])
    assert alert_by_key(lead, alert.key) is not None
    assert alert_totals(lead)[AlertKind.MEETING_TASK_OVERDUE] == 1
    rows = {r[0].value: [c.value for c in r[1:]] for r in section(lead, Filters(), "meeting_tasks").rows}
    assert rows == {"测试区市场监管局": [0, 0, 1], "甲街道": [1, 0, 0]}
    # The next session's agenda lists every open task of the earlier ones, and its page shows them.
    second = services.session_schedule(actor=lead, meeting=meeting, held_on=later(0), place="会议室", agenda="议程")
    assert list(carried_tasks(second)) == [overdue, upcoming]
    page = district_client(district, "street_b").get(reverse("meetings:session_detail", args=[second.pk]))
    assert "复查小饭桌" in page.content.decode() and "已超期" in page.content.decode()
    # Its minutes keep what it reviewed; the convener then closes the overdue task: it leaves the warnings, the
    # dashboard and the following agenda, while the second session's record still shows it.
    services.session_minutes_record(actor=lead, session=second, minutes="继续督办。", decisions=[])
    services.task_close(actor=lead, task=overdue, note="复查完毕")
    assert not alerts_for(lead, [AlertKind.MEETING_TASK_OVERDUE])
    third = services.session_schedule(actor=lead, meeting=meeting, held_on=later(30), place="会议室", agenda="议程")
    assert list(carried_tasks(third)) == [upcoming]
    second.refresh_from_db()
    assert set(carried_tasks(second)) == {overdue, upcoming}


def district_client(district, name):  # type: ignore[no-untyped-def]
    from tests.support.district import persona_client

    return persona_client(district.users[name])


@pytest.mark.parametrize("persona_name", ["admin", "edu_officer", "fire_officer", "street_a", "legal", "leader"])
def test_only_the_convener_closes_a_task(district, meeting, persona_name):
    from jianguan.meetings.workflow import Conflict

    task = hold(district, meeting, 1, [("消防指导", "fire", 10)]).tasks.get()
    with pytest.raises(PermissionDenied):
        services.task_close(actor=district.users[persona_name], task=task)
    services.task_close(actor=district.users["lead"], task=task, version=task.version)
    with pytest.raises(Conflict):
        services.task_close(actor=district.users["lead"], task=task)


def test_progress_only_by_the_responsible_unit(district, meeting):
    session = hold(district, meeting, 1, [("消防指导", "fire", 10), ("排查", "a", 10)])
    fire_task, street_task = session.tasks.order_by("number")
    for name in ("lead", "admin", "edu_officer", "street_a", "leader"):
        with pytest.raises(PermissionDenied):
            services.task_progress_report(actor=district.users[name], task=fire_task, text="进展")
    services.task_progress_report(actor=district.users["fire_officer"], task=fire_task, text="已指导3家", done=True)
    with pytest.raises(PermissionDenied):
        services.task_progress_report(actor=district.users["street_b"], task=street_task, text="进展")
    services.task_progress_report(actor=district.users["street_a"], task=street_task, text="已排查")
    assert [p.author for p in fire_task.progress.all()] == [district.users["fire_officer"]]


def test_stale_version_is_a_conflict(district, meeting):
    from jianguan.meetings.workflow import Conflict

    task = hold(district, meeting, 1, [("消防指导", "fire", 10)]).tasks.get()
    services.task_progress_report(actor=district.users["fire_officer"], task=task, text="进展", version=task.version)
    with pytest.raises(Conflict):
        services.task_close(actor=district.users["lead"], task=task, version=task.version)  # the page before it


def test_minutes_are_numbered_under_the_host_department_and_tell_the_units(district, meeting):
    from jianguan.documents.models import Document
    from jianguan.notifications.models import Notification

    session = hold(district, meeting, 0, [("消防指导", "fire", 10)])
    [document] = Document.objects.filter(source_type="meetings.meetingsession", source_id=str(session.pk))
    assert document.kind == "meeting_minutes" and document.department == district.departments["edu"]
    assert document.number == f"测教纪要〔{timezone.localdate().year}〕1号"
    assert Notification.objects.filter(
        recipient=district.users["fire_officer"], reason="meeting.task_assigned"
    ).exists()
    # A session held cannot be recorded again; one in the future cannot be recorded yet.
    from jianguan.meetings.workflow import Conflict

    with pytest.raises(Conflict):
        services.session_minutes_record(actor=district.users["lead"], session=session, minutes="再记", decisions=[])
    future = services.session_schedule(
        actor=district.users["lead"], meeting=meeting, held_on=later(3), place="会议室", agenda="议程"
    )
    with pytest.raises(Conflict):
        services.session_minutes_record(actor=district.users["lead"], session=future, minutes="纪要", decisions=[])


def test_minutes_refuse_a_unit_outside_the_meeting_and_an_early_deadline(district, meeting):
    lead = district.users["lead"]
    session = services.session_schedule(
        actor=lead, meeting=meeting, held_on=timezone.localdate(), place="会议室", agenda="议程"
    )
    for row in (
        {"decision": "事项", "unit": "d999999", "deadline": later(5)},
        {"decision": "事项", "unit": unit(district, "fire"), "deadline": later(-1)},
        {"decision": "", "unit": unit(district, "fire"), "deadline": later(5)},
    ):
        with pytest.raises(ValidationError):
            services.session_minutes_record(actor=lead, session=session, minutes="纪要", decisions=[row])
    assert not session.tasks.exists()


def test_a_deputy_needs_a_name(district, meeting):
    lead = district.users["lead"]
    session = services.session_schedule(
        actor=lead, meeting=meeting, held_on=timezone.localdate(), place="会议室", agenda="议程"
    )
    with pytest.raises(ValidationError):
        services.session_attendance_record(
            actor=lead, session=session, rows=[{"unit": unit(district, "police"), "status": "deputy", "attendee": ""}]
        )
    services.session_attendance_record(
        actor=lead, session=session,
        rows=[{"unit": unit(district, "police"), "status": "deputy", "attendee": "副所长 林涛"},
              {"unit": unit(district, "b"), "status": "absent", "attendee": "不应保存"}],
    )  # fmt: skip
    assert {(a.unit.name, a.status, a.attendee) for a in session.attendance.all()} == {
        ("测试区公安分局", "deputy", "副所长 林涛"), ("乙街道", "absent", ""),
    }  # fmt: skip


def test_a_non_member_department_does_not_see_the_meeting(district):
    from jianguan.meetings.models import MeetingSession, MeetingTask

    lead = district.users["lead"]
    small = services.meeting_save(
        actor=lead, name="教育与公安会商", department=district.departments["edu"], convener=lead,
        departments=[district.departments["police"]], streets=[district.streets["a"]], schedule="monthly",
    )  # fmt: skip
    session = hold(district, small, 1, [("联合核查", "police", 10)])
    assert MeetingSession.objects.visible_to(district.users["edu_officer"]).filter(pk=session.pk).exists()  # host
    assert MeetingSession.objects.visible_to(district.users["street_a"]).filter(pk=session.pk).exists()
    for name in ("fire_officer", "street_b", "institution"):
        assert not MeetingSession.objects.visible_to(district.users[name]).filter(pk=session.pk).exists()
        assert not MeetingTask.objects.visible_to(district.users[name]).exists()
    assert (
        district_client(district, "fire_officer").get(reverse("meetings:session_detail", args=[session.pk])).status_code
        == 404
    )


def test_reminders_tell_the_unit_before_and_the_convener_after_the_deadline(district, meeting):
    from jianguan.meetings.reminders import reminders

    hold(district, meeting, 20, [("消防指导", "fire", 2), ("复查", "edu", -2), ("排查", "a", 30)])
    messages = {(m.recipient_id, m.reason) for m in reminders(timezone.localdate())}
    users = district.users
    assert messages == {
        (users["fire_officer"].pk, "meeting.task_due"),
        (users["edu_officer"].pk, "meeting.task_overdue"),
        (users["lead"].pk, "meeting.task_overdue"),
    }


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils (scripts/bootstrap.sh installs it)")
def test_the_materials_pdf_embeds_a_cjk_font(district, meeting, tmp_path):
    lead = district.users["lead"]
    hold(district, meeting, 3, [("复查消防隐患", "fire", 10)])
    session = services.session_schedule(actor=lead, meeting=meeting, held_on=later(1), place="会议室", agenda="议程")
    services.session_materials_generate(actor=lead, session=session)
    client = district_client(district, "street_b")
    response = client.get(reverse("meetings:session_materials_download", args=[session.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "pack.pdf"
    path.write_bytes(response.content)
    assert "CJK" in subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "复查消防隐患" in text and "问题类别" in text
    docx = client.get(reverse("meetings:session_materials_download", args=[session.pk, "docx"]))
    assert docx.status_code == 200 and docx.content.startswith(b"PK")


def test_demo_story_makes_two_sessions_with_an_overdue_task(district):
    """The demo's meeting (without the campaign, the slow part: its materials count what there is)."""
    from datetime import date

    from jianguan.accounts.models import User
    from jianguan.alerts.choices import AlertKind
    from jianguan.alerts.selectors import alerts_for
    from jianguan.documents.models import Document
    from jianguan.meetings.demo import NAME
    from jianguan.meetings.models import MeetingTask
    from jianguan.meetings.selectors import carried_tasks
    from tests.support.demo import load_demo_district

    today = date(2026, 11, 26)
    assert load_demo_district(today=today, inspections=False)["meetings"] == 2
    first, second = MeetingSession.objects.filter(meeting__name=NAME).order_by("number")
    assert (first.status, second.status) == ("held", "held") and first.materials and second.materials
    numbers = set(Document.objects.filter(source_type="meetings.meetingsession").values_list("number", flat=True))
    assert numbers == {"青教纪要〔2026〕1号", "青教纪要〔2026〕2号"}
    [overdue] = MeetingTask.objects.overdue(today)
    assert overdue.department.short_name == "青市监" and overdue in set(carried_tasks(second))
    assert second.attendance.filter(status="deputy").exists() and second.attendance.filter(status="absent").exists()
    lead = User.objects.get(username="lead")
    assert [a.object_id for a in alerts_for(lead, [AlertKind.MEETING_TASK_OVERDUE], today=today)] == [overdue.pk]
    assert load_demo_district(today=today, inspections=False)["meetings"] == 0
