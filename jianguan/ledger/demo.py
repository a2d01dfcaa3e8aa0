"""The speech's rectification progress, replayed on the demo campaign's ledger (section 二 and 三):

* 5 unlicensed sites: 3 stopped enrolling and are closed out; 南湖佳苑家庭托管点 (refused to sign) is escalated,
  城东小创客 has not rectified;
* 3 超纲教学: 2 closed; 4 小饭桌 food problems: 3 closed; 6 fire hazards: 4 closed;
* 北苑向阳托管班, whose blocked fire exit was only tidied up, failed its recheck and is overdue;
* guidance given where work is still open.

Every deadline of the campaign has passed by the speech's day, so the officers recheck on their own schedule
(定期复查) without waiting for a submission. Called by ``jianguan.demo.loader.load_demo`` after the campaign; skipped
when any recheck exists.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from jianguan.accounts.models import User
from jianguan.ledger import services
from jianguan.ledger.models import LedgerItem, Recheck
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


def _items(key: str) -> list[LedgerItem]:
    row = next(r for r in demo_data.INSTITUTIONS if r["key"] == key)
    lookup = (
        {"institution__credit_code": row["credit_code"]} if row["credit_code"] else {"institution__name": row["name"]}
    )
    return list(LedgerItem.objects.filter(campaign__isnull=False, **lookup).select_related("department"))


def load_demo_ledger(*, today: date, log: Any = print) -> int:
    """Returns how many items changed."""
    if Recheck.objects.exists() or not LedgerItem.objects.filter(campaign__isnull=False).exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["lead", *OFFICERS.values()])}
    lead = users["lead"]

    def supervisor(item: LedgerItem) -> User:
        officer = users.get(OFFICERS.get(item.department.short_name, ""))
        return officer if officer is not None and officer.department_id == item.department_id else lead

    def checked_on(item: LedgerItem) -> date:
        return min(item.deadline + timedelta(days=3), today)

    changed = 0
    for key, note in CLOSED.items():
        for item in _items(key):
            services.recheck(actor=supervisor(item), item=item, passed=True, note=note, checked_on=checked_on(item))
            changed += 1
    for key, note in FAILED.items():
        for item in _items(key):
            services.recheck(actor=supervisor(item), item=item, passed=False, note=note, checked_on=checked_on(item))
            changed += 1
    for key, reason in ESCALATED.items():
        for item in _items(key):
            services.escalate(actor=lead, item=item, reason=reason)
            changed += 1
    for key, (adviser, method, advice) in GUIDANCE.items():
        for item in _items(key):
            services.guidance_add(
                actor=supervisor(item), item=item, adviser=adviser, given_on=checked_on(item), method=method,
                advice=advice,
            )  # fmt: skip
            changed += 1
    log(f"  整改台账：{changed} 条事项已复查、移交或指导")
    return changed
