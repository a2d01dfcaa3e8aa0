"""Exporting the institution list as Excel and CSV: layout, scope, the list page's filter and the query budget."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from datetime import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jianguan.registry.choices import InstitutionKind
from jianguan.registry.exports import HEADERS
from jianguan.registry.services import institution_create

XLSX = "registry:institution_export_xlsx"
CSV = "registry:institution_export_csv"
NAME_A = "甲街道培训学校"
NAME_B = "乙街道小饭桌"

pytestmark = pytest.mark.django_db


def _get(client, name: str, query: str = "") -> Any:
    url = reverse(name) + (f"?{query}" if query else "")
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response


def _workbook(response) -> Any:
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _xlsx_rows(response) -> list[dict[str, Any]]:
    ws = _workbook(response)["机构名录"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    return [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]]


def _csv_text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def _csv_rows(response) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(_csv_text(response).removeprefix("\ufeff")))
    header = next(reader)
    assert header == HEADERS
    return [dict(zip(HEADERS, row, strict=True)) for row in reader]


def _names(rows: list[dict[str, Any]]) -> set[str]:
    return {row["机构名称"] for row in rows}


def _add(district, n: int, *, street: str = "a", start: int = 0, **fields: Any) -> None:
    admin = district.users["admin"]
    for i in range(start, start + n):
        institution_create(
            actor=admin,
            name=f"导出测试机构{i:03d}",
            credit_code=None,
            kind=InstitutionKind.OTHER,
            street=district.streets[street],
            **fields,
        )


# --- Excel ----------------------------------------------------------------------------------------------------------


def test_xlsx_export_has_the_chinese_layout(client_for):
    response = _get(client_for("admin"), XLSX)

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert ".xlsx" in disposition
    wb = _workbook(response)
    assert wb.sheetnames == ["机构名录"]
    ws = wb["机构名录"]
    headers = [c.value for c in ws[1]]
    assert headers == HEADERS
    assert headers[:4] == ["序号", "街道/乡镇", "机构名称", "统一社会信用代码"]
    assert {"机构类型", "联系电话", "经营状态", "证照状态", "登记日期"} <= set(headers)
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    # Widths in characters; the file stores them with the cell padding added (6 → 6.71).
    widths = {col: round(ws.column_dimensions[col].width) for col in "ACDG"}
    assert widths == {"A": 7, "C": 31, "D": 23, "G": 37}  # 序号, 机构名称, 统一社会信用代码, 地址


def test_xlsx_export_rows_hold_labels_and_real_dates(client_for, district):
    a = district.institutions["a"]
    ws = _workbook(_get(client_for("admin"), XLSX))["机构名录"]
    values = list(ws.iter_rows(values_only=True))
    rows = [dict(zip(HEADERS, row, strict=True)) for row in values[1:]]

    by_name = {row["机构名称"]: row for row in rows}
    assert set(by_name) == {NAME_A, NAME_B}
    assert sorted(row["序号"] for row in rows) == [1, 2]
    row_a = by_name[NAME_A]
    assert row_a["街道/乡镇"] == "甲街道"
    assert row_a["统一社会信用代码"] == "92990100MA00000A1P"
    assert row_a["机构类型"] == "学科类培训"
    assert row_a["经营状态"] == "正常经营"
    assert row_a["证照状态"] in {"有效", "即将到期", "已过期", "缺失"}
    assert row_a["地址"] == "甲街道 1 号"
    assert by_name[NAME_B]["机构类型"] == "小饭桌"
    assert not by_name[NAME_B]["统一社会信用代码"]

    date_col = HEADERS.index("登记日期") + 1
    for row in ws.iter_rows(min_row=2):
        cell = row[date_col - 1]
        assert cell.is_date
        assert isinstance(cell.value, datetime)
        assert cell.number_format == "yyyy-mm-dd"
    assert row_a["登记日期"].date() == timezone.localtime(a.created_at).date()


def test_xlsx_export_keeps_numbers_as_numbers(client_for, district):
    institution_create(
        actor=district.users["admin"],
        name="有人数的机构",
        credit_code=None,
        kind=InstitutionKind.MEAL_CARE,
        street=district.streets["a"],
        capacity=120,
        floor_area="85.50",
        contact_phone="13800138000",
    )

    rows = _xlsx_rows(_get(client_for("admin"), XLSX))

    row = next(r for r in rows if r["机构名称"] == "有人数的机构")
    assert row["容纳人数"] == 120
    assert row["场地面积（㎡）"] == 85.5
    assert row["联系电话"] == "13800138000"  # text: a phone number is not a quantity


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("admin", {NAME_A, NAME_B}),
        ("lead", {NAME_A, NAME_B}),
        ("edu_officer", {NAME_A, NAME_B}),
        ("street_a", {NAME_A}),
        ("street_b", {NAME_B}),
        ("institution", {NAME_A}),
    ],
)
@pytest.mark.parametrize("export", [XLSX, CSV])
def test_export_rows_respect_scope(client_for, persona, expected, export):
    response = _get(client_for(persona), export)

    rows = _xlsx_rows(response) if export == XLSX else _csv_rows(response)
    assert _names(rows) == expected


@pytest.mark.parametrize("export", [XLSX, CSV])
def test_export_sends_anonymous_users_to_login(client_for, export):
    response = client_for("anonymous").get(reverse(export))

    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("export", [XLSX, CSV])
def test_export_applies_the_list_filter_from_the_query_string(client_for, district, export):
    def names(persona: str, query: str) -> set[str]:
        response = _get(client_for(persona), export, query)
        return _names(_xlsx_rows(response) if export == XLSX else _csv_rows(response))

    assert names("admin", "kind=meal_care") == {NAME_B}
    assert names("admin", "kind=academic") == {NAME_A}
    assert names("admin", f"street={district.streets['a'].pk}") == {NAME_A}
    assert names("admin", "q=jjd") == {NAME_A}  # pinyin initials, as on the list page
    assert names("admin", "q=92990100") == {NAME_A}  # credit code prefix
    assert names("admin", "kind=meal_care&street=" + str(district.streets["a"].pk)) == set()
    # the filter narrows what the user may see; it never widens it
    assert names("street_a", "kind=meal_care") == set()
    assert names("street_a", f"street={district.streets['b'].pk}") == set()
    # an invalid value is left out, as on the list page
    assert names("admin", "kind=nonsense") == {NAME_A, NAME_B}


def test_export_matches_the_list_page_for_the_same_query(client_for, district):
    _add(district, 3, street="b")
    client = client_for("admin")
    query = f"street={district.streets['b'].pk}&sort=-created"

    listed = [i.name for i in client.get(reverse("registry:institution_list") + "?" + query).context["page"]]
    exported = [row["机构名称"] for row in _xlsx_rows(_get(client, XLSX, query))]

    assert exported == listed
    assert exported[0] == "导出测试机构002"  # most recently registered first


def test_xlsx_export_writes_text_starting_with_equals_as_text_not_formula(client_for, district):
    name = '=HYPERLINK("http://example.com/","点此核验")'
    institution_create(
        actor=district.users["admin"],
        name=name,
        credit_code=None,
        kind=InstitutionKind.OTHER,
        street=district.streets["a"],
        notes="==重点关注==",
    )

    ws = _workbook(_get(client_for("admin"), XLSX))["机构名录"]

    cells = [c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str) and c.value[:1] == "="]
    assert {c.value for c in cells} == {name, "==重点关注=="}
    assert {c.data_type for c in cells} == {"s"}


# --- CSV ------------------------------------------------------------------------------------------------------------


def test_csv_export_starts_with_a_bom_and_the_header(client_for):
    response = _get(client_for("admin"), CSV)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="institutions-')
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(HEADERS)


def test_csv_export_rows_match_the_institutions(client_for, district):
    a, b = district.institutions["a"], district.institutions["b"]

    rows = _csv_rows(_get(client_for("admin"), CSV))

    by_name = {row["机构名称"]: row for row in rows}
    assert set(by_name) == {NAME_A, NAME_B}
    assert sorted(row["序号"] for row in rows) == ["1", "2"]
    row_a, row_b = by_name[NAME_A], by_name[NAME_B]
    assert (row_a["街道/乡镇"], row_a["统一社会信用代码"], row_a["机构类型"]) == (
        "甲街道",
        "92990100MA00000A1P",
        "学科类培训",
    )
    assert (row_b["街道/乡镇"], row_b["统一社会信用代码"], row_b["机构类型"]) == ("乙街道", "", "小饭桌")
    assert row_a["经营状态"] == "正常经营"
    assert row_a["登记日期"] == timezone.localtime(a.created_at).date().isoformat()
    assert row_b["登记日期"] == timezone.localtime(b.created_at).date().isoformat()
    assert row_b["容纳人数"] == ""  # empty, not "None"


def test_csv_export_neutralises_formula_cells_even_with_a_digit_after_the_sign(client_for, district):
    for name in ['=1+HYPERLINK("http://evil.example/","核验")', "-1+cmd|' /C calc'!A0", "+1", "@SUM(1)"]:
        institution_create(
            actor=district.users["admin"],
            name=name,
            credit_code=None,
            kind=InstitutionKind.OTHER,
            street=district.streets["a"],
            notes="\t=1+1",
        )
    rows = _csv_rows(_get(client_for("admin"), CSV))
    names = {r["机构名称"] for r in rows} - {NAME_A, NAME_B}
    assert names == {'\'=1+HYPERLINK("http://evil.example/","核验")', "'-1+cmd|' /C calc'!A0", "'+1", "'@SUM(1)"}
    assert {r["备注"] for r in rows if r["机构名称"] in names} == {"'\t=1+1"}


def test_csv_export_streams_many_rows(client_for, district):
    _add(district, 300, notes="说明，含逗号和“引号”")

    rows = _csv_rows(_get(client_for("admin"), CSV))

    assert len(rows) == 302
    assert [int(r["序号"]) for r in rows] == list(range(1, 303))
    assert {r["备注"] for r in rows if r["机构名称"].startswith("导出测试机构")} == {"说明，含逗号和“引号”"}


# --- query budget ---------------------------------------------------------------------------------------------------


def _export_queries(client, name: str) -> tuple[int, int]:
    """(queries, rows) for one export, with the streamed content consumed inside the capture."""
    url = reverse(name)
    b"".join(client.get(url).streaming_content)  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        content = b"".join(response.streaming_content)
    assert response.status_code == 200
    if name == XLSX:
        rows = load_workbook(io.BytesIO(content))["机构名录"].max_row - 1
    else:
        rows = len(content.decode("utf-8-sig").splitlines()) - 1
    return len(ctx.captured_queries), rows


@pytest.mark.parametrize("persona", ["admin", "street_a"])
@pytest.mark.parametrize("export", [XLSX, CSV])
def test_export_query_count_does_not_grow_with_rows(client_for, district, persona, export):
    client = client_for(persona)
    _add(district, 5)
    few, rows_few = _export_queries(client, export)
    _add(district, 45, start=5)
    many, rows_many = _export_queries(client, export)

    assert rows_many - rows_few == 45
    assert many == few, (few, many)
    assert few <= 10  # session, user, scope, licence requirements, the filter's streets, the export itself


# --- LibreOffice ----------------------------------------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed (scripts/bootstrap.sh --office); CI installs it and runs this test",
)
def test_libreoffice_reads_the_exported_xlsx_with_its_chinese_header(client_for, tmp_path):
    assert SOFFICE, "CI must install LibreOffice: scripts/bootstrap.sh --office"
    source = tmp_path / "export.xlsx"
    source.write_bytes(b"".join(_get(client_for("admin"), XLSX).streaming_content))

    subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",  # comma, double quote, UTF-8
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )

    text = (tmp_path / "export.csv").read_text(encoding="utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header == HEADERS
    assert NAME_A in text and NAME_B in text
