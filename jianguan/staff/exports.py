"""The staff list as Excel (streamed) and as CSV. The ID number column is full only for readers with the need
(staff.selectors.may_see_id_numbers_in_lists), masked for everyone else."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from io import StringIO

from django.db.models import QuerySet

from jianguan.lib.excel import csv_safe, temp_xlsx_path, write_table
from jianguan.lib.protected import unseal
from jianguan.staff.choices import RecordCheckResult, StaffRole

HEADERS = [
    "序号", "街道/乡镇", "机构名称", "姓名", "身份证号码", "岗位", "从事学科类培训", "教师资格证编号", "任教学科",
    "接触直接入口食品", "健康证明编号", "健康证明有效期至", "违法犯罪记录查询日期", "查询结果", "入职日期", "离职日期",
]  # fmt: skip
WIDTHS = [6, 12, 30, 10, 21, 16, 8, 22, 10, 8, 20, 12, 12, 16, 12, 12]
FIELDS = [
    "institution__street__name", "institution__name", "name", "id_number_masked", "role", "teaches_academic",
    "teacher_cert_number", "teacher_cert_subject", "handles_food", "health_cert_number", "health_cert_valid_until",
    "record_check_date", "record_check_result", "start_date", "end_date",
]  # fmt: skip
DATES = [HEADERS.index(h) for h in ("健康证明有效期至", "违法犯罪记录查询日期", "入职日期", "离职日期")]


def _rows(queryset: QuerySet, full_ids: bool) -> Iterator[list]:
    roles = {code: str(label) for code, label in StaffRole.choices}
    results = {code: str(label) for code, label in RecordCheckResult.choices}
    fields = [*FIELDS, "id_number_sealed"] if full_ids else FIELDS
    for n, values in enumerate(queryset.values_list(*fields).iterator(chunk_size=2000), start=1):
        row = list(values[: len(FIELDS)])
        if full_ids:
            row[3] = unseal(values[-1]) or row[3]
        row[4] = roles.get(row[4], row[4])
        row[5] = "是" if row[5] else "否"
        row[8] = "是" if row[8] else "否"
        row[12] = results.get(row[12], row[12] or "")
        yield [n, *row]


def staff_xlsx(queryset: QuerySet, *, full_ids: bool) -> str:
    path = temp_xlsx_path()
    write_table(
        path, title="从业人员", headers=HEADERS, widths=WIDTHS, rows=_rows(queryset, full_ids), date_columns=DATES
    )
    return path


def staff_csv(queryset: QuerySet, *, full_ids: bool) -> Iterator[str]:
    """CSV with a BOM so that Excel opens the Chinese text as UTF-8."""
    buffer = StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow(HEADERS)
    for row in _rows(queryset, full_ids):
        writer.writerow(["" if v is None else csv_safe(v) for v in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
