from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.inspections.forms import InstitutionLookupField
from jianguan.lib.forms import HtmlDateInput
from jianguan.lib.validators import TEXT_MAX_LENGTH
from jianguan.portal.models import MarkKind


class MarkForm(forms.Form):
    institution = InstitutionLookupField()
    kind = forms.ChoiceField(label=_("名单"), choices=MarkKind.choices)
    reason = forms.CharField(
        max_length=TEXT_MAX_LENGTH, label=_("理由（公开显示）"), widget=forms.Textarea(attrs={"rows": 2})
    )
    starts_on = forms.DateField(label=_("起始日期"), widget=HtmlDateInput(), required=False)
    ends_on = forms.DateField(label=_("截止日期（可空）"), widget=HtmlDateInput(), required=False)
