"""Excel helpers shared by imports and exports.

Exports are written with XlsxWriter in constant_memory mode (rows streamed to disk, one row in memory): on the
2-core machine it writes 100,000 rows × 17 columns in about 7 s where openpyxl's write-only mode takes 12 s (see
benchmarks/RESULTS.md). Imports and the import template use openpyxl.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Sequence
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
