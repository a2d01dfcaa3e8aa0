"""Streets, departments, the responsibility matrix and the working-day overrides (the demo district: demo/tests)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from jianguan.audit.models import AuditEvent
from jianguan.lib import workdays
from jianguan.org import services
from jianguan.org.choices import CheckCategory
from jianguan.org.models import Department, Responsibility
from jianguan.org.selectors import responsibility_problems


def test_check_responsibilities_reports_gaps_and_overlaps(personas, district, capsys):
    call_command("check_responsibilities")
    assert "每类机构的每个检查类别均有唯一牵头部门" in capsys.readouterr().out
    services.responsibility_set(actor=personas["admin"], category=CheckCategory.FEES, lead=None, supporting=[])
    Responsibility.objects.filter(category=CheckCategory.TEACHING).update(is_lead=True)
    Responsibility.objects.create(
        category=CheckCategory.TEACHING, department=district.departments["police"], is_lead=True
    )
    problems = {row.category: row.problem for row in responsibility_problems()}
    assert problems == {CheckCategory.FEES: "gap", CheckCategory.TEACHING: "overlap"}
    with pytest.raises(CommandError, match="10 处"):  # two categories, for each of the five kinds
        call_command("check_responsibilities")
    out = capsys.readouterr().out
    assert "收费与资金" in out and "空白" in out and "交叉" in out


def test_responsibility_page_shows_problems(client_for, personas):
    services.responsibility_set(actor=personas["admin"], category=CheckCategory.STAFF, lead=None, supporting=[])
    html = client_for("lead").get("/org/responsibilities/").content.decode()
    assert "从业人员 · 学科类培训：空白：无牵头部门" in html
    assert "编辑" not in html  # the lead coordinator sees the matrix; only the admin edits it


def test_admin_edits_the_matrix_in_the_ui(client_for, district):
    fire, police = district.departments["fire"], district.departments["police"]
    response = client_for("admin").post(
        "/org/responsibilities/premises/", {"lead": fire.pk, "supporting": [police.pk, fire.pk]}
    )
    assert response.status_code == 302
    rows = set(Responsibility.objects.filter(category="premises").values_list("department_id", "is_lead"))
    assert rows == {(fire.pk, True), (police.pk, False)}
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "responsibility.set" and event.object_id == "*:premises:*"  # every kind, whole category
    # One kind's own row, for one item of a category.
    response = client_for("admin").post(
        "/org/responsibilities/fees/", {"institution_kind": "meal_care", "item_code": "", "lead": police.pk}
    )
    assert response.status_code == 302
    assert Responsibility.objects.get(institution_kind="meal_care", category="fees").department == police


def test_only_admin_may_change_org_data(personas, district):
    for name in ["lead", "edu_officer", "street_a", "leader", "institution", "legal"]:
        with pytest.raises(PermissionDenied):
            services.department_save(actor=personas[name], name="x", short_name="x", kind="other")
        with pytest.raises(PermissionDenied):
            services.responsibility_set(actor=personas[name], category="fees", lead=None, supporting=[])


def test_only_admin_and_lead_may_change_the_calendar(personas, district):
    for name in ["edu_officer", "street_a", "leader", "institution", "legal"]:
        with pytest.raises(PermissionDenied):
            services.workday_override_set(actor=personas[name], day=date(2030, 1, 1), is_working_day=False)
    for name in ["admin", "lead"]:
        services.workday_override_set(actor=personas[name], day=date(2030, 1, 1), is_working_day=False)


def test_bad_department_input_is_refused_in_chinese(client_for):
    response = client_for("admin").post("/org/departments/new/", {"name": "", "short_name": "测教", "kind": "other"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "这个字段是必填项。" in html
    duplicate = client_for("admin").post(
        "/org/departments/new/", {"name": "另一个", "short_name": "测教", "kind": "other"}
    )
    assert "文号简称" in duplicate.content.decode() and "已存在" in duplicate.content.decode()
    assert not Department.objects.filter(name="另一个").exists()


def test_workday_override_makes_an_unknown_year_countable(personas):
    with pytest.raises(workdays.UnknownCalendarYear):
        workdays.add_working_days(date(2098, 12, 30), 3)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.workday_override_set(actor=personas["admin"], day=date(2099, 1, 1), is_working_day=False, note="元旦")
    # 2098 is still unknown; 2099 is now covered by the override table.
    assert workdays.add_working_days(date(2099, 1, 1), 1) == date(2099, 1, 2)
    assert not workdays.is_working_day(date(2099, 1, 1))


def test_region_codes_are_unique(personas, district):
    with pytest.raises(ValidationError):
        services.region_save(actor=personas["admin"], code="990100001", name="重复", level="street", parent=None)
