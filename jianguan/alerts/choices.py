from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    """The kinds of early warning (预警), in the order the page lists them: the high-severity one first."""

    RULE_HIGH = "rule_high", _("严重违规（限制从业等）")
    LICENCE_EXPIRING = "licence_expiring", _("证照即将到期")
    ITEM_DUE_SOON = "item_due_soon", _("整改即将到期")
    ITEM_OVERDUE = "item_overdue", _("整改逾期")
    COMPLAINT_UNREGISTERED = "complaint_unregistered", _("疑似无证办学投诉")
    REPEATED_PROBLEM = "repeated_problem", _("同类问题反复出现")
    TRANSFER_OVERDUE = "transfer_overdue", _("移送协查逾期未答复")
    MEETING_TASK_OVERDUE = "meeting_task_overdue", _("督办事项超期")
    RULE_VIOLATION = "rule_violation", _("行业规则违规")
