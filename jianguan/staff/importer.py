"""Importing 从业人员 from the Excel sheets institutions and streets send in (lib/sheetimport does the generic half).

Each row names the institution by 统一社会信用代码 (or its exact registered name) and the person by ID number. A row
for a person already registered at that institution updates the record (a blank cell never erases what is known);
any other row registers a new person. Every row is parsed first; nothing is written when any row is bad unless
``valid_only``. All writes go through staff.services, in one transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from jianguan.audit.services import audit_batch
from jianguan.lib import sheetimport
from jianguan.lib.creditcode import CreditCodeError
from jianguan.lib.creditcode import validate as validate_credit_code
from jianguan.lib.protected import fingerprint
from jianguan.lib.sheetimport import (
    RowError,
    iter_cells,
    read_sheet,
    row_errors,
    template_workbook,
    write_rows,
)
from jianguan.lib.textnorm import clean_text, parse_date
from jianguan.registry.models import Institution
from jianguan.staff import services
from jianguan.staff.choices import RecordCheckResult, StaffRole
from jianguan.staff.models import StaffMember

SHEET = "从业人员"
COLUMNS = [
    ("credit_code", "统一社会信用代码"),
    ("institution", "机构名称"),
    ("name", "姓名*"),
    ("id_number", "身份证号码*"),
    ("role", "岗位*"),
    ("start_date", "入职日期*"),
    ("end_date", "离职日期"),
    ("teaches_academic", "从事学科类培训"),
    ("teacher_cert_number", "教师资格证编号"),
    ("teacher_cert_subject", "任教学科"),
    ("handles_food", "接触直接入口食品"),
    ("health_cert_number", "健康证明编号"),
    ("health_cert_valid_until", "健康证明有效期至"),
    ("record_check_date", "违法犯罪记录查询日期"),
    ("record_check_result", "查询结果"),
]
REQUIRED = ("name", "id_number", "role", "start_date")
ALIASES = {
    "统一社会信用代码": "credit_code", "信用代码": "credit_code", "社会信用代码": "credit_code",
    "机构统一社会信用代码": "credit_code",
    "机构名称": "institution", "机构": "institution", "单位名称": "institution", "培训机构名称": "institution",
    "所在机构": "institution", "单位": "institution",
    "姓名": "name", "人员姓名": "name", "员工姓名": "name", "教师姓名": "name",
    "身份证号码": "id_number", "身份证号": "id_number", "身份证": "id_number", "公民身份号码": "id_number",
    "证件号码": "id_number", "居民身份证号码": "id_number",
    "岗位": "role", "岗位类别": "role", "职务": "role", "人员类别": "role", "人员类型": "role",
    "入职日期": "start_date", "入职时间": "start_date", "到岗日期": "start_date",
    "离职日期": "end_date", "离职时间": "end_date",
    "从事学科类培训": "teaches_academic", "学科类": "teaches_academic", "是否学科类": "teaches_academic",
    "教师资格证编号": "teacher_cert_number", "教师资格证号": "teacher_cert_number", "教师资格证": "teacher_cert_number",
    "教师资格证书编号": "teacher_cert_number",
    "任教学科": "teacher_cert_subject", "学科": "teacher_cert_subject",
    "接触直接入口食品": "handles_food", "是否接触直接入口食品": "handles_food", "食品从业": "handles_food",
    "健康证明编号": "health_cert_number", "健康证编号": "health_cert_number", "健康证号": "health_cert_number",
    "健康证明有效期至": "health_cert_valid_until", "健康证有效期至": "health_cert_valid_until",
    "健康证有效期": "health_cert_valid_until", "健康证明有效期": "health_cert_valid_until",
    "违法犯罪记录查询日期": "record_check_date", "查询日期": "record_check_date", "无犯罪记录查询日期": "record_check_date",
    "犯罪记录查询日期": "record_check_date",
    "查询结果": "record_check_result", "违法犯罪记录查询结果": "record_check_result",
}  # fmt: skip
ROLE_ALIASES = {
    "教师": StaffRole.TEACHER, "老师": StaffRole.TEACHER, "培训人员": StaffRole.TEACHER, "教练": StaffRole.TEACHER,
    "教师培训人员": StaffRole.TEACHER,
    "保育": StaffRole.CARE, "保育员": StaffRole.CARE, "看护": StaffRole.CARE, "看护人员": StaffRole.CARE,
    "保育看护人员": StaffRole.CARE, "生活老师": StaffRole.CARE,
    "厨师": StaffRole.COOK, "炊事员": StaffRole.COOK, "食品从业人员": StaffRole.COOK, "厨师食品从业人员": StaffRole.COOK,
    "管理": StaffRole.MANAGER, "管理人员": StaffRole.MANAGER, "负责人": StaffRole.MANAGER, "校长": StaffRole.MANAGER,
    "其他": StaffRole.OTHER, "其他人员": StaffRole.OTHER,
}  # fmt: skip
RESULT_ALIASES = {
    "无": RecordCheckResult.CLEAR, "未发现": RecordCheckResult.CLEAR, "无记录": RecordCheckResult.CLEAR,
    "无违法犯罪记录": RecordCheckResult.CLEAR, "正常": RecordCheckResult.CLEAR, "通过": RecordCheckResult.CLEAR,
    "有": RecordCheckResult.FOUND, "发现": RecordCheckResult.FOUND, "有记录": RecordCheckResult.FOUND,
}  # fmt: skip
YES = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
NO = {"否", "n", "no", "false", "0", "×", "无", "不是"}
BOOLEAN_FIELDS = ("teaches_academic", "handles_food")
DATE_FIELDS = ("start_date", "end_date", "health_cert_valid_until", "record_check_date")
TEXT_FIELDS = {"teacher_cert_number": 40, "teacher_cert_subject": 30, "health_cert_number": 40}
NOT_FOUND = "找不到该机构，或该机构不在您的权限范围内：请核对统一社会信用代码或机构名称"


class ImportReport(sheetimport.ImportReport):
    """The generic report, counting people in 人."""

    def counts_text(self) -> str:
        return _("新增 %(imported)s 人，更新 %(updated)s 人，未变化 %(unchanged)s 人，拒绝 %(rejected)s 行") % {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


def _role_key(value: Any) -> str:
    return sheetimport.header_key(value)


class _Institutions:
    """The institutions the actor may see, looked up by credit code or exact name, read once per sheet."""

    def __init__(self, actor: Any, codes: set[str], names: set[str]) -> None:
        visible = Institution.objects.visible_to(actor)
        self.by_code: dict[str, int] = {}
        code_list = sorted(codes)
        for start in range(0, len(code_list), 500):
            found = visible.filter(credit_code__in=code_list[start : start + 500]).values_list("credit_code", "pk")
            self.by_code.update(found)
        self.by_name: dict[str, list[int]] = {}
        name_list = sorted(names)
        for start in range(0, len(name_list), 500):
            for pk, name in visible.filter(name__in=name_list[start : start + 500]).values_list("pk", "name"):
                self.by_name.setdefault(name, []).append(pk)


def _parse(excel_row: int, cells: dict[str, Any], labels: dict[str, str]) -> tuple[dict[str, Any], list[RowError]]:
    errors: list[RowError] = []
    data: dict[str, Any] = {}

    def fail(name: str, reason: str) -> None:
        errors.append(RowError(excel_row, labels.get(name, name), clean_text(cells.get(name)), reason))

    for name in REQUIRED:
        if not clean_text(cells.get(name)):
            fail(name, "必填项为空")
    code_text = clean_text(cells.get("credit_code"))
    data["credit_code"] = ""
    if code_text:
        try:
            data["credit_code"] = validate_credit_code(code_text)
        except CreditCodeError as exc:
            fail("credit_code", str(exc))
    data["institution"] = clean_text(cells.get("institution"))
    if not code_text and not data["institution"]:
        fail("credit_code" if "credit_code" in labels else "institution", "请填写机构的统一社会信用代码或机构名称")
    data["name"] = clean_text(cells.get("name"))
    if len(data["name"]) > 50:
        fail("name", "姓名不能超过 50 个字")
    if clean_text(cells.get("id_number")):
        raw = cells.get("id_number")
        try:
            data["id_number"] = services.parse_id_number(raw if isinstance(raw, str) else clean_text(raw))
        except ValidationError as exc:
            fail("id_number", exc.messages[0])
    if role_text := clean_text(cells.get("role")):
        role = sheetimport.choice(role_text, StaffRole.choices) or ROLE_ALIASES.get(_role_key(role_text))
        if role is None:
            fail("role", "岗位应为：" + "、".join(str(label) for _c, label in StaffRole.choices))
        data["role"] = role
    for name in DATE_FIELDS:
        try:
            value = parse_date(cells.get(name))
        except ValueError as exc:
            fail(name, str(exc))
        else:
            if value is not None:
                data[name] = value
    for name in BOOLEAN_FIELDS:
        if text := clean_text(cells.get(name)).lower():
            if text in YES:
                data[name] = True
            elif text in NO:
                data[name] = False
            else:
                fail(name, "请填“是”或“否”")
    for name, limit in TEXT_FIELDS.items():
        if text := clean_text(cells.get(name)):
            if len(text) > limit:
                fail(name, f"不能超过 {limit} 个字")
            data[name] = text
    if result_text := clean_text(cells.get("record_check_result")):
        result = sheetimport.choice(result_text, RecordCheckResult.choices, RESULT_ALIASES)
        if result is None:
            fail(
                "record_check_result",
                "查询结果应为：" + "、".join(str(label) for _c, label in RecordCheckResult.choices),
            )
        data["record_check_result"] = result
    return data, errors


def import_file(path: str | Path, *, actor: Any, dry_run: bool = False, valid_only: bool = False) -> ImportReport:
    """Import staff from an .xlsx file; see the module docstring for the rules."""
    report = ImportReport(dry_run=dry_run)
    required = [(name, label) for name, label in COLUMNS if name in REQUIRED]
    sheet = read_sheet(
        path, report, sheet=SHEET, aliases=ALIASES, anchor="id_number", anchor_label="身份证号码", required=required
    )
    if sheet is None:
        return report
    if not {"credit_code", "institution"} & set(sheet.mapping.values()):
        report.fatal = "缺少必需的列：统一社会信用代码或机构名称（至少一列）"
        return report
    labels = sheet.labels
    bad: set[int] = set()
    parsed: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    for excel_row, cells in iter_cells(sheet, report, bad):
        data, errors = _parse(excel_row, cells, labels)
        if errors:
            report.errors.extend(errors)
            bad.add(excel_row)
        else:
            parsed.append((excel_row, data, cells))

    institutions = _Institutions(
        actor, {d["credit_code"] for _r, d, _c in parsed if d["credit_code"]},
        {d["institution"] for _r, d, _c in parsed if not d["credit_code"]},
    )  # fmt: skip
    resolved: list[tuple[int, int, dict[str, Any], dict[str, Any]]] = []
    seen: dict[tuple[int, str], int] = {}
    for excel_row, data, cells in parsed:
        code, name = data.pop("credit_code"), data.pop("institution")
        if code:
            institution_id = institutions.by_code.get(code)
            column, value = "credit_code", code
        else:
            matches = institutions.by_name.get(name, [])
            institution_id = matches[0] if len(matches) == 1 else None
            column, value = "institution", name
            if len(matches) > 1:
                report.errors.append(
                    RowError(excel_row, labels.get(column, ""), value, "有多家同名机构，请填写统一社会信用代码")
                )
                bad.add(excel_row)
                continue
        if institution_id is None:
            report.errors.append(RowError(excel_row, labels.get(column, ""), value, NOT_FOUND))
            bad.add(excel_row)
            continue
        key = (institution_id, data["id_number"])
        if key in seen:
            report.errors.append(
                RowError(
                    excel_row, labels.get("id_number", ""), data["id_number"][:3] + "…",
                    f"与第 {seen[key]} 行是同一机构的同一人员（重复行）",
                )
            )  # fmt: skip
            bad.add(excel_row)
            continue
        seen[key] = excel_row
        resolved.append((excel_row, institution_id, data, cells))

    return write_rows(
        report, bad, lambda: _write(resolved, actor, report, labels, bad), dry_run=dry_run, valid_only=valid_only,
        context=audit_batch,
    )  # fmt: skip


def _write(
    rows: list[tuple[int, int, dict[str, Any], dict[str, Any]]],
    actor: Any,
    report: ImportReport,
    labels: dict[str, str],
    bad: set[int],
) -> None:
    """Each row through staff_create or, for a person already at that institution, staff_update."""
    instances = Institution.objects.in_bulk(sorted({pk for _r, pk, _d, _c in rows}))
    hashes = sorted({fingerprint(d["id_number"]) for _r, _pk, d, _c in rows})
    existing: dict[tuple[int, str], StaffMember] = {}
    for start in range(0, len(hashes), 500):
        for member in StaffMember.objects.filter(id_number_hash__in=hashes[start : start + 500]).select_related(
            "institution"
        ):
            existing[(member.institution_id, member.id_number_hash)] = member
    for excel_row, institution_id, data, cells in rows:
        with row_errors(report, bad, excel_row, labels, cells, hidden_columns=("id_number",)), transaction.atomic():
            member = existing.get((institution_id, fingerprint(data["id_number"])))
            if member is None:
                services.staff_create(actor=actor, institution=instances[institution_id], **data)
                report.imported += 1
            else:
                data.pop("id_number")
                before = member.version
                member = services.staff_update(actor=actor, member=member, **data)
                if member.version != before:
                    report.updated += 1
                else:
                    report.unchanged += 1


def write_template(path: str | Path) -> None:
    """The import template: Chinese headers, an instructions sheet, drop-downs for role, yes/no and the result."""
    wb, ws = template_workbook(
        SHEET, [label for _name, label in COLUMNS], [22, 28, 10, 21, 16, 12, 12, 10, 22, 10, 10, 20, 14, 14, 16]
    )
    # ID numbers and certificate numbers are text: a number format would turn 18 digits into 1.1E+17.
    for letter in ("A", "D", "I", "L"):
        for row in range(2, 1002):
            ws[f"{letter}{row}"].number_format = "@"
    lists = wb.create_sheet("选项")
    roles = [str(label) for _c, label in StaffRole.choices]
    yes_no = ["是", "否"]
    results = [str(label) for _c, label in RecordCheckResult.choices]
    for col, values in enumerate([roles, yes_no, results], start=1):
        for row, value in enumerate(values, start=1):
            lists.cell(row=row, column=col, value=value)
    for column, src, values in (("E", "A", roles), ("H", "B", yes_no), ("K", "B", yes_no), ("O", "C", results)):
        dv = DataValidation(type="list", formula1=f"=选项!${src}$1:${src}${len(values)}", allow_blank=column != "E")
        dv.error = "请从下拉列表中选择。"
        dv.errorTitle = "输入有误"
        ws.add_data_validation(dv)
        dv.add(f"{column}2:{column}5000")
    lists.sheet_state = "hidden"
    guide = wb.create_sheet("填写说明", 0)
    lines = [
        ("从业人员导入模板 填写说明", ""),
        ("", ""),
        ("列", "说明"),
        ("统一社会信用代码 / 机构名称", "至少填一项；有信用代码时按代码识别机构，否则按与名录完全一致的机构名称识别。"),
        ("姓名*", "必填。"),
        ("身份证号码*", "必填，18 位居民身份证号码（最后一位可为 X）。同一机构再次导入同一号码时更新原记录。"),
        ("岗位*", "必填，从下拉列表选择：" + "、".join(roles)),
        ("入职日期* / 离职日期", "如 2026-03-01；在职人员离职日期留空。"),
        (
            "从事学科类培训",
            "填“是”或“否”。学科类培训人员须填写教师资格证编号（双减意见），其姓名和证书编号将在公示页公开。",
        ),
        ("接触直接入口食品 / 健康证明", "接触直接入口食品的人员须持有效健康证明（食品安全法 第四十五条）。"),
        ("违法犯罪记录查询", "入职时及每年查询（未成年人保护法 第六十二条），填写最近一次查询日期和结果。"),
        ("", ""),
        ("规则", "任何一行有误时整表都不会导入，错误报告会列出行号、列名、错误值和原因；也可以选择只导入无误的行。"),
        ("", "空白单元格不会清除已登记的信息。"),
    ]
    for line in lines:
        guide.append(list(line))
    guide["A1"].font = Font(bold=True, size=14)
    guide["A3"].font = guide["B3"].font = Font(bold=True)
    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["B"].width = 100
    wb.active = wb.sheetnames.index(SHEET)
    wb.save(path)
