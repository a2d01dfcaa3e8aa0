from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    """教监管函〔2021〕2号: prepaid money is kept in a supervised account (资金监管账户) or covered by a 风险保证金."""

    SUPERVISION = "supervision", _("资金监管账户")
    DEPOSIT = "deposit", _("风险保证金")


class FeeSource(models.TextChoices):
    ENTERED = "entered", _("在线填报")
    IMPORTED = "imported", _("表格导入")
