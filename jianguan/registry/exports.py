"""The institution list as Excel (streamed from one query) and as CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from io import StringIO

from django.db.models import QuerySet
from django.utils import timezone

from jianguan.lib.excel import csv_safe, temp_xlsx_path, write_table
from jianguan.registry.choices import InstitutionKind, InstitutionSubKind, LicenceStatus, OperatingStatus

HEADERS = [
    "序号", "街道/乡镇", "机构名称", "统一社会信用代码", "机构类型", "细分类型", "地址", "法定代表人", "联系人",
    "联系电话", "容纳人数", "场地面积（㎡）", "所在楼层", "经营状态", "证照状态", "登记日期", "备注",
]  # fmt: skip
WIDTHS = [6, 12, 30, 22, 14, 10, 36, 10, 10, 15, 9, 12, 10, 12, 10, 12, 30]
FIELDS = [
    "street__name", "name", "credit_code", "kind", "sub_kind", "address", "legal_representative", "contact_person",
    "contact_phone", "capacity", "floor_area", "floors", "status", "licence_state", "created_at", "notes",
]  # fmt: skip
LABEL_CHOICES = {
    "kind": InstitutionKind.choices,
    "sub_kind": InstitutionSubKind.choices,
    "status": OperatingStatus.choices,
    "licence_state": LicenceStatus.choices,
}


def _rows(queryset: QuerySet) -> Iterator[list]:
    """One query, iterated in chunks on the server side; labels translated once, then looked up per row."""
    labels = [
        (FIELDS.index(name), {code: str(label) for code, label in choices}) for name, choices in LABEL_CHOICES.items()
    ]
    created_at, floor_area = FIELDS.index("created_at"), FIELDS.index("floor_area")
    tz = timezone.get_current_timezone()
    for n, values in enumerate(queryset.values_list(*FIELDS).iterator(chunk_size=2000), start=1):
        row = list(values)
        for i, names in labels:
            row[i] = names.get(row[i], row[i] or "")
        if row[created_at] is not None:
            row[created_at] = row[created_at].astimezone(tz).date()
        if row[floor_area] is not None:
            row[floor_area] = float(row[floor_area])
        yield [n, *row]


def institutions_xlsx(queryset: QuerySet) -> str:
    """Write the filtered institutions to a temporary .xlsx file and return its path."""
    path = temp_xlsx_path()
    write_table(
        path,
        title="机构名录",
        headers=HEADERS,
        widths=WIDTHS,
        rows=_rows(queryset),
        date_columns=[HEADERS.index("登记日期")],
    )
    return path


def institutions_csv(queryset: QuerySet) -> Iterator[str]:
    """CSV with a BOM so that Excel opens the Chinese text as UTF-8."""
    buffer = StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow(HEADERS)
    for row in _rows(queryset):
        writer.writerow(["" if v is None else csv_safe(v) for v in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
