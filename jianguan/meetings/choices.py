from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Schedule(models.TextChoices):
    """How often the standing meeting meets (例会); extra sessions (临时会议) come on top."""

    MONTHLY = "monthly", _("每月一次")
    QUARTERLY = "quarterly", _("每季度一次")
    HALF_YEARLY = "half_yearly", _("每半年一次")


class SessionKind(models.TextChoices):
    REGULAR = "regular", _("例会")
    EXTRA = "extra", _("临时会议")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    HELD = "held", _("已召开")


class SessionAction(models.TextChoices):
    ATTENDANCE = "attendance", _("记录出席情况")
    MATERIALS = "materials", _("生成会议材料")
    MINUTES = "minutes", _("记录会议纪要")


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", _("出席")
    DEPUTY = "deputy", _("委托出席")
    ABSENT = "absent", _("缺席")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    CLOSED = "closed", _("已办结")


class TaskAction(models.TextChoices):
    PROGRESS = "progress", _("报告办理进展")
    CLOSE = "close", _("办结销号")
