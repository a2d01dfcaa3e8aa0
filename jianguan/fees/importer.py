"""Importing prepaid charges (预收费记录) from the Excel sheets institutions and streets send in.

The generic half (finding the header in a messy sheet, bounded reading, all-or-nothing or valid rows only, dry runs)
is lib/sheetimport; this module knows the columns. Each row names its institution by 统一社会信用代码 or exact name;
a row whose institution already has a charge with the same 合同/收据编号 corrects it instead of adding a second. The
student's name is masked by the service before anything is stored. Limits (3 months, 60 hours, ¥5,000) are not
checked here: the charge is recorded as it was taken and the rule checker flags it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from jianguan.audit.services import audit_batch
from jianguan.courses.models import Course
from jianguan.fees import services
from jianguan.fees.choices import FeeSource
from jianguan.fees.models import FeeRecord
from jianguan.lib import sheetimport
from jianguan.lib.protected import mask_person_name
from jianguan.lib.sheetimport import (
    ImportReport,
    RowError,
    iter_cells,
    read_sheet,
    row_errors,
    template_workbook,
    write_rows,
)
from jianguan.lib.textnorm import clean_text, parse_date, parse_decimal
from jianguan.registry.models import Institution

SHEET = "预收费记录"
# field → header in the template; ALIASES accept the variants institutions actually use.
COLUMNS = [
    ("credit_code", "统一社会信用代码"),
    ("institution_name", "机构名称"),
    ("student_name", "学员姓名*"),
    ("course_name", "课程名称*"),
    ("academic", "学科类（是/否）"),
    ("contract_number", "合同/收据编号"),
    ("hours", "课时*"),
    ("amount", "金额（元）*"),
    ("period_start", "服务期起*"),
    ("period_end", "服务期止*"),
    ("paid_on", "缴费日期*"),
    ("into_supervised_account", "缴入监管账户（是/否）"),
]
ALIASES = {
    sheetimport.header_key(label): name for name, label in COLUMNS
} | {
    "信用代码": "credit_code", "社会信用代码": "credit_code", "机构信用代码": "credit_code", "机构代码": "credit_code",
    "机构": "institution_name", "培训机构": "institution_name", "机构全称": "institution_name",
    "单位名称": "institution_name", "机构名": "institution_name",
    "学员姓名": "student_name", "学员": "student_name", "学生姓名": "student_name", "学生": "student_name",
    "姓名": "student_name",
    "课程名称": "course_name", "课程": "course_name", "培训项目": "course_name", "课程项目": "course_name",
    "学科类": "academic", "是否学科类": "academic", "类别": "academic", "课程类别": "academic",
    "合同收据编号": "contract_number", "合同编号": "contract_number", "收据编号": "contract_number",
    "合同号": "contract_number", "票据编号": "contract_number", "编号": "contract_number",
    "课时": "hours", "课时数": "hours", "购买课时": "hours", "课时数量": "hours",
    "金额元": "amount", "金额": "amount", "收费金额": "amount", "收费金额元": "amount", "缴费金额": "amount",
    "缴费金额元": "amount", "预收费金额": "amount", "实收金额": "amount", "实收金额元": "amount",
    "服务期起": "period_start", "服务开始日期": "period_start", "开始日期": "period_start",
    "课程开始日期": "period_start", "起始日期": "period_start",
    "服务期止": "period_end", "服务结束日期": "period_end", "结束日期": "period_end",
    "课程结束日期": "period_end", "截止日期": "period_end",
    "缴费日期": "paid_on", "收费日期": "paid_on", "付款日期": "paid_on", "缴费时间": "paid_on",
    "缴入监管账户": "into_supervised_account", "是否缴入监管账户": "into_supervised_account",
    "进入监管账户": "into_supervised_account", "是否进入监管账户": "into_supervised_account",
    "监管账户": "into_supervised_account",
}  # fmt: skip
REQUIRED = ("student_name", "course_name", "hours", "amount", "period_start", "period_end", "paid_on")
YES = {"是", "Y", "y", "yes", "Yes", "YES", "1", "√", "✓", "True", "TRUE", "true"}
NO = {"否", "N", "n", "no", "No", "NO", "0", "×", "False", "FALSE", "false"}
ACADEMIC_WORDS = {"学科类": True, "非学科类": False}


class FeeImportReport(ImportReport):
    """The generic report, counting charges in 笔."""

    def counts_text(self) -> str:
        return _("新增 %(imported)s 笔，更新 %(updated)s 笔，未变化 %(unchanged)s 笔，拒绝 %(rejected)s 行") % {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


def _yes_no(text: str, *, default: bool) -> bool | None:
    if not text:
        return default
    if text in YES or ACADEMIC_WORDS.get(text) is True:
        return True
    if text in NO or ACADEMIC_WORDS.get(text) is False:
        return False
    return None


def _parse(excel_row: int, cells: dict[str, Any], labels: dict[str, str]) -> tuple[dict[str, Any], list[RowError]]:
    """One row as service fields (and the institution's code or name), with a RowError per bad cell."""
    errors: list[RowError] = []
    data: dict[str, Any] = {}

    def fail(name: str, reason: str) -> None:
        errors.append(RowError(excel_row, labels.get(name, name), clean_text(cells.get(name))[:40], reason))

    data["credit_code"] = clean_text(cells.get("credit_code")).upper().replace(" ", "")
    data["institution_name"] = clean_text(cells.get("institution_name"))
    if not data["credit_code"] and not data["institution_name"]:
        errors.append(RowError(excel_row, labels.get("institution_name") or labels.get("credit_code", ""), "",
                               "请填写机构的统一社会信用代码或机构名称"))  # fmt: skip
    for name in REQUIRED:
        if not clean_text(cells.get(name)):
            fail(name, "必填项为空")
    for name, limit in (("student_name", 20), ("course_name", 60), ("contract_number", 40)):
        text = clean_text(cells.get(name))
        if len(text) > limit:
            fail(name, f"不能超过 {limit} 个字")
        data[name] = text
    for name in ("hours", "amount"):
        try:
            data[name] = parse_decimal(cells.get(name))
        except ValueError as exc:
            fail(name, str(exc))
            continue
        if data[name] is not None and data[name] < 0:
            fail(name, "不能为负数")
    for name in ("period_start", "period_end", "paid_on"):
        try:
            data[name] = parse_date(cells.get(name))
        except ValueError as exc:
            fail(name, str(exc))
    academic = _yes_no(clean_text(cells.get("academic")), default=False)
    if academic is None:
        fail("academic", "应填“是”或“否”（或“学科类”“非学科类”）")
    data["academic"] = bool(academic)
    into = _yes_no(clean_text(cells.get("into_supervised_account")), default=True)
    if into is None:
        fail("into_supervised_account", "应填“是”或“否”")
    data["into_supervised_account"] = bool(into)
    return data, errors


def import_file(path: str | Path, *, actor: Any, dry_run: bool = False, valid_only: bool = False) -> FeeImportReport:
    """Check every row, then write (all rows, or only the valid ones with `valid_only`); `dry_run` writes nothing."""
    report = FeeImportReport(dry_run=dry_run)
    sheet = read_sheet(
        path, report, sheet=SHEET, aliases=ALIASES, anchor="student_name", anchor_label="学员姓名",
        required=[(name, label) for name, label in COLUMNS if name in REQUIRED],
    )  # fmt: skip
    if sheet is None:
        return report
    if "credit_code" not in sheet.mapping.values() and "institution_name" not in sheet.mapping.values():
        report.fatal = "缺少必需的列：统一社会信用代码或机构名称（至少一列）"
        return report
    bad: set[int] = set()
    parsed: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    for excel_row, cells in iter_cells(sheet, report, bad):
        data, errors = _parse(excel_row, cells, sheet.labels)
        if errors:
            report.errors.extend(errors)
            bad.add(excel_row)
        else:
            parsed.append((excel_row, data, cells))
    return write_rows(
        report, bad, lambda: _write(parsed, actor, report, sheet.labels, bad), dry_run=dry_run,
        valid_only=valid_only, context=audit_batch,
    )  # fmt: skip


NOT_FOUND = "找不到该机构，或不在您的权限范围内：请核对统一社会信用代码或机构全称"


def _institutions(parsed: list[tuple[int, dict[str, Any], dict[str, Any]]], actor: Any) -> tuple[dict, dict]:
    """The sheet's institutions the actor may keep, by credit code and by exact name (a name two share maps to
    None)."""
    visible = Institution.objects.visible_to(actor)
    codes = sorted({d["credit_code"] for _r, d, _c in parsed if d["credit_code"]})
    names = sorted({d["institution_name"] for _r, d, _c in parsed if d["institution_name"]})
    by_code: dict[str, Institution] = {}
    by_name: dict[str, Institution | None] = {}
    for start in range(0, len(codes), 500):
        for inst in visible.filter(credit_code__in=codes[start : start + 500]):
            by_code[inst.credit_code] = inst
    for start in range(0, len(names), 500):
        for inst in visible.filter(name__in=names[start : start + 500]):
            by_name[inst.name] = None if inst.name in by_name else inst
    return by_code, by_name


def _write(
    parsed: list[tuple[int, dict[str, Any], dict[str, Any]]],
    actor: Any,
    report: FeeImportReport,
    labels: dict[str, str],
    bad: set[int],
) -> None:
    """Find each row's institution and its charge by contract number: new charges through fee_record_create,
    known ones through fee_record_update (an identical row is counted unchanged and not written again)."""
    by_code, by_name = _institutions(parsed, actor)
    seen: dict[tuple[int, str], int] = {}
    rows: list[tuple[int, Institution, dict[str, Any], dict[str, Any]]] = []
    for excel_row, data, cells in parsed:
        code, name = data.pop("credit_code"), data.pop("institution_name")
        if code:
            institution = by_code.get(code)
            column, value = "credit_code", code
            if institution is not None and name and institution.name != name:
                report.errors.append(RowError(excel_row, labels.get("institution_name", ""), name,
                                              f"与信用代码对应的机构“{institution.name}”名称不一致，请核对"))  # fmt: skip
                bad.add(excel_row)
                continue
        else:
            institution = by_name.get(name)
            column, value = "institution_name", name
            if name in by_name and institution is None:
                report.errors.append(RowError(excel_row, labels.get(column, ""), name,
                                              "有多家同名机构，请填写统一社会信用代码"))  # fmt: skip
                bad.add(excel_row)
                continue
        if institution is None:
            report.errors.append(RowError(excel_row, labels.get(column, ""), value, NOT_FOUND))
            bad.add(excel_row)
            continue
        if data["contract_number"]:
            key = (institution.pk, data["contract_number"])
            if key in seen:
                report.errors.append(RowError(excel_row, labels.get("contract_number", ""), data["contract_number"],
                                              f"与第 {seen[key]} 行是同一合同/收据编号（重复行）"))  # fmt: skip
                bad.add(excel_row)
                continue
            seen[key] = excel_row
        rows.append((excel_row, institution, data, cells))

    institution_ids = sorted({inst.pk for _r, inst, _d, _c in rows})
    courses: dict[tuple[int, str], Course] = {}
    existing: dict[tuple[int, str], FeeRecord] = {}
    for start in range(0, len(institution_ids), 500):
        chunk = institution_ids[start : start + 500]
        for course in Course.objects.filter(institution_id__in=chunk).order_by("pk"):
            courses.setdefault((course.institution_id, course.name), course)
        for record in FeeRecord.objects.filter(institution_id__in=chunk).exclude(contract_number="").select_related(
            "institution", "course"
        ):  # fmt: skip
            existing[(record.institution_id, record.contract_number)] = record
    for excel_row, institution, data, cells in rows:
        data["course"] = courses.get((institution.pk, data["course_name"]))
        record = existing.get((institution.pk, data["contract_number"])) if data["contract_number"] else None
        with row_errors(report, bad, excel_row, labels, cells), transaction.atomic():
            if record is None:
                services.fee_record_create(actor=actor, institution=institution, source=FeeSource.IMPORTED, **data)
                report.imported += 1
            elif _same(record, data):
                report.unchanged += 1
            else:
                services.fee_record_update(actor=actor, record=record, source=FeeSource.IMPORTED, **data)
                report.updated += 1


def _same(record: FeeRecord, data: dict[str, Any]) -> bool:
    academic = data["academic"] or bool(data["course"] is not None and data["course"].academic)
    return (
        record.student_masked == mask_person_name(data["student_name"])
        and record.course_id == (data["course"].pk if data["course"] is not None else None)
        and record.course_name == data["course_name"]
        and record.academic == academic
        and record.hours == data["hours"]
        and record.amount == data["amount"]
        and record.period_start == data["period_start"]
        and record.period_end == data["period_end"]
        and record.paid_on == data["paid_on"]
        and record.into_supervised_account == data["into_supervised_account"]
    )


def write_template(path: str | Path) -> None:
    """The import template: Chinese headers, an instructions sheet first, yes/no drop-downs."""
    wb, ws = template_workbook(
        SHEET, [label for _name, label in COLUMNS], [22, 28, 12, 18, 14, 18, 8, 12, 13, 13, 13, 18]
    )
    for column in ("E", "L"):
        dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
        dv.error = "请填“是”或“否”。"
        dv.errorTitle = "输入有误"
        ws.add_data_validation(dv)
        dv.add(f"{column}2:{column}5000")
    guide = wb.create_sheet("填写说明", 0)
    lines = [
        ("预收费记录导入模板 填写说明", ""),
        ("", ""),
        ("列", "说明"),
        ("统一社会信用代码 / 机构名称", "至少填一项；机构名称须与机构名录中的全称一致，同名机构请填信用代码。"),
        ("学员姓名*", "导入时只保留姓氏（如“张**”），平台不保存学员全名。"),
        ("课程名称*", "与本机构已登记的课程同名时自动关联该课程。"),
        ("学科类（是/否）", "不填视为“否”；关联的课程为学科类时按学科类记录。"),
        ("合同/收据编号", "同一机构、同一编号再次导入时更新原记录，不重复登记；不填则每次都新增。"),
        ("课时* / 金额（元）*", "数字，不能为负数。"),
        ("服务期起* / 服务期止* / 缴费日期*", "日期，如 2026-03-01、2026/3/1 或 2026年3月1日。"),
        ("缴入监管账户（是/否）", "不填视为“是”。"),
        ("", ""),
        ("导入规则", "任一行有误时不写入任何数据（可用 --valid-only 只导入无误的行）；--dry-run 只检查不写入。"),
    ]
    for row in lines:
        guide.append(list(row))
    guide["A1"].font = Font(bold=True, size=13)
    guide.column_dimensions["A"].width = 34
    guide.column_dimensions["B"].width = 90
    wb.active = 1
    wb.save(path)
