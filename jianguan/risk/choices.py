from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskLevel(models.TextChoices):
    """A 低 … D 高: the letter is what lists sort and filter by, the label what people read."""

    A = "A", _("A 低")
    B = "B", _("B 中")
    C = "C", _("C 较高")
    D = "D", _("D 高")
