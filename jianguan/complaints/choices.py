from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.org.choices import CheckCategory


class ComplaintCategory(models.TextChoices):
    """What a parent complains about, in a parent's words. `CHECK_CATEGORY` maps each to the check category whose
    lead department usually handles it."""

    UNLICENSED = "unlicensed", _("无证办学")
    TUTORING = "tutoring", _("违规开展学科类培训")
    FEES = "fees", _("收费退费")
    FIRE = "fire", _("消防安全")
    FOOD = "food", _("食品安全")
    TEACHING = "teaching", _("教学内容与师资")
    ADVERTISING = "advertising", _("虚假宣传")
    OTHER = "other", _("其他")


CHECK_CATEGORY = {
    ComplaintCategory.UNLICENSED: CheckCategory.QUALIFICATION,
    ComplaintCategory.TUTORING: CheckCategory.QUALIFICATION,
    ComplaintCategory.FEES: CheckCategory.FEES,
    ComplaintCategory.FIRE: CheckCategory.FIRE_SAFETY,
    ComplaintCategory.FOOD: CheckCategory.FOOD_SAFETY,
    ComplaintCategory.TEACHING: CheckCategory.TEACHING,
    ComplaintCategory.ADVERTISING: CheckCategory.ADVERTISING,
}


class ComplaintKind(models.TextChoices):
    """投诉 is a person's own dispute with an institution (a refund, a contract); 举报 reports a violation anyone may
    report. Both are decided on (受理 or 不予受理) within JIANGUAN_COMPLAINT_ACCEPT_WORKING_DAYS working days."""

    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("待受理")
    ASSIGNED = "assigned", _("办理中")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("不予受理")


OPEN_STATUSES = (ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED)
# What the reporter reads on the tracking page: no internal wording.
PUBLIC_STATUS = {
    ComplaintStatus.RECEIVED: _("已收到，等待受理"),
    ComplaintStatus.ASSIGNED: _("已受理，正在办理"),
    ComplaintStatus.REPLIED: _("已答复"),
    ComplaintStatus.CLOSED: _("已办结"),
    ComplaintStatus.REJECTED: _("不予受理"),
}


class ComplaintResult(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("属实")
    PARTLY = "partly", _("部分属实")
    UNSUBSTANTIATED = "unsubstantiated", _("不属实")


class ComplaintAction(models.TextChoices):
    SUBMIT = "submit", _("收到投诉")
    ASSIGN = "assign", _("受理并交办")
    REJECT = "reject", _("不予受理")
    NOTE = "note", _("办理记录")
    LINK_INSPECTION = "link_inspection", _("关联核查检查")
    LINK_LEDGER = "link_ledger", _("关联整改事项")
    REGISTER_SITE = "register_site", _("登记未登记场所")
    REPLY = "reply", _("答复")
    CLOSE = "close", _("办结")
    CASE_FILED = "case_filed", _("举报线索已立案")
