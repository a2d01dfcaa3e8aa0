"""The materials a session's members receive (会议材料), written by the platform: the progress since the previous
session in the dashboard's own sections (reports.dashboard.section, built with a Filters for the period — the same
figures as the dashboard, never counted a second way), and the earlier sessions' open tasks. The figures are frozen
on the session when generated (what was handed out stays what it was); the PDF and DOCX are rendered from them
through jianguan.documents, like the work briefing (reports/briefing.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from jianguan.documents.content import DocumentContent, Section, Table, chinese_date
from jianguan.meetings.models import MeetingSession
from jianguan.meetings.selectors import carried_tasks, previous_session
from jianguan.reports.dashboard import Filters, section

# The dashboard's sections in the pack, in its order: inspections (campaign coverage), problems and rectification by
# category, department and street (rates, overdue), the penalty cases' clocks, the complaints received, the warnings
# and the joint meeting's own tasks.
PACK_SECTIONS = ["campaigns", "categories", "departments", "streets", "cases", "complaints", "alerts", "meeting_tasks"]


def materials_period(session: MeetingSession, today: date) -> tuple[date | None, date]:
    """From the previous session's day (none before the first session) to the day the pack is made."""
    previous = previous_session(session)
    return (previous.held_on if previous is not None else None), today


def _cell(value: Any) -> Any:
    return value if isinstance(value, int | float) else str(value)


def materials_figures(user: Any, session: MeetingSession, today: date | None = None) -> dict[str, Any]:
    """The pack's figures as stored on the session: each dashboard section (key, title, headers, the cells' values)
    for the period within `user`'s scope, and the open tasks carried onto this session's agenda."""
    today = today or timezone.localdate()
    date_from, date_to = materials_period(session, today)
    filters = Filters(date_from=date_from, date_to=date_to)
    sections = []
    for key in PACK_SECTIONS:
        built = section(user, filters, key)
        assert built is not None, key
        sections.append({
            "key": key, "title": str(built.title), "headers": [str(h) for h in built.headers],
            "rows": [[_cell(c.value) for c in row] for row in built.rows],
        })  # fmt: skip
    tasks = []
    for task in carried_tasks(session).prefetch_related("progress"):
        latest = task.latest_progress
        tasks.append({
            "id": task.pk, "session": task.session.number, "number": task.number, "decision": task.decision,
            "unit": task.unit_name, "deadline": task.deadline.isoformat(), "overdue": task.is_overdue(today),
            "progress": latest.text if latest else "",
        })  # fmt: skip
    return {
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat(),
        "sections": sections,
        "tasks": tasks,
    }


def _text(value: Any, header: str) -> str:
    if isinstance(value, float) or header.endswith("%"):
        return f"{value}%"
    return str(value)


def materials_content(session: MeetingSession) -> DocumentContent:
    """The pack as one DocumentContent (PDF and DOCX from the same content), from the frozen figures."""
    figures = session.materials or {}
    meeting = session.meeting
    start = date.fromisoformat(figures["from"]) if figures.get("from") else None
    end = date.fromisoformat(figures["to"]) if figures.get("to") else timezone.localdate()
    period = f"{chinese_date(start)}至{chinese_date(end)}" if start else f"截至{chinese_date(end)}"
    numerals = "一二三四五六七八九十"
    parts = [
        Section(
            heading="一、会议安排",
            fields=[("会议", f"第{session.number}次（{session.get_kind_display()}）"),
                    ("时间", chinese_date(session.held_on)), ("地点", session.place), ("统计期间", period)],
            paragraphs=[line for line in session.agenda.splitlines() if line.strip()],
        )
    ]  # fmt: skip
    for n, part in enumerate(figures.get("sections", []), start=2):
        headers = part["headers"]
        rows = [[_text(v, headers[i]) if i else str(v) for i, v in enumerate(row)] for row in part["rows"]]
        parts.append(
            Section(heading=f"{numerals[n - 1]}、{part['title']}", table=Table(headers=headers, rows=rows))
            if rows
            else Section(heading=f"{numerals[n - 1]}、{part['title']}", paragraphs=["无。"])
        )
    tasks = figures.get("tasks", [])
    carried = Section(heading=f"{numerals[len(parts)]}、前次会议督办事项办理情况")
    if tasks:
        carried.table = Table(
            headers=["会次", "事项", "责任单位", "办理时限", "状态", "最新进展"],
            rows=[
                [
                    f"第{t['session']}次-{t['number']}",
                    t["decision"],
                    t["unit"],
                    t["deadline"],
                    "已超期" if t["overdue"] else "办理中",
                    t["progress"] or "—",
                ]
                for t in tasks
            ],  # fmt: skip
            widths=[10, 28, 16, 16, 11, 19],
        )
    else:
        carried.paragraphs = ["无未办结的督办事项。"]
    parts.append(carried)
    return DocumentContent(
        style="official",
        issuer=meeting.name,
        title="会议材料",
        number=f"第{session.number}次会议",
        sections=parts,
        seal_text=f"{meeting.name}办公室",
        date=end,
        footer="说明：本材料由监管平台按驾驶舱同一口径自动生成；问题按发现日期计入统计期间，整改率、按期整改率、逾期、"
        "案件期限和预警为生成之日的情况。",
    )
