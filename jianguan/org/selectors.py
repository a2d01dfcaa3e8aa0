"""Reads for streets, departments and the responsibility matrix."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jianguan.org.choices import CheckCategory, RegionLevel
from jianguan.org.models import Department, Region, Responsibility, WorkdayOverride


@dataclass
class MatrixRow:
    category: str
    label: str
    leads: list[Department] = field(default_factory=list)
    supporting: list[Department] = field(default_factory=list)

    @property
    def problem(self) -> str:
        if not self.leads:
            return "gap"
        if len(self.leads) > 1:
            return "overlap"
        return ""

    @property
    def problem_label(self) -> str:
        return {"gap": _("空白：无牵头部门"), "overlap": _("交叉：多个牵头部门")}.get(self.problem, "")


def responsibility_matrix() -> list[MatrixRow]:
    """Every check category with its lead and supporting departments, in the categories' order."""
    rows = {c.value: MatrixRow(category=c.value, label=str(c.label)) for c in CheckCategory}
    for resp in Responsibility.objects.select_related("department").order_by("department_id"):
        row = rows[resp.category]
        (row.leads if resp.is_lead else row.supporting).append(resp.department)
    return list(rows.values())


def responsibility_problems() -> list[MatrixRow]:
    """Categories with no lead department (gaps) or more than one (overlaps)."""
    return [row for row in responsibility_matrix() if row.problem]


def lead_department_for(category: str) -> Department | None:
    resp = Responsibility.objects.filter(category=category, is_lead=True).select_related("department").first()
    return resp.department if resp else None


def lead_departments() -> dict[str, Department]:
    """check category → its lead department (the first, where the matrix has an overlap), in one query."""
    result: dict[str, Department] = {}
    for r in Responsibility.objects.filter(is_lead=True).select_related("department").order_by("department_id"):
        result.setdefault(r.category, r.department)
    return result


def streets() -> QuerySet[Region]:
    return Region.objects.filter(level__in=[RegionLevel.STREET, RegionLevel.TOWNSHIP], is_active=True)


def workday_overrides_for_year(year: int) -> dict[date, bool]:
    return dict(WorkdayOverride.objects.filter(date__year=year).values_list("date", "is_working_day"))
