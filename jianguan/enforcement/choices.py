from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    """A penalty case's stages (行政处罚法 第五章第三节、第四节), in order."""

    CLUE = "clue", _("待立案")
    FILING_PENDING = "filing_pending", _("立案待审批")
    NOT_FILED = "not_filed", _("不予立案")
    INVESTIGATING = "investigating", _("调查取证")
    LEGAL_REVIEW = "legal_review", _("待法制审核")
    DISCUSSION = "discussion", _("待集体讨论")
    NOTICE_PENDING = "notice_pending", _("待告知")
    NOTIFIED = "notified", _("已告知（陈述申辩期）")
    HEARING = "hearing", _("听证")
    DECISION_PENDING = "decision_pending", _("待决定")
    DECIDED = "decided", _("已决定（待送达）")
    SERVED = "served", _("已送达（执行中）")
    CLOSED = "closed", _("已结案")


OPEN_STATUSES = tuple(s for s in CaseStatus if s not in (CaseStatus.NOT_FILED, CaseStatus.CLOSED))
# Filed and not yet decided: the 90-day clock of 行政处罚法 第六十条 runs.
DECISION_CLOCK_STATUSES = (
    CaseStatus.INVESTIGATING,
    CaseStatus.LEGAL_REVIEW,
    CaseStatus.DISCUSSION,
    CaseStatus.NOTICE_PENDING,
    CaseStatus.NOTIFIED,
    CaseStatus.HEARING,
    CaseStatus.DECISION_PENDING,
)
# The party learns of the case from the 事先告知书 on (an investigation is not shown to the party).
PARTY_STATUSES = (
    CaseStatus.NOTIFIED,
    CaseStatus.HEARING,
    CaseStatus.DECISION_PENDING,
    CaseStatus.DECIDED,
    CaseStatus.SERVED,
    CaseStatus.CLOSED,
)


class CaseSource(models.TextChoices):
    REFERRAL = "referral", _("整改台账移交")
    COMPLAINT = "complaint", _("投诉举报")
    DIRECT = "direct", _("直接发现")


class CaseAction(models.TextChoices):
    OPEN = "open", _("登记线索")
    PROPOSE_FILING = "propose_filing", _("提请立案")
    APPROVE_FILING = "approve_filing", _("批准立案")
    RETURN_FILING = "return_filing", _("退回立案申请")
    DECLINE_FILING = "decline_filing", _("不予立案")
    EVIDENCE = "evidence", _("登记证据")
    PRESERVE = "preserve", _("批准先行登记保存")
    PRESERVATION_DECIDE = "preservation_decide", _("先行登记保存处理决定")
    EXTEND = "extend", _("批准延长办案期限")
    END_INVESTIGATION = "end_investigation", _("调查终结")
    REVIEW_PASS = "review_pass", _("法制审核通过")
    REVIEW_RETURN = "review_return", _("法制审核退回")
    DISCUSS = "discuss", _("集体讨论")
    NOTIFY = "notify", _("送达事先告知书")
    STATEMENT = "statement", _("陈述申辩")
    ANSWER = "answer", _("复核陈述申辩")
    WAIVE = "waive", _("放弃陈述申辩和听证")
    REQUEST_HEARING = "request_hearing", _("申请听证")
    SCHEDULE_HEARING = "schedule_hearing", _("通知听证")
    RECORD_HEARING = "record_hearing", _("听证笔录")
    DECIDE = "decide", _("作出决定")
    SERVE = "serve", _("送达决定书")
    PAY = "pay", _("登记缴款")
    DEFER = "defer", _("批准延期或分期缴纳")
    CLOSE = "close", _("结案")
    WITHDRAW = "withdraw", _("撤回公示")
    REPAIR_APPLY = "repair_apply", _("申请信用修复")
    REPAIR_DECIDE = "repair_decide", _("审核信用修复")


class PenaltyType(models.TextChoices):
    """校外培训行政处罚暂行办法（教育部令第53号）第五条; 行政处罚法 第九条 for the other departments' cases."""

    WARNING = "warning", _("警告")
    CRITICISM = "criticism", _("通报批评")
    FINE = "fine", _("罚款")
    CONFISCATION = "confiscation", _("没收违法所得")
    STOP_ENROLLING = "stop_enrolling", _("责令停止招收学员")
    STOP_RUNNING = "stop_running", _("责令停止举办")
    SUSPEND = "suspend", _("责令停产停业")
    REVOKE = "revoke", _("吊销许可证件")
    RESTRICT = "restrict", _("限制从业")


# 行政处罚法 第五十八条 (法制审核 before the decision) and 第六十三条 (the right to a hearing) name these, besides a
# large fine (JIANGUAN_CASE_LARGE_FINE_YUAN) and large confiscation; the settings may add more for review.
HEAVY_PENALTIES = frozenset(
    {PenaltyType.STOP_ENROLLING, PenaltyType.STOP_RUNNING, PenaltyType.SUSPEND, PenaltyType.REVOKE,
     PenaltyType.RESTRICT}
)  # fmt: skip


# 市场监督管理行政处罚信息公示规定 第十四条第三款 (the model): no credit repair ends the display of these early.
NO_REPAIR_PENALTIES = frozenset(
    {PenaltyType.STOP_RUNNING, PenaltyType.SUSPEND, PenaltyType.REVOKE, PenaltyType.RESTRICT}
)


class CaseOutcome(models.TextChoices):
    """行政处罚法 第五十七条第一款: what the head decides at the end of the investigation."""

    PENALTY = "penalty", _("给予行政处罚")
    MINOR = "minor", _("违法行为轻微，不予行政处罚")
    NOT_ESTABLISHED = "not_established", _("违法事实不能成立，不予行政处罚")
    JUDICIAL = "judicial", _("涉嫌犯罪，移送司法机关")


class EvidenceKind(models.TextChoices):
    """行政诉讼法 第三十三条 names the eight kinds of evidence; a 询问笔录 (行政处罚法 第五十五条第二款) records a witness's or
    the party's words and is listed on its own, as the forms do."""

    DOCUMENT = "document", _("书证")
    PHYSICAL = "physical", _("物证")
    AUDIOVISUAL = "audiovisual", _("视听资料")
    ELECTRONIC = "electronic", _("电子数据")
    WITNESS = "witness", _("证人证言")
    STATEMENT = "statement", _("当事人的陈述")
    EXPERT = "expert", _("鉴定意见")
    RECORD = "record", _("勘验笔录、现场笔录")
    INTERVIEW = "interview", _("询问笔录")


class ServiceMethod(models.TextChoices):
    """How a document reached the party (行政处罚法 第六十一条; 民事诉讼法 送达)."""

    HAND = "hand", _("直接送达")
    LEFT = "left", _("留置送达")
    POST = "post", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子送达（当事人同意并签订确认书）")
    NOTICE = "notice", _("公告送达")
