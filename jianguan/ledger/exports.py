"""The standard Excel ledger (整改台账): one query, streamed, the columns offices exchange."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from jianguan.ledger.choices import OPEN_STATUSES, ItemStatus
from jianguan.ledger.models import Recheck
from jianguan.lib.excel import temp_xlsx_path, write_table
from jianguan.org.choices import CheckCategory
from jianguan.registry.choices import InstitutionKind

HEADERS = [
    "序号", "街道/乡镇", "机构名称", "统一社会信用代码", "机构类型", "问题类别", "问题描述", "整改措施", "整改责任人",
    "监管部门", "整改时限", "整改状态", "复查情况", "销号日期", "备注",
]  # fmt: skip
WIDTHS = [6, 12, 28, 21, 12, 10, 40, 40, 10, 18, 12, 10, 36, 12, 24]
DATE_COLUMNS = [HEADERS.index("整改时限"), HEADERS.index("销号日期")]


def annotated(queryset: QuerySet) -> QuerySet:
    latest = Recheck.objects.filter(item=OuterRef("pk")).order_by("-recorded_at", "-pk")
    return queryset.annotate(
        recheck_on=Subquery(latest.values("checked_on")[:1]),
        recheck_passed=Subquery(latest.values("passed")[:1]),
        recheck_note=Subquery(latest.values("note")[:1]),
    )


def _rows(queryset: QuerySet) -> Iterator[list]:
    today = timezone.localdate()
    kinds = {k: str(v) for k, v in InstitutionKind.choices}
    categories = {k: str(v) for k, v in CheckCategory.choices}
    statuses = {k: str(v) for k, v in ItemStatus.choices}
    fields = [
        "institution__street__name", "institution__name", "institution__credit_code", "institution__kind", "category",
        "description", "measure", "responsible_person", "department__name", "deadline", "status", "recheck_on",
        "recheck_passed", "recheck_note", "closed_on", "responsible_phone",
    ]  # fmt: skip
    for n, row in enumerate(annotated(queryset).values_list(*fields).iterator(chunk_size=2000), start=1):
        (street, name, code, kind, category, description, measure, person, department, deadline, status,
         recheck_on, recheck_passed, recheck_note, closed_on, phone) = row  # fmt: skip
        recheck = ""
        if recheck_on:
            recheck = f"{recheck_on:%Y-%m-%d} 复查{'通过' if recheck_passed else '未通过'}：{recheck_note}"
        notes = []
        if status in OPEN_STATUSES and deadline < today:
            notes.append(f"逾期 {(today - deadline).days} 天")
        if phone:
            notes.append(f"电话 {phone}")
        yield [
            n, street, name, code or "", kinds.get(kind, kind), categories.get(category, category), description,
            measure, person, department, deadline, statuses.get(status, status), recheck, closed_on, "；".join(notes),
        ]  # fmt: skip


def ledger_xlsx(queryset: QuerySet) -> str:
    path = temp_xlsx_path()
    write_table(path, title="整改台账", headers=HEADERS, widths=WIDTHS, rows=_rows(queryset), date_columns=DATE_COLUMNS)
    return path
