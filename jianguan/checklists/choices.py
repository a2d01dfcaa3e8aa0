from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    MINOR = "minor", _("一般")
    MAJOR = "major", _("较重")
    SEVERE = "severe", _("严重")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    ARCHIVED = "archived", _("已归档")


class Remedy(models.TextChoices):
    """What the order tells the party to do (a property of the checklist item, after the law it rests on)."""

    DEADLINE = "deadline", _("限期改正")
    IMMEDIATE = "immediate", _("立即改正")
    STOP_RUNNING = "stop_running", _("责令停止举办")
    STOP_ENROLLING = "stop_enrolling", _("责令停止招生")
    STOP_ACTIVITY = "stop_activity", _("责令停止办学活动")


# The remedies that order a stop: a 责令停止… notice of their own (its period is the days to report the stop).
STOP_REMEDIES = frozenset({Remedy.STOP_RUNNING, Remedy.STOP_ENROLLING, Remedy.STOP_ACTIVITY})
# 擅自举办 (教育部令第53号 第十七条): the stop goes with a penalty case, so the order refers the problem at once.
REFERRED_REMEDIES = frozenset({Remedy.STOP_RUNNING})
