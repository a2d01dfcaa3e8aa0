"""The generic half of every Excel import (institutions, staff, fee records): find the header in a messy sheet, read
the rows with bounded memory and time, report per row in Chinese, and write all-or-nothing (or only the valid rows).

An importer built on it (see jianguan/staff/importer.py, jianguan/registry/importer.py) looks like this::

    report = MyReport(dry_run=dry_run)      # ImportReport, or a subclass whose counts_text() counts in 人, 家 …
    sheet = read_sheet(path, report, sheet="从业人员", aliases=ALIASES, anchor="id_number",
                       anchor_label="身份证号码", required=[("name", "姓名*"), ...])
    if sheet is None:
        return report                       # report.fatal says why, in Chinese
    bad: set[int] = set()                   # Excel row numbers refused
    parsed = []
    for excel_row, cells in iter_cells(sheet, report, bad):   # blank rows skipped, over-long cells refused
        data, errors = parse_my_row(excel_row, cells, sheet.labels)   # a RowError per bad cell
        ...
    return write_rows(report, bad, lambda: my_write(parsed, report, bad), dry_run=dry_run,
                      valid_only=valid_only, context=audit_batch)

``my_write`` calls the app's services row by row, each in its own savepoint, turning a service's ValidationError into
RowErrors with ``service_errors`` (and adding the row to ``bad``); it counts report.imported / updated / unchanged.
``choice`` reads a TextChoices cell given as code, label or alias; lib/textnorm parses dates, numbers and text.

Rules it keeps for every importer: when any row is bad nothing is written unless ``valid_only``; ``dry_run`` runs the
whole write and rolls it back, so the counts are what a real run would give; the command's last line is
``report.last_line`` (``imported N, updated M, rejected K``). This module imports no domain app.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from jianguan.lib.excel import HEADER_SCAN_COLUMNS, SpreadsheetRefused, check_xlsx_package, sheet_rows
from jianguan.lib.textnorm import clean_text

__all__ = [
    "HEADER_SCAN_ROWS",
    "MAX_CELL_CHARS",
    "ImportReport",
    "RowError",
    "Sheet",
    "choice",
    "find_header",
    "header_key",
    "iter_cells",
    "read_sheet",
    "service_errors",
    "sub_header",
    "write_rows",
]

# The header is looked for in the first rows only: above it a sheet may hold a title, a date, merged banner rows.
HEADER_SCAN_ROWS = 10
# A cell longer than this is no value any import takes: refused per row, never parsed.
MAX_CELL_CHARS = 2000
NOT_XLSX = "文件不是有效的 Excel（.xlsx）文件，请用模板另存为 .xlsx 后再导入。"


@dataclass
class RowError:
    """One bad cell (or a whole row when column is ''): the Excel row number, the header as the sheet wrote it, the
    value as read, and the reason in Chinese."""

    row: int
    column: str
    value: str
    reason: str


@dataclass
class ImportReport:
    """What an import did or would do."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Rows imported with something left as it was, worth telling the user.
    notes: list[RowError] = field(default_factory=list)
    fatal: str = ""
    committed: bool = False
    dry_run: bool = False

    def counts_text(self) -> str:
        """The counts in words; an importer subclasses the report to count in its own unit (家, 人)."""
        return _("新增 %(imported)s 条，更新 %(updated)s 条，未变化 %(unchanged)s 条，拒绝 %(rejected)s 行") % {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }

    @property
    def summary(self) -> str:
        if self.fatal:
            return self.fatal
        text = self.counts_text()
        if self.errors and not self.committed and not self.dry_run:
            text += _("（有错误的行，未写入任何数据）")
        return text

    @property
    def last_line(self) -> str:
        """The management command's last line, the same for every import."""
        return f"imported {self.imported}, updated {self.updated}, rejected {self.rejected}"


@dataclass
class Sheet:
    """A sheet whose header was found: ``mapping`` is column index → field, ``labels`` field → the header text as
    the sheet wrote it (for messages), ``rows`` the non-blank data rows as (Excel row number, values)."""

    header_index: int
    mapping: dict[int, str]
    labels: dict[str, str]
    rows: list[tuple[int, tuple]]


def header_key(value: Any) -> str:
    """A header cell reduced for matching against aliases: cleaned, without stars, spaces, slashes, brackets,
    colons (“街道/乡镇*”, “场地面积（㎡）” → “街道乡镇”, “场地面积㎡”)."""
    text = clean_text(value).replace("*", "").replace("＊", "")
    return "".join(ch for ch in text if ch not in " /（）()、:：")


def find_header(
    rows: Sequence[Sequence[Any]], aliases: Mapping[str, str], anchor: str, scan_rows: int = HEADER_SCAN_ROWS
) -> tuple[int, dict[int, str]] | None:
    """The first of ``rows`` (up to ``scan_rows``) that names the ``anchor`` field: its index and its mapping of
    column → field (the first column wins when two name the same field)."""
    for index, row in enumerate(rows[:scan_rows]):
        mapping: dict[int, str] = {}
        for col, value in enumerate(row):
            key = aliases.get(header_key(value))
            if key and key not in mapping.values():
                mapping[col] = key
        if anchor in mapping.values():
            return index, mapping
    return None


def sub_header(
    header: Sequence[Any], below: Sequence[Any], mapping: Mapping[int, str], aliases: Mapping[str, str], anchor: str
) -> dict[int, tuple[str, str]]:
    """A second header row under merged cells (“健康证明” over “编号 | 有效期至”): {column: (field, label)} for the
    columns it names, by its own text or by the merged cell above it plus its own; {} when ``below`` is data (its
    anchor column holds a value, or it names no new field)."""
    anchor_cols = [col for col, name in mapping.items() if name == anchor]
    if any(col < len(below) and clean_text(below[col]) for col in anchor_cols):
        return {}
    found: dict[int, tuple[str, str]] = {}
    taken = set(mapping.values())
    parent = ""
    for col, value in enumerate(below):
        above = clean_text(header[col]) if col < len(header) else ""
        if above:
            parent = above  # a merged cell's text is in its first column; the columns it spans read empty
        text = clean_text(value)
        if not text or col in mapping:
            continue
        for label in (parent + text, text):
            name = aliases.get(header_key(label))
            if name and name not in taken:
                found[col] = (name, label)
                taken.add(name)
                break
    return found


def _limits() -> tuple[int, int, int]:
    from django.conf import settings

    return (
        settings.JIANGUAN_UPLOAD_MAX_MB * 1048576,
        settings.JIANGUAN_IMPORT_MAX_UNZIPPED_MB * 1048576,
        settings.JIANGUAN_IMPORT_MAX_ROWS,
    )


def _blank(row: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def read_sheet(
    path: str | Path,
    report: ImportReport,
    *,
    sheet: str,
    aliases: Mapping[str, str],
    anchor: str,
    anchor_label: str,
    required: Sequence[tuple[str, str]] = (),
) -> Sheet | None:
    """Read the sheet named ``sheet`` (else the first) of an .xlsx file, or return None with ``report.fatal`` set.

    The file is checked before parsing (size, zip bomb), the header is the first of the first 10 rows naming
    ``anchor`` (with the row under it when that is a second header row under merged cells, see ``sub_header``), and
    ``required`` (field, template label) columns must all be there. Memory and time are bounded by
    the file's real content: only the mapped columns are read, a run of blank rows ends the sheet, and more data
    rows than JIANGUAN_IMPORT_MAX_ROWS is refused."""
    max_bytes, max_unzipped, max_rows = _limits()
    try:
        check_xlsx_package(path, max_bytes=max_bytes, max_unzipped_bytes=max_unzipped)
        head = list(islice(sheet_rows(path, prefer=sheet, max_col=HEADER_SCAN_COLUMNS), HEADER_SCAN_ROWS))
        found = find_header(head, aliases, anchor)
        if found is None:
            report.fatal = (
                f"没有找到表头：前 {HEADER_SCAN_ROWS} 行中应有一行包含“{anchor_label}”等列名。请使用导入模板。"
            )
            return None
        header_index, mapping = found
        labels = {name: clean_text(head[header_index][col]) for col, name in mapping.items()}
        first_data = header_index + 2  # the Excel row number of the first data row
        if header_index + 1 < len(head):
            sub = sub_header(head[header_index], head[header_index + 1], mapping, aliases, anchor)
            if sub:
                for col, (name, label) in sub.items():
                    mapping[col], labels[name] = name, label
                first_data += 1
        missing = [label for name, label in required if name not in mapping.values()]
        if missing:
            report.fatal = "缺少必需的列：" + "、".join(missing)
            return None
        rows: list[tuple[int, tuple]] = []
        blank = 0
        width = max(mapping) + 1
        data = sheet_rows(path, prefer=sheet, min_row=first_data, max_col=width)
        for excel_row, row in enumerate(data, start=first_data):
            if _blank(row):
                blank += 1
                if blank > max_rows * 5:  # a sheet formatted far down, or made to be slow
                    break
                continue
            if len(rows) >= max_rows:
                report.fatal = f"表格超过 {max_rows} 行，请分成多个文件导入（每个不超过 {max_rows} 行）。"
                return None
            rows.append((excel_row, row))
    except SpreadsheetRefused as exc:
        report.fatal = str(exc)
        return None
    except Exception:  # noqa: BLE001 — any damage to the file (zip, XML, compression) is the same answer to the user
        report.fatal = NOT_XLSX
        return None
    return Sheet(header_index, mapping, labels, rows)


def iter_cells(
    sheet: Sheet, report: ImportReport, bad_rows: set[int], *, max_cell_chars: int = MAX_CELL_CHARS
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each data row as (Excel row, {field: raw value}); rows blank in the mapped columns are skipped, the others
    counted in ``report.rows``; a row with a cell over ``max_cell_chars`` is reported and added to ``bad_rows``."""
    for excel_row, row in sheet.rows:
        cells = {name: row[col] if col < len(row) else None for col, name in sheet.mapping.items()}
        if not any(clean_text(v) for v in cells.values()):
            continue
        report.rows += 1
        too_long = [name for name, v in cells.items() if isinstance(v, str) and len(v) > max_cell_chars]
        if too_long:
            report.errors += [
                RowError(
                    excel_row, sheet.labels.get(n, n), cells[n][:20] + "…", f"内容过长（超过 {max_cell_chars} 字）"
                )
                for n in too_long
            ]
            bad_rows.add(excel_row)
            continue
        yield excel_row, cells


def service_errors(
    excel_row: int, exc: ValidationError, labels: Mapping[str, str], cells: Mapping[str, Any]
) -> list[RowError]:
    """A service's ValidationError as RowErrors, each field's message under the sheet's own header."""
    if hasattr(exc, "error_dict"):
        return [
            RowError(
                excel_row,
                labels.get(name, "" if name == "__all__" else name),
                clean_text(cells.get(name)),
                strip_tags(message),
            )
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [RowError(excel_row, "", "", strip_tags(m)) for m in exc.messages]


def choice(value: Any, choices: Sequence[tuple[str, Any]], aliases: Mapping[str, str] | None = None) -> str | None:
    """The choice code for a cell holding a code or a label (or one of ``aliases``), None when none matches."""
    text = clean_text(value)
    for code, label in choices:
        if text in (code, str(label)):
            return code
    return (aliases or {}).get(text)


@contextlib.contextmanager
def row_errors(
    report: ImportReport, bad: set[int], excel_row: int, labels: dict[str, str], cells: dict[str, Any], *,
    refused_column: str = "", hidden_columns: Sequence[str] = (),
) -> Iterator[None]:  # fmt: skip
    """A service's refusal becomes the row's errors in the report (the caller's savepoint rolls the row back): a
    ValidationError per field; a PermissionDenied on `refused_column` (the registry's street: its scope). The value
    of a column in `hidden_columns` (an ID number) is never repeated in a message."""
    try:
        yield
    except ValidationError as exc:
        errors = service_errors(excel_row, exc, labels, cells)
        hidden = {labels.get(name) for name in hidden_columns}
        for error in errors:
            if error.column in hidden:
                error.value = ""
        report.errors.extend(errors)
        bad.add(excel_row)
    except PermissionDenied as exc:
        value = clean_text(cells.get(refused_column)) if refused_column else ""
        report.errors.append(RowError(excel_row, labels.get(refused_column, ""), value, str(exc)))
        bad.add(excel_row)


def template_workbook(title: str, headers: Sequence[str], widths: Sequence[int]) -> tuple[Workbook, Worksheet]:
    """An import template's workbook: the data sheet first, its bold shaded header row frozen, columns sized."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(list(headers))
    for i, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=i)
        ws.column_dimensions[cell.column_letter].width = width
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F3")
        cell.alignment = Alignment(vertical="center")
    ws.freeze_panes = "A2"
    return wb, ws


class _Rollback(Exception):
    pass


def write_rows(
    report: ImportReport,
    bad_rows: set[int],
    write: Callable[[], None],
    *,
    dry_run: bool,
    valid_only: bool,
    context: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext,
) -> ImportReport:
    """Run ``write`` (which adds to report.imported/updated/errors and bad_rows as it goes) in one transaction inside
    ``context()`` (e.g. audit_batch), then keep it only when it is no dry run and no row failed (or ``valid_only``).

    With bad rows already found while parsing and no ``valid_only``, nothing is written at all."""
    if bad_rows and not valid_only:
        report.rejected = len(bad_rows)
        return report
    try:
        with transaction.atomic(), context():
            write()
            report.rejected = len(bad_rows)
            if dry_run or (report.errors and not valid_only):
                raise _Rollback
    except _Rollback:
        return report
    report.committed = True
    return report


class ImportCommand(BaseCommand):
    """`manage.py import_… FILE [--dry-run] [--valid-only] [--as USER]` for one importer: each row's error, the
    summary, and the contract's last line `imported N, updated M, rejected K`; exit 1 when errors stopped it.
    A command sets `import_file` (the importer's entry point, as a staticmethod) and `help`."""

    import_file: Callable[..., Any]

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--valid-only", action="store_true", help="只导入无误的行，跳过有错误的行")
        parser.add_argument("--as", dest="username", default="admin", help="以哪个账户的名义导入（默认 admin）")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        from django.contrib.auth import get_user_model

        actor = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError(f"账户 {options['username']} 不存在或已停用，请用 --as 指定导入人。")
        report = type(self).import_file(
            options["file"], actor=actor, dry_run=options["dry_run"], valid_only=options["valid_only"]
        )
        if report.fatal:
            raise CommandError(report.fatal)
        for error in report.errors:
            value = f"“{error.value}”" if error.value else ""
            self.stdout.write(f"第 {error.row} 行 {error.column} {value}：{error.reason}")
        prefix = "（试运行，未写入）" if options["dry_run"] else ""
        self.stdout.write(prefix + report.summary)
        self.stdout.write(report.last_line)
        if report.errors and not report.committed and not options["dry_run"]:
            raise SystemExit(1)
