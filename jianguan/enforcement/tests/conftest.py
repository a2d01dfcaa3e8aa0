"""Penalty-case fixtures: the education department's head and a second certified officer (a case needs two
investigators), and `drive`, which takes a case through the real services to a given stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tests.support.district import PASSWORD


@dataclass
class People:
    head: Any
    edu2: Any
    edu: Any
    legal: Any
    institution: Any


@pytest.fixture
def people(district: Any) -> People:
    from jianguan.accounts import services as accounts
    from jianguan.accounts.choices import Role

    admin = district.users["admin"]
    head = accounts.user_create(
        actor=admin, username="p_edu_head", name="教育局负责人", role=Role.DEPARTMENT_OFFICER, password=PASSWORD,
        department=district.departments["edu"], is_department_head=True,
    )  # fmt: skip
    edu2 = accounts.user_create(
        actor=admin, username="p_edu2", name="教育执法乙", role=Role.DEPARTMENT_OFFICER, password=PASSWORD,
        department=district.departments["edu"],
    )  # fmt: skip
    for n, user in enumerate([head, edu2]):
        accounts.officer_profile_set(
            actor=admin, user=user, certificate_number=f"CASE{n:04d}", certificate_valid_until=date(2099, 12, 31)
        )
    return People(head, edu2, district.users["edu_officer"], district.users["legal"], district.users["institution"])


HEAVY = {"provision": "mbjy_64", "penalties": ["stop_running", "fine"], "fine": Decimal(20000),
         "illegal_gains": Decimal(10000)}  # fmt: skip
LIGHT = {"provision": "xwpx_18", "penalties": ["warning"], "fine": None, "illegal_gains": None}

ORDER = [
    "clue", "filing_pending", "investigating", "legal_review", "discussion", "notice_pending", "notified",
    "hearing", "decision_pending", "decided", "served", "closed",
]  # fmt: skip


def drive(
    district: Any, people: People, stop: str, terms: dict[str, Any] | None = None, days_ago: int = 40,
    visit: Any = None,
) -> Any:  # fmt: skip
    """A case against institution a, opened by the education officer `days_ago` days ago and taken through the
    services, each step on the day it would happen, up to the stage `stop` (the heavy terms by default: 法制审核,
    集体讨论 and a hearing on the way). `visit(case)` is called at every stage reached, on its day."""
    import time_machine

    from jianguan.enforcement import clocks, services

    terms = terms or HEAVY
    start = timezone.localdate() - timedelta(days=days_ago)
    moment = [timezone.make_aware(datetime(start.year, start.month, start.day, 10))]

    def on(day: date) -> None:
        moment[0] = timezone.make_aware(datetime(day.year, day.month, day.day, 15))

    def hearing(c: Any) -> Any:
        day = clocks.earliest_hearing(start)
        c = services.case_schedule_hearing(
            actor=people.edu, case=c, hearing_on=day, place="区教育局听证室", presider=people.legal
        )
        on(day)
        with time_machine.travel(moment[0], tick=False):
            return services.case_record_hearing(actor=people.edu, case=c, record="当事人对事实无异议，请求从轻。")

    def evidence(c: Any) -> Any:
        services.case_add_evidence(
            actor=people.edu,
            case=c,
            kind="document",
            title="收费收据",
            description="收取培训费一万元",
            collected_on=timezone.localdate(),
        )
        c.refresh_from_db()
        return c

    def pay_and_close(c: Any) -> Any:
        if c.fine:
            c = services.case_pay(actor=people.edu, case=c, amount=c.fine, paid_on=timezone.localdate())
        return services.case_close(actor=people.head, case=c, report="罚款已缴清，已停止办学。")

    steps = [
        ("filing_pending", lambda c: services.case_propose_filing(
            actor=people.edu, case=c, facts="该机构未经审批开展学科类培训。", provision=terms["provision"],
            investigators=[people.edu, people.edu2])),
        ("investigating", lambda c: services.case_approve_filing(actor=people.head, case=c)),
        ("legal_review", lambda c: services.case_end_investigation(
            actor=people.edu, case=evidence(c), outcome="penalty", report="查明该机构收取培训费一万元。",
            penalties=terms["penalties"], fine=terms["fine"], illegal_gains=terms["illegal_gains"])),
        ("discussion", lambda c: services.case_review(actor=people.legal, case=c, passed=True, opinion="事实清楚。")),
        ("notice_pending", lambda c: services.case_discuss(
            actor=people.head, case=c, held_on=timezone.localdate(), attendees="局长、副局长",
            conclusion="同意拟处罚意见。")),
        ("notified", lambda c: services.case_notify(
            actor=people.edu, case=c, served_on=timezone.localdate(), method="hand")),
        ("hearing", lambda c: services.case_request_hearing(actor=people.institution, case=c)),
        ("decision_pending", hearing),
        ("decided", lambda c: services.case_decide(
            actor=people.head, case=c, reasons="事实清楚，证据确凿。", penalties=terms["penalties"],
            fine=terms["fine"])),
        ("served", lambda c: services.case_serve(
            actor=people.edu, case=c, served_on=timezone.localdate(), method="hand")),
        ("closed", pay_and_close),
    ]  # fmt: skip
    with time_machine.travel(moment[0], tick=False):
        case = services.case_open(
            actor=people.edu, department=district.departments["edu"], institution=district.institutions["a"],
            clue="群众举报该机构在居民楼内开展学科类培训。",
        )  # fmt: skip
        if visit:
            visit(case)
    for target, step in steps:
        if case.status == stop:
            return case
        if ORDER.index(case.status) >= ORDER.index(target):
            continue  # a light case skips 法制审核, 集体讨论 and the hearing
        if target == "decision_pending" and not case.hearing_right:
            continue  # no hearing: the decision follows the (waived) period for 陈述申辩
        with time_machine.travel(moment[0], tick=False):
            if target == "hearing" and not case.hearing_right:
                case = services.case_waive(actor=people.institution, case=case)
            else:
                case = step(case)
            case.refresh_from_db()
            if visit:
                visit(case)
    assert case.status == stop, (case.status, stop)
    return case
