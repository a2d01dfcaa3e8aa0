"""Reads for penalty cases: the list with each case's running clocks, and one case's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet

from jianguan.documents.models import Document
from jianguan.enforcement import clocks
from jianguan.enforcement.models import Case, CaseStep


def cases_for(user: Any) -> QuerySet[Case]:
    return Case.objects.visible_to(user).select_related("department", "institution")


@dataclass
class CaseRow:
    case: Case
    clocks: list[clocks.Clock] = field(default_factory=list)


def case_rows(cases: Any, today: date) -> list[CaseRow]:
    """Rows with their clocks (computed from the row's own dates: no query per row)."""
    return [CaseRow(c, clocks.clocks(c, today)) for c in cases]


def status_counts(user: Any) -> dict[str, int]:
    """How many of the user's cases are at each stage (one query): the queues of the list page (待法制审核 for the
    legal reviewer, 立案待审批 and 待决定 for the head)."""
    from django.db.models import Count

    rows = cases_for(user).order_by().values("status").annotate(n=Count("pk"))
    return {r["status"]: r["n"] for r in rows}


def case_documents(user: Any, steps: list[CaseStep]) -> list[Document]:
    """The case's documents the user may open, in the order they were issued."""
    return list(
        Document.objects.visible_to(user)
        .filter(source_type="enforcement.casestep", source_id__in=[str(s.pk) for s in steps])
        .order_by("issued_at", "pk")
    )
