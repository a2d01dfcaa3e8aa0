"""Excel helpers shared by imports and exports (openpyxl, write-only for large sheets)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F3")
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
    """Stream rows into a one-sheet workbook with a bold, frozen header row; returns the number of data rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        header_cells.append(cell)
    ws.append(header_cells)
    count = 0
    date_cols = set(date_columns)
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            if i in date_cols and value is not None:
                cells.append(_date_cell(ws, value))
            elif isinstance(value, str) and value.startswith("="):
                cells.append(_text_cell(ws, value))
            else:
                cells.append(value)
        ws.append(cells)
        count += 1
    wb.save(path)
    return count


def _date_cell(ws: Any, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = DATE_FORMAT
    return cell


def _text_cell(ws: Any, value: str) -> WriteOnlyCell:
    # openpyxl stores a string starting with "=" as a formula; text typed by users must stay text.
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def csv_safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "@", "+", "-") and not value[1:2].isdigit():
        return "'" + value
    return value


def temp_xlsx_path() -> str:
    with tempfile.NamedTemporaryFile(prefix="jianguan-", suffix=".xlsx", delete=False) as tmp:
        return tmp.name
