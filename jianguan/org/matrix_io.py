"""The responsibility matrix as an Excel sheet: exported one row per entry (a category or an item code of it, for one
institution kind or for every kind, with its lead and supporting departments) and imported from the same sheet,
which replaces the whole matrix (services.responsibility_import) only when every row is understood.

The sheet's columns: 检查类别 | 检查项代码 | 机构类型 | 牵头部门 | 配合部门 (departments by name or 文号简称, several
separated by 、 or a comma). A kind of 所有类型 (or empty) is the row every kind follows unless it has its own."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from jianguan.lib.excel import SpreadsheetRefused, check_xlsx_package, sheet_rows, write_table
from jianguan.lib.textnorm import clean_text
from jianguan.lib.validators import validate_item_code
from jianguan.org.choices import CheckCategory
from jianguan.org.models import Department, Responsibility
from jianguan.registry.choices import InstitutionKind

SHEET = "职责分工"
HEADERS = ["检查类别", "检查项代码", "机构类型", "牵头部门", "配合部门"]
ALL_KINDS_LABEL = "所有类型"
MAX_ROWS = 2000
SEPARATORS = re.compile(r"[、,，;；/\s]+")


def export_rows() -> list[list[str]]:
    entries: dict[tuple[str, str, str], tuple[list[str], list[str]]] = {}
    for r in Responsibility.objects.select_related("department").order_by("category", "item_code", "institution_kind"):
        leads, supporting = entries.setdefault((r.category, r.item_code, r.institution_kind), ([], []))
        (leads if r.is_lead else supporting).append(r.department.name)
    kinds = dict(InstitutionKind.choices)
    order = {c: n for n, c in enumerate(CheckCategory.values)}
    return [
        [
            str(CheckCategory(category).label),
            code,
            str(kinds.get(kind, ALL_KINDS_LABEL)),
            "、".join(leads),
            "、".join(sup),
        ]
        for (category, code, kind), (leads, sup) in sorted(entries.items(), key=lambda e: (order[e[0][0]], e[0][1:]))
    ]


def write_export(path: str) -> int:
    return write_table(path, title=SHEET, headers=HEADERS, widths=[12, 22, 14, 28, 40], rows=export_rows())


@dataclass
class Entry:
    institution_kind: str
    category: str
    item_code: str
    leads: list[Department] = field(default_factory=list)
    supporting: list[Department] = field(default_factory=list)


@dataclass
class MatrixImport:
    entries: list[Entry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "第 N 行：…", or one line for the whole file


def _lookup(value: str, choices: Any) -> str | None:
    for code, label in choices:
        if value in (code, str(label)):
            return code
    return None


def read_matrix(path: str | Path) -> MatrixImport:
    """The entries of an uploaded sheet, or the reasons it is refused (a bounded read: size, unzipped size, rows)."""
    result = MatrixImport()
    try:
        check_xlsx_package(
            path,
            max_bytes=settings.JIANGUAN_UPLOAD_MAX_MB * 1048576,
            max_unzipped_bytes=settings.JIANGUAN_IMPORT_MAX_UNZIPPED_MB * 1048576,
        )
        rows = list(islice(sheet_rows(path, prefer=SHEET, max_col=len(HEADERS)), MAX_ROWS + 2))
    except SpreadsheetRefused as exc:
        result.errors.append(str(exc))
        return result
    except Exception:  # noqa: BLE001 — any damage to the file is the same answer to the user
        result.errors.append("文件不是有效的 Excel（.xlsx）文件，请用导出的职责分工表修改后再导入。")
        return result
    if not rows or [clean_text(v) for v in rows[0][: len(HEADERS)]] != HEADERS:
        result.errors.append("第 1 行应为表头：" + "、".join(HEADERS) + "。请用导出的职责分工表修改后再导入。")
        return result
    if len(rows) > MAX_ROWS + 1:
        result.errors.append(f"表格超过 {MAX_ROWS} 行。")
        return result
    departments: dict[str, Department] = {}
    for d in Department.objects.filter(is_active=True):
        departments[d.name] = departments[d.short_name] = d
    seen: set[tuple[str, str, str]] = set()
    for n, row in enumerate(rows[1:], start=2):
        cells = [clean_text(v) for v in (*row, *[None] * len(HEADERS))][: len(HEADERS)]
        if not any(cells):
            continue
        category_text, code, kind_text, lead_text, supporting_text = cells
        problems = []
        category = _lookup(category_text, CheckCategory.choices)
        if category is None:
            problems.append(f"未知的检查类别“{category_text[:20]}”")
        kind = "" if kind_text in ("", ALL_KINDS_LABEL) else _lookup(kind_text, InstitutionKind.choices)
        if kind is None:
            problems.append(f"未知的机构类型“{kind_text[:20]}”")
        try:
            validate_item_code(code)
        except ValidationError as exc:
            problems.extend(exc.messages)
        named = {"lead": [], "supporting": []}
        for key, text in (("lead", lead_text), ("supporting", supporting_text)):
            for name in filter(None, SEPARATORS.split(text)):
                if name in departments:
                    named[key].append(departments[name])
                else:
                    problems.append(f"没有名为“{name[:30]}”的启用部门")
        key = (kind or "", category or "", code)
        if key in seen:
            problems.append("与前面的行重复（同一检查类别、检查项代码和机构类型只能有一行）")
        seen.add(key)
        if problems:
            result.errors.append(f"第 {n} 行：" + "；".join(problems) + "。")
            continue
        result.entries.append(Entry(kind or "", category or "", code, named["lead"], named["supporting"]))
    if not result.entries and not result.errors:
        result.errors.append("表格中没有职责分工。")
    return result
