from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    OFFLINE = "offline", _("线下")
    ONLINE = "online", _("线上")


WEEKDAY_LABELS = {1: _("周一"), 2: _("周二"), 3: _("周三"), 4: _("周四"), 5: _("周五"), 6: _("周六"), 7: _("周日")}
