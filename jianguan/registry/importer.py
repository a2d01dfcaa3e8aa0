"""Importing the institution registry from the Excel sheets streets send in.

Every row is parsed and validated first; the report names row, column, the bad value and a Chinese reason. Nothing is
written when any row is bad, unless `valid_only` is chosen. Rows update an existing institution found by credit code
(or by name + street when there is none) instead of duplicating it. All writes go through the registry services, in
one transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from jianguan.audit.services import audit_batch
from jianguan.lib import sheetimport
from jianguan.lib.creditcode import CreditCodeError
from jianguan.lib.creditcode import validate as validate_credit_code
from jianguan.lib.excel import temp_xlsx_path
from jianguan.lib.sheetimport import (
    RowError,
    iter_cells,
    read_sheet,
    row_errors,
    template_workbook,
    write_rows,
)
from jianguan.lib.textnorm import clean_text, normalize_name, parse_decimal, parse_int
from jianguan.org.selectors import streets
from jianguan.registry import services
from jianguan.registry.choices import DECISION_STATUSES, InstitutionKind, InstitutionSubKind, OperatingStatus
from jianguan.registry.models import Institution, pinyin_initials

# field → header in the template; aliases below accept the variants streets actually use.
COLUMNS = [
    ("name", "机构名称*"),
    ("credit_code", "统一社会信用代码"),
    ("kind", "机构类型*"),
    ("sub_kind", "细分类型"),
    ("street", "街道/乡镇*"),
    ("address", "地址"),
    ("legal_representative", "法定代表人"),
    ("contact_person", "联系人"),
    ("contact_phone", "联系电话"),
    ("capacity", "容纳人数"),
    ("floor_area", "场地面积（㎡）"),
    ("floors", "所在楼层"),
    ("status", "经营状态"),
    ("notes", "备注"),
]
ALIASES = {
    "机构名称": "name", "名称": "name", "培训机构名称": "name", "单位名称": "name",
    "统一社会信用代码": "credit_code", "信用代码": "credit_code", "社会信用代码": "credit_code",
    "机构类型": "kind", "类型": "kind", "类别": "kind",
    "细分类型": "sub_kind", "细分类别": "sub_kind",
    "街道乡镇": "street", "街道": "street", "乡镇": "street", "所属街道": "street", "所属街道乡镇": "street",
    "地址": "address", "详细地址": "address", "经营地址": "address", "办学地址": "address",
    "法定代表人": "legal_representative", "法人": "legal_representative", "负责人": "legal_representative",
    "联系人": "contact_person",
    "联系电话": "contact_phone", "电话": "contact_phone", "手机": "contact_phone", "联系方式": "contact_phone",
    "容纳人数": "capacity", "核定人数": "capacity", "人数": "capacity",
    "场地面积": "floor_area", "场地面积㎡": "floor_area", "面积": "floor_area", "面积㎡": "floor_area",
    "场地面积平方米": "floor_area",
    "所在楼层": "floors", "楼层": "floors",
    "经营状态": "status", "状态": "status",
    "备注": "notes",
}  # fmt: skip
SHEET = "机构名录"
REQUIRED = ("name", "kind", "street")
KIND_ALIASES = {
    "学科类": InstitutionKind.ACADEMIC,
    "非学科类": InstitutionKind.NON_ACADEMIC,
    "托管": InstitutionKind.AFTER_SCHOOL,
}


class ImportReport(sheetimport.ImportReport):
    """The generic report (lib/sheetimport), counting institutions in 家."""

    def counts_text(self) -> str:
        return _("新增 %(imported)s 家，更新 %(updated)s 家，未变化 %(unchanged)s 家，拒绝 %(rejected)s 行") % {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


_choice = sheetimport.choice


class _RowParser:
    """Turns one sheet row into service fields, collecting a RowError per bad cell."""

    def __init__(self, header_labels: dict[str, str]) -> None:
        self.header_labels = header_labels
        self.streets = {}
        for street in streets():
            self.streets[street.name] = street
            self.streets[street.code] = street

    def parse(self, excel_row: int, cells: dict[str, Any]) -> tuple[dict[str, Any], list[RowError]]:
        errors: list[RowError] = []
        data: dict[str, Any] = {}

        def fail(name: str, reason: str) -> None:
            errors.append(RowError(excel_row, self.header_labels.get(name, name), clean_text(cells.get(name)), reason))

        for name in REQUIRED:
            if not clean_text(cells.get(name)):
                fail(name, "必填项为空")
        data["name"] = clean_text(cells.get("name"))
        if len(data["name"]) > 100:
            fail("name", "机构名称不能超过 100 个字")
        code = clean_text(cells.get("credit_code"))
        data["credit_code"] = None
        if code:
            try:
                data["credit_code"] = validate_credit_code(code)
            except CreditCodeError as exc:
                fail("credit_code", str(exc))
        if kind_text := clean_text(cells.get("kind")):
            kind = _choice(kind_text, InstitutionKind.choices, KIND_ALIASES)
            if kind is None:
                fail("kind", "机构类型应为：" + "、".join(str(label) for _c, label in InstitutionKind.choices))
            data["kind"] = kind
        sub_text = clean_text(cells.get("sub_kind"))
        if sub_text:
            sub_kind = _choice(sub_text, InstitutionSubKind.choices)
            if sub_kind is None:
                fail("sub_kind", "细分类型应为：" + "、".join(str(label) for _c, label in InstitutionSubKind.choices))
            data["sub_kind"] = sub_kind or ""
        if street_text := clean_text(cells.get("street")):
            street = self.streets.get(street_text)
            if street is None:
                fail(
                    "street", "本区没有该街道/乡镇，应为：" + "、".join(sorted({s.name for s in self.streets.values()}))
                )
            data["street"] = street
        # Only columns the sheet has, and cells that hold something: a short sheet or a blank cell never erases
        # what the registry already knows.
        for name in ("address", "legal_representative", "contact_person", "floors", "notes"):
            if text := clean_text(cells.get(name)):
                data[name] = text
        if phone := clean_text(cells.get("contact_phone")).replace(" ", ""):
            data["contact_phone"] = phone
        for name, parser in (("capacity", parse_int), ("floor_area", parse_decimal)):
            try:
                value = parser(cells.get(name))
            except ValueError as exc:
                fail(name, str(exc))
            else:
                if value is not None:
                    data[name] = value
        if status_text := clean_text(cells.get("status")):
            status = _choice(status_text, OperatingStatus.choices)
            if status is None:
                fail("status", "经营状态应为：" + "、".join(str(label) for _c, label in OperatingStatus.choices))
            data["status"] = status
        return data, errors


def import_file(path: str | Path, *, actor: Any, dry_run: bool = False, valid_only: bool = False) -> ImportReport:
    """Import institutions from an .xlsx file; see the module docstring for the rules."""
    report = ImportReport(dry_run=dry_run)
    required = [(name, label) for name, label in COLUMNS if name in REQUIRED]
    sheet = read_sheet(
        path, report, sheet=SHEET, aliases=ALIASES, anchor="name", anchor_label="机构名称", required=required
    )
    if sheet is None:
        return report
    header_labels = sheet.labels
    parser = _RowParser(header_labels)

    parsed: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    seen_keys: dict[tuple, int] = {}
    bad_rows: set[int] = set()
    for offset, cells in iter_cells(sheet, report, bad_rows):
        data, errors = parser.parse(offset, cells)
        if not errors:
            key = (
                ("code", data["credit_code"])
                if data["credit_code"]
                else ("name", normalize_name(data["name"]), data["street"].pk)
            )
            if key in seen_keys:
                errors.append(
                    RowError(
                        offset,
                        header_labels.get("name", ""),
                        data["name"],
                        f"与第 {seen_keys[key]} 行是同一机构（重复行）",
                    )
                )
            else:
                seen_keys[key] = offset
        if errors:
            report.errors.extend(errors)
            bad_rows.add(offset)
        else:
            parsed.append((offset, data, cells))

    return write_rows(
        report,
        bad_rows,
        lambda: _write(parsed, actor, report, header_labels, bad_rows),
        dry_run=dry_run,
        valid_only=valid_only,
        context=audit_batch,
    )


def _write(
    parsed: list[tuple[int, dict[str, Any], dict[str, Any]]],
    actor: Any,
    report: ImportReport,
    labels: dict[str, str],
    bad: set[int],
) -> None:
    """Match each row to a registered institution (credit code, else name + street): matched rows go through
    institution_update one by one; new ones through institution_create_many, in one batch."""
    codes = [d["credit_code"] for _r, d, _c in parsed if d["credit_code"]]
    by_code: dict[str, int] = {}
    for start in range(0, len(codes), 500):
        found = Institution.objects.filter(credit_code__in=codes[start : start + 500]).values_list("credit_code", "pk")
        by_code.update(found)
    # Twins by name: only the sheet's (street, pinyin initials) pairs are read, as (pk, name, code) tuples.
    by_name: dict[tuple[str, int], tuple[int, str, str | None]] = {}
    pairs = sorted({(d["street"].pk, pinyin_initials(d["name"])[:100]) for _r, d, _c in parsed})
    for start in range(0, len(pairs), 300):
        match = Q(pk__in=[])
        for street_id, initials in pairs[start : start + 300]:
            match |= Q(street_id=street_id, pinyin_initials=initials)
        for pk, name, street_id, code in Institution.objects.filter(match).values_list(
            "pk", "name", "street_id", "credit_code"
        ):
            by_name.setdefault((normalize_name(name), street_id), (pk, name, code))
    # A code registered outside the importer's scope is refused with the same words as any code they may not use:
    # the report must not tell a street officer that (or where) another street holds it.
    in_scope: set[int] = set()
    matched = sorted(set(by_code.values()))
    for start in range(0, len(matched), 500):
        chunk = matched[start : start + 500]
        in_scope.update(Institution.objects.visible_to(actor).filter(pk__in=chunk).values_list("pk", flat=True))
    updates: list[tuple[int, int, dict[str, Any], dict[str, Any], str | None]] = []
    creates: list[tuple[int, dict[str, Any], dict[str, Any], str | None]] = []
    for excel_row, data, cells in parsed:
        status = data.pop("status", None)
        existing = by_code.get(data["credit_code"]) if data["credit_code"] else None
        if existing is not None and existing not in in_scope:
            report.errors.append(
                RowError(excel_row, labels.get("credit_code", ""), data["credit_code"], CODE_NOT_YOURS)
            )
            bad.add(excel_row)
            continue
        if existing is None:
            # A known site that now brings its code, or a registered one whose code the sheet left blank.
            twin = by_name.get((normalize_name(data["name"]), data["street"].pk))
            if twin is not None and data["credit_code"] and twin[2]:
                report.errors.append(
                    RowError(
                        excel_row,
                        labels.get("credit_code", ""),
                        data["credit_code"],
                        f"本街道已有同名机构“{twin[1]}”，但其信用代码为 {twin[2]}，请核对",
                    )
                )
                bad.add(excel_row)
                continue
            existing = twin[0] if twin else None
        if existing is None:
            creates.append((excel_row, data, cells, status))
            continue
        if not data["credit_code"]:
            data.pop("credit_code")  # a blank code cell does not erase a registered code
        updates.append((excel_row, existing, data, cells, status))

    instances = Institution.objects.in_bulk([pk for _r, pk, _d, _c, _s in updates])
    for excel_row, pk, data, cells, status in updates:
        with row_errors(report, bad, excel_row, labels, cells, refused_column="street"), transaction.atomic():
            existing = instances[pk]
            before = existing.updated_at
            services.institution_update(actor=actor, institution=existing, **data)
            if existing.updated_at != before:
                report.updated += 1
            else:
                report.unchanged += 1
            if status and status != existing.status:
                report.notes.append(
                    RowError(
                        excel_row,
                        labels.get("status", ""),
                        clean_text(cells.get("status")),
                        "已登记机构的经营状态未按表格修改：变更状态须在机构页面登记原因",
                    )
                )

    initial = (OperatingStatus.NORMAL, OperatingStatus.UNREGISTERED)
    rows = [
        {**data, "status": status if status in initial else OperatingStatus.NORMAL} for _r, data, _c, status in creates
    ]
    try:
        results: list[Institution | Exception] = services.institution_create_many(actor=actor, rows=rows)
    except PermissionDenied as exc:  # the actor may not register institutions at all: every new row says so
        results = [exc] * len(rows)
    for (excel_row, _data, cells, status), result in zip(creates, results, strict=True):
        with row_errors(report, bad, excel_row, labels, cells, refused_column="street"):
            if isinstance(result, Exception):
                raise result
            report.imported += 1
            if status and status != result.status and status in DECISION_STATUSES:
                report.notes.append(
                    RowError(
                        excel_row, labels.get("status", ""), clean_text(cells.get("status")),
                        "经营状态未按表格登记：停止招生、停业整顿、吊销、取缔须依据已生效的决定，请在机构页面登记决定文号",
                    )
                )  # fmt: skip
            elif status and status != result.status:
                services.institution_status_change(
                    actor=actor, institution=result, to_status=status, reason="批量导入时登记的经营状态"
                )


CODE_NOT_YOURS = "不能以该统一社会信用代码登记或修改机构：请核对代码；如确属您辖区的机构，请联系区牵头部门处理"


def write_template(path: str | Path) -> None:
    """The import template: Chinese headers, an instructions sheet, drop-downs for kind, sub-kind and street."""
    wb, ws = template_workbook(
        "机构名录", [label for _name, label in COLUMNS], [30, 22, 14, 10, 12, 36, 10, 10, 15, 9, 13, 10, 12, 30]
    )
    lists = wb.create_sheet("选项")
    kinds = [str(label) for _c, label in InstitutionKind.choices]
    subs = [str(label) for _c, label in InstitutionSubKind.choices]
    street_names = list(streets().values_list("name", flat=True))
    statuses = [str(label) for _c, label in OperatingStatus.choices]
    for col, values in enumerate([kinds, subs, street_names, statuses], start=1):
        for row, value in enumerate(values, start=1):
            lists.cell(row=row, column=col, value=value)
    letters = {"kind": "C", "sub_kind": "D", "street": "E", "status": "M"}
    sources = {"kind": ("A", kinds), "sub_kind": ("B", subs), "street": ("C", street_names), "status": ("D", statuses)}
    for name, column in letters.items():
        src_col, values = sources[name]
        if not values:
            continue
        dv = DataValidation(
            type="list", formula1=f"=选项!${src_col}$1:${src_col}${len(values)}", allow_blank=name != "kind"
        )
        dv.error = "请从下拉列表中选择。"
        dv.errorTitle = "输入有误"
        ws.add_data_validation(dv)
        dv.add(f"{column}2:{column}5000")
    lists.sheet_state = "hidden"
    guide = wb.create_sheet("填写说明", 0)
    lines = [
        ("机构名录导入模板 填写说明", ""),
        ("", ""),
        ("列", "说明"),
        ("机构名称*", "必填。与营业执照或办学许可证一致。"),
        (
            "统一社会信用代码",
            "18 位，无则留空（如巡查发现的未登记场所）。全角、小写、空格会自动纠正。已登记的代码会更新原记录。",
        ),
        ("机构类型*", "必填，从下拉列表选择：" + "、".join(kinds)),
        ("细分类型", "非学科类培训填写：" + "、".join(subs)),
        ("街道/乡镇*", "必填，从下拉列表选择本区的街道或乡镇。"),
        ("联系电话", "手机或座机，如 13800138000、0571-88888888。"),
        ("容纳人数 / 场地面积（㎡）", "填数字。"),
        ("经营状态", "留空为“正常经营”。"),
        ("", ""),
        ("规则", "任何一行有误时整表都不会导入，错误报告会列出行号、列名、错误值和原因；也可以选择“只导入无误的行”。"),
        ("", "没有信用代码的机构按“名称 + 街道”识别，再次导入会更新而不是重复登记。"),
    ]
    for line in lines:
        guide.append(list(line))
    guide["A1"].font = Font(bold=True, size=14)
    guide["A3"].font = guide["B3"].font = Font(bold=True)
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = 100
    wb.active = wb.sheetnames.index("机构名录")
    wb.save(path)


def write_template_tmp() -> str:
    path = temp_xlsx_path()
    write_template(path)
    return path
