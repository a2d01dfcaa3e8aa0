from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    """What another system may subscribe to (the codes are the `event` field of the payload and never change)."""

    INSTITUTION_CHANGED = "institution.changed", _("机构信息变更")
    ORDER_ISSUED = "order.issued", _("下达责令整改或停止通知书")
    ITEM_CLOSED = "item.closed", _("整改事项销号")
    CASE_DECIDED = "case.decided", _("行政处罚案件作出决定")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SUCCEEDED = "succeeded", _("已送达")
    FAILED = "failed", _("失败，等待重试")
    GIVEN_UP = "given_up", _("已放弃")
