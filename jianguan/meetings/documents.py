"""What the minutes (会议纪要) say: the session, who attended (and who sent a deputy or was absent), what was
discussed, the decisions with their responsible units and deadlines (each a 督办事项), and how the earlier sessions'
open tasks stand. A 纪要 is a 公文 (GB/T 9704), numbered under the host department (X教纪要〔2026〕1号)."""

from __future__ import annotations

from jianguan.documents.content import DocumentContent, Section, Table, chinese_date
from jianguan.meetings.choices import AttendanceStatus
from jianguan.meetings.selectors import SessionPage


def minutes_content(page: SessionPage, number: str) -> DocumentContent:
    session = page.session
    meeting = session.meeting
    came = [a.unit.name for a in page.attendance if a.status == AttendanceStatus.ATTENDED]
    deputies = [f"{a.unit.name}（{a.attendee}代）" for a in page.attendance if a.status == AttendanceStatus.DEPUTY]
    absent = [a.unit.name for a in page.attendance if a.status == AttendanceStatus.ABSENT]
    fields = [
        ("时间", chinese_date(session.held_on)),
        ("地点", session.place),
        ("主持", meeting.convener.name),
        ("出席单位", "、".join(came) or "—"),
    ]
    if deputies:
        fields.append(("委托出席", "、".join(deputies)))
    if absent:
        fields.append(("缺席", "、".join(absent)))
    decisions = Section(heading="二、会议议定事项")
    if page.tasks:
        decisions.table = Table(
            headers=["序号", "议定事项", "责任单位", "办理时限"],
            rows=[[str(t.number), t.decision, t.unit_name, chinese_date(t.deadline)] for t in page.tasks],
            widths=[8, 52, 20, 20],
        )
    else:
        decisions.paragraphs = ["无。"]
    carried = Section(heading="三、前次会议督办事项")
    if page.carried:
        carried.table = Table(
            headers=["会次", "事项", "责任单位", "办理时限", "办理情况"],
            rows=[
                [
                    f"第{t.session.number}次-{t.number}",
                    t.decision,
                    t.unit_name,
                    chinese_date(t.deadline),
                    t.get_status_display(),
                ]
                for t in page.carried
            ],  # fmt: skip
            widths=[12, 40, 18, 16, 14],
        )
        carried.paragraphs = ["未办结的事项继续督办，列入下次会议议程。"]
    else:
        carried.paragraphs = ["无。"]
    return DocumentContent(
        style="official",
        issuer=meeting.department.name,
        title=f"{meeting.name}第{session.number}次会议纪要",
        number=number,
        sections=[
            Section(
                heading="一、会议基本情况",
                fields=fields,
                paragraphs=[p for p in session.minutes.splitlines() if p.strip()],
            ),
            decisions,
            carried,
        ],  # fmt: skip
        seal_text=meeting.department.name,
        date=session.held_on,
        footer="分送：联席会议各成员单位。",
    )
