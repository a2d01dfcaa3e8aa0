from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TransferKind(models.TextChoices):
    """移送: a clue or a case outside the sender's powers handed to the competent department (行政处罚法 第十七条; a
    suspected crime to the public security organ, 第二十七条). 协查: another unit asked to help investigate (第二十六条)."""

    TRANSFER = "transfer", _("移送")
    ASSISTANCE = "assistance", _("协查")


class TransferStatus(models.TextChoices):
    SENT = "sent", _("待答复")
    ACCEPTED = "accepted", _("已接收，办理中")
    REFUSED = "refused", _("不予接收")
    CLOSED = "closed", _("已反馈结果")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATUSES = (TransferStatus.SENT, TransferStatus.ACCEPTED)


class TransferAction(models.TextChoices):
    SEND = "send", _("发出")
    ACCEPT = "accept", _("接收")
    REFUSE = "refuse", _("不予接收")
    REPORT = "report", _("反馈处理结果")
    WITHDRAW = "withdraw", _("撤回")
    COMMENT = "comment", _("留言")


class Direction(models.TextChoices):
    SENT = "sent", _("本单位发出")
    RECEIVED = "received", _("本单位收到")


class FeedEvent(models.TextChoices):
    """What a unit may subscribe to. Each is read from the records where it happened (feed.py); nothing is copied."""

    COMPLAINT_RECEIVED = "complaint_received", _("收到投诉举报")
    FINDING_RECORDED = "finding_recorded", _("检查发现问题")
    ORDER_ISSUED = "order_issued", _("下达整改通知")
    ITEM_OVERDUE = "item_overdue", _("整改逾期")
    ITEM_CLOSED = "item_closed", _("整改销号")
    CASE_DECIDED = "case_decided", _("作出处罚决定")
    TRANSFER_RECEIVED = "transfer_received", _("收到移送协查")
