"""Complaints in the demo district: one waiting for triage about a site the registry does not know (possible 无证办学),
one overdue with the education bureau, one answered and closed by market regulation, one anonymous with a street.

Reporters are made up; their names and phones are what the privacy tests look for on every public page. Skipped
when they exist."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from jianguan.accounts.models import User
from jianguan.complaints import services
from jianguan.complaints.models import Complaint
from jianguan.complaints.selectors import handlers_for
from jianguan.ledger.models import LedgerItem
from jianguan.org.models import Department, Region
from jianguan.registry.models import Institution

EAST = "330199001"  # 城东街道
REPORTERS = [("李女士", "13912340001"), ("陈先生", "13912340002"), ("赵女士", "13912340003")]


def _at(today: date, days_ago: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(hour)))


def load_demo_complaints(*, today: date, log: Any = print) -> int:
    if Complaint.objects.filter(reporter_phone__in=[phone for _name, phone in REPORTERS]).exists():
        return 0
    lead = User.objects.get(username="lead")
    users = {u.username: u for u in User.objects.filter(username__in=["edu1", "east"])}
    created = 0

    services.complaint_submit(
        typed_name="阳光花园3幢家庭托管", typed_address="阳光花园 3 幢 2 单元 501 室",
        street=Region.objects.filter(code=EAST).first(), category="unlicensed",
        content="小区住宅里每天下午有二十多个小学生，有老师上数学和英语课，收费每月两千元，门口没有任何牌子。",
        reporter_name=REPORTERS[0][0], reporter_phone=REPORTERS[0][1], received_at=_at(today, 1, 19),
    )  # fmt: skip
    created += 1

    site = Institution.objects.filter(name="城东小创客编程工作室").first()
    if site is not None and "edu1" in users:
        complaint, _code = services.complaint_submit(
            institution=site, category="tutoring",
            content="工作室周末在开奥数班，报名时说是编程课，一次交了一年的费用。",
            reporter_name=REPORTERS[1][0], reporter_phone=REPORTERS[1][1], received_at=_at(today, 30),
        )  # fmt: skip
        services.complaint_assign(
            actor=lead, complaint=complaint, department=Department.objects.get(short_name="青教"),
            handler=users["edu1"], deadline=today - timedelta(days=5), at=_at(today, 28),
        )  # fmt: skip
        created += 1

    food = LedgerItem.objects.filter(institution__name="南湖妈妈味道小饭桌", category="food_safety").first()
    handler = handlers_for(department=food.department).order_by("pk").first() if food is not None else None
    if food is not None and handler is not None:
        complaint, _code = services.complaint_submit(
            institution=food.institution, category="food",
            content="孩子说小饭桌的饭菜没有留样，厨房阿姨没有健康证。",
            reporter_name=REPORTERS[2][0], reporter_phone=REPORTERS[2][1], received_at=_at(today, 40),
        )  # fmt: skip
        complaint = services.complaint_assign(
            actor=lead, complaint=complaint, department=food.department, handler=handler,
            deadline=today - timedelta(days=10), at=_at(today, 39),
        )  # fmt: skip
        complaint = services.complaint_link(
            actor=handler, complaint=complaint, inspection=food.inspection, ledger_item=food
        )
        complaint = services.complaint_reply(
            actor=handler, complaint=complaint,
            reply="经核查，该小饭桌未配备留样柜，已责令整改；复查时已配备留样柜并建立留样记录。感谢您的监督。",
        )  # fmt: skip
        services.complaint_close(actor=handler, complaint=complaint, result="substantiated", note="整改已销号。")
        created += 1

    street = Region.objects.filter(code=EAST).first()
    if street is not None and "east" in users:
        complaint, _code = services.complaint_submit(
            institution=Institution.objects.filter(street=street).exclude(status="unregistered").order_by("pk").first(),
            category="fees", content="预收了半年学费，机构说不能退，合同里也没有退费条款。", anonymous=True,
            received_at=_at(today, 3),
        )  # fmt: skip
        services.complaint_assign(
            actor=lead, complaint=complaint, street=street, handler=users["east"], at=_at(today, 2)
        )
        created += 1
    log(f"complaints: {created}")
    return created
