from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("待整改")
    IN_PROGRESS = "in_progress", _("整改中")
    SUBMITTED = "submitted", _("待复查")
    CLOSED = "closed", _("已销号")
    ESCALATED = "escalated", _("移交处罚")


OPEN_STATUSES = (ItemStatus.PENDING, ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED)


class Action(models.TextChoices):
    CREATE = "create", _("建立台账")
    CLOSE_ON_SITE = "close_on_site", _("当场整改销号")
    ACKNOWLEDGE = "acknowledge", _("确认整改")
    SUBMIT = "submit", _("提交整改材料")
    RECHECK_PASS = "recheck_pass", _("复查通过，销号")
    RECHECK_FAIL = "recheck_fail", _("复查未通过")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    APPROVE_EXTENSION = "approve_extension", _("同意延期")
    REFUSE_EXTENSION = "refuse_extension", _("不同意延期")
    ESCALATE = "escalate", _("移交处罚")
    GUIDANCE = "guidance", _("整改指导")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("不同意")


class GuidanceMethod(models.TextChoices):
    ON_SITE = "on_site", _("现场")
    PHONE = "phone", _("电话")
    ONLINE = "online", _("线上")


class ReferralStatus(models.TextChoices):
    AWAITING = "awaiting", _("待立案")
    FILED = "filed", _("已立案")
    NOT_FILED = "not_filed", _("不予立案")
