"""The complaint register as Excel: one query, streamed. Never the reporter's name or phone (the query does not
read them)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

from jianguan.complaints.choices import ComplaintCategory, ComplaintResult, ComplaintStatus
from jianguan.lib.excel import temp_xlsx_path, write_table

HEADERS = [
    "序号", "编号", "收到日期", "投诉对象", "地址", "街道/乡镇", "投诉类别", "投诉内容", "状态", "承办单位", "办理期限",
    "答复日期", "办结日期", "核查结论", "备注",
]  # fmt: skip
WIDTHS = [6, 14, 12, 28, 30, 12, 14, 50, 10, 18, 12, 12, 12, 10, 14]
DATE_COLUMNS = [HEADERS.index(h) for h in ("收到日期", "办理期限", "答复日期", "办结日期")]
FIELDS = [
    "number", "received_at", "institution__name", "typed_name", "institution__address", "typed_address",
    "street__name", "category", "content", "status", "assigned_department__name", "assigned_street__name",
    "deadline", "replied_at", "closed_at", "result",
]  # fmt: skip


def _day(value):  # type: ignore[no-untyped-def]
    return timezone.localtime(value).date() if value else None


def _rows(queryset: QuerySet) -> Iterator[list]:
    today = timezone.localdate()
    categories = {k: str(v) for k, v in ComplaintCategory.choices}
    statuses = {k: str(v) for k, v in ComplaintStatus.choices}
    results = {k: str(v) for k, v in ComplaintResult.choices}
    rows = queryset.order_by("received_at", "pk").values_list(*FIELDS).iterator(chunk_size=2000)
    for n, row in enumerate(rows, start=1):
        (number, received, name, typed_name, address, typed_address, street, category, content, status, department,
         unit_street, deadline, replied, closed, result) = row  # fmt: skip
        overdue = status == ComplaintStatus.ASSIGNED and deadline is not None and deadline < today
        yield [
            n, number, _day(received), name or typed_name, address or typed_address, street or "",
            categories.get(category, category), content, statuses.get(status, status), department or unit_street or "",
            deadline, _day(replied), _day(closed), results.get(result, ""),
            f"逾期 {(today - deadline).days} 天" if overdue else "",
        ]  # fmt: skip


def complaints_xlsx(queryset: QuerySet) -> str:
    path = temp_xlsx_path()
    write_table(path, title="投诉举报", headers=HEADERS, widths=WIDTHS, rows=_rows(queryset), date_columns=DATE_COLUMNS)
    return path
