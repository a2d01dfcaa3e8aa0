"""Hostile .xlsx files from the probe, written as raw XML (no library would write them): a sheet whose rows each
hold one cell in the last column (XFD), and a small file that unzips to a huge inline string (a zip bomb).
Used by the import tests and by `make bench` (import memory)."""

from __future__ import annotations

import zipfile
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="机构名录" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"
HEADER = ("机构名称*", "机构类型*", "街道/乡镇*")


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _header_row() -> str:
    return '<row r="1">' + "".join(_inline(f"{col}1", h) for col, h in zip("ABC", HEADER, strict=True)) + "</row>"


def _package(path: Path, write_sheet) -> Path:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            write_sheet(sheet)
    return path


def wide_rows(path: Path, rows: int = 12_000) -> Path:
    """A header in A–C, then `rows` rows that each hold one cell, in column XFD (the 16,384th)."""

    def write(sheet) -> None:  # type: ignore[no-untyped-def]
        sheet.write((_SHEET_HEAD + _header_row()).encode())
        for r in range(2, rows + 2):
            sheet.write(f'<row r="{r}">{_inline(f"XFD{r}", "x")}</row>'.encode())
        sheet.write(_SHEET_TAIL.encode())

    return _package(path, write)


def huge_string(path: Path, megabytes: int = 1024) -> Path:
    """A header, then one row whose name cell is an inline string of `megabytes` MB of one letter (~1 MB zipped)."""
    chunk = b"A" * (1024 * 1024)

    def write(sheet) -> None:  # type: ignore[no-untyped-def]
        sheet.write((_SHEET_HEAD + _header_row() + '<row r="2"><c r="A2" t="inlineStr"><is><t>').encode())
        for _ in range(megabytes):
            sheet.write(chunk)
        sheet.write(("</t></is></c>" + _inline("B2", "其他") + _inline("C2", "甲街道") + "</row>").encode())
        sheet.write(_SHEET_TAIL.encode())

    return _package(path, write)


def many_rows(path: Path, rows: int, street: str = "甲街道") -> Path:
    """A well-formed sheet with `rows` data rows (each a plausible institution), to test the row limit."""

    def write(sheet) -> None:  # type: ignore[no-untyped-def]
        sheet.write((_SHEET_HEAD + _header_row()).encode())
        for r in range(2, rows + 2):
            cells = _inline(f"A{r}", f"机构{r}") + _inline(f"B{r}", "其他") + _inline(f"C{r}", street)
            sheet.write(f'<row r="{r}">{cells}</row>'.encode())
        sheet.write(_SHEET_TAIL.encode())

    return _package(path, write)
