"""The demo's joint meeting (青岚区校外培训机构联合执法联席会议), a story (`jianguan.lib.story`) replayed beside the
campaign: set up by the lead coordinator, its first session in the middle of the campaign (a month before the demo's
day) and its second a week before it, each with its materials generated the afternoon before, its attendance and its
minutes. The first decides three tasks: the fire brigade's guidance (reported done and closed), the market
regulator's recheck of the 小饭桌 (never reported done: overdue, carried onto the second session's agenda, on the
dashboard and in the warnings) and 城东街道's survey of unlicensed sites (in progress); the second two more, one due
within days."""

from __future__ import annotations

from datetime import date, timedelta

from jianguan.accounts.models import User
from jianguan.lib.story import Story, moment
from jianguan.meetings import services
from jianguan.meetings.models import JointMeeting, MeetingSession, MeetingTask
from jianguan.meetings.selectors import member_units
from jianguan.org.models import Department, Region

NAME = "青岚区校外培训机构联合执法联席会议"
MEMBERS = ("青教", "青公", "青市监", "青消", "青卫健", "青文旅", "青体")
STREETS = ("330199001", "330199002", "330199003", "330199004", "330199005", "330199101", "330199102", "330199201")
PLACE = "区教育局三楼会议室"


def _working(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _unit(key: str) -> str:
    """A member unit's form key (d<pk> / s<pk>) from a department short name or a street code."""
    if key.isdigit():
        return f"s{Region.objects.get(code=key).pk}"
    return f"d{Department.objects.get(short_name=key).pk}"


def _session(meeting: JointMeeting, number: int) -> MeetingSession:
    return MeetingSession.objects.get(meeting=meeting, number=number)


def _task(meeting: JointMeeting, session: int, number: int) -> MeetingTask:
    return MeetingTask.objects.get(session__meeting=meeting, session__number=session, number=number)


def meeting_story(*, today: date) -> Story:
    """Returns how many sessions were made."""
    if JointMeeting.objects.filter(name=NAME).exists():
        return 0
    first, second = _working(today - timedelta(days=30)), _working(today - timedelta(days=7))
    if second > today:
        return 0
    yield moment(first - timedelta(days=10), 15)
    users = {u.username: u for u in User.objects.filter(username__in=["lead", "fire1", "market1", "east"])}
    if len(users) < 4:
        return 0
    lead = users["lead"]
    departments = {d.short_name: d for d in Department.objects.filter(short_name__in=MEMBERS)}
    meeting = services.meeting_save(
        actor=lead, name=NAME, department=departments["青教"], convener=lead,
        departments=[departments[k] for k in MEMBERS if k in departments],
        streets=list(Region.objects.filter(code__in=STREETS)), schedule="quarterly",
        duties="联席会议由区教育局牵头召集，每季度召开一次例会，必要时召开临时会议；会议议定事项由责任单位按期办理并报告进展，"
        "召集人办结销号。",
    )  # fmt: skip
    services.session_schedule(
        actor=lead, meeting=meeting, held_on=first, place=PLACE,
        agenda="通报联合执法检查进展\n研究消防、食品安全问题整改推进措施\n部署无证办学排查",
    )  # fmt: skip
    yield moment(first - timedelta(days=1), 16)
    services.session_materials_generate(actor=lead, session=_session(meeting, 1))
    yield moment(first, 11, 30)
    units = [u.key for u in member_units(meeting)]
    services.session_attendance_record(
        actor=lead,
        session=_session(meeting, 1),
        rows=[{"unit": k, "status": "attended", "attendee": ""} for k in units],
    )
    services.session_minutes_record(
        actor=lead, session=_session(meeting, 1),
        minutes="会议听取了区教育局关于联合执法检查进展的通报，各成员单位交流了检查中发现的问题。会议认为，整改落实仍有差距，"
        "消防安全和小饭桌食品安全问题须限期整改到位，无证托管班、小饭桌须摸清底数。",
        decisions=[
            {"decision": "对存在消防安全隐患的机构开展一对一现场指导，督促完成消防设施整改", "unit": _unit("青消"),
             "deadline": first + timedelta(days=14)},
            {"decision": "对存在食品安全问题的小饭桌开展复查，未整改到位的依法处理", "unit": _unit("青市监"),
             "deadline": first + timedelta(days=14)},
            {"decision": "排查辖区内无证托管班、小饭桌，建立排查台账", "unit": _unit("330199001"),
             "deadline": first + timedelta(days=40)},
        ],
    )  # fmt: skip
    yield moment(_working(first + timedelta(days=6)), 10)
    services.task_progress_report(
        actor=users["fire1"], task=_task(meeting, 1, 1), done=True,
        text="已对6家机构逐一现场指导，4家完成消防设施整改，其余2家已复查通过。",
    )  # fmt: skip
    yield moment(_working(first + timedelta(days=8)), 10)
    services.task_progress_report(
        actor=users["east"],
        task=_task(meeting, 1, 3),
        text="已完成辖区内12个小区的排查，发现疑似无证托管点2处，已登记。",
    )
    services.task_progress_report(
        actor=users["market1"], task=_task(meeting, 1, 2), text="已复查2家小饭桌，另2家负责人外出，待约定时间复查。"
    )
    yield moment(_working(first + timedelta(days=9)), 15)
    services.task_close(actor=lead, task=_task(meeting, 1, 1), note="经复查，消防设施整改到位。")
    yield moment(second - timedelta(days=6), 15)
    services.session_schedule(
        actor=lead, meeting=meeting, held_on=second, place=PLACE,
        agenda="通报前次会议以来的检查和整改情况\n研究逾期未整改问题的处理\n部署社会宣传和放心机构公示",
    )  # fmt: skip
    yield moment(second - timedelta(days=1), 16)
    services.session_materials_generate(actor=lead, session=_session(meeting, 2))
    yield moment(second, 11, 30)
    rows = [{"unit": k, "status": "attended", "attendee": ""} for k in units]
    for row in rows:
        if row["unit"] == _unit("青公"):
            row.update(status="deputy", attendee="治安大队副大队长 林涛")
        elif row["unit"] == _unit("330199201"):
            row.update(status="absent")
    services.session_attendance_record(actor=lead, session=_session(meeting, 2), rows=rows)
    services.session_minutes_record(
        actor=lead, session=_session(meeting, 2),
        minutes="会议通报了前次会议以来的检查、整改和案件办理情况。区市场监管局小饭桌复查事项已超过办理时限，会议要求加快办理，"
        "继续督办。会议研究部署了社会宣传和放心机构公示工作。",
        decisions=[
            {"decision": "在公众查询平台公示放心机构名单，开展家长辨别无证机构宣传", "unit": _unit("青教"),
             "deadline": second + timedelta(days=21)},
            {"decision": "配合排查结果，对疑似无证托管点开展联合核查", "unit": _unit("青公"),
             "deadline": second + timedelta(days=10)},
        ],
    )  # fmt: skip
    return 2
