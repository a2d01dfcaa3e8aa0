"""Official documents: PDF render time per document, beside the same engine's floor.

The documents are the demo campaign's real ones (现场检查笔录 with its item table and photos, and the orders of each
competent department: 责令整改通知书, 责令停止…通知书), rendered again from their inspections with
`documents.rendering.render_pdf`; the orders are also measured alone (issue 15: median per notice ≤ 300 ms). Floor: WeasyPrint rendering a one-line page in the same
font through the same template (the fixed cost of starting a document: fonts, layout, PDF writing with a subset CJK
font). Target: median under 300 ms per document (issue 4).
"""

from __future__ import annotations

import statistics
import time

from django.utils import timezone

ROUNDS = 20


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _contents() -> tuple[list, list]:
    """(records, orders) of the demo campaign, as DocumentContent."""
    from jianguan.demo.loader import load_demo
    from jianguan.inspections.documents import notice_content, record_content
    from jianguan.inspections.models import Inspection
    from jianguan.inspections.services import planned_orders

    load_demo(log=lambda *a, **k: None)
    inspections = list(
        Inspection.objects.filter(status="completed", campaign__isnull=False).select_related(
            "institution", "lead_department", "checklist_version__checklist", "campaign"
        )
    )
    records, orders = [], []
    for inspection in inspections:
        records.append(record_content(inspection, "青教检录〔2026〕1号"))
        for order in planned_orders(inspection):
            number = f"{order.departments[0].short_name}责改〔2026〕1号"
            orders.append(notice_content(inspection, order, number, timezone.localdate()))
    return records, orders


def _measure(name: str, contents: list) -> dict:
    from jianguan.documents.content import DocumentContent
    from jianguan.documents.rendering import render_docx, render_pdf

    minimal = DocumentContent(issuer="青岚区教育局", title="测试", number="青教检录〔2026〕1号")
    render_pdf(minimal)  # warm up fonts and the template
    pages, floor, docx = [], [], []
    for n in range(ROUNDS):
        content = contents[n % len(contents)]
        pages.append(_timed(lambda: render_pdf(content)))  # noqa: B023
        floor.append(_timed(lambda: render_pdf(minimal)))
        docx.append(_timed(lambda: render_docx(content)))  # noqa: B023
    median, floor_median = statistics.median(pages), statistics.median(floor)
    return {
        "name": name,
        "value": median,
        "unit": "ms",
        "target": 300,
        "better": "lower",
        "floor": floor_median,
        "ratio": median / floor_median,
        "note": (
            f"median of {ROUNDS} over {len(contents)} documents; p95 {statistics.quantiles(pages, n=20)[18]:.0f} ms; "
            f"floor (one-line page, same font and template) median {floor_median:.0f} ms, ratio "
            f"{median / floor_median:.2f}×; DOCX of the same content median {statistics.median(docx):.0f} ms"
        ),
    }


def document_pdf_render() -> dict:
    records, orders = _contents()
    return _measure("PDF render per document (demo records and orders)", records + orders)


def order_pdf_render() -> dict:
    _records, orders = _contents()
    return _measure("PDF render per order (each competent department's notice)", orders)


ALL = [document_pdf_render, order_pdf_render]
