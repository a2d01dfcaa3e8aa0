"""Importing 从业人员 from Excel: the sheets as they arrive (title rows, merged headers, full-width digits, date
serials, blank rows, header variants), per-row Chinese reasons, all-or-nothing, --dry-run and --valid-only, the
template and the management commands."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from jianguan.audit.models import AuditEvent
from jianguan.staff.importer import COLUMNS, import_file
from jianguan.staff.models import StaffMember
from jianguan.staff.tests.support import add_staff, id_number
from tests.support import hostile_xlsx

pytestmark = pytest.mark.django_db

CODE_A = "92990100MA00000A1P"  # 甲街道培训学校
NAME_B = "乙街道小饭桌"  # no credit code
HEADERS = [label for _name, label in COLUMNS]
FIELDS = [name for name, _label in COLUMNS]


def _row(**values: Any) -> list[Any]:
    base = {"credit_code": CODE_A, "name": "张三", "role": "教师", "start_date": "2025-09-01"}
    data = {**base, **values}
    assert not set(data) - set(FIELDS), set(data) - set(FIELDS)
    return [data.get(f) for f in FIELDS]


def _save(path: Path, rows: list[list[Any]], *, merge: str = "") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "从业人员"
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    wb.save(path)
    return path


def _sheet(path: Path, *rows: list[Any]) -> Path:
    return _save(path, [HEADERS, *rows])


def _counts() -> tuple[int, int]:
    return StaffMember.objects.count(), AuditEvent.objects.count()


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def test_a_messy_sheet_imports(tmp_path, personas, district):
    # A merged title row and a date line above the header, header variants, blank rows between the data, a
    # full-width ID number with spaces, dates as Excel serials, as datetimes and as Chinese text, 是/否 flags.
    rows = [
        ["XX区校外培训机构从业人员登记表", None, None, None, None, None],
        ["填报日期：2026年3月1日"],
        ["机构名称", "姓 名", "身份证号", "岗位类别", "入职时间", "是否学科类", "教师资格证号", "健康证有效期",
         "查询日期", "查询结果", "接触直接入口食品", "健康证编号"],
        [None] * 6,
        ["甲街道培训学校", " 李 四 ", "  " + _full_width(id_number(41)) + " ", "老师", 45901, "是", _full_width("20231100012345"), None,
         "2026年2月10日", "无", None, None],
        [],
        [NAME_B, "王五", id_number(42), "厨师/食品从业人员", date(2024, 3, 1), "否", None, 46387,
         46062, "未发现违法犯罪记录", "是", "JK-001"],
        [None, "   ", None],
    ]  # fmt: skip
    path = _save(tmp_path / "messy.xlsx", rows, merge="A1:F1")
    report = import_file(path, actor=personas["admin"])
    assert report.fatal == "" and report.errors == [], report.errors
    assert (report.imported, report.updated, report.rejected, report.rows) == (2, 0, 0, 2)
    assert report.committed
    li = StaffMember.objects.get(name="李 四")
    assert li.institution == district.institutions["a"] and li.id_number() == id_number(41)
    assert li.role == "teacher" and li.teaches_academic and li.teacher_cert_number == "20231100012345"
    assert li.start_date == date(2025, 9, 1)  # serial 45901
    assert li.record_check_date == date(2026, 2, 10) and li.record_check_result == "clear"
    wang = StaffMember.objects.get(name="王五")
    assert wang.institution == district.institutions["b"] and wang.role == "cook" and wang.handles_food
    assert wang.health_cert_valid_until == date(2026, 12, 31) and wang.health_cert_number == "JK-001"
    assert wang.record_check_date == date(2026, 2, 9) and not wang.teaches_academic


def test_a_two_row_header_under_merged_cells_is_read(tmp_path, personas):
    rows = [
        ["从业人员花名册"],
        ["统一社会信用代码", "姓名", "身份证号码", "岗位", "入职日期", "健康证明", None, "违法犯罪记录查询", None],
        [None, None, None, None, None, "编号", "有效期至", "日期", "结果"],
        [CODE_A, "陈厨师", id_number(74), "厨师", "2025-03-01", "JK-9", "2027-01-31", "2026-01-15", "无"],
    ]
    path = _save(tmp_path / "twolevel.xlsx", rows)
    wb = load_workbook(path)
    ws = wb.active
    for span in ("A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:G2", "H2:I2"):
        ws.merge_cells(span)
    wb.save(path)
    report = import_file(path, actor=personas["admin"])
    assert report.errors == [] and report.imported == 1 and report.rows == 1
    chen = StaffMember.objects.get(name="陈厨师")
    assert chen.health_cert_number == "JK-9" and chen.health_cert_valid_until == date(2027, 1, 31)
    assert chen.record_check_date == date(2026, 1, 15) and chen.record_check_result == "clear"


def test_a_second_import_updates_the_same_person_and_never_erases(tmp_path, personas, district):
    member = add_staff(district, seq=43, name="赵六", teacher_cert_number="OLD-1", handles_food=True)
    path = _sheet(tmp_path / "again.xlsx", _row(name="赵六", id_number=id_number(43), teacher_cert_subject="数学"))
    report = import_file(path, actor=personas["admin"])
    assert (report.imported, report.updated, report.rejected) == (0, 1, 0)
    member.refresh_from_db()
    assert member.teacher_cert_subject == "数学" and member.teacher_cert_number == "OLD-1" and member.handles_food
    assert StaffMember.objects.count() == 1
    report = import_file(path, actor=personas["admin"])
    assert (report.imported, report.updated, report.unchanged) == (0, 0, 1)


def test_bad_rows_are_reported_per_row_in_chinese_and_nothing_is_written(tmp_path, personas):
    path = _sheet(
        tmp_path / "bad.xlsx",
        _row(name="好人", id_number=id_number(44)),
        _row(name="坏号", id_number=id_number(45)[:-1] + ("0" if id_number(45)[-1] != "0" else "1")),
        _row(name="短号", id_number="11010519900101"),
        _row(name="无机构", id_number=id_number(46), credit_code="91440300MA5H0HLK5U"),
        _row(name="坏日期", id_number=id_number(47), start_date="2026-02-30"),
        _row(name="坏岗位", id_number=id_number(48), role="飞行员"),
        _row(name="", id_number=id_number(49)),
        _row(name="坏结果", id_number=id_number(50), record_check_date="2026-01-01", record_check_result="也许"),
        _row(name="重复", id_number=id_number(44)),
    )
    before = _counts()
    report = import_file(path, actor=personas["admin"])
    assert not report.committed and report.rejected == 8 and _counts() == before
    by_row = {(e.row, e.column): e.reason for e in report.errors}
    assert "无效" in by_row[(3, "身份证号码*")]
    assert "18 位" in by_row[(4, "身份证号码*")]
    assert "找不到该机构" in by_row[(5, "统一社会信用代码")]
    assert "不存在" in by_row[(6, "入职日期*")]
    assert "岗位应为" in by_row[(7, "岗位*")]
    assert by_row[(8, "姓名*")] == "必填项为空"
    assert "查询结果应为" in by_row[(9, "查询结果")]
    assert "与第 2 行是同一机构的同一人员" in by_row[(10, "身份证号码*")]
    assert report.last_line == "imported 0, updated 0, rejected 8"
    assert "未写入任何数据" in report.summary


def test_valid_only_imports_the_good_rows(tmp_path, personas):
    path = _sheet(
        tmp_path / "mixed.xlsx",
        _row(name="好人", id_number=id_number(51)),
        _row(name="坏号", id_number="123"),
        _row(name="另一个", id_number=id_number(52), credit_code=None, institution=NAME_B),
    )
    report = import_file(path, actor=personas["admin"], valid_only=True)
    assert report.committed and (report.imported, report.rejected) == (2, 1)
    assert set(StaffMember.objects.values_list("name", flat=True)) == {"好人", "另一个"}


def test_dry_run_changes_nothing_but_counts_what_would_happen(tmp_path, personas):
    path = _sheet(tmp_path / "dry.xlsx", _row(name="试一试", id_number=id_number(53)))
    before = _counts()
    report = import_file(path, actor=personas["admin"], dry_run=True)
    assert report.imported == 1 and not report.committed and _counts() == before


def test_the_institution_importer_only_reaches_its_own_institution(tmp_path, personas):
    path = _sheet(
        tmp_path / "scope.xlsx",
        _row(name="本机构", id_number=id_number(54)),
        _row(name="别家", id_number=id_number(55), credit_code=None, institution=NAME_B),
    )
    report = import_file(path, actor=personas["institution"])
    assert [(e.row, e.reason) for e in report.errors] == [
        (3, "找不到该机构，或该机构不在您的权限范围内：请核对统一社会信用代码或机构名称")
    ]
    assert StaffMember.objects.count() == 0
    # a street officer sees the institution but may not keep its staff: every row says so
    report = import_file(path, actor=personas["street_a"], valid_only=True)
    assert report.imported == 0 and any("权限" in e.reason or "不能" in e.reason for e in report.errors)
    assert StaffMember.objects.count() == 0


def test_a_sheet_without_the_header_or_columns_is_a_fatal_error(tmp_path, personas):
    report = import_file(_save(tmp_path / "nohead.xlsx", [["随便"], ["张三"]]), actor=personas["admin"])
    assert report.fatal == "没有找到表头：前 10 行中应有一行包含“身份证号码”等列名。请使用导入模板。"
    report = import_file(_save(tmp_path / "cols.xlsx", [["姓名", "身份证号码", "岗位"]]), actor=personas["admin"])
    assert report.fatal == "缺少必需的列：入职日期*"
    report = import_file(
        _save(tmp_path / "noinst.xlsx", [["姓名", "身份证号码", "岗位", "入职日期"]]), actor=personas["admin"]
    )
    assert report.fatal.startswith("缺少必需的列：统一社会信用代码或机构名称")
    (tmp_path / "x.xlsx").write_bytes(b"not a zip")
    assert "不是有效的 Excel" in import_file(tmp_path / "x.xlsx", actor=personas["admin"]).fatal


def test_hostile_workbooks_are_refused_quickly(tmp_path, personas, settings):
    report = import_file(hostile_xlsx.huge_string(tmp_path / "bomb.xlsx", megabytes=100), actor=personas["admin"])
    assert "超过上限" in report.fatal
    report = import_file(hostile_xlsx.wide_rows(tmp_path / "wide.xlsx", rows=2000), actor=personas["admin"])
    assert report.fatal.startswith("没有找到表头")
    settings.JIANGUAN_IMPORT_MAX_ROWS = 3
    path = _sheet(tmp_path / "many.xlsx", *[_row(name=f"人{n}", id_number=id_number(60 + n)) for n in range(4)])
    assert import_file(path, actor=personas["admin"]).fatal.startswith("表格超过 3 行")
    long_cell = _sheet(tmp_path / "long.xlsx", _row(name="长" * 3000, id_number=id_number(70)))
    report = import_file(long_cell, actor=personas["admin"])
    assert "内容过长" in report.errors[0].reason and StaffMember.objects.count() == 0


def test_the_template_round_trips(tmp_path, personas):
    path = tmp_path / "template.xlsx"
    call_command("staff_template", str(path))
    wb = load_workbook(path)
    assert wb.active.title == "从业人员" and "填写说明" in wb.sheetnames
    ws = wb["从业人员"]
    assert [c.value for c in ws[1]] == HEADERS
    ws.append(_row(name="模板人", id_number=id_number(71), role="保育/看护人员"))
    wb.save(path)
    report = import_file(path, actor=personas["admin"])
    assert report.imported == 1 and StaffMember.objects.get(name="模板人").role == "care"


def test_the_command_prints_the_rows_and_ends_with_the_counts(tmp_path, personas, capsys):
    good = _sheet(tmp_path / "good.xlsx", _row(name="命令人", id_number=id_number(72)))
    call_command("import_staff", str(good), "--as", personas["admin"].username, "--dry-run")
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == "imported 1, updated 0, rejected 0" and "试运行" in out[-2]
    assert StaffMember.objects.count() == 0
    call_command("import_staff", str(good), "--as", personas["admin"].username)
    assert capsys.readouterr().out.strip().splitlines()[-1] == "imported 1, updated 0, rejected 0"
    bad = _sheet(tmp_path / "bad.xlsx", _row(name="坏", id_number="42"), _row(name="好", id_number=id_number(73)))
    with pytest.raises(SystemExit):
        call_command("import_staff", str(bad), "--as", personas["admin"].username)
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == "imported 0, updated 0, rejected 1" and any(
        line.startswith("第 2 行 身份证号码*") for line in out
    )
    call_command("import_staff", str(bad), "--as", personas["admin"].username, "--valid-only")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "imported 1, updated 0, rejected 1"
    with pytest.raises(CommandError):
        call_command("import_staff", str(tmp_path / "missing.xlsx"), "--as", personas["admin"].username)
