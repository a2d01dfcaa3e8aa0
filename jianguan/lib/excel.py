"""Excel helpers shared by imports and exports.

Exports are written with XlsxWriter in constant_memory mode (rows streamed to disk, one row in memory): on the
2-core machine it writes 100,000 rows × 17 columns in about 7 s where openpyxl's write-only mode takes 12 s (see
benchmarks/RESULTS.md). Imports and the import template use openpyxl.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

HEADER_FORMAT = {"bold": True, "bg_color": "#DDE6F3", "valign": "vcenter", "border": 1}
DATE_FORMAT = "yyyy-mm-dd"


def write_table(
    path: str,
    *,
    title: str,
    headers: Sequence[str],
    widths: Sequence[int],
    rows: Iterable[Sequence[Any]],
    date_columns: Sequence[int] = (),
) -> int:
    """Stream rows into a one-sheet workbook with a bold, frozen header row; returns the number of data rows.

    Text is always written as text: a cell a user typed as "=…" or "http://…" stays a string, never a formula or a
    link. Dates (date_columns) are real Excel dates shown as yyyy-mm-dd."""
    wb = xlsxwriter.Workbook(
        path,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    try:
        ws = wb.add_worksheet(title)
        header_format = wb.add_format(HEADER_FORMAT)
        date_format = wb.add_format({"num_format": DATE_FORMAT})
        for i, width in enumerate(widths):
            ws.set_column(i, i, width)
        ws.freeze_panes(1, 0)
        ws.write_row(0, 0, headers, header_format)
        date_cols = set(date_columns)
        count = 0
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if c in date_cols:
                    if not isinstance(value, dt.datetime):
                        value = dt.datetime.combine(value, dt.time())
                    ws.write_datetime(r, c, value, date_format)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write_number(r, c, value)
            count = r
        if count:
            ws.autofilter(0, 0, count, len(headers) - 1)
    finally:
        wb.close()
    return count


# OWASP's CSV injection rule: a cell starting with any of these may be run as a formula (=1+HYPERLINK(…),
# -1+cmd|' /C calc'!A0, @SUM(…)), whatever follows; tab and CR (and LF) can hide such a start from a reader's eye.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value: Any) -> Any:
    """Text a spreadsheet could run as a formula gets a leading apostrophe (CSV injection); numbers stay numbers.

    Every CSV the platform writes passes each cell through here."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def temp_xlsx_path() -> str:
    with tempfile.NamedTemporaryFile(prefix="jianguan-", suffix=".xlsx", delete=False) as tmp:
        return tmp.name


# --- Reading uploaded workbooks with bounded memory and time ---------------------------------------------------------
# What an attacker (or a broken export) can put in a small .xlsx: rows padded to column XFD by the reader, a sheet that
# unzips to gigabytes, a million rows. The work is bounded by what is real: the package is checked before parsing, the
# sheet is read row by row in read-only mode up to the columns that matter, and rows are counted as they come.

MAX_ZIP_MEMBERS = 1000
HEADER_SCAN_COLUMNS = 64


class SpreadsheetRefused(ValueError):
    """The file is refused before or while it is read; the message says why, in Chinese."""


def check_xlsx_package(path: str | Path, *, max_bytes: int, max_unzipped_bytes: int) -> None:
    """Refuse a file too large, not a zip, or whose parts would unzip beyond ``max_unzipped_bytes`` (a zip bomb),
    from the central directory alone: nothing is decompressed here, and zipfile itself never inflates a part beyond
    the size recorded for it."""
    size = os.path.getsize(path)
    if size > max_bytes:
        raise SpreadsheetRefused(f"文件大小 {size / 1048576:.1f} MB，超过上限 {max_bytes // 1048576} MB。")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SpreadsheetRefused("文件不是有效的 Excel（.xlsx）文件，请用模板另存为 .xlsx 后再导入。") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise SpreadsheetRefused("文件结构异常（包含的部件过多），不是正常的 Excel 表格。")
    unzipped = sum(m.file_size for m in members)
    if unzipped > max_unzipped_bytes:
        raise SpreadsheetRefused(
            f"文件解压后达 {unzipped / 1048576:.0f} MB，超过上限 {max_unzipped_bytes // 1048576} MB："
            "表格中可能含有异常巨大的内容，请只保留需要导入的数据后另存再试。"
        )


def sheet_rows(path: str | Path, *, prefer: str, min_row: int = 1, max_col: int) -> Iterator[tuple[Any, ...]]:
    """The rows of the preferred sheet (else the first), as value tuples no wider than ``max_col``, read lazily in
    openpyxl's read-only mode (a cell far to the right costs nothing)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        sheet = workbook[prefer] if prefer in workbook.sheetnames else workbook.worksheets[0]
        yield from sheet.iter_rows(min_row=min_row, max_col=max_col, values_only=True)
    finally:
        workbook.close()
