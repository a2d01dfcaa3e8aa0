from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.risk.choices import RiskLevel


class RatingFilterForm(forms.Form):
    """The rating list's filter (the API's `level` means the same)."""

    level = forms.ChoiceField(label=_("风险等级"), choices=[("", _("全部等级")), *RiskLevel.choices], required=False)
