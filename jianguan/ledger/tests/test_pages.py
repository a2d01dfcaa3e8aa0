"""Ledger pages: the filtered list, the standard Excel ledger (columns, real dates, LibreOffice), the item page and its
actions for the institution and the officers, and constant query counts."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from jianguan.ledger.exports import HEADERS
from jianguan.ledger.models import LedgerItem
from tests.support.district import tiny_jpeg


def _prefixed(action: str, **fields) -> dict:  # type: ignore[no-untyped-def]
    """The item page's forms carry their action as a prefix (several share the page)."""
    return {f"{action}-{name}": value for name, value in fields.items()}


def _xlsx(client, query: str = "") -> bytes:
    response = client.get(f"/ledger/export.xlsx{query}")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_excel_ledger_has_the_standard_columns_and_real_dates(client_for, district, tmp_path):
    item = district.ledger["a"]
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(_xlsx(client_for("lead")))
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS and ws.freeze_panes == "A2"
    row = next(r for r in rows[1:] if r[2] == "甲街道培训学校")
    assert row[0] == 1 and row[1] == "甲街道" and row[3] == "92990100MA00000A1P" and row[4] == "学科类培训"
    assert row[5] == "消防安全" and row[9] == "测试区消防救援大队" and row[11] == "待复查"
    assert row[10].date() == item.deadline  # a real date, not text
    assert ws.cell(row=2, column=HEADERS.index("整改时限") + 1).number_format == "yyyy-mm-dd"


def test_the_list_filters_by_status_department_and_category(client_for, district):
    client = client_for("lead")
    assert "甲街道培训学校" in client.get("/ledger/?status=submitted").content.decode()
    assert "甲街道培训学校" not in client.get("/ledger/?status=closed").content.decode()
    fire = district.departments["fire"].pk
    assert "甲街道培训学校" in client.get(f"/ledger/?department={fire}&category=fire_safety").content.decode()
    assert "甲街道培训学校" not in client.get("/ledger/?category=food_safety").content.decode()
    LedgerItem.objects.filter(pk=district.ledger["a"].pk).update(deadline=date(2026, 1, 5))
    html = client.get("/ledger/?status=overdue").content.decode()
    assert "甲街道培训学校" in html and "逾期" in html
    # Out of scope: another street sees none of it, the export neither.
    assert "甲街道培训学校" not in client_for("street_b").get("/ledger/").content.decode()
    assert b"\xe7\x94\xb2\xe8\xa1\x97\xe9\x81\x93\xe5\x9f\xb9" not in _xlsx(client_for("street_b"))


def test_an_officer_rechecks_on_the_page_and_a_stale_page_is_refused(client_for, district):
    item = district.ledger["a"]
    fire = client_for("fire_officer")
    page = fire.get(f"/ledger/{item.pk}/").content.decode()
    assert "记录复查" in page and "确认收到" not in page
    stale = item.version - 1
    response = fire.post(
        f"/ledger/{item.pk}/recheck/",
        _prefixed(
            "recheck", version=stale, passed="1", checked_on=timezone.localdate().isoformat(), note="通道畅通",
            officers=[district.users["edu_officer"].pk],
        ),
        follow=True,
    )  # fmt: skip
    assert "已被他人更新" in response.content.decode()
    alone = fire.post(
        f"/ledger/{item.pk}/recheck/",
        _prefixed("recheck", version=item.version, passed="1", checked_on=timezone.localdate().isoformat(), note="x"),
    )
    assert alone.status_code == 400 and "共同复查的执法人员" in alone.content.decode()  # two officers recheck
    item.refresh_from_db()
    assert item.status == "submitted"
    response = fire.post(
        f"/ledger/{item.pk}/recheck/",
        _prefixed(
            "recheck",
            version=item.version,
            passed="1",
            checked_on=timezone.localdate().isoformat(),
            note="通道畅通",
            officers=[district.users["edu_officer"].pk],
        ),
        follow=True,
    )
    item.refresh_from_db()
    assert item.status == "closed" and "整改复查意见书" in response.content.decode()


def test_the_institution_acts_on_its_own_items_only(client_for, district):
    item = district.ledger["a"]
    LedgerItem.objects.filter(pk=item.pk).update(status="in_progress")
    client = client_for("institution")
    page = client.get(f"/ledger/{item.pk}/").content.decode()
    assert "提交整改材料" in page and "申请延期" in page and "记录复查" not in page
    response = client.post(
        f"/ledger/{item.pk}/request_extension/",
        _prefixed("request_extension", version=item.version,
                  requested_deadline=(item.deadline + timedelta(days=7)).isoformat(), reason="防火门订货中"),
        follow=True,
    )  # fmt: skip
    assert "延期申请待审批" in response.content.decode()
    photos = [SimpleUploadedFile(f"p{n}.jpg", tiny_jpeg(), "image/jpeg") for n in range(2)]
    item.refresh_from_db()
    response = client.post(
        f"/ledger/{item.pk}/submit/",
        _prefixed("submit", version=item.version, note="已清理", files=photos),
        follow=True,
    )
    item.refresh_from_db()
    assert item.status == "submitted" and item.attachments.count() == 3  # one from before, two now
    assert client.post(f"/ledger/{item.pk}/recheck/", {"passed": "1", "note": "x"}).status_code == 403
    assert client_for("street_b").get(f"/ledger/{item.pk}/").status_code == 404


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return len(ctx.captured_queries)


def _grow(district, n: int) -> None:
    from jianguan.inspections.models import Finding
    from jianguan.ledger import services

    source = district.ledger["a"]
    for i in range(n):
        finding = Finding.objects.create(
            inspection=source.inspection, category="premises", description=f"增长{i}{timezone.now().timestamp()}",
            severity="minor", department=source.department, deadline=source.deadline,
        )  # fmt: skip
        services.items_from_notice(
            inspection=source.inspection, findings=[finding], issued_at=timezone.now(), actor=district.users["lead"]
        )
        new = LedgerItem.objects.get(finding=finding)
        services.submit(actor=district.users["institution"], item=new, note="已整改")
        services.recheck(
            officers=[district.users["edu_officer"]],
            actor=district.users["fire_officer"],
            item=new,
            passed=False,
            note="未通过",
        )


@pytest.mark.parametrize("url", ["/ledger/", "/ledger/?status=open", "/ledger/export.xlsx", "/ledger/{item}/"])
def test_query_count_does_not_grow_with_items(client_for, district, url):
    url = url.format(item=district.ledger["a"].pk)
    client = client_for("lead")
    _grow(district, 2)
    small = _queries(client, url)
    _grow(district, 5)
    assert _queries(client, url) == small


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"), reason="LibreOffice is not installed")
def test_libreoffice_opens_the_excel_ledger(client_for, tmp_path):
    source = tmp_path / "ledger.xlsx"
    source.write_bytes(_xlsx(client_for("lead")))
    subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(source)],
        check=True, timeout=120, capture_output=True,
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO((tmp_path / "ledger.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0] == HEADERS and any("甲街道培训学校" in r for r in rows[1:])


def test_home_pages_lead_with_open_overdue_and_recheck_counts(client_for, district):
    item = district.ledger["a"]
    html = client_for("fire_officer").get("/").content.decode()
    assert "/ledger/?status=submitted" in html and "待复查" in html
    LedgerItem.objects.filter(pk=item.pk).update(
        status="in_progress", deadline=timezone.localdate() - timedelta(days=1)
    )
    from jianguan.reports.selectors import ledger_figures

    figures = {f.label: f.value for f in ledger_figures(district.users["institution"], timezone.localdate())}
    assert figures["逾期未整改"] == 1 and figures["未销号问题"] == 1
    assert {f.label: f.value for f in ledger_figures(district.users["street_b"], timezone.localdate())}[
        "逾期未整改"
    ] == 0


def test_a_submission_refused_for_one_bad_file_keeps_the_text_typed(client_for, district):
    item = district.ledger["a"]
    LedgerItem.objects.filter(pk=item.pk).update(status="in_progress")
    item.refresh_from_db()
    client = client_for("institution")
    note = "后门安全出口的杂物和电动车已全部清走，并在门口设置禁停标识。"
    bad = SimpleUploadedFile("p.jpg", b"not a photo at all", "image/jpeg")
    response = client.post(
        f"/ledger/{item.pk}/submit/", _prefixed("submit", version=item.version, note=note, files=[bad])
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert note in html  # the text stays in the form
    assert 'role="alert"' in html and "is-invalid" in html  # the error beside the control
    item.refresh_from_db()
    assert item.status == "in_progress" and item.attachments.count() == 1
    # An over-long note is refused the same way, with what was typed.
    long = "长" * 2001
    response = client.post(f"/ledger/{item.pk}/submit/", _prefixed("submit", version=item.version, note=long))
    assert response.status_code == 400 and long in response.content.decode()


def test_an_institution_sees_only_the_filters_that_concern_it(client_for, district):
    own = client_for("institution").get("/ledger/").content.decode()
    assert 'name="status"' in own and 'name="category"' in own
    for staff_only in ('name="street"', 'name="department"', 'name="campaign"', 'name="q"'):
        assert staff_only not in own
    staff = client_for("lead").get("/ledger/").content.decode()
    assert 'name="street"' in staff and 'name="department"' in staff and 'name="q"' in staff
    # A staff filter in the address changes nothing for the institution: still its own items.
    assert client_for("institution").get("/ledger/", {"street": district.streets["b"].pk}).status_code == 200
