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
