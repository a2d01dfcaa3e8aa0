"""Importing the institution registry from Excel: the importer, its management commands and the upload page.

Workbooks are built with openpyxl in tmp_path, the way street offices actually send them: title rows, blank rows,
header variants, full-width characters and numbers stored as text.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jianguan.audit.models import AuditEvent
from jianguan.lib.creditcode import check_char
from jianguan.registry.choices import InstitutionKind, OperatingStatus
from jianguan.registry.importer import CODE_NOT_YOURS, COLUMNS, import_file, write_template
from jianguan.registry.models import Institution

# The district's institutions (see tests.support.district.make_district).
CODE_A = "92990100MA00000A1P"  # 甲街道培训学校, street a
NAME_B = "乙街道小饭桌"  # no credit code, street b
# Valid codes that nobody holds yet.
CODE_1 = "91440300MA5H0HLK5U"
CODE_2 = "91133100MA0D8N1J7G"

TEMPLATE_HEADERS = [label for _name, label in COLUMNS]
FIELDS = [name for name, _label in COLUMNS]

pytestmark = pytest.mark.django_db


def _code(n: int) -> str:
    """A valid credit code, distinct for each n (area 990100, organisation code MA + 7 digits)."""
    body = f"91990100MA{n:07d}"
    return body + check_char(body)


def _save(path: Path, rows: list[list[Any]], *, title: str = "机构名录") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _row(name: Any = "", code: Any = "", kind: Any = "小饭桌", street: Any = "甲街道", **fields: Any) -> list[Any]:
    """One data row in the template's column order."""
    values = {"name": name, "credit_code": code, "kind": kind, "street": street, **fields}
    unknown = set(values) - set(FIELDS)
    assert not unknown, unknown
    return [values.get(f) for f in FIELDS]


def _sheet(path: Path, *rows: list[Any]) -> Path:
    """A workbook with the template's header in row 1 and the given rows from row 2 on."""
    return _save(path, [TEMPLATE_HEADERS, *rows])


def _counts() -> tuple[int, int]:
    return Institution.objects.count(), AuditEvent.objects.count()


def _errors(report) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.value) for e in report.errors]


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# --- a messy real-world sheet --------------------------------------------------------------------------------------


def _messy_sheet(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"  # not the template's sheet name: the first sheet is read
    ws.append(["青岚区校外培训机构名录（2026年3月）"])
    ws.merge_cells("A1:J1")
    ws.append([])
    ws.append(["序号", " 机构名称 ", "信用代码", "类型", "街道", "地址", "电话", "核定人数", "面积（㎡）", "状态"])
    ws.append([])
    ws.append(
        [
            1,
            "  阳光艺术培训中心 ",
            "９１４４０３００ＭＡ５Ｈ０ＨＬＫ５Ｕ",  # full-width digits and letters
            "非学科类培训",
            "甲街道",
            "甲街道 8 号 2 楼",
            "１３８００１３８０００",  # full-width digits
            "１２０",  # capacity as full-width text
            "85.5",  # floor area as text
            "正常经营",
        ]
    )
    ws.append(
        [
            2,
            "启明学科辅导",
            " 9113 3100 ma0d 8n1j 7g ",  # lowercase, spaced
            "学科类",
            990100001,  # the street's code, typed as a number
            "甲街道 9 号",
            "0571－88888888",  # full-width hyphen
            120.0,  # capacity as an Excel number
            60,
            "正常经营",
        ]
    )
    ws.append([None, None, None, None, None, None, None, None, None, None])
    ws.append([3, "小太阳托管班  ", None, "托管", "乙街道", "乙街道 5 号", 13900139000.0, None, "４０．５", None])
    ws.append([])
    ws.append([])
    wb.save(path)
    return path


def test_messy_real_world_sheet_imports_cleaned_values(tmp_path, personas):
    before = Institution.objects.count()
    report = import_file(_messy_sheet(tmp_path / "名录.xlsx"), actor=personas["admin"])

    assert report.fatal == ""
    assert report.errors == []
    assert report.committed
    assert (report.imported, report.updated, report.unchanged, report.rejected) == (3, 0, 0, 0)
    assert report.rows == 3
    assert Institution.objects.count() == before + 3

    sunshine = Institution.objects.get(credit_code=CODE_1)
    assert sunshine.name == "阳光艺术培训中心"
    assert sunshine.kind == InstitutionKind.NON_ACADEMIC
    assert sunshine.street.name == "甲街道"
    assert sunshine.address == "甲街道 8 号 2 楼"
    assert sunshine.contact_phone == "13800138000"
    assert sunshine.capacity == 120
    assert sunshine.floor_area == Decimal("85.5")
    assert sunshine.status == OperatingStatus.NORMAL
    assert sunshine.pinyin_initials == "ygyspxzx"

    qiming = Institution.objects.get(credit_code=CODE_2)
    assert qiming.name == "启明学科辅导"
    assert qiming.kind == InstitutionKind.ACADEMIC
    assert qiming.street.code == "990100001"
    assert qiming.contact_phone == "0571-88888888"
    assert qiming.capacity == 120
    assert qiming.floor_area == Decimal("60")
    assert qiming.pinyin_initials == "qmxkfd"

    sun = Institution.objects.get(name="小太阳托管班")
    assert sun.credit_code is None
    assert sun.kind == InstitutionKind.AFTER_SCHOOL
    assert sun.street.name == "乙街道"
    assert sun.contact_phone == "13900139000"  # not "13900139000.0"
    assert sun.capacity is None
    assert sun.floor_area == Decimal("40.5")
    assert sun.pinyin_initials == "xtytgb"

    for institution in (sunshine, qiming, sun):
        events = AuditEvent.objects.filter(action="institution.create", institution_id=institution.pk)
        assert events.count() == 1
        event = events.get()
        assert event.actor == personas["admin"]
        assert event.object_id == str(institution.pk)
        assert event.after["name"] == institution.name


def test_rows_after_the_header_keep_excel_row_numbers_across_blank_rows(tmp_path, personas):
    # The messy sheet's bad row sits at Excel row 8, after a title row, blank rows and a blank row between rows.
    path = _messy_sheet(tmp_path / "名录.xlsx")
    wb = load_workbook(path)
    wb.active["D8"] = "培训"  # unknown kind in the third data row
    wb.save(path)

    report = import_file(path, actor=personas["admin"])

    assert [(e.row, e.column, e.value) for e in report.errors] == [(8, "类型", "培训")]


def test_dry_run_reports_what_would_happen_and_writes_nothing(tmp_path, personas):
    before = _counts()
    report = import_file(_messy_sheet(tmp_path / "名录.xlsx"), actor=personas["admin"], dry_run=True)

    assert (report.imported, report.rejected) == (3, 0)
    assert not report.committed
    assert _counts() == before


# --- any bad row: nothing written -----------------------------------------------------------------------------------

BAD_ROWS = [
    pytest.param(
        _row("错码机构", "91440300MA5H0HLK5A"),
        ("统一社会信用代码", "91440300MA5H0HLK5A", "校验位错误：第 18 位应为“U”，实际为“A”，请核对前 17 位是否抄错"),
        id="wrong-check-character",
    ),
    pytest.param(
        _row("丙街道的机构", street="丙街道"),
        ("街道/乡镇*", "丙街道", "本区没有该街道/乡镇，应为：乙街道、甲街道"),
        id="unknown-street",
    ),
    pytest.param(
        _row("类型不对的机构", kind="培训班"),
        ("机构类型*", "培训班", "机构类型应为：学科类培训、非学科类培训、小饭桌、托管班、其他"),
        id="unknown-kind",
    ),
    pytest.param(
        _row("", CODE_2, address="某路 1 号"),
        ("机构名称*", "", "必填项为空"),
        id="required-name-missing",
    ),
    pytest.param(
        _row("人数不对的机构", capacity="abc"),
        ("容纳人数", "abc", "“abc”不是整数"),
        id="capacity-not-a-number",
    ),
    pytest.param(
        _row(" 无码 机构 ", kind="小饭桌", street="甲街道"),  # same name (spacing aside) and street as row 4
        ("机构名称*", "无码 机构", "与第 4 行是同一机构（重复行）"),
        id="duplicate-row-by-name",
    ),
    pytest.param(
        _row("换了个名字", CODE_1.lower()),  # same credit code as row 3, written differently
        ("机构名称*", "换了个名字", "与第 3 行是同一机构（重复行）"),
        id="duplicate-row-by-code",
    ),
]


@pytest.mark.parametrize("bad_row,expected", BAD_ROWS)
def test_one_bad_row_blocks_the_whole_file_and_is_reported(tmp_path, personas, bad_row, expected):
    path = _save(
        tmp_path / "bad.xlsx",
        [
            ["街道上报名录"],  # title row: the header is row 2, data starts at row 3
            TEMPLATE_HEADERS,
            _row("好机构", CODE_1, kind="小饭桌", street="甲街道"),
            _row("无码机构", kind="小饭桌", street="甲街道"),
            bad_row,
        ],
    )
    before = _counts()

    report = import_file(path, actor=personas["admin"])

    column, value, reason = expected
    assert _counts() == before
    assert not report.committed
    assert report.fatal == ""
    assert (report.imported, report.updated, report.rejected) == (0, 0, 1)
    assert len(report.errors) == 1
    error = report.errors[0]
    assert (error.row, error.column, error.value) == (5, column, value)
    assert error.reason == reason
    assert _has_chinese(error.reason)
    assert "未写入任何数据" in report.summary


def test_every_bad_row_is_listed_with_its_excel_row_number(tmp_path, personas):
    path = _sheet(
        tmp_path / "bad.xlsx",
        _row("好机构甲", CODE_1),  # row 2
        _row("错码机构", "91440300MA5H0HLK5A"),  # row 3
        _row("丙街道的机构", street="丙街道"),  # row 4
        [None] * len(FIELDS),  # row 5, blank
        _row("类型不对", kind="培训班"),  # row 6
        _row(None, street="乙街道"),  # row 7
        _row("人数不对", capacity="abc"),  # row 8
        _row("好机构甲", CODE_1),  # row 9, duplicate of row 2
    )
    before = _counts()

    report = import_file(path, actor=personas["admin"])

    assert _counts() == before
    assert _errors(report) == [
        (3, "统一社会信用代码", "91440300MA5H0HLK5A"),
        (4, "街道/乡镇*", "丙街道"),
        (6, "机构类型*", "培训班"),
        (7, "机构名称*", ""),
        (8, "容纳人数", "abc"),
        (9, "机构名称*", "好机构甲"),
    ]
    assert all(_has_chinese(e.reason) for e in report.errors)
    assert report.rejected == 6
    assert report.rows == 7
    assert report.last_line == "imported 0, updated 0, rejected 6"


def test_a_row_with_two_bad_cells_reports_both_but_counts_once(tmp_path, personas):
    path = _sheet(tmp_path / "bad.xlsx", _row("两处错", "123", kind="培训班"))

    report = import_file(path, actor=personas["admin"])

    assert [(e.row, e.column) for e in report.errors] == [(2, "统一社会信用代码"), (2, "机构类型*")]
    assert report.rejected == 1


def test_an_error_found_by_the_service_blocks_the_file_too(tmp_path, personas):
    # The phone passes the parser but not the model's validator: the error comes back from the service.
    path = _sheet(tmp_path / "bad.xlsx", _row("好机构", CODE_1), _row("电话不对", contact_phone="12"))
    before = _counts()

    report = import_file(path, actor=personas["admin"])

    assert _counts() == before
    assert not report.committed
    assert [(e.row, e.column) for e in report.errors] == [(3, "联系电话")]
    assert report.errors[0].reason.startswith("请输入有效的电话号码")
    assert report.rejected == 1


def test_an_error_found_by_the_service_reports_the_bad_value(tmp_path, personas):
    path = _sheet(tmp_path / "bad.xlsx", _row("电话不对", contact_phone="12"))

    report = import_file(path, actor=personas["admin"])

    assert _errors(report) == [(2, "联系电话", "12")]


# --- valid_only -----------------------------------------------------------------------------------------------------


def test_valid_only_imports_the_good_rows_and_rejects_the_bad(tmp_path, personas):
    path = _sheet(
        tmp_path / "mixed.xlsx",
        _row("好机构一", CODE_1, kind="学科类培训"),  # row 2
        _row("错码机构", "91440300MA5H0HLK5A"),  # row 3
        _row("好机构二", street="乙街道"),  # row 4
        _row("丙街道的机构", street="丙街道"),  # row 5
        _row("好机构一的副本", CODE_1),  # row 6, duplicate of row 2
    )
    before = Institution.objects.count()

    report = import_file(path, actor=personas["admin"], valid_only=True)

    assert report.committed
    assert (report.imported, report.updated, report.rejected) == (2, 0, 3)
    assert [e.row for e in report.errors] == [3, 5, 6]
    assert report.last_line == "imported 2, updated 0, rejected 3"
    assert Institution.objects.count() == before + 2
    assert Institution.objects.get(credit_code=CODE_1).name == "好机构一"
    assert Institution.objects.filter(name="好机构二", street__name="乙街道").exists()
    assert not Institution.objects.filter(name__in=["错码机构", "丙街道的机构", "好机构一的副本"]).exists()


def test_valid_only_also_skips_rows_the_service_refuses(tmp_path, personas):
    path = _sheet(tmp_path / "mixed.xlsx", _row("好机构", CODE_1), _row("电话不对", contact_phone="12"))

    report = import_file(path, actor=personas["admin"], valid_only=True)

    assert report.committed
    assert report.last_line == "imported 1, updated 0, rejected 1"
    assert not Institution.objects.filter(name="电话不对").exists()
    assert not AuditEvent.objects.filter(object_label="电话不对").exists()


# --- re-importing ---------------------------------------------------------------------------------------------------


def _reimport_sheet(path: Path, address: str = "甲街道 8 号") -> Path:
    return _sheet(
        path,
        _row("阳光艺术培训中心", CODE_1, kind="非学科类培训", address=address, capacity=30),
        _row("青苗小饭桌", street="乙街道", address="乙街道 6 号", capacity=20),
    )


def test_reimporting_the_same_file_does_not_duplicate(tmp_path, personas):
    path = _reimport_sheet(tmp_path / "名录.xlsx")
    first = import_file(path, actor=personas["admin"])
    assert (first.imported, first.updated) == (2, 0)
    count = Institution.objects.count()

    second = import_file(path, actor=personas["admin"])

    assert second.committed
    assert second.imported == 0
    assert second.updated + second.unchanged == 2
    assert Institution.objects.count() == count
    assert Institution.objects.filter(credit_code=CODE_1).count() == 1
    assert Institution.objects.filter(name="青苗小饭桌").count() == 1


def test_reimporting_the_same_file_reports_the_rows_unchanged(tmp_path, personas):
    path = _reimport_sheet(tmp_path / "名录.xlsx")
    import_file(path, actor=personas["admin"])

    second = import_file(path, actor=personas["admin"])

    assert (second.imported, second.updated, second.unchanged) == (0, 0, 2)


def test_reimporting_unchanged_rows_writes_no_update_audit_event(tmp_path, personas):
    path = _reimport_sheet(tmp_path / "名录.xlsx")
    import_file(path, actor=personas["admin"])
    events = AuditEvent.objects.count()

    import_file(path, actor=personas["admin"])

    assert AuditEvent.objects.count() == events


def test_a_changed_address_counts_as_updated(tmp_path, personas):
    import_file(_reimport_sheet(tmp_path / "v1.xlsx"), actor=personas["admin"])
    institution = Institution.objects.get(credit_code=CODE_1)
    count = Institution.objects.count()

    report = import_file(_reimport_sheet(tmp_path / "v2.xlsx", address="甲街道 10 号"), actor=personas["admin"])

    assert report.committed
    assert report.imported == 0
    assert report.updated >= 1
    assert Institution.objects.count() == count
    institution.refresh_from_db()
    assert institution.address == "甲街道 10 号"
    event = AuditEvent.objects.filter(action="institution.update", institution_id=institution.pk).get()
    assert event.before == {"address": "甲街道 8 号"}
    assert event.after == {"address": "甲街道 10 号"}


@pytest.mark.parametrize(
    "variant",
    ["乙街道 小饭桌", " 乙街道小饭桌 ", "乙街道（小饭桌）", "乙　街　道　小　饭　桌"],
    ids=["inner-space", "outer-spaces", "brackets", "ideographic-spaces"],
)
def test_a_row_without_code_updates_the_institution_with_the_same_name_in_the_street(
    tmp_path, district, personas, variant
):
    b = district.institutions["b"]
    count = Institution.objects.count()
    path = _sheet(tmp_path / "b.xlsx", _row(variant, kind="小饭桌", street="乙街道", address="乙街道 99 号"))

    report = import_file(path, actor=personas["admin"])

    assert report.committed
    assert (report.imported, report.updated) == (0, 1)
    assert Institution.objects.count() == count
    b.refresh_from_db()
    assert b.address == "乙街道 99 号"


def test_full_width_and_case_variants_of_a_name_match_on_reimport(tmp_path, personas):
    import_file(_sheet(tmp_path / "v1.xlsx", _row("ABC 美术小饭桌")), actor=personas["admin"])
    count = Institution.objects.count()

    report = import_file(_sheet(tmp_path / "v2.xlsx", _row("ａｂｃ美术小饭桌", capacity=12)), actor=personas["admin"])

    assert (report.imported, report.updated) == (0, 1)
    assert Institution.objects.count() == count
    assert Institution.objects.get(capacity=12).street.name == "甲街道"


def test_the_same_name_in_another_street_is_another_institution(tmp_path, district, personas):
    count = Institution.objects.count()
    path = _sheet(tmp_path / "b.xlsx", _row(NAME_B, kind="小饭桌", street="甲街道"))

    report = import_file(path, actor=personas["admin"])

    assert report.imported == 1
    assert Institution.objects.count() == count + 1
    assert Institution.objects.filter(name=NAME_B).count() == 2


def test_a_row_matches_by_credit_code_even_when_the_name_changed(tmp_path, district, personas):
    a = district.institutions["a"]
    path = _sheet(tmp_path / "a.xlsx", _row("甲街道培训学校（更名）", CODE_A.lower(), kind="学科类培训"))

    report = import_file(path, actor=personas["admin"])

    assert (report.imported, report.updated) == (0, 1)
    a.refresh_from_db()
    assert a.name == "甲街道培训学校（更名）"


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(_row(NAME_B, CODE_2, kind="小饭桌", street="乙街道"), id="code-added-to-known-site"),
        pytest.param(_row("甲街道培训学校", "", kind="学科类培训", street="甲街道"), id="code-left-blank"),
    ],
)
def test_a_row_does_not_create_a_twin_of_a_registered_institution(tmp_path, personas, row):
    name, street = row[FIELDS.index("name")], row[FIELDS.index("street")]
    path = _sheet(tmp_path / "twin.xlsx", row)

    import_file(path, actor=personas["admin"])

    assert Institution.objects.filter(name=name, street__name=street).count() == 1


def test_columns_missing_from_the_sheet_leave_the_stored_values_alone(tmp_path, personas):
    full = _row(
        "阳光艺术培训中心",
        CODE_1,
        kind="非学科类培训",
        address="甲街道 8 号",
        contact_phone="13800138000",
        capacity=30,
        floor_area=85.5,
        legal_representative="张三",
        notes="首次登记",
    )
    import_file(_sheet(tmp_path / "full.xlsx", full), actor=personas["admin"])
    short = _save(
        tmp_path / "short.xlsx",
        [["机构名称", "信用代码", "类型", "街道"], ["阳光艺术培训中心", CODE_1, "非学科类培训", "甲街道"]],
    )

    report = import_file(short, actor=personas["admin"])

    assert report.errors == []
    institution = Institution.objects.get(credit_code=CODE_1)
    assert (institution.address, institution.contact_phone, institution.capacity, institution.floor_area) == (
        "甲街道 8 号",
        "13800138000",
        30,
        Decimal("85.5"),
    )
    assert (institution.legal_representative, institution.notes) == ("张三", "首次登记")


# --- credit codes and street scope ----------------------------------------------------------------------------------


def test_admin_row_with_a_known_code_updates_that_institution_even_in_another_street(tmp_path, district, personas):
    # The credit code identifies the institution; the row's street moves it (the admin's scope is the district).
    a = district.institutions["a"]
    count = Institution.objects.count()
    path = _sheet(
        tmp_path / "moved.xlsx",
        _row("甲街道培训学校", CODE_A, kind="学科类培训", street="乙街道", address="甲街道 1 号"),
    )

    report = import_file(path, actor=personas["admin"])

    assert report.committed
    assert (report.imported, report.updated, report.rejected) == (0, 1, 0)
    assert Institution.objects.count() == count
    a.refresh_from_db()
    assert a.street == district.streets["b"]
    event = AuditEvent.objects.filter(action="institution.update", institution_id=a.pk).get()
    assert event.after == {"street": district.streets["b"].pk}


def test_street_officer_cannot_update_an_institution_of_another_street_by_its_code(tmp_path, district, personas):
    a = district.institutions["a"]
    path = _sheet(
        tmp_path / "b.xlsx",
        _row("乙街道新机构", street="乙街道"),  # row 2: fine for street b
        _row("甲街道培训学校", CODE_A, kind="学科类培训", street="乙街道"),  # row 3: code belongs to street a
    )
    before = _counts()

    report = import_file(path, actor=personas["street_b"])

    assert not report.committed
    assert _counts() == before
    assert [e.row for e in report.errors] == [3]
    # Neither that the code is registered elsewhere nor where: the same words as for any code one may not use.
    assert report.errors[0].reason == CODE_NOT_YOURS and report.errors[0].column == "统一社会信用代码"
    assert "甲街道" not in report.errors[0].reason and "权限范围" not in report.errors[0].reason
    assert report.rejected == 1
    a.refresh_from_db()
    assert (a.street, a.name) == (district.streets["a"], "甲街道培训学校")


def test_street_officer_with_valid_only_gets_only_the_foreign_code_row_rejected(tmp_path, district, personas):
    a = district.institutions["a"]
    path = _sheet(
        tmp_path / "b.xlsx",
        _row("乙街道新机构", street="乙街道"),
        _row("改个名字", CODE_A, kind="学科类培训", street="乙街道"),
    )

    report = import_file(path, actor=personas["street_b"], valid_only=True)

    assert report.committed
    assert report.last_line == "imported 1, updated 0, rejected 1"
    assert _has_chinese(report.errors[0].reason)
    a.refresh_from_db()
    assert (a.street, a.name) == (district.streets["a"], "甲街道培训学校")
    assert not AuditEvent.objects.filter(action="institution.update", institution_id=a.pk).exists()


def test_street_officer_cannot_move_own_institution_to_another_street(tmp_path, district, personas):
    a = district.institutions["a"]
    path = _sheet(tmp_path / "a.xlsx", _row("甲街道培训学校", CODE_A, kind="学科类培训", street="乙街道"))

    report = import_file(path, actor=personas["street_a"])

    assert not report.committed
    assert [(e.row, e.reason) for e in report.errors] == [(2, "只能在本街道/乡镇范围内登记或修改机构。")]
    a.refresh_from_db()
    assert a.street == district.streets["a"]


def test_street_officer_rows_for_another_street_are_rejected(tmp_path, district, personas):
    path = _sheet(
        tmp_path / "a.xlsx",
        _row("甲街道新机构一"),  # row 2
        _row("乙街道的机构", street="乙街道"),  # row 3
        _row("甲街道新机构二", CODE_1),  # row 4
        _row("乙街道另一家", CODE_2, street="990100002"),  # row 5, street by code
    )
    before = _counts()

    report = import_file(path, actor=personas["street_a"])

    assert _counts() == before
    assert not report.committed
    assert [(e.row, e.column) for e in report.errors] == [(3, "街道/乡镇*"), (5, "街道/乡镇*")]
    assert {e.reason for e in report.errors} == {"只能在本街道/乡镇范围内登记或修改机构。"}

    report = import_file(path, actor=personas["street_a"], valid_only=True)

    assert report.last_line == "imported 2, updated 0, rejected 2"
    assert set(Institution.objects.filter(name__contains="新机构").values_list("street__name", flat=True)) == {"甲街道"}
    assert not Institution.objects.filter(name__in=["乙街道的机构", "乙街道另一家"]).exists()


def test_a_street_officer_does_not_match_a_same_named_institution_of_another_street(tmp_path, district, personas):
    # street_a imports "乙街道小饭桌" in 甲街道: a new site of their own, not institution b of street b.
    b = district.institutions["b"]
    path = _sheet(tmp_path / "a.xlsx", _row(NAME_B, street="甲街道", address="甲街道 7 号"))

    report = import_file(path, actor=personas["street_a"])

    assert (report.imported, report.updated) == (1, 0)
    b.refresh_from_db()
    assert b.address == "乙街道 2 号"


@pytest.mark.parametrize("name", ["edu_officer", "fire_officer", "legal", "leader", "institution"])
def test_roles_that_may_not_manage_institutions_get_every_row_rejected(tmp_path, personas, name):
    path = _sheet(tmp_path / "x.xlsx", _row("无权导入的机构"))
    before = _counts()

    report = import_file(path, actor=personas[name], valid_only=True)

    assert _counts() == before
    assert report.imported == 0
    assert report.rejected == 1
    assert report.errors[0].reason == "您没有执行此操作的权限。"


# --- operating status -----------------------------------------------------------------------------------------------


def test_a_new_institution_is_registered_with_the_status_in_the_sheet(tmp_path, personas):
    path = _sheet(tmp_path / "s.xlsx", _row("已注销的机构", status="已注销"))

    report = import_file(path, actor=personas["admin"])

    assert report.committed
    institution = Institution.objects.get(name="已注销的机构")
    assert institution.status == OperatingStatus.DEREGISTERED
    change = institution.status_changes.get()
    assert (change.from_status, change.to_status) == (OperatingStatus.NORMAL, OperatingStatus.DEREGISTERED)


def test_a_sanction_in_the_sheet_is_not_entered_without_its_decision(tmp_path, personas):
    path = _sheet(tmp_path / "s.xlsx", _row("停业中的机构", status="停业整顿"))

    report = import_file(path, actor=personas["admin"])

    assert report.committed
    institution = Institution.objects.get(name="停业中的机构")
    assert institution.status == OperatingStatus.NORMAL and not institution.status_changes.exists()
    assert "决定文号" in report.notes[0].reason


def test_an_unknown_status_is_reported(tmp_path, personas):
    path = _sheet(tmp_path / "s.xlsx", _row("状态不明的机构", status="营业中"))

    report = import_file(path, actor=personas["admin"])

    assert _errors(report) == [(2, "经营状态", "营业中")]
    assert report.errors[0].reason.startswith("经营状态应为：正常经营")


def test_an_unregistered_site_can_be_imported_with_status_unregistered(tmp_path, personas):
    path = _sheet(tmp_path / "s.xlsx", _row("巡查发现的托管点", kind="托管班", status="未登记"))

    report = import_file(path, actor=personas["admin"])

    assert report.errors == []
    assert Institution.objects.get(name="巡查发现的托管点").status == OperatingStatus.UNREGISTERED


# --- files that are not a usable sheet ------------------------------------------------------------------------------


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


NOT_XLSX = [
    pytest.param("机构名称,机构类型,街道\n好机构,小饭桌,甲街道\n".encode(), id="text-renamed"),
    pytest.param(b"", id="empty"),
    pytest.param(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 1024, id="xls-like-ole-garbage"),
    pytest.param(_zip_without_workbook(), id="zip-without-workbook"),
]
FATAL_NOT_XLSX = "文件不是有效的 Excel（.xlsx）文件，请用模板另存为 .xlsx 后再导入。"


@pytest.mark.parametrize("content", NOT_XLSX)
def test_a_file_that_is_not_xlsx_is_a_fatal_error(tmp_path, personas, content):
    path = tmp_path / "名录.xlsx"
    path.write_bytes(content)
    before = _counts()

    report = import_file(path, actor=personas["admin"], valid_only=True)

    assert report.fatal == FATAL_NOT_XLSX
    assert report.summary == FATAL_NOT_XLSX
    assert not report.committed
    assert (report.imported, report.rows, report.errors) == (0, 0, [])
    assert _counts() == before


@pytest.mark.parametrize("suffix", [".xls", ".csv"])
def test_a_file_with_another_extension_is_a_fatal_error(tmp_path, personas, suffix):
    path = tmp_path / f"名录{suffix}"
    path.write_bytes(b"whatever")

    report = import_file(path, actor=personas["admin"])

    assert report.fatal == FATAL_NOT_XLSX


def _damaged_xlsx(path: Path, tmp_path: Path) -> Path:
    """A real workbook whose sheet XML was cut off, as a broken transfer leaves it (the zip itself is intact)."""
    good = _sheet(tmp_path / "good.xlsx", *[_row(f"机构{i}") for i in range(50)])
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            zout.writestr(item, data)
    return path


def test_a_damaged_xlsx_is_a_fatal_error_not_a_crash(tmp_path, personas):
    path = _damaged_xlsx(tmp_path / "damaged.xlsx", tmp_path)

    report = import_file(path, actor=personas["admin"])

    assert report.fatal == FATAL_NOT_XLSX


def test_a_sheet_without_a_name_header_is_a_fatal_error(tmp_path, personas):
    path = _save(tmp_path / "x.xlsx", [["单位", "类别", "街道"], ["好机构", "小饭桌", "甲街道"]])
    before = _counts()

    report = import_file(path, actor=personas["admin"])

    assert report.fatal == "没有找到表头：前 10 行中应有一行包含“机构名称”等列名。请使用导入模板。"
    assert _counts() == before


def test_a_header_below_the_tenth_row_is_not_found(tmp_path, personas):
    path = _save(tmp_path / "x.xlsx", [*[["说明"]] * 10, TEMPLATE_HEADERS, _row("好机构")])

    report = import_file(path, actor=personas["admin"])

    assert report.fatal.startswith("没有找到表头")


def test_a_sheet_missing_required_columns_is_a_fatal_error(tmp_path, personas):
    path = _save(tmp_path / "x.xlsx", [["机构名称", "地址"], ["好机构", "某路 1 号"]])

    report = import_file(path, actor=personas["admin"])

    assert report.fatal == "缺少必需的列：机构类型*、街道/乡镇*"
    assert not Institution.objects.filter(name="好机构").exists()


def test_the_sheet_named_like_the_template_is_read_whatever_its_position(tmp_path, personas):
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["请填写第二张表"])
    ws = wb.create_sheet("机构名录")
    ws.append(TEMPLATE_HEADERS)
    ws.append(_row("第二张表里的机构"))
    wb.save(tmp_path / "x.xlsx")

    report = import_file(tmp_path / "x.xlsx", actor=personas["admin"])

    assert report.imported == 1
    assert Institution.objects.filter(name="第二张表里的机构").exists()


# --- the import_institutions command --------------------------------------------------------------------------------


def _command(*args: str) -> tuple[str, BaseException | None]:
    out = io.StringIO()
    try:
        call_command("import_institutions", *args, stdout=out)
    except (SystemExit, CommandError) as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_command_imports_and_ends_with_the_counts_line(tmp_path, personas):
    path = _sheet(tmp_path / "名录.xlsx", _row("命令导入一", CODE_1), _row("命令导入二", street="乙街道"))

    out, exc = _command(str(path), "--as", "p_admin")

    assert exc is None
    assert out.splitlines()[-1] == "imported 2, updated 0, rejected 0"
    assert "新增 2 家" in out
    event = AuditEvent.objects.filter(action="institution.create", object_label="命令导入一").get()
    assert event.actor == personas["admin"]
    assert event.source == "command"


def test_command_prints_row_errors_and_exits_non_zero_without_writing(tmp_path, personas):
    path = _sheet(tmp_path / "名录.xlsx", _row("命令导入一", CODE_1), _row("错码机构", "91440300MA5H0HLK5A"))
    before = _counts()

    out, exc = _command(str(path), "--as", "p_admin")

    assert isinstance(exc, SystemExit) and exc.code == 1
    assert _counts() == before
    lines = out.splitlines()
    assert lines[0] == (
        "第 3 行 统一社会信用代码 “91440300MA5H0HLK5A”：校验位错误：第 18 位应为“U”，实际为“A”，请核对前 17 位是否抄错"
    )
    assert "未写入任何数据" in out
    assert lines[-1] == "imported 0, updated 0, rejected 1"


def test_command_valid_only_imports_the_good_rows_and_exits_zero(tmp_path, personas):
    path = _sheet(tmp_path / "名录.xlsx", _row("命令导入一", CODE_1), _row("丙街道的机构", street="丙街道"))

    out, exc = _command(str(path), "--as", "p_admin", "--valid-only")

    assert exc is None
    assert "第 3 行 街道/乡镇* “丙街道”：本区没有该街道/乡镇" in out
    assert out.splitlines()[-1] == "imported 1, updated 0, rejected 1"
    assert Institution.objects.filter(credit_code=CODE_1).exists()


def test_command_dry_run_writes_nothing(tmp_path, personas):
    path = _sheet(tmp_path / "名录.xlsx", _row("命令导入一", CODE_1), _row("命令导入二", street="乙街道"))
    before = _counts()

    out, exc = _command(str(path), "--as", "p_admin", "--dry-run")

    assert exc is None
    assert _counts() == before
    assert "（试运行，未写入）新增 2 家" in out
    assert out.splitlines()[-1] == "imported 2, updated 0, rejected 0"


def test_command_imports_as_the_given_user_with_their_scope(tmp_path, personas):
    path = _sheet(tmp_path / "名录.xlsx", _row("甲街道新机构"), _row("乙街道新机构", street="乙街道"))

    out, exc = _command(str(path), "--as", "p_street_a", "--valid-only")

    assert exc is None
    assert out.splitlines()[-1] == "imported 1, updated 0, rejected 1"
    assert "只能在本街道/乡镇范围内登记或修改机构" in out
    assert AuditEvent.objects.get(object_label="甲街道新机构").actor == personas["street_a"]


def test_command_refuses_a_file_that_is_not_xlsx(tmp_path, personas):
    path = tmp_path / "名录.xlsx"
    path.write_text("机构名称\n", encoding="utf-8")

    with pytest.raises(CommandError, match="不是有效的 Excel"):
        call_command("import_institutions", str(path), "--as", "p_admin", stdout=io.StringIO())


def test_command_refuses_an_unknown_user(tmp_path, personas):
    path = _sheet(tmp_path / "名录.xlsx", _row("命令导入一"))

    with pytest.raises(CommandError, match="账户 nobody 不存在或已停用"):
        call_command("import_institutions", str(path), "--as", "nobody", stdout=io.StringIO())
    assert not Institution.objects.filter(name="命令导入一").exists()


# --- the template ---------------------------------------------------------------------------------------------------


def _validations(ws) -> dict[str, str]:
    """First cell of each data validation's range → its formula."""
    found = {}
    for dv in ws.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            found[cell_range.coord.split(":")[0]] = dv.formula1
    return found


def test_template_command_writes_the_instructions_the_sheet_and_hidden_options(tmp_path, district):
    out_path = tmp_path / "机构名录模板.xlsx"
    out = io.StringIO()

    call_command("institution_template", str(out_path), stdout=out)

    assert str(out_path) in out.getvalue()
    wb = load_workbook(out_path)
    assert wb.sheetnames == ["填写说明", "机构名录", "选项"]
    assert wb.active.title == "机构名录"
    assert wb["选项"].sheet_state == "hidden"
    assert wb["填写说明"]["A1"].value == "机构名录导入模板 填写说明"

    ws = wb["机构名录"]
    headers = [c.value for c in ws[1]]
    assert headers == TEMPLATE_HEADERS
    assert headers[:5] == ["机构名称*", "统一社会信用代码", "机构类型*", "细分类型", "街道/乡镇*"]
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 1  # no sample rows that would be imported by mistake

    options = wb["选项"]
    kinds = [c.value for c in options["A"] if c.value]
    streets = [c.value for c in options["C"] if c.value]
    assert kinds == ["学科类培训", "非学科类培训", "小饭桌", "托管班", "其他"]
    assert set(streets) == {"甲街道", "乙街道"}

    validations = _validations(ws)
    assert validations["C2"].lstrip("=") == "选项!$A$1:$A$5"
    assert validations["E2"].lstrip("=") == f"选项!$C$1:$C${len(streets)}"
    kind_dv = next(dv for dv in ws.data_validations.dataValidation if "C2" in dv.sqref)
    assert kind_dv.type == "list"
    assert "C5000" in kind_dv.sqref


def test_template_headers_are_all_recognised_by_the_importer(tmp_path, personas):
    path = tmp_path / "t.xlsx"
    write_template(path)
    wb = load_workbook(path)
    ws = wb["机构名录"]
    ws.append(
        _row(
            "全列机构",
            CODE_1,
            kind="非学科类培训",
            sub_kind="体育",
            address="甲街道 3 号",
            legal_representative="张三",
            contact_person="李四",
            contact_phone="13800138000",
            capacity=50,
            floor_area=120.5,
            floors="2 层",
            status="正常经营",
            notes="备注一",
        )
    )
    wb.save(path)

    report = import_file(path, actor=personas["admin"])

    assert report.errors == []
    i = Institution.objects.get(credit_code=CODE_1)
    assert (i.sub_kind, i.legal_representative, i.contact_person, i.floors, i.notes) == (
        "sports",
        "张三",
        "李四",
        "2 层",
        "备注一",
    )
    assert i.floor_area == Decimal("120.5")


def test_template_filled_with_one_valid_row_imports(tmp_path, personas):
    path = tmp_path / "t.xlsx"
    call_command("institution_template", str(path), stdout=io.StringIO())
    wb = load_workbook(path)
    ws = wb["机构名录"]
    ws["A2"] = "模板填写的机构"
    ws["C2"] = "小饭桌"
    ws["E2"] = "乙街道"
    wb.save(path)

    report = import_file(path, actor=personas["admin"])

    assert report.last_line == "imported 1, updated 0, rejected 0"
    assert Institution.objects.get(name="模板填写的机构").street.name == "乙街道"


def test_an_empty_template_imports_nothing(tmp_path, personas):
    path = tmp_path / "t.xlsx"
    write_template(path)
    before = _counts()

    report = import_file(path, actor=personas["admin"])

    assert report.fatal == ""
    assert report.last_line == "imported 0, updated 0, rejected 0"
    assert _counts() == before


@pytest.mark.parametrize("name,status", [("admin", 200), ("street_a", 200), ("edu_officer", 403)])
def test_template_download_is_for_those_who_manage_institutions(client_for, name, status):
    response = client_for(name).get(reverse("registry:import_template"))

    assert response.status_code == status
    if status == 200:
        wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert "机构名录" in wb.sheetnames
        assert "attachment" in response["Content-Disposition"]


# --- the upload page ------------------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _upload(client, path: Path, **extra: Any):
    content = SimpleUploadedFile(
        path.name, path.read_bytes(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return client.post(reverse("registry:import_upload"), {"file": content, **extra})


def test_upload_preview_then_confirm_imports(tmp_path, media, client_for):
    client = client_for("admin")
    path = _sheet(tmp_path / "名录.xlsx", _row("页面导入的机构", CODE_1), _row("页面导入二", street="乙街道"))
    before = _counts()

    preview = _upload(client, path)

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "共 2 行数据；新增 2 家，更新 0 家，未变化 0 家，拒绝 0 行" in html
    assert "确认导入" in html
    assert _counts() == before
    token = preview.context["token"]
    assert token and (Path(media) / "imports" / f"{token}.xlsx").exists()

    response = client.post(reverse("registry:import_upload"), {"confirm": "1", "token": token})

    assert response.status_code == 302
    assert response["Location"] == reverse("registry:institution_list")
    assert Institution.objects.filter(credit_code=CODE_1, name="页面导入的机构").exists()
    assert Institution.objects.filter(name="页面导入二", street__name="乙街道").exists()
    assert AuditEvent.objects.get(object_label="页面导入的机构").source == "web"
    assert not (Path(media) / "imports" / f"{token}.xlsx").exists()
    followed = client.get(response["Location"]).content.decode()
    assert "新增 2 家" in followed


def test_upload_preview_lists_row_errors(tmp_path, media, client_for):
    path = _sheet(tmp_path / "名录.xlsx", _row("好机构", CODE_1), _row("错码机构", "91440300MA5H0HLK5A"))

    html = _upload(client_for("admin"), path).content.decode()

    assert "<td>3</td><td>统一社会信用代码</td><td>91440300MA5H0HLK5A</td>" in html
    assert "校验位错误" in html
    assert not Institution.objects.filter(credit_code=CODE_1).exists()


def test_confirm_with_a_wrong_token_writes_nothing(tmp_path, media, client_for):
    client = client_for("admin")
    path = _sheet(tmp_path / "名录.xlsx", _row("页面导入的机构", CODE_1))
    token = _upload(client, path).context["token"]
    before = _counts()

    response = client.post(reverse("registry:import_upload"), {"confirm": "1", "token": "0" * 32})

    assert response.status_code == 302
    assert response["Location"] == reverse("registry:import_upload")
    assert _counts() == before
    assert "导入文件已失效，请重新上传。" in client.get(response["Location"]).content.decode()
    # the right token still works afterwards
    client.post(reverse("registry:import_upload"), {"confirm": "1", "token": token})
    assert Institution.objects.filter(credit_code=CODE_1).count() == 1


def test_confirm_with_a_used_token_does_not_import_twice(tmp_path, media, client_for):
    client = client_for("admin")
    path = _sheet(tmp_path / "名录.xlsx", _row("页面导入的机构", CODE_1))
    token = _upload(client, path).context["token"]
    client.post(reverse("registry:import_upload"), {"confirm": "1", "token": token})
    after_first = _counts()

    response = client.post(reverse("registry:import_upload"), {"confirm": "1", "token": token})

    assert response["Location"] == reverse("registry:import_upload")
    assert _counts() == after_first


def test_confirm_with_another_users_token_writes_nothing(tmp_path, media, client_for):
    path = _sheet(tmp_path / "名录.xlsx", _row("页面导入的机构", CODE_1))
    token = _upload(client_for("admin"), path).context["token"]
    before = _counts()

    response = client_for("lead").post(reverse("registry:import_upload"), {"confirm": "1", "token": token})

    assert response["Location"] == reverse("registry:import_upload")
    assert _counts() == before


def test_confirm_without_any_upload_writes_nothing(media, client_for):
    before = _counts()

    response = client_for("admin").post(reverse("registry:import_upload"), {"confirm": "1", "token": ""})

    assert response.status_code == 302
    assert _counts() == before


def test_upload_of_a_non_xlsx_file_shows_the_fatal_message(tmp_path, media, client_for):
    path = tmp_path / "名录.xlsx"
    path.write_text("机构名称,机构类型\n", encoding="utf-8")

    response = _upload(client_for("admin"), path)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="import-fatal"' in html
    assert FATAL_NOT_XLSX in html
    assert "确认导入" not in html
    assert response.context["token"] == ""
    assert list((Path(media) / "imports").glob("*.xlsx")) == []  # the upload is not kept


def test_upload_of_a_damaged_xlsx_shows_the_fatal_message(tmp_path, media, client_for):
    path = _damaged_xlsx(tmp_path / "damaged.xlsx", tmp_path)

    response = _upload(client_for("admin"), path)

    assert response.status_code == 200
    assert FATAL_NOT_XLSX in response.content.decode()


def test_upload_with_valid_only_keeps_the_choice_for_the_confirm(tmp_path, media, client_for):
    client = client_for("admin")
    path = _sheet(tmp_path / "名录.xlsx", _row("好机构", CODE_1), _row("丙街道的机构", street="丙街道"))

    preview = _upload(client, path, valid_only="on")
    assert "新增 1 家，更新 0 家，未变化 0 家，拒绝 1 行" in preview.content.decode()
    response = client.post(reverse("registry:import_upload"), {"confirm": "1", "token": preview.context["token"]})

    assert response.status_code == 302
    assert Institution.objects.filter(credit_code=CODE_1).exists()
    assert not Institution.objects.filter(name="丙街道的机构").exists()


def test_street_officer_upload_rejects_rows_of_another_street(tmp_path, media, client_for):
    path = _sheet(tmp_path / "名录.xlsx", _row("甲街道新机构"), _row("乙街道新机构", street="乙街道"))

    html = _upload(client_for("street_a"), path).content.decode()

    assert "只能在本街道/乡镇范围内登记或修改机构。" in html
    assert "拒绝 1 行" in html


@pytest.mark.parametrize(
    "name,status",
    [("admin", 200), ("lead", 200), ("street_a", 200), ("edu_officer", 403), ("legal", 403), ("institution", 403)],
)
def test_import_page_is_for_those_who_manage_institutions(media, client_for, name, status):
    assert client_for(name).get(reverse("registry:import_upload")).status_code == status


def test_import_page_sends_anonymous_users_to_login(media, client_for, tmp_path):
    path = _sheet(tmp_path / "名录.xlsx", _row("匿名导入"))

    response = _upload(client_for("anonymous"), path)

    assert response.status_code == 302
    assert "login" in response["Location"]
    assert not Institution.objects.filter(name="匿名导入").exists()


# --- query budget ---------------------------------------------------------------------------------------------------

# Measured on these half-with-code sheets: 6 statements per new row (with a code: duplicate-code lookup, FK and
# unique checks, insert, audit head read, event insert, head update = 7; without: 5) and 5 per re-imported row
# (scope check, duplicate-code lookup, FK and unique checks, update, refresh; no audit event when nothing changed).
# Savepoints are not counted: each row runs in three nested atomic blocks, which cost round trips, not lookups.
MAX_QUERIES_PER_ROW = 8


def _statements(ctx: CaptureQueriesContext) -> int:
    return sum(1 for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")))


def _bulk_sheet(tmp_path: Path, n: int, start: int) -> Path:
    rows = [_row(f"批量机构{i}", _code(i) if i % 2 else "", street="甲街道") for i in range(start, start + n)]
    return _sheet(tmp_path / f"bulk-{start}-{n}.xlsx", *rows)


def _import_statements(path: Path, actor: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        report = import_file(path, actor=actor)
    assert report.committed, report.errors
    return _statements(ctx)


def test_import_queries_grow_by_a_small_constant_per_new_row(tmp_path, personas):
    admin = personas["admin"]
    q10 = _import_statements(_bulk_sheet(tmp_path, 10, start=1000), admin)
    q40 = _import_statements(_bulk_sheet(tmp_path, 40, start=2000), admin)

    assert (q40 - q10) / 30 <= MAX_QUERIES_PER_ROW, (q10, q40)
    assert q10 <= 10 * MAX_QUERIES_PER_ROW + 5, q10  # plus the fixed lookups (streets, existing institutions)


def test_reimport_queries_grow_by_a_small_constant_per_row(tmp_path, personas):
    admin = personas["admin"]
    small, large = _bulk_sheet(tmp_path, 10, start=1000), _bulk_sheet(tmp_path, 40, start=1000)
    import_file(large, actor=admin)

    q10 = _import_statements(small, admin)
    q40 = _import_statements(large, admin)

    assert (q40 - q10) / 30 <= MAX_QUERIES_PER_ROW, (q10, q40)
