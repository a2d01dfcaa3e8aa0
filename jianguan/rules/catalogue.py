"""The sector's rules that the platform checks every day: code, the rule in Chinese, where it comes from, the setting
that holds its limit. Codes are a contract (`check_rules --json`, the API, the warnings' keys): never rename one.

The limits and where they come from (docs/law/sector-rules.md has the wording read):

    JIANGUAN_RULE_OFFLINE_END "20:30"  线下培训结束时间 — 国办发〔2018〕80号; 教监管〔2022〕4号 (十三部门意见)
    JIANGUAN_RULE_ONLINE_END "21:00"   线上培训结束时间 — 双减意见 “规范培训服务行为”; 教监管〔2022〕4号
    JIANGUAN_SCHOOL_VACATIONS          寒暑假 per year (the district's school calendar) — 双减意见
    JIANGUAN_RULE_RECORD_CHECK_DAYS 365   违法犯罪记录 queried every year — 未成年人保护法 第六十二条
    JIANGUAN_RULE_PREPAID_MAX_MONTHS 3, JIANGUAN_RULE_PREPAID_MAX_HOURS 60 — 教监管函〔2021〕2号; 教监管〔2022〕4号
    JIANGUAN_RULE_NONACADEMIC_MAX_CHARGE_YUAN 5000 — 教监管〔2022〕4号
    JIANGUAN_RULE_FEE_LOOKBACK_DAYS 365   charges paid in this window are checked
    JIANGUAN_RULE_REFUND_COMPLAINTS 3 in JIANGUAN_RULE_REFUND_WINDOW_DAYS 90 — a sign of closing (a local choice)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class Area:
    STAFF = "staff"
    CLASSES = "classes"
    FEES = "fees"


AREA_LABELS = {Area.STAFF: _("从业人员"), Area.CLASSES: _("培训时间"), Area.FEES: _("预收费")}

MINORS_ACT_62 = _("《中华人民共和国未成年人保护法》第六十二条")
FOOD_SAFETY_45 = _("《中华人民共和国食品安全法》第四十五条第二款")
DOUBLE_REDUCTION = _("中共中央办公厅、国务院办公厅《关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见》")
GUOBAN_2018_80 = _("《国务院办公厅关于规范校外培训机构发展的意见》（国办发〔2018〕80号）")
THIRTEEN = _("《教育部等十三部门关于规范面向中小学生的非学科类校外培训的意见》（教监管〔2022〕4号）")
PREPAID_NOTICE = _("《教育部等六部门关于加强校外培训机构预收费监管工作的通知》（教监管函〔2021〕2号）")


@dataclass(frozen=True)
class Rule:
    code: str
    area: str
    title: Any  # the rule, in Chinese
    source: Any  # where it comes from
    setting: str = ""  # the setting that holds its limit, if any
    high: bool = False  # a high-severity warning (限制从业, closing with prepaid money)


RULES: list[Rule] = [
    Rule("STAFF_BARRED", Area.STAFF, _("在岗人员在限制从业名单中"), MINORS_ACT_62, high=True),
    Rule(
        "STAFF_RECORD_CHECK",
        Area.STAFF,
        _("在岗人员未在入职时及每年查询性侵害等违法犯罪记录"),
        MINORS_ACT_62,
        "JIANGUAN_RULE_RECORD_CHECK_DAYS",
    ),  # fmt: skip
    Rule("STAFF_RECORD_FOUND", Area.STAFF, _("查询发现违法犯罪记录的人员仍在岗"), MINORS_ACT_62, high=True),
    Rule("STAFF_HEALTH_CERT", Area.STAFF, _("接触直接入口食品的人员无有效健康证明"), FOOD_SAFETY_45),
    Rule("STAFF_TEACHER_CERT", Area.STAFF, _("从事学科类培训的人员无教师资格证"), DOUBLE_REDUCTION),
    Rule("CLASS_TEACHER_CERT", Area.CLASSES, _("学科类班级的授课教师未登记或无教师资格证"), DOUBLE_REDUCTION),
    Rule("CLASS_REST_DAY", Area.CLASSES, _("学科类培训占用法定节假日、休息日"), DOUBLE_REDUCTION),
    Rule("CLASS_VACATION", Area.CLASSES, _("学科类培训占用寒暑假"), DOUBLE_REDUCTION, "JIANGUAN_SCHOOL_VACATIONS"),
    Rule(
        "CLASS_OFFLINE_LATE",
        Area.CLASSES,
        _("线下培训结束时间晚于规定时间"),
        format_lazy("{}；{}", GUOBAN_2018_80, THIRTEEN),
        "JIANGUAN_RULE_OFFLINE_END",
    ),  # fmt: skip
    Rule(
        "CLASS_ONLINE_LATE",
        Area.CLASSES,
        _("线上培训结束时间晚于规定时间"),
        format_lazy("{}；{}", DOUBLE_REDUCTION, THIRTEEN),
        "JIANGUAN_RULE_ONLINE_END",
    ),  # fmt: skip
    Rule(
        "FEE_PERIOD",
        Area.FEES,
        _("一次收费时间跨度超过规定月数"),
        format_lazy("{}；{}", PREPAID_NOTICE, THIRTEEN),
        "JIANGUAN_RULE_PREPAID_MAX_MONTHS",
    ),  # fmt: skip
    Rule(
        "FEE_HOURS",
        Area.FEES,
        _("一次收费超过规定课时"),
        format_lazy("{}；{}", PREPAID_NOTICE, THIRTEEN),
        "JIANGUAN_RULE_PREPAID_MAX_HOURS",
    ),  # fmt: skip
    Rule(
        "FEE_AMOUNT",
        Area.FEES,
        _("非学科类培训一次收费超过规定金额"),
        THIRTEEN,
        "JIANGUAN_RULE_NONACADEMIC_MAX_CHARGE_YUAN",
    ),  # fmt: skip
    Rule("FEE_OUTSIDE_ACCOUNT", Area.FEES, _("预收费未缴入资金监管账户"), PREPAID_NOTICE),
    Rule("FEE_NO_ACCOUNT", Area.FEES, _("收取预收费但未开设资金监管账户或缴纳风险保证金"), PREPAID_NOTICE),
    Rule(
        "FEE_CLOSING",
        Area.FEES,
        _("有预收费余额的机构出现停业迹象"),
        PREPAID_NOTICE,
        "JIANGUAN_RULE_REFUND_COMPLAINTS",
        high=True,
    ),  # fmt: skip
]
RULES_BY_CODE = {rule.code: rule for rule in RULES}
HIGH_CODES = frozenset(rule.code for rule in RULES if rule.high)
# What an institution is not told through the platform (the list of barred persons and the signs the supervisors
# read as closing are theirs); it is told of everything else so it can put it right.
SUPERVISOR_ONLY_CODES = frozenset({"STAFF_BARRED", "FEE_CLOSING"})
