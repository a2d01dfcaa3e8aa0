"""The joint meeting's materials pack (会议材料, issue 17: "the meeting pack PDF under 3 s") on the dashboard cases'
dataset (100,000 institutions, 1,000,000 item results, ~130,000 ledger items; `dashboard_cases._ensure_data`), as the
lead coordinator: one pack = the dashboard's sections for the period since the previous session
(`meetings.materials.materials_figures`, the figures frozen on the session) + the PDF rendered from them
(`materials_content` → `documents.rendering.render_pdf`). Floor, measured in the same run and interleaved round by
round: the whole dashboard for the same period (`reports.dashboard.dashboard`, every section once) plus a one-line PDF
in the same template and font (the fixed cost of a document). `BENCH_CASES=meeting` runs it alone.

Data of its own (bench only): a standing meeting with a session held 60 days before today and the next one scheduled
today, made through the services once and reused (recognised by NAME).
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from typing import Any

from django.utils import timezone

from benchmarks import dashboard_cases

ROUNDS = 7
TARGET_MS = 3000
NAME = "【基准测试】联席会议"


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _session() -> Any:
    from jianguan.meetings import services
    from jianguan.meetings.models import JointMeeting, MeetingSession
    from jianguan.org.models import Department, Region

    lead = dashboard_cases._state["lead"]
    meeting = JointMeeting.objects.filter(name=NAME).first()
    if meeting is None:
        today = timezone.localdate()
        meeting = services.meeting_save(
            actor=lead, name=NAME, department=lead.department, convener=lead,
            departments=list(Department.objects.all()), streets=list(Region.objects.filter(level__in=["street", "township"])),
            schedule="quarterly",
        )  # fmt: skip
        held = services.session_schedule(
            actor=lead, meeting=meeting, held_on=today - timedelta(days=60), place="会议室", agenda="通报进展"
        )
        services.session_minutes_record(actor=lead, session=held, minutes="基准测试纪要", decisions=[
            {"decision": f"基准督办事项{n}", "unit": f"d{d.pk}", "deadline": today + timedelta(days=n - 5)}
            for n, d in enumerate(Department.objects.order_by("pk")[:10], start=1)
        ])  # fmt: skip
        services.session_schedule(actor=lead, meeting=meeting, held_on=today, place="会议室", agenda="通报进展")
    return MeetingSession.objects.select_related("meeting").filter(meeting=meeting).order_by("-number").first()


def meeting_pack_pdf() -> dict:
    from jianguan.documents.content import DocumentContent
    from jianguan.documents.rendering import render_pdf
    from jianguan.meetings.materials import materials_content, materials_figures, materials_period
    from jianguan.reports.dashboard import Filters, dashboard

    dashboard_cases._ensure_data()
    lead = dashboard_cases._state["lead"]
    session = _session()
    minimal = DocumentContent(issuer=session.meeting.name, title="会议材料", number="第1次会议", style="official")
    date_from, date_to = materials_period(session, timezone.localdate())
    sizes: list[int] = []

    def pack() -> None:
        session.materials = materials_figures(lead, session)
        sizes.append(len(render_pdf(materials_content(session))))

    def floor() -> None:
        dashboard(lead, Filters(date_from=date_from, date_to=date_to))
        render_pdf(minimal)

    pack(), floor()  # warm up: fonts, the template, the workday calendar
    packs, floors = [], []
    for _round in range(ROUNDS):
        packs.append(_timed(pack))
        floors.append(_timed(floor))
    median, floor_median = statistics.median(packs), statistics.median(floors)
    return {
        "name": "meeting materials pack (figures + PDF), lead @100k/1M",
        "value": max(packs),
        "unit": "ms",
        "target": TARGET_MS,
        "better": "lower",
        "floor": floor_median,
        "ratio": median / floor_median,
        "note": (
            f"slowest of {ROUNDS}; median {median:.0f} ms; floor (the dashboard for the same period + a one-line PDF) "
            f"median {floor_median:.0f} ms, ratio {median / floor_median:.2f}×; PDF {sizes[-1] / 1000:.0f} kB; "
            f"{dashboard_cases._state['sizes']}"
        ),
    }


ALL = [meeting_pack_pdf]
