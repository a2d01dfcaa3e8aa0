"""The speech's rectification progress, replayed on the demo campaign's ledger (section 二 and 三):

* 5 unlicensed sites: 3 stopped enrolling and are closed out; 南湖佳苑家庭托管点 (refused to sign) is escalated,
  城东小创客 has not rectified;
* 3 超纲教学: 2 closed; 4 小饭桌 food problems: 3 closed; 6 fire hazards: 4 closed;
* 北苑向阳托管班, whose blocked fire exit was only tidied up, failed its recheck and is overdue;
* guidance given where work is still open.

Sites whose head has an account acknowledge the order and submit their rectification (on time but one), and are
rechecked two days later; the officers recheck the others on their own schedule (定期复查) after the deadline. Each
site's follow-up is a story (`jianguan.lib.story`) that the demo loader replays at the moments it happened, among
the campaign's inspections. Skipped when any recheck exists.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.inspections.demo import campaign_schedule
from jianguan.ledger import services
from jianguan.ledger.models import LedgerItem, Recheck
from jianguan.lib.story import Story, moment, weekday_on_or_after
from jianguan.registry import demo_data

CLOSED = {
    "cx-xiaomifeng": "已停止招生，清退学费，课后托管不再组织学科类授课。",
    "by-haoxue": "已停止“提优班”招生，仅保留午晚餐看护服务。",
    "wc-moxiang": "已停止招生，正在申办非学科类培训办学许可。",
    "cx-qizhi": "已按备案教材调整五年级数学教学进度，自编讲义已停用。",
    "nh-qiushi": "已调整课程内容，与备案一致。",
    "cd-aixin": "冷藏柜已分区存放，进货凭证齐全。",
    "nh-mama": "已配备留样柜，留样记录完整。",
    "qs-nuanyang": "帮厨人员已取得健康证明。",
    "wc-lexue": "已更换灭火器。",
    "cd-mingde": "疏散指示标志已修复。",
    "nh-feiyue": "教室已配置灭火器。",
    "cx-caihong": "电线已由电工重新敷设，插线板不再串接。",
}
FAILED = {"by-xiangyang": "复查发现仅将杂物临时清理，后门安全出口处仍停放电动车，未彻底整改。"}
ESCALATED = {"nh-jiayuan": "未取得任何登记和许可，在居民住宅内组织学科类培训，检查时拒绝签字，逾期未整改。"}
GUIDANCE = {
    "xk-yuedu": ("消防救援大队 陈消防", "on_site", "现场指导清理楼梯间杂物，讲解疏散通道最小宽度要求。"),
    "xk-xiaoshumiao": ("市场监管局 周市监", "phone", "电话指导餐具消毒流程和防蝇设施配置。"),
    "qs-yuying": ("区教育局 张教育", "online", "线上讲解培训内容备案要求，提供备案模板。"),
}
OFFICERS = {"青教": "edu1", "青市监": "market1", "青消": "fire1", "青公": "police1"}
# Closed sites whose head has an account (accounts.demo.HEADS) acknowledge the order and submit their rectification:
# on time, except these, two days late. The others are rechecked on the officers' own schedule after the deadline.
LATE = {"cx-caihong"}


def _items(key: str) -> list[LedgerItem]:
    row = next(r for r in demo_data.INSTITUTIONS if r["key"] == key)
    lookup = (
        {"institution__credit_code": row["credit_code"]} if row["credit_code"] else {"institution__name": row["name"]}
    )
    return list(LedgerItem.objects.filter(campaign__isnull=False, **lookup).select_related("department"))


def _story(key: str, inspected: datetime, today: date) -> Story:
    """What follows one site's inspection: the head's acknowledgement and submission where it has an account (on
    time, or two days late), guidance, and the officers' recheck or escalation."""
    yield inspected + timedelta(hours=3)  # the order is out and the items are in the ledger
    items = _items(key)
    if not items:
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["lead", *OFFICERS.values()])}
    lead = users["lead"]

    def supervisor(item: LedgerItem) -> User:
        officer = users.get(OFFICERS.get(item.department.short_name, ""))
        return officer if officer is not None and officer.department_id == item.department_id else lead

    deadline, day = max(i.deadline for i in items), timezone.localtime(inspected).date()
    head = User.objects.filter(role=Role.INSTITUTION, institution=items[0].institution, is_active=True).first()
    if key in GUIDANCE:
        adviser, method, advice = GUIDANCE[key]
        yield moment(weekday_on_or_after(min(deadline, day + timedelta(days=3))), 10)
        for item in items:
            services.guidance_add(
                actor=supervisor(item), item=item, adviser=adviser, given_on=timezone.localdate(), method=method,
                advice=advice,
            )  # fmt: skip
        return len(items)
    recheck_on = deadline + timedelta(days=3)
    if key in CLOSED and head is not None:
        yield moment(day + timedelta(days=1), 9, 30)
        items = [services.acknowledge(actor=head, item=i, note="已收到责令整改通知书，正在整改。") for i in items]
        submit_on = min(deadline, day + timedelta(days=6)) if key not in LATE else deadline + timedelta(days=2)
        yield moment(submit_on, 16)
        items = [services.submit(actor=head, item=i, note=CLOSED[key]) for i in items]
        recheck_on = submit_on + timedelta(days=2)
    yield moment(
        weekday_on_or_after(recheck_on) if key not in ESCALATED else weekday_on_or_after(deadline + timedelta(days=5)),
        10,
    )
    for item in items:
        if key in ESCALATED:
            services.escalate(actor=lead, item=item, reason=ESCALATED[key])
        else:
            passed = key in CLOSED
            note = CLOSED[key] if passed else FAILED[key]
            team = [o.user for o in item.inspection.officers.select_related("user")]  # two officers recheck
            services.recheck(actor=supervisor(item), item=item, passed=passed, note=note, officers=team)
    return len(items)


def ledger_stories(*, today: date) -> list[Story]:
    """One story per site with a follow-up; none when the demo's rechecks exist (already loaded)."""
    if Recheck.objects.exists():
        return []
    schedule = campaign_schedule(today)
    return [_story(key, schedule[key], today) for key in (*CLOSED, *FAILED, *ESCALATED, *GUIDANCE)]
