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
    ends_on = forms.DateField(label=_("截止日期（黑名单为移出日期，必填）"), widget=HtmlDateInput(), required=False)
    legal_basis = forms.CharField(
        max_length=1000, label=_("列入依据（黑名单必填）"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("认定标准所依据的法律、法规或规章条款，以及据以认定的处罚决定文号。"),
    )  # fmt: skip
    removal_conditions = forms.CharField(
        max_length=1000, label=_("移出条件（黑名单必填）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ObjectionForm(forms.Form):
    objection = forms.CharField(max_length=2000, label=_("异议（陈述申辩）"), widget=forms.Textarea(attrs={"rows": 4}))


class AnswerForm(forms.Form):
    answer = forms.CharField(max_length=2000, label=_("答复"), widget=forms.Textarea(attrs={"rows": 3}))
