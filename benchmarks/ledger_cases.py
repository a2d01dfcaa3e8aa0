"""The rectification ledger at 100,000 items: list page p95 (beside the same floor as the registry pages) and the
Excel ledger of all of them (target 15 s), with their query counts.

Synthetic items (bench only, never audited): 10,000 completed inspections of synthetic institutions with 10 problems
each, statuses spread as a district would have them (30 % 待整改, 20 % 整改中, 10 % 待复查, 35 % 已销号, 5 % 移交),
deadlines from three months ago to a month ahead, so that "overdue" matches about a quarter of them.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks import registry_cases

N_ITEMS = 100_000
PER_INSPECTION = 10
STATUSES = ["pending"] * 30 + ["in_progress"] * 20 + ["submitted"] * 10 + ["closed"] * 35 + ["escalated"] * 5
CATEGORIES = ["qualification", "teaching", "food_safety", "fire_safety", "fees", "staff", "premises", "advertising"]
_done: dict[str, bool] = {}


def category_leads() -> dict[str, Any]:
    """check category → its lead department for every kind (the matrix's all-kinds row; the first department where
    the matrix names none): who the synthetic problems are ordered by."""
    from jianguan.org.choices import CheckCategory
    from jianguan.org.models import Department
    from jianguan.org.selectors import ALL_KINDS, Competence

    competence = Competence()
    first = Department.objects.order_by("pk").first()
    return {category: competence.lead(ALL_KINDS, category) or first for category in CheckCategory.values}


def _ensure_items() -> None:
    from jianguan.checklists.models import ChecklistVersion
    from jianguan.inspections.models import Finding, Inspection
    from jianguan.ledger.models import LedgerItem
    from jianguan.registry.models import Institution
    from jianguan.registry.synthetic import SYNTHETIC_NOTE

    registry_cases._ensure_data()
    if _done or LedgerItem.objects.count() >= N_ITEMS:
        _done["yes"] = True
        return
    rng = random.Random(7)  # noqa: S311
    today = timezone.localdate()
    version = ChecklistVersion.objects.filter(status="published").first()
    leads = category_leads()
    some_department = next(iter(leads.values()))
    institutions = list(
        Institution.objects.filter(notes=SYNTHETIC_NOTE)
        .order_by("pk")
        .values_list("pk", flat=True)[: N_ITEMS // PER_INSPECTION]
    )
    street_of = dict(Institution.objects.filter(pk__in=institutions).values_list("pk", "street_id"))
    start = time.perf_counter()
    now = timezone.now()
    for chunk in range(0, len(institutions), 1000):
        with transaction.atomic():
            inspections = Inspection.objects.bulk_create(
                Inspection(
                    institution_id=pk,
                    kind="routine",
                    status="completed",
                    checklist_version=version,
                    lead_department=some_department,
                    scheduled_at=now - timedelta(days=rng.randrange(1, 120)),
                    started_at=now,
                    completed_at=now,
                    representative_name="合成",
                )  # fmt: skip
                for pk in institutions[chunk : chunk + 1000]
            )
            findings, items = [], []
            for inspection in inspections:
                for n in range(PER_INSPECTION):
                    category = rng.choice(CATEGORIES)
                    department = leads.get(category, some_department)
                    deadline = today + timedelta(days=rng.randrange(-90, 30))
                    findings.append(
                        Finding(
                            inspection=inspection,
                            category=category,
                            description=f"合成问题 {inspection.pk}-{n}",
                            severity="minor",
                            department=department,
                            period_days=10,
                            deadline=deadline,
                        )  # fmt: skip
                    )
            Finding.objects.bulk_create(findings, batch_size=2000)
            for f in findings:
                status = rng.choice(STATUSES)
                items.append(
                    LedgerItem(
                        finding=f,
                        inspection=f.inspection,
                        institution_id=f.inspection.institution_id,
                        street_id=street_of[f.inspection.institution_id],
                        category=f.category,
                        description=f.description,
                        measure="按要求整改到位",
                        responsible_person="合成",
                        department=f.department,
                        found_on=timezone.localtime(f.inspection.completed_at).date(),
                        deadline=f.deadline,
                        status=status,
                        closed_on=f.deadline if status == "closed" else None,
                    )  # fmt: skip
                )
            LedgerItem.objects.bulk_create(items, batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE ledger_ledgeritem")
            cursor.execute("ANALYZE inspections_finding")
    print(
        f"     generated {LedgerItem.objects.count():,} ledger items in {time.perf_counter() - start:.1f} s", flush=True
    )
    _done["yes"] = True


def _list_case(label: str, query: str):  # type: ignore[no-untyped-def]
    def case() -> dict:
        from jianguan.ledger.filters import LedgerFilter
        from jianguan.ledger.models import LedgerItem

        _ensure_items()
        params = dict(p.split("=") for p in query.split("&")) if query else {}
        form = LedgerFilter(params or None)
        matches = form.apply(LedgerItem.objects.all()).count()
        return registry_cases._page_case(
            f"ledger list {label} p95 @{N_ITEMS // 1000}k",
            [f"/ledger/{'?' + query if query else ''}"],
            lambda: f"{matches:,} matches",
        )

    case.__name__ = f"ledger_list_{label}"
    return case


def ledger_export_xlsx() -> dict:
    """The standard Excel ledger of every item, as the export view writes it."""
    from jianguan.ledger import exports
    from jianguan.ledger.models import LedgerItem
    from jianguan.ledger.selectors import ledger_rows

    _ensure_items()
    qs = ledger_rows(LedgerItem.objects.all())
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        path = exports.ledger_xlsx(qs)
        elapsed = time.perf_counter() - start
    size = Path(path).stat().st_size
    Path(path).unlink()
    count = qs.count()
    return {
        "name": f"ledger export {count:,} items to xlsx",
        "value": elapsed,
        "unit": "s",
        "target": 15,
        "better": "lower",
        "note": f"{len(ctx.captured_queries)} queries for {count:,} rows; {size / 1e6:.1f} MB",
    }


ALL = [_list_case("no filter", ""), _list_case("overdue", "status=overdue"), ledger_export_xlsx]
