"""lib/sheetimport, the generic half every import shares (institutions, staff, fee records)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from jianguan.lib.sheetimport import (
    ImportReport,
    RowError,
    find_header,
    header_key,
    iter_cells,
    read_sheet,
    service_errors,
    sub_header,
    write_rows,
)
from jianguan.org.models import Region

ALIASES = {"名称": "name", "金额": "amount", "街道乡镇": "street"}


def test_header_keys_ignore_stars_spaces_slashes_and_brackets():
    assert header_key(" 街道/乡镇* ") == "街道乡镇"
    assert header_key("场地面积（㎡）") == "场地面积㎡"
    assert header_key(None) == ""


def test_the_header_is_the_first_row_naming_the_anchor():
    rows = [("某某登记表",), (None,), ("名称", "金额", "名称")]
    assert find_header(rows, ALIASES, "name") == (2, {0: "name", 1: "amount"})
    assert find_header([("金额",)], ALIASES, "name") is None


def _book(path, rows):  # type: ignore[no-untyped-def]
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_reading_skips_blank_rows_and_names_missing_columns(tmp_path):
    path = _book(tmp_path / "a.xlsx", [["标题"], ["名称*", "金额"], ["甲", 1], [None, None], ["乙", "２"]])
    report = ImportReport()
    sheet = read_sheet(path, report, sheet="x", aliases=ALIASES, anchor="name", anchor_label="名称")
    assert sheet is not None and sheet.labels == {"name": "名称*", "amount": "金额"}
    bad: set[int] = set()
    assert [(r, c["name"]) for r, c in iter_cells(sheet, report, bad)] == [(3, "甲"), (5, "乙")]
    assert report.rows == 2 and not bad
    report = ImportReport()
    assert read_sheet(path, report, sheet="x", aliases=ALIASES, anchor="name", anchor_label="名称",
                      required=[("street", "街道/乡镇*")]) is None  # fmt: skip
    assert report.fatal == "缺少必需的列：街道/乡镇*" and report.summary == report.fatal


def test_service_errors_name_the_sheets_column():
    exc = ValidationError({"amount": ["太多"], "__all__": ["整行不对"]})
    errors = service_errors(7, exc, {"amount": "金额（元）"}, {"amount": 9})
    assert errors == [RowError(7, "金额（元）", "9", "太多"), RowError(7, "", "", "整行不对")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad, dry_run, valid_only, kept",
    [(set(), False, False, True), ({3}, False, False, False), ({3}, False, True, True), (set(), True, False, False)],
)
def test_write_rows_keeps_the_writes_only_when_it_should(district, bad, dry_run, valid_only, kept):
    report = ImportReport()

    def write() -> None:
        district.streets["a"].name = "改名街道"
        district.streets["a"].save()
        report.imported += 1

    write_rows(report, set(bad), write, dry_run=dry_run, valid_only=valid_only)
    assert Region.objects.filter(name="改名街道").exists() is kept
    assert report.committed is kept and report.rejected == len(bad)
    assert report.last_line == f"imported {report.imported}, updated 0, rejected {len(bad)}"


@pytest.mark.django_db
def test_a_row_failing_while_writing_rolls_everything_back(district):
    report = ImportReport()
    bad: set[int] = set()

    def write() -> None:
        district.streets["a"].name = "改名街道"
        district.streets["a"].save()
        report.errors.append(RowError(4, "", "", "服务拒绝"))
        bad.add(4)

    write_rows(report, bad, write, dry_run=False, valid_only=False)
    assert not report.committed and report.rejected == 1
    assert not Region.objects.filter(name="改名街道").exists()
    assert "未写入任何数据" in report.summary


def test_a_second_header_row_under_merged_cells_names_its_columns():
    aliases = {**ALIASES, "健康证明编号": "cert", "有效期至": "until"}
    header = ("名称", "健康证明", None)
    mapping = {0: "name"}
    assert sub_header(header, (None, "编号", "有效期至"), mapping, aliases, "name") == {
        1: ("cert", "健康证明编号"),
        2: ("until", "有效期至"),
    }
    assert sub_header(header, ("甲", "编号", "有效期至"), mapping, aliases, "name") == {}  # a data row
    assert sub_header(header, (None, "x", None), mapping, aliases, "name") == {}
