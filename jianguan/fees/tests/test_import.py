"""Importing 预收费记录 from Excel: the template, messy sheets (banner rows, other headers, full-width digits, many
date formats), per-row Chinese messages, all-or-nothing, --dry-run and --valid-only, updates by contract number."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from jianguan.audit.models import AuditEvent
from jianguan.fees.models import FeeRecord

CODE_A = "92990100MA00000A1P"  # institution a's 统一社会信用代码 in the test district


def _run(*args: str) -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("import_fees", *args, "--as", "p_admin", stdout=out)
    except SystemExit as exc:
        return out.getvalue(), int(exc.code or 0)
    return out.getvalue(), 0


def _messy(path: Path, rows: list[list]) -> Path:  # type: ignore[type-arg]
    """A sheet as institutions send it: a title, a date line and a blank row above the header, headers in their own
    words and order, an extra column, blank rows between the data."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["甲街道培训学校 2026 年春季预收费明细"])
    ws.append(["填报日期：2026年3月5日"])
    ws.append([])
    ws.append(["序号", "机构", "学员", "合同号", "课程", "是否学科类", "课时数", "收费金额（元）", "开始日期",
               "结束日期", "收费日期", "是否进入监管账户", "经办人"])  # fmt: skip
    for n, row in enumerate(rows, start=1):
        ws.append([n, *row])
        ws.append([])
    wb.save(path)
    return path


GOOD = [
    ["甲街道培训学校", "张小明", "HT-001", "少儿美术", "否", "４０", "３，６００", "2026/3/1", "2026年5月31日",
     datetime(2026, 2, 25), "是", "李会计"],
    ["甲街道培训学校", " 欧阳娜娜 ", "HT-002", "初中数学", "是", 60, 4800.5, 20260301, "2026.5.31", "2026-02-26", "",
     "李会计"],
]  # fmt: skip
BAD = ["甲街道培训学校", "王五", "HT-003", "书法", "也许", "-2", "一千", "2026-02-30", "2026-05-31", "明天", "否", ""]


def test_template_round_trip(district, tmp_path):
    path = tmp_path / "模板.xlsx"
    out = StringIO()
    call_command("fee_template", str(path), stdout=out)
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "填写说明" and "预收费记录" in wb.sheetnames
    ws = wb["预收费记录"]
    assert ws["C1"].value == "学员姓名*"
    ws.append([CODE_A, "", "张小明", "少儿美术", "否", "HT-9", 20, 1800, "2026-03-01", "2026-04-30", "2026-03-01",
               "是"])  # fmt: skip
    wb.save(path)
    output, code = _run(str(path))
    assert code == 0, output
    assert output.strip().splitlines()[-1] == "imported 1, updated 0, rejected 0"
    record = FeeRecord.objects.get()
    assert record.institution == district.institutions["a"] and record.student_masked == "张**"
    assert record.source == "imported"


def test_messy_sheet_is_read(district, tmp_path):
    output, code = _run(str(_messy(tmp_path / "messy.xlsx", GOOD)))
    assert code == 0, output
    assert output.strip().splitlines()[-1] == "imported 2, updated 0, rejected 0"
    first, second = FeeRecord.objects.order_by("contract_number")
    assert (first.student_masked, first.hours, first.amount) == ("张**", 40, 3600)
    assert (first.period_start, first.period_end, first.paid_on) == (date(2026, 3, 1), date(2026, 5, 31),
                                                                     date(2026, 2, 25))  # fmt: skip
    assert first.academic is False and first.into_supervised_account is True
    assert second.student_masked == "欧***" and second.academic is True and second.amount == 4800.5
    assert second.period_start == date(2026, 3, 1)
    text = " ".join(str(v) for v in FeeRecord.objects.values_list("student_masked", flat=True))
    assert "小明" not in text and "娜娜" not in text


def test_one_bad_row_writes_nothing_and_names_each_bad_cell(district, tmp_path):
    before = AuditEvent.objects.count()
    output, code = _run(str(_messy(tmp_path / "bad.xlsx", [*GOOD, BAD])))
    assert code == 1
    assert not FeeRecord.objects.exists()
    assert AuditEvent.objects.count() == before
    assert output.strip().splitlines()[-1] == "imported 0, updated 0, rejected 1"
    assert "第 9 行 是否学科类 “也许”：应填“是”或“否”" in output
    assert "第 9 行 课时数 “-2”：不能为负数" in output
    assert "第 9 行 收费金额（元） “一千”" in output
    assert "日期“2026-02-30”不存在" in output
    assert "未写入任何数据" in output


def test_valid_only_imports_the_good_rows(district, tmp_path):
    output, code = _run(str(_messy(tmp_path / "bad.xlsx", [*GOOD, BAD])), "--valid-only")
    assert code == 0
    assert output.strip().splitlines()[-1] == "imported 2, updated 0, rejected 1"
    assert FeeRecord.objects.count() == 2


def test_dry_run_changes_nothing(district, tmp_path):
    before = AuditEvent.objects.count()
    output, code = _run(str(_messy(tmp_path / "messy.xlsx", GOOD)), "--dry-run")
    assert code == 0
    assert output.strip().splitlines()[-1] == "imported 2, updated 0, rejected 0"
    assert "试运行" in output
    assert not FeeRecord.objects.exists() and AuditEvent.objects.count() == before
    output, _code = _run(str(_messy(tmp_path / "bad.xlsx", [*GOOD, BAD])), "--dry-run", "--valid-only")
    assert output.strip().splitlines()[-1] == "imported 2, updated 0, rejected 1"
    assert not FeeRecord.objects.exists() and AuditEvent.objects.count() == before


def test_same_contract_number_updates_and_an_identical_row_is_unchanged(district, tmp_path):
    _run(str(_messy(tmp_path / "first.xlsx", GOOD)))
    changed = [list(GOOD[0]), list(GOOD[1])]
    changed[0][6] = "3000"
    output, code = _run(str(_messy(tmp_path / "second.xlsx", changed)))
    assert code == 0
    assert output.strip().splitlines()[-1] == "imported 0, updated 1, rejected 0"
    assert FeeRecord.objects.count() == 2
    assert FeeRecord.objects.get(contract_number="HT-001").amount == 3000
    assert AuditEvent.objects.filter(action="fee_record.update").count() == 1


def test_institution_by_credit_code_and_unknown_or_ambiguous_ones(district, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "机构名称", "学员姓名", "课程名称", "课时", "金额", "服务期起", "服务期止", "缴费日期",
               "合同/收据编号"])  # fmt: skip
    common = ["美术", 10, 900, "2026-03-01", "2026-04-30", "2026-03-01"]
    ws.append([CODE_A.lower(), "", "张三", *common, "C-1"])
    ws.append(["92990100MA00000X9X", "", "李四", *common, "C-2"])
    ws.append(["", "不存在的机构", "王五", *common, "C-3"])
    ws.append([CODE_A, "乙街道小饭桌", "赵六", *common, "C-4"])
    ws.append(["", "", "钱七", *common, "C-5"])
    ws.append([CODE_A, "", "孙八", *common, "C-1"])
    path = tmp_path / "codes.xlsx"
    wb.save(path)
    output, code = _run(str(path), "--valid-only")
    assert output.strip().splitlines()[-1] == "imported 1, updated 0, rejected 5", output
    assert FeeRecord.objects.get().institution == district.institutions["a"]
    assert "第 3 行 统一社会信用代码 “92990100MA00000X9X”：找不到该机构" in output
    assert "第 4 行 机构名称 “不存在的机构”：找不到该机构" in output
    assert "名称不一致" in output
    assert "请填写机构的统一社会信用代码或机构名称" in output
    assert "与第 2 行是同一合同/收据编号" in output


def test_an_institution_user_imports_only_for_itself(district, tmp_path):
    rows = [["乙街道小饭桌", *GOOD[0][1:]]]
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_fees", str(_messy(tmp_path / "b.xlsx", rows)), "--as", "p_institution", stdout=out)
    assert "找不到该机构" in out.getvalue()
    assert not FeeRecord.objects.exists()


def test_hostile_cells_are_refused_per_row(district, tmp_path):
    rows = [
        ["甲街道培训学校", "名" * 3000, "HT-9", "美术", "否", "1", "1", "2026-03-01", "2026-03-31", "2026-03-01", "是", ""],
        ["甲街道培训学校", "名" * 21, "HT-8", "课" * 61, "否", "1e400", "1", "1900-01-01", "2026-03-31", "2026-03-01",
         "是", ""],
    ]  # fmt: skip
    output, code = _run(str(_messy(tmp_path / "hostile.xlsx", rows)))
    assert code == 1 and not FeeRecord.objects.exists()
    assert "内容过长" in output
    assert "不能超过 20 个字" in output and "不能超过 60 个字" in output
    assert output.strip().splitlines()[-1] == "imported 0, updated 0, rejected 2"


def test_not_a_spreadsheet_or_no_header_is_refused(district, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(CommandError, match="不是有效的 Excel"):
        call_command("import_fees", str(junk), "--as", "p_admin", stdout=StringIO())
    wb = Workbook()
    wb.active.append(["机构名称", "学员姓名", "金额"])
    path = tmp_path / "missing.xlsx"
    wb.save(path)
    with pytest.raises(CommandError, match="缺少必需的列"):
        call_command("import_fees", str(path), "--as", "p_admin", stdout=StringIO())
    wb = Workbook()
    wb.active.append(["学员姓名", "课程名称", "课时", "金额", "服务期起", "服务期止", "缴费日期"])
    path = tmp_path / "noinst.xlsx"
    wb.save(path)
    with pytest.raises(CommandError, match="统一社会信用代码或机构名称"):
        call_command("import_fees", str(path), "--as", "p_admin", stdout=StringIO())
