"""Hostile and broken workbooks: refused with a Chinese reason, in bounded memory and time, changing nothing
(the probe's wide-row and zip-bomb files, a sheet over the row limit, an oversized upload, over-long cells)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jianguan.registry.importer import import_file
from jianguan.registry.models import Institution
from tests.support import hostile_xlsx


def test_a_zip_bomb_is_refused_from_its_directory_without_unzipping(tmp_path, personas):
    path = hostile_xlsx.huge_string(tmp_path / "bomb.xlsx", megabytes=200)  # 200 MB of one letter, ~0.2 MB zipped
    assert path.stat().st_size < 1_000_000
    started = time.monotonic()
    report = import_file(path, actor=personas["admin"], dry_run=True)
    assert "解压后达 200 MB" in report.fatal and "超过上限 60 MB" in report.fatal
    assert time.monotonic() - started < 10  # nothing was inflated (reading it took minutes and 8 GB before)


def test_rows_padded_to_column_xfd_cost_nothing_and_import_nothing(tmp_path, personas):
    path = hostile_xlsx.wide_rows(tmp_path / "wide.xlsx", rows=12_000)
    before = Institution.objects.count()
    report = import_file(path, actor=personas["admin"])
    assert not report.fatal and report.rows == 0 and report.last_line == "imported 0, updated 0, rejected 0"
    assert Institution.objects.count() == before


def test_a_sheet_over_the_row_limit_is_refused(tmp_path, personas, settings):
    settings.JIANGUAN_IMPORT_MAX_ROWS = 50
    report = import_file(hostile_xlsx.many_rows(tmp_path / "rows.xlsx", 51), actor=personas["admin"])
    assert report.fatal == "表格超过 50 行，请分成多个文件导入（每个不超过 50 行）。"
    report = import_file(hostile_xlsx.many_rows(tmp_path / "ok.xlsx", 50), actor=personas["admin"], dry_run=True)
    assert not report.fatal and report.rows == 50


def test_a_file_over_the_upload_limit_is_refused_by_the_command_and_the_page(tmp_path, personas, client_for, settings):
    settings.JIANGUAN_UPLOAD_MAX_MB = 1
    path = hostile_xlsx.many_rows(tmp_path / "big.xlsx", 2)
    with path.open("ab") as f:
        f.write(os.urandom(1_100_000))  # junk after the zip: still over the limit on disk
    assert "超过上限 1 MB" in import_file(path, actor=personas["admin"]).fatal
    upload = SimpleUploadedFile("big.xlsx", path.read_bytes(), content_type="application/octet-stream")
    html = client_for("admin").post(reverse("registry:import_upload"), {"file": upload}).content.decode()
    assert "超过上限 1 MB" in html


def test_an_over_long_cell_is_refused_on_its_row(tmp_path, personas):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "机构名录"
    ws.append(["机构名称*", "机构类型*", "街道/乡镇*", "备注"])
    ws.append(["甲机构", "其他", "甲街道", "长" * 5000])
    path = tmp_path / "long.xlsx"
    wb.save(path)
    report = import_file(path, actor=personas["admin"])
    assert [(e.row, e.column, e.reason) for e in report.errors] == [(2, "备注", "内容过长（超过 2000 字）")]
    assert not Institution.objects.filter(name="甲机构").exists()


@pytest.mark.usefixtures("personas")
def test_abandoned_previews_are_cleaned_by_age_and_a_refused_file_is_not_kept(tmp_path, client_for, settings):
    settings.MEDIA_ROOT = tmp_path
    folder = Path(tmp_path) / "imports"
    folder.mkdir()
    old, recent = folder / "old.xlsx", folder / "recent.xlsx"
    for f in (old, recent):
        f.write_bytes(b"x")
    # Ages by the file system's clock (the test may run with its own clock set elsewhere).
    past = recent.stat().st_mtime - (settings.JIANGUAN_IMPORT_KEEP_HOURS + 1) * 3600
    os.utime(old, (past, past))
    bomb = hostile_xlsx.huge_string(tmp_path / "bomb.xlsx", megabytes=100)
    upload = SimpleUploadedFile("bomb.xlsx", bomb.read_bytes(), content_type="application/octet-stream")
    html = client_for("admin").post(reverse("registry:import_upload"), {"file": upload}).content.decode()
    assert "解压后达" in html
    assert sorted(p.name for p in folder.glob("*.xlsx")) == ["recent.xlsx"]  # the old preview gone, the bomb not kept
