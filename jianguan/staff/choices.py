from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    TEACHER = "teacher", _("教师（培训人员）")
    CARE = "care", _("保育/看护人员")
    COOK = "cook", _("厨师/食品从业人员")
    MANAGER = "manager", _("管理人员")
    OTHER = "other", _("其他人员")


class RecordCheckResult(models.TextChoices):
    """性侵害、虐待、拐卖、暴力伤害等违法犯罪记录查询 (未成年人保护法 第六十二条) — what the query answered."""

    CLEAR = "clear", _("未发现违法犯罪记录")
    FOUND = "found", _("发现违法犯罪记录")
