from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    WEB = "web", _("网页")
    API = "api", _("接口")
    COMMAND = "command", _("命令")
