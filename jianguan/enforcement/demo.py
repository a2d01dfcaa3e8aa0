"""The demo's penalty cases, in several stages, each a story (`jianguan.lib.story`) replayed after the campaign's
inspections and the ledger's follow-up:

* 城东小创客 (擅自举办: its 责令停止举办 order referred it) — 立案, investigated, reviewed, discussed, told, its
  statement answered, decided (责令停止举办 and a fine of twice the illegal gains), served and published;
* 南湖佳苑家庭托管点 (escalated from the ledger) — investigated, waiting for 法制审核;
* 北苑好学小饭桌 (变相学科类 提优班, a clue registered from the inspection) — told of a fine of ¥30,000, the party
  asked for a hearing;
* 城西小蜜蜂托管班 (one tutor, stopped at once) — a warning, decided and served, not published.

Each step happens on the day it would; a story stops where its next step would fall after the demo's today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from jianguan.accounts.models import User
from jianguan.enforcement import services
from jianguan.enforcement.models import Case
from jianguan.inspections.demo import campaign_schedule
from jianguan.lib.story import Story, moment, weekday_on_or_after
from jianguan.registry import demo_data
from jianguan.registry.models import Institution

INVESTIGATORS = ("edu1", "edu2")


def _institution(key: str) -> Institution:
    row = next(r for r in demo_data.INSTITUTIONS if r["key"] == key)
    lookup = {"credit_code": row["credit_code"]} if row["credit_code"] else {"name": row["name"]}
    return Institution.objects.get(**lookup)


Step = tuple[int, Callable[[Case, dict[str, User]], Case]]


def _story(key: str, start: datetime, today: date, open_case: Callable[[dict[str, User]], Case | None],
           steps: list[Step]) -> Story:  # fmt: skip
    """Open (or find) the site's case `start` + a day, then each step on its working day after that; stop before a
    day later than `today`."""
    first = weekday_on_or_after(timezone.localtime(start).date() + timedelta(days=1))
    if first > today:
        return 0
    yield moment(first, 10)
    users = {u.username: u for u in User.objects.filter(username__in=["edu1", "edu2", "eduhead", "legal"])}
    case, day = open_case(users), first
    while case is None:  # a referral comes when the ledger escalates the item: look again the next working day
        day = weekday_on_or_after(day + timedelta(days=1))
        if day > today:
            return 0
        yield moment(day, 10)
        case = open_case(users)
    for offset, step in steps:
        day = weekday_on_or_after(day + timedelta(days=offset))
        if day > today:
            return 1
        yield moment(day, 10)
        case = step(Case.objects.get(pk=case.pk), users)
    return 1


def _referred(key: str) -> Callable[[dict[str, User]], Case | None]:
    return lambda users: Case.objects.filter(
        institution=_institution(key), referral__isnull=False, department=users["edu1"].department
    ).first()


def _direct(key: str, clue: str) -> Callable[[dict[str, User]], Case]:
    def open_case(users: dict[str, User]) -> Case:
        institution = _institution(key)
        return services.case_open(
            actor=users["edu1"], department=users["edu1"].department, institution=institution, clue=clue
        )

    return open_case


def _propose(facts: str, provision: str) -> Callable[[Case, dict[str, User]], Case]:
    return lambda c, u: services.case_propose_filing(
        actor=u["edu1"], case=c, facts=facts, provision=provision, investigators=[u[n] for n in INVESTIGATORS]
    )


def _approve(c: Case, u: dict[str, User]) -> Case:
    return services.case_approve_filing(actor=u["eduhead"], case=c, note="同意立案，由张教育、赵明负责调查。")


def _evidence(*items: tuple[str, str, str]) -> Callable[[Case, dict[str, User]], Case]:
    def add(c: Case, u: dict[str, User]) -> Case:
        for kind, title, proves in items:
            services.case_add_evidence(actor=u["edu2"], case=c, kind=kind, title=title, description=proves,
                                       collected_on=timezone.localdate())  # fmt: skip
        return Case.objects.get(pk=c.pk)

    return add


def _end(report: str, penalties: list[str], fine: int | None = None, gains: int | None = None):  # type: ignore[no-untyped-def]
    return lambda c, u: services.case_end_investigation(
        actor=u["edu1"], case=c, outcome="penalty", report=report, penalties=penalties,
        fine=Decimal(fine) if fine else None, illegal_gains=Decimal(gains) if gains is not None else None,
    )  # fmt: skip


def _review(c: Case, u: dict[str, User]) -> Case:
    return services.case_review(actor=u["legal"], case=c, passed=True,
                                opinion="事实清楚，证据确凿，适用依据正确，程序合法，处罚幅度适当。")  # fmt: skip


def _discuss(c: Case, u: dict[str, User]) -> Case:
    return services.case_discuss(actor=u["eduhead"], case=c, held_on=timezone.localdate(),
                                 attendees="周立新（局长）、局党组成员、法制科负责人", conclusion="同意拟处罚意见。")  # fmt: skip


def _notify(c: Case, u: dict[str, User]) -> Case:
    return services.case_notify(actor=u["edu1"], case=c, served_on=timezone.localdate(), method="hand")


def _serve(c: Case, u: dict[str, User]) -> Case:
    return services.case_serve(actor=u["edu1"], case=c, served_on=timezone.localdate(), method="hand")


def _xiaochuangke() -> list[Step]:
    def statement(c: Case, u: dict[str, User]) -> Case:
        s = services.case_statement(
            actor=u["edu1"], case=c, text="举办者当面陈述：已停止招生并退还部分学费，请求从轻处罚。"
        )
        services.case_answer(actor=u["edu2"], case=c, statement=s, accepted=True,
                             answer="经核实，已退还学费 2.4 万元，予以采纳，按违法所得二倍处罚。")  # fmt: skip
        return Case.objects.get(pk=c.pk)

    def decide(c: Case, u: dict[str, User]) -> Case:
        return services.case_decide(actor=u["eduhead"], case=c, reasons="当事人未经审批开展校外培训，构成擅自举办。",
                                    penalties=["fine", "stop_running"], fine=Decimal(96000))  # fmt: skip

    return [
        (0, _propose("未经审批，在城东街道租用场所开设编程培训班，面向中小学生招收学员 40 余名，聘用培训人员 4 名，"
                     "按年级分班授课。", "mbjy_64")),
        (1, _approve),
        (1, _evidence(("record", "现场检查笔录", "培训场所、学员和授课情况"),
                      ("interview", "举办者询问笔录", "举办时间、招生人数和收费情况"),
                      ("document", "收费收据及转账记录", "收取培训费 4.8 万元"))),
        (4, _end("经查，当事人未经审批开展校外培训，有专门培训场所、培训人员 4 名、按年级分班，构成擅自举办校外培训机构；"
                 "违法所得 4.8 万元。", ["stop_running", "fine"], fine=96000, gains=48000)),
        (2, _review),
        (1, _discuss),
        (1, _notify),
        (1, statement),
        (7, decide),
        (1, _serve),
    ]  # fmt: skip


def _jiayuan() -> list[Step]:
    return [
        (0, _propose("在居民住宅内招收小学生 18 名，托管期间集中讲授数学、英语，收取费用。", "xwpx_18_serious")),
        (1, _approve),
        (1, _evidence(("record", "现场检查笔录", "住宅内授课情况"),
                      ("witness", "家长证言", "每月收费 1,200 元，包含数学、英语辅导"))),
        (3, _end("经查，当事人以托管名义在居民住宅内有偿开展学科类培训，检查时拒绝签字，逾期未整改，情节严重。",
                 ["fine"], fine=20000)),
    ]  # fmt: skip


def _haoxue() -> list[Step]:
    def hearing(c: Case, u: dict[str, User]) -> Case:
        return services.case_request_hearing(actor=u["edu1"], case=c, note="当事人书面提出听证申请（代为登记）。")

    return [
        (0, _propose("在小饭桌场所内开设小学数学、英语“提优班”，按学期收费。", "xwpx_18_grave")),
        (1, _approve),
        (1, _evidence(("document", "提优班招生宣传单", "招生对象和收费标准"),
                      ("document", "收费记录", "两个学期收费 3.6 万元"))),
        (3, _end("经查，当事人以小饭桌名义变相开展学科类培训，持续两个学期，情节特别严重。", ["fine"], fine=60000)),
        (2, _review),
        (1, _discuss),
        (1, _notify),
        (1, hearing),
    ]  # fmt: skip


def _xiaomifeng() -> list[Step]:
    def waive(c: Case, u: dict[str, User]) -> Case:
        return services.case_waive(actor=u["edu1"], case=c, note="当事人书面表示放弃陈述、申辩。")

    def decide(c: Case, u: dict[str, User]) -> Case:
        return services.case_decide(actor=u["eduhead"], case=c, reasons="初次违法，已停止招生并清退学费。",
                                    penalties=["warning"])  # fmt: skip

    return [
        (0, _propose("以课后托管名义组织小学语文、数学、英语集体授课。", "xwpx_18")),
        (1, _approve),
        (1, _evidence(("record", "现场检查笔录", "集体授课情况"))),
        (2, _end("经查，当事人以托管名义变相开展学科类培训，一名授课人员，已停止招生并清退学费。", ["warning"])),
        (1, _notify),
        (1, waive),
        (1, decide),
        (1, _serve),
    ]  # fmt: skip


def case_stories(*, today: date) -> list[Story]:
    """The four cases' stories; none when the demo's cases were filed already (loaded before)."""
    if Case.objects.filter(filed_on__isnull=False).exists():
        return []
    schedule = campaign_schedule(today)
    return [
        _story("cd-xiaochuangke", schedule["cd-xiaochuangke"], today, _referred("cd-xiaochuangke"), _xiaochuangke()),
        _story("nh-jiayuan", schedule["nh-jiayuan"], today, _referred("nh-jiayuan"), _jiayuan()),
        _story("by-haoxue", schedule["by-haoxue"], today,
               _direct("by-haoxue", "联合执法检查发现该小饭桌开设学科类“提优班”。"), _haoxue()),
        _story("cx-xiaomifeng", schedule["cx-xiaomifeng"], today,
               _direct("cx-xiaomifeng", "联合执法检查发现该托管班组织学科类集体授课。"), _xiaomifeng()),
    ]  # fmt: skip
