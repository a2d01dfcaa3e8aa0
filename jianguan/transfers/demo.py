"""移送 / 协查 and information sharing in the demo district: the education bureau, patrolling a 小饭桌 in 城东, finds
its kitchen has no sample cabinet and its cook no health certificate — food safety at a 小饭桌 is the market
regulator's (the matrix) — and transfers it to 青市监, which accepts it the next working day and reports what it did;
the fire brigade asks 城东街道 to help find out who runs a home tutoring site (an open 协查); the fire brigade
subscribes to fire events district-wide and 城东街道 to everything in its street. Stories replayed by the loader;
skipped when loaded."""

from __future__ import annotations

from datetime import date, timedelta

from jianguan.accounts.models import User
from jianguan.lib.story import Story, moment
from jianguan.lib.workdays import next_working_day
from jianguan.org.models import Department, Region
from jianguan.registry.models import Institution
from jianguan.transfers import services
from jianguan.transfers.models import Subscription, Transfer

EAST = "330199001"  # 城东街道
FOOD_SITE_CODE = "91330199MA1M7GQ182"  # 城东爱心小饭桌
TRANSFER_SUBJECT = "城东爱心小饭桌食品安全问题"


def _food_transfer(today: date, edu: User, market: User, market_dept: Department, site: Institution) -> Story:
    day = today - timedelta(days=20)
    yield moment(day, 16)
    transfer = services.transfer_send(
        actor=edu, kind="transfer", receiver_department=market_dept, institution=site, category="food_safety",
        subject=TRANSFER_SUBJECT,
        facts="我局工作人员巡查发现该小饭桌厨房未配备食品留样柜，当日午餐未留样；一名厨工未能出示有效健康证明。",
        request="请依法核查处理，并将处理结果反馈我局。",
    )  # fmt: skip
    yield moment(next_working_day(day), 9, 30)
    services.transfer_comment(actor=market, transfer=transfer, text="请提供巡查时拍摄的厨房照片。")
    yield moment(next_working_day(day), 10, 15)
    services.transfer_comment(actor=edu, transfer=transfer, text="照片已通过政务内网邮箱发送。")
    yield moment(next_working_day(day), 14)
    transfer = services.transfer_accept(actor=market, transfer=transfer, note="属于我局职责，已安排执法人员核查。")
    yield moment(today - timedelta(days=8), 15)
    services.transfer_report(
        actor=market, transfer=transfer,
        result="经现场核查情况属实，已责令该小饭桌立即配备留样柜、落实每餐留样，涉事厨工停止接触直接入口食品直至取得"
        "健康证明；复查时已整改到位。",
    )  # fmt: skip
    return 1


def _assistance(today: date, fire: User, street: Region) -> Story:
    yield moment(today - timedelta(days=9), 11)
    services.transfer_send(
        actor=fire, kind="assistance", receiver_street=street, category="fire_safety",
        subject="阳光花园3幢家庭托管消防安全核查",
        facts="群众反映阳光花园 3 幢 2 单元 501 室每天下午有二十多名学生，疑似家庭托管，住宅内未见消防设施。",
        request="请协助核实该场所的实际经营者、联系方式和在托学生人数，以便我队依法开展消防监督检查。",
    )  # fmt: skip
    return 1


def _subscriptions(today: date, fire: User, east: User) -> Story:
    yield moment(today - timedelta(days=30), 9)
    services.subscription_save(
        actor=fire, name="全区消防安全动态",
        events=["complaint_received", "finding_recorded", "order_issued", "item_overdue", "transfer_received"],
        categories=["fire_safety"],
    )  # fmt: skip
    services.subscription_save(
        actor=east, name="城东街道全部动态",
        events=["complaint_received", "finding_recorded", "order_issued", "item_overdue", "item_closed",
                "case_decided", "transfer_received"],
    )  # fmt: skip
    return 2


def transfer_stories(*, today: date) -> list[Story]:
    """The stories whose people and places exist; none when they are loaded."""
    if Transfer.objects.filter(subject=TRANSFER_SUBJECT).exists() or Subscription.objects.exists():
        return []
    users = {u.username: u for u in User.objects.filter(username__in=["edu1", "market1", "fire1", "east"])}
    departments = {d.short_name: d for d in Department.objects.filter(short_name__in=["青市监"])}
    site = Institution.objects.filter(credit_code=FOOD_SITE_CODE).first()
    street = Region.objects.filter(code=EAST).first()
    stories = []
    if site is not None and {"edu1", "market1"} <= set(users) and "青市监" in departments:
        stories.append(_food_transfer(today, users["edu1"], users["market1"], departments["青市监"], site))
    if street is not None and "fire1" in users:
        stories.append(_assistance(today, users["fire1"], street))
    if {"fire1", "east"} <= set(users):
        stories.append(_subscriptions(today, users["fire1"], users["east"]))
    return stories
