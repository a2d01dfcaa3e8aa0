"""The sector's rules on their boundaries, the daily check's bookkeeping, and where its violations show."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from stdnum.cn import ric

from jianguan.alerts.choices import AlertKind
from jianguan.alerts.selectors import alerts_for
from jianguan.audit.models import AuditEvent
from jianguan.courses.choices import Mode
from jianguan.courses.models import ClassGroup, Course
from jianguan.fees.choices import AccountKind
from jianguan.fees.models import FeeAccount, FeeRecord
from jianguan.registry.choices import OperatingStatus
from jianguan.rules import limits
from jianguan.rules.models import RuleViolation
from jianguan.rules.services import run_checks
from jianguan.staff.choices import RecordCheckResult, StaffRole
from jianguan.staff.models import BarredPerson, StaffMember

TODAY = date(2026, 11, 10)  # a Tuesday in term time


def id_number(serial: int) -> str:
    body = f"11010519900307{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def staff(inst, name="王老师", role=StaffRole.TEACHER, serial=1, **fields):  # type: ignore[no-untyped-def]
    fields = {"start_date": date(2025, 9, 1), "record_check_date": date(2026, 9, 1),
              "record_check_result": RecordCheckResult.CLEAR, **fields}  # fmt: skip
    member = StaffMember(institution=inst, name=name, role=role, **fields)
    member.set_id_number(id_number(serial))
    member.save()
    return member


def course(inst, academic=True, mode=Mode.OFFLINE):  # type: ignore[no-untyped-def]
    return Course.objects.create(institution=inst, name="数学提高", subject="数学", academic=academic, mode=mode)


def klass(inst, crs, end=time(20, 0), weekdays="24", teacher=None, start=date(2026, 11, 2), until=date(2026, 12, 20)):  # type: ignore[no-untyped-def]
    return ClassGroup.objects.create(
        institution=inst, course=crs, name="一班", teacher=teacher, capacity=20, start_date=start, end_date=until,
        weekdays=weekdays, start_time=time(18, 30), end_time=end,
    )  # fmt: skip


def fee(inst, **fields):  # type: ignore[no-untyped-def]
    values = {"student_masked": "张**", "course_name": "数学提高", "academic": True, "hours": Decimal("40"),
              "amount": Decimal("3000"), "period_start": date(2026, 11, 1), "period_end": date(2027, 1, 31),
              "paid_on": date(2026, 11, 1), **fields}  # fmt: skip
    return FeeRecord.objects.create(institution=inst, **values)


def running_now() -> dict[str, date]:
    """Dates for a class running on the real day (tests of the command, the pages and the task, which check today)."""
    from django.utils import timezone

    today = timezone.localdate()
    return {"start": today - timedelta(days=7), "until": today + timedelta(days=60)}


def paid_now() -> dict[str, date]:
    from django.utils import timezone

    today = timezone.localdate()
    return {
        "period_start": today - timedelta(days=5),
        "period_end": today + timedelta(days=50),
        "paid_on": today - timedelta(days=5),
    }


def found(rule: str, today: date = TODAY) -> set[int]:
    run_checks(today=today)
    return set(RuleViolation.objects.filter(rule=rule, resolved_on__isnull=True).values_list("object_id", flat=True))


# -------------------------------------------------------------------------------------------------- the boundaries


@pytest.mark.parametrize(
    ("mode", "end", "late"),
    [
        (Mode.OFFLINE, time(20, 30), False),
        (Mode.OFFLINE, time(20, 31), True),
        (Mode.ONLINE, time(21, 0), False),
        (Mode.ONLINE, time(21, 1), True),
        (Mode.ONLINE, time(20, 45), False),
    ],
)
def test_classes_end_by_half_past_eight_offline_and_nine_online(district, mode, end, late):
    inst = district.institutions["a"]
    group = klass(inst, course(inst, academic=False, mode=mode), end=end)
    rule = "CLASS_ONLINE_LATE" if mode == Mode.ONLINE else "CLASS_OFFLINE_LATE"
    assert (group.pk in found(rule)) is late
    assert limits.end_time_ok(end, mode) is not late


def test_the_end_times_are_settings(district, settings):
    settings.JIANGUAN_RULE_OFFLINE_END = "20:00"
    inst = district.institutions["a"]
    group = klass(inst, course(inst, academic=False), end=time(20, 15))
    assert group.pk in found("CLASS_OFFLINE_LATE")


@pytest.mark.parametrize(("hours", "over"), [("60", False), ("60.0", False), ("60.5", True), ("61", True)])
def test_a_charge_covers_at_most_sixty_hours(district, hours, over):
    record = fee(district.institutions["a"], hours=Decimal(hours))
    assert (record.pk in found("FEE_HOURS")) is over


@pytest.mark.parametrize(
    ("amount", "academic", "over"),
    [("5000", False, False), ("5000.00", False, False), ("5000.01", False, True), ("5001", False, True),
     ("9000", True, False)],
)  # fmt: skip
def test_a_non_academic_charge_is_at_most_five_thousand_yuan(district, amount, academic, over):
    record = fee(district.institutions["a"], amount=Decimal(amount), academic=academic, hours=Decimal("20"))
    assert (record.pk in found("FEE_AMOUNT")) is over


@pytest.mark.parametrize(
    ("start", "end", "over"),
    [
        (date(2026, 11, 1), date(2027, 1, 31), False),
        (date(2026, 11, 1), date(2027, 2, 1), True),
        (date(2026, 11, 30), date(2027, 2, 27), False),  # 30 Nov + 3 months is 28 Feb: the last day is the 27th
        (date(2026, 11, 30), date(2027, 2, 28), True),
    ],
)
def test_a_charge_covers_at_most_three_months(district, start, end, over):
    record = fee(district.institutions["a"], period_start=start, period_end=end, paid_on=start)
    assert (record.pk in found("FEE_PERIOD")) is over
    assert limits.period_ok(start, end) is not over


@pytest.mark.parametrize(("age", "stale"), [(0, False), (365, False), (366, True)])
def test_the_record_check_is_repeated_every_year(district, age, stale):
    member = staff(district.institutions["a"], record_check_date=TODAY - timedelta(days=age))
    assert (member.pk in found("STAFF_RECORD_CHECK")) is stale


def test_staff_never_checked_or_with_a_record_found(district):
    never = staff(district.institutions["a"], name="李四", serial=2, record_check_date=None, record_check_result="")
    bad = staff(district.institutions["a"], name="赵五", serial=3, record_check_result=RecordCheckResult.FOUND)
    left = staff(district.institutions["a"], name="钱六", serial=4, record_check_date=None,
                 end_date=TODAY - timedelta(days=1))  # fmt: skip
    assert found("STAFF_RECORD_CHECK") == {never.pk}
    assert found("STAFF_RECORD_FOUND") == {bad.pk}
    assert left.pk not in found("STAFF_RECORD_CHECK")


@pytest.mark.parametrize(("until", "missing"), [(TODAY, False), (TODAY - timedelta(days=1), True), (None, True)])
def test_food_handlers_hold_a_valid_health_certificate(district, until, missing):
    cook = staff(district.institutions["b"], name="厨师甲", role=StaffRole.COOK, health_cert_valid_until=until)
    assert (cook.pk in found("STAFF_HEALTH_CERT")) is missing


def test_academic_teachers_and_classes_need_a_teacher_certificate(district):
    inst = district.institutions["a"]
    certified = staff(inst, serial=5, teaches_academic=True, teacher_cert_number="20213300000001")
    uncertified = staff(inst, name="孙老师", serial=6, teaches_academic=True)
    crs = course(inst)
    fine = klass(inst, crs, teacher=certified)
    wrong = klass(inst, crs, teacher=uncertified)
    nobody = klass(inst, crs)
    arts = klass(inst, course(inst, academic=False), teacher=uncertified)
    assert found("STAFF_TEACHER_CERT") == {uncertified.pk}
    assert found("CLASS_TEACHER_CERT") == {wrong.pk, nobody.pk}
    assert fine.pk not in found("CLASS_TEACHER_CERT") and arts.pk not in found("CLASS_TEACHER_CERT")


def test_academic_classes_not_on_weekends_holidays_or_vacations(district):
    inst = district.institutions["a"]
    crs = course(inst)
    weekdays = klass(inst, crs, weekdays="24")
    saturday = klass(inst, crs, weekdays="6")
    # 1–7 October 2026 is the National Day holiday; July is the summer vacation (JIANGUAN_SCHOOL_VACATIONS).
    national_day = klass(inst, crs, weekdays="12345", start=date(2026, 9, 21), until=date(2026, 10, 10))
    summer = klass(inst, crs, weekdays="135", start=date(2026, 6, 22), until=date(2026, 7, 10))
    non_academic_saturday = klass(inst, course(inst, academic=False), weekdays="6")
    today = date(2026, 6, 1)
    rest = found("CLASS_REST_DAY", today)
    assert saturday.pk in rest and national_day.pk in rest
    assert weekdays.pk not in rest and non_academic_saturday.pk not in rest
    assert found("CLASS_VACATION", today) == {summer.pk}
    detail = RuleViolation.objects.get(rule="CLASS_REST_DAY", object_id=national_day.pk).detail
    assert "2026-10-01" in detail


def test_school_vacations_are_a_setting(district, settings):
    settings.JIANGUAN_SCHOOL_VACATIONS = {"2026": [["2026-11-16", "2026-11-20"]]}
    inst = district.institutions["a"]
    group = klass(inst, course(inst), weekdays="1")
    assert found("CLASS_VACATION") == {group.pk}


def test_prepaid_money_goes_into_the_supervised_account(district):
    inst = district.institutions["a"]
    outside = fee(inst, into_supervised_account=False)
    assert found("FEE_OUTSIDE_ACCOUNT") == {outside.pk}
    assert found("FEE_NO_ACCOUNT") == {inst.pk}
    FeeAccount.objects.create(institution=inst, kind=AccountKind.SUPERVISION, bank="测试银行")
    assert found("FEE_NO_ACCOUNT") == set()


def test_a_barred_person_in_post_is_a_high_severity_warning(district):
    inst = district.institutions["a"]
    member = staff(inst, serial=7)
    barred = BarredPerson(name="王老师", reason="猥亵儿童", basis_authority="某区人民法院", basis_number="（2025）某刑初1号",
                          basis_date=date(2025, 5, 1), start_date=date(2025, 5, 1))  # fmt: skip
    barred.set_id_number(id_number(7))
    barred.save()
    assert found("STAFF_BARRED") == {member.pk}
    lead, institution = district.users["lead"], district.users["institution"]
    [alert] = alerts_for(lead, [AlertKind.RULE_HIGH], today=TODAY)
    assert "（2025）某刑初1号" in alert.message and alert.institution_id == inst.pk
    assert alerts_for(institution, [AlertKind.RULE_HIGH], today=TODAY) == []  # the list is the supervisors'
    barred.lifted_at = barred.created_at
    barred.save()
    assert found("STAFF_BARRED") == set()


def test_prepaid_balance_with_signs_of_closing(district):
    from jianguan.registry.models import Institution

    inst = district.institutions["a"]
    fee(inst, period_start=date(2026, 11, 1), period_end=date(2027, 1, 31), amount=Decimal("9200"))
    fee(inst, period_start=date(2026, 6, 1), period_end=date(2026, 8, 31), paid_on=date(2026, 6, 1))  # used up
    assert found("FEE_CLOSING") == set()
    Institution.objects.filter(pk=inst.pk).update(status=OperatingStatus.STOP_ENROLLING)
    assert found("FEE_CLOSING") == {inst.pk}
    v = RuleViolation.objects.get(rule="FEE_CLOSING", resolved_on__isnull=True)
    # 83 of the 92 days from 10 November to 31 January are still owed: 9,200 × 83 / 92.
    assert "8300.00" in v.detail and "责令停止招生" in v.detail


# ------------------------------------------------------------------------------------------------ the bookkeeping


def test_a_run_opens_keeps_and_closes_violations_and_is_audited(district):
    inst = district.institutions["a"]
    group = klass(inst, course(inst, academic=False), end=time(21, 0))
    first = run_checks(today=TODAY)
    assert first.opened >= 1
    v = RuleViolation.objects.get(rule="CLASS_OFFLINE_LATE", object_id=group.pk)
    again = run_checks(today=TODAY + timedelta(days=1))
    assert again.opened == 0 and RuleViolation.objects.filter(rule="CLASS_OFFLINE_LATE").count() == 1
    ClassGroup.objects.filter(pk=group.pk).update(end_time=time(20, 0))
    fixed = run_checks(today=TODAY + timedelta(days=2))
    v.refresh_from_db()
    assert fixed.resolved >= 1 and v.resolved_on == TODAY + timedelta(days=2)
    event = AuditEvent.objects.filter(action="rules.check").order_by("-pk").first()
    assert event is not None and event.after["resolved"] == fixed.resolved


def test_open_violations_count_in_the_risk_rating(district):
    from jianguan.risk.selectors import facts_for

    inst = district.institutions["a"]
    klass(inst, course(inst, academic=False), end=time(21, 0))
    fee(inst, hours=Decimal("80"))
    run_checks(today=TODAY)
    facts = facts_for([inst.pk], TODAY)[inst.pk]
    assert facts.rule_violations["classes"] == 1 and facts.rule_violations["fees"] >= 2
    assert facts.counts()["rule_classes"] == 1


def test_warnings_follow_the_scope(district):
    inst_a, inst_b = district.institutions["a"], district.institutions["b"]
    klass(inst_a, course(inst_a, academic=False), end=time(21, 0))
    fee(inst_b, hours=Decimal("80"))
    run_checks(today=TODAY)
    users = district.users

    def names(user):  # type: ignore[no-untyped-def]
        return {a.institution_id for a in alerts_for(user, [AlertKind.RULE_VIOLATION], today=TODAY)}

    assert names(users["lead"]) == {inst_a.pk, inst_b.pk}
    assert names(users["street_a"]) == {inst_a.pk}
    assert names(users["street_b"]) == {inst_b.pk}
    assert names(users["institution"]) == {inst_a.pk}
    from jianguan.alerts.selectors import alert_totals

    for user in users.values():
        if user is not None:  # the dashboard's totals are the lists' counts
            listed = alerts_for(user, [AlertKind.RULE_HIGH, AlertKind.RULE_VIOLATION], True, today=TODAY)
            totals = alert_totals(user, today=TODAY)
            for kind in (AlertKind.RULE_HIGH, AlertKind.RULE_VIOLATION):
                assert totals[kind] == sum(1 for a in listed if a.kind == kind)


def test_check_rules_prints_each_violation_with_its_source(district):
    inst = district.institutions["a"]
    group = klass(inst, course(inst, academic=False), end=time(20, 31), **running_now())
    out = StringIO()
    call_command("check_rules", stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    row = next(line.split("\t") for line in lines if line.startswith("CLASS_OFFLINE_LATE"))
    assert row[1] == "线下培训结束时间晚于规定时间" and row[2] == str(inst.pk) and row[3] == inst.name
    assert "20:31" in row[5] and "十三部门" in row[6]
    assert lines[-1].startswith("violations ")
    out = StringIO()
    call_command("check_rules", "--json", stdout=out, stderr=StringIO())
    data = json.loads(out.getvalue())
    [v] = [v for v in data["violations"] if v["rule"] == "CLASS_OFFLINE_LATE"]
    assert v["record_id"] == group.pk and v["institution_name"] == inst.name and v["source"]
    assert v["setting"] == "JIANGUAN_RULE_OFFLINE_END"


def test_bad_settings_are_named_by_manage_check(settings):
    settings.JIANGUAN_RULE_OFFLINE_END = "half past eight"
    settings.JIANGUAN_SCHOOL_VACATIONS = {"2026": [["2026-08-31", "2026-07-01"]]}
    limits.clear_caches()
    errors = limits.check_settings()
    assert len(errors) == 2 and all(e.id == "rules.E001" for e in errors)


# ------------------------------------------------------------------------------------------------ where they show


def test_the_on_site_form_shows_staff_classes_and_fees_with_their_violations(district, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    inst = district.institutions["b"]
    cook = staff(inst, name="厨师乙", role=StaffRole.COOK, serial=8, health_cert_valid_until=None)
    group = klass(inst, course(inst, academic=False), end=time(20, 50), **running_now())
    fee(inst, hours=Decimal("90"), academic=False, **paid_now())
    run_checks()
    url = reverse("inspections:inspection_detail", args=[district.inspections["on_site"].pk])
    page = client_for("edu_officer").get(url).content.decode()
    assert 'data-testid="site-facts"' in page
    assert cook.id_number_masked in page and cook.id_number() not in page
    assert "接触直接入口食品的人员无有效健康证明" in page and "线下培训结束时间晚于规定时间" in page
    assert "一次收费超过规定课时" in page and "未登记资金监管账户或风险保证金" in page
    assert f"{group.course.name} {group.name}" in page

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client_for("edu_officer").get(url)
        return len(ctx.captured_queries)

    before = queries()
    for n in range(3):
        staff(inst, name=f"保育{n}", role=StaffRole.CARE, serial=20 + n, record_check_date=None, record_check_result="")
        klass(inst, group.course, end=time(21, 0), **running_now())
        fee(inst, hours=Decimal("70"), **paid_now())
    run_checks()
    assert queries() == before


def test_a_completed_inspection_and_the_institution_do_not_get_the_panel(district, client_for):
    from django.urls import reverse

    run_checks()
    done = reverse("inspections:inspection_detail", args=[district.inspections["done"].pk])
    assert 'data-testid="site-facts"' not in client_for("edu_officer").get(done).content.decode()
    assert 'data-testid="site-facts"' not in client_for("institution").get(done).content.decode()


def test_a_violation_links_to_its_record(district, client_for):
    from django.urls import reverse

    inst = district.institutions["a"]
    group = klass(inst, course(inst, academic=False), end=time(20, 31), **running_now())
    run_checks()
    v = RuleViolation.objects.get(rule="CLASS_OFFLINE_LATE", object_id=group.pk)
    for persona in ("lead", "street_a", "institution"):
        page = client_for(persona).get(reverse("rules:violation_detail", args=[v.pk])).content.decode()
        assert f"/courses/institution/{inst.pk}/#class-{group.pk}" in page
    listing = client_for("lead").get(reverse("rules:violation_list") + "?area=classes").content.decode()
    assert "线下培训结束时间晚于规定时间" in listing
    assert client_for("lead").get(reverse("rules:violation_list") + "?rule=NOPE").status_code == 400


def test_running_the_check_by_hand(district, client_for):
    from django.urls import reverse

    inst = district.institutions["a"]
    klass(inst, course(inst, academic=False), end=time(21, 0), **running_now())
    response = client_for("lead").post(reverse("rules:run"), follow=True)
    assert "检查完成" in response.content.decode()
    assert RuleViolation.objects.filter(rule="CLASS_OFFLINE_LATE", resolved_on__isnull=True).exists()
    assert client_for("edu_officer").post(reverse("rules:run")).status_code == 403
