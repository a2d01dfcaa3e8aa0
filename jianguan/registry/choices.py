from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InstitutionKind(models.TextChoices):
    ACADEMIC = "academic", _("学科类培训")
    NON_ACADEMIC = "non_academic", _("非学科类培训")
    MEAL_CARE = "meal_care", _("小饭桌")
    AFTER_SCHOOL = "after_school", _("托管班")
    OTHER = "other", _("其他")


class OperatingStatus(models.TextChoices):
    NORMAL = "normal", _("正常经营")
    STOP_ENROLLING = "stop_enrolling", _("责令停止招生")
    SUSPENDED = "suspended", _("停业整顿")
    LICENCE_REVOKED = "licence_revoked", _("已吊销许可")
    BANNED = "banned", _("已取缔")
    DEREGISTERED = "deregistered", _("已注销")
    UNREGISTERED = "unregistered", _("未登记")


class InstitutionSubKind(models.TextChoices):
    """Sub-kinds of 非学科类 training; other kinds have none."""

    SPORTS = "sports", _("体育")
    ARTS = "arts", _("文化艺术")
    SCIENCE = "science", _("科技")
    OTHER = "other", _("其他")


class LicenceKind(models.TextChoices):
    SCHOOL_PERMIT = "school_permit", _("办学许可证")
    LEGAL_ENTITY = "legal_entity", _("营业执照/法人登记证书")
    FOOD = "food", _("食品经营许可证/小餐饮备案")
    FIRE = "fire", _("消防相关")
    OTHER = "other", _("其他")


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("有效")
    EXPIRING = "expiring", _("即将到期")
    EXPIRED = "expired", _("已过期")
    MISSING = "missing", _("缺失")


# Statuses an institution can be moved to by a status change (未登记 is only where unregistered sites start).
# Sanctions: an institution enters these only by an effective decision — a penalty decision or order of this platform
# (its document), or another authority's or a court's decision entered with its number and date.
DECISION_STATUSES = frozenset(
    {OperatingStatus.STOP_ENROLLING, OperatingStatus.SUSPENDED, OperatingStatus.LICENCE_REVOKED, OperatingStatus.BANNED}
)

STATUS_CHANGE_TARGETS = [
    OperatingStatus.NORMAL,
    OperatingStatus.STOP_ENROLLING,
    OperatingStatus.SUSPENDED,
    OperatingStatus.LICENCE_REVOKED,
    OperatingStatus.BANNED,
    OperatingStatus.DEREGISTERED,
]
