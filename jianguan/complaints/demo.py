"""Complaints in the demo district: one waiting for triage about a site the registry does not know (possible 无证办学),
one overdue with the education bureau, one answered and closed by market regulation, one anonymous with a street.

Reporters are made up; their names and phones are what the privacy tests look for on every public page. Each complaint
is a story (`jianguan.lib.story`) replayed at the moments it happened. Skipped when they exist."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from jianguan.accounts.models import User
from jianguan.complaints import services
from jianguan.complaints.models import Complaint
from jianguan.complaints.selectors import handlers_for
from jianguan.inspections.demo import campaign_schedule
from jianguan.ledger.models import LedgerItem
from jianguan.lib.story import Story, moment
from jianguan.org.models import Department, Region
from jianguan.registry.models import Institution

EAST = "330199001"  # 城东街道
REPORTERS = [("李女士", "13912340001"), ("陈先生", "13912340002"), ("赵女士", "13912340003")]
FOOD_SITE = "nh-mama"  # the 小饭桌 of the answered complaint (demo_data key)


def _ago(today: date, days: int, hour: int = 10) -> datetime:
    return moment(today - timedelta(days=days), hour)


def _untraced(today: date) -> Story:
    """Waiting for triage: a home tutoring site nobody registered."""
    yield _ago(today, 1, 19)
    services.complaint_submit(
        typed_name="阳光花园3幢家庭托管", typed_address="阳光花园 3 幢 2 单元 501 室",
        street=Region.objects.filter(code=EAST).first(), category="unlicensed",
        content="小区住宅里每天下午有二十多个小学生，有老师上数学和英语课，收费每月两千元，门口没有任何牌子。",
        reporter_name=REPORTERS[0][0], reporter_phone=REPORTERS[0][1],
    )  # fmt: skip
    return 1


def _overdue(today: date, site: Institution, handler: User, lead: User) -> Story:
    """Assigned to the education bureau, past its deadline."""
    yield _ago(today, 30)
    complaint, _code = services.complaint_submit(
        institution=site, category="tutoring", content="工作室周末在开奥数班，报名时说是编程课，一次交了一年的费用。",
        reporter_name=REPORTERS[1][0], reporter_phone=REPORTERS[1][1],
    )  # fmt: skip
    yield _ago(today, 28)
    services.complaint_assign(
        actor=lead, complaint=complaint, department=Department.objects.get(short_name="青教"), handler=handler,
        deadline=today - timedelta(days=5),
    )  # fmt: skip
    return 1


def _answered(today: date, site: Institution, department: Department, handler: User, lead: User) -> Story:
    """Received before the campaign reached the site, linked to its inspection and ledger item, answered and closed
    once the item was closed out."""
    yield _ago(today, 40)
    complaint, _code = services.complaint_submit(
        institution=site, category="food", content="孩子说小饭桌的饭菜没有留样，厨房阿姨没有健康证。",
        reporter_name=REPORTERS[2][0], reporter_phone=REPORTERS[2][1],
    )  # fmt: skip
    yield _ago(today, 39)
    complaint = services.complaint_assign(
        actor=lead, complaint=complaint, department=department, handler=handler, deadline=today - timedelta(days=10)
    )
    yield campaign_schedule(today)[FOOD_SITE] + timedelta(days=1)
    food = LedgerItem.objects.filter(institution=site, category="food_safety").first()
    if food is None:
        return 1
    complaint = services.complaint_link(
        actor=handler, complaint=complaint, inspection=food.inspection, ledger_item=food
    )
    day = timezone.localdate()
    while food.closed_on is None and day < today:
        day += timedelta(days=1)
        yield moment(day, 11)
        food.refresh_from_db()
    if food.closed_on is not None:
        complaint = services.complaint_reply(
            actor=handler, complaint=complaint,
            reply="经核查，该小饭桌未配备留样柜，已责令整改；复查时已配备留样柜并建立留样记录。感谢您的监督。",
        )  # fmt: skip
        services.complaint_close(actor=handler, complaint=complaint, result="substantiated", note="整改已销号。")
    return 1


def _anonymous(today: date, street: Region, handler: User, lead: User) -> Story:
    """Anonymous, with the street office."""
    yield _ago(today, 3)
    complaint, _code = services.complaint_submit(
        institution=Institution.objects.filter(street=street).exclude(status="unregistered").order_by("pk").first(),
        category="fees", content="预收了半年学费，机构说不能退，合同里也没有退费条款。", anonymous=True,
    )  # fmt: skip
    yield _ago(today, 2)
    services.complaint_assign(actor=lead, complaint=complaint, street=street, handler=handler)
    return 1


def complaints_stories(*, today: date) -> list[Story]:
    """The four complaints' stories (those whose people and places exist); none when they are loaded."""
    if Complaint.objects.filter(reporter_phone__in=[phone for _name, phone in REPORTERS]).exists():
        return []
    lead = User.objects.get(username="lead")
    users = {u.username: u for u in User.objects.filter(username__in=["edu1", "east"])}
    stories = [_untraced(today)]
    site = Institution.objects.filter(name="城东小创客编程工作室").first()
    if site is not None and "edu1" in users:
        stories.append(_overdue(today, site, users["edu1"], lead))
    food_site = Institution.objects.filter(name="南湖妈妈味道小饭桌").first()
    market = Department.objects.filter(short_name="青市监").first()
    handler = handlers_for(department=market).order_by("pk").first() if market is not None else None
    if food_site is not None and handler is not None:
        stories.append(_answered(today, food_site, market, handler, lead))
    street = Region.objects.filter(code=EAST).first()
    if street is not None and "east" in users:
        stories.append(_anonymous(today, street, users["east"], lead))
    return stories
