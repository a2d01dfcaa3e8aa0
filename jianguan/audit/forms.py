from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.lib.forms import HtmlDateInput


class AuditFilterForm(forms.Form):
    actor = forms.CharField(max_length=100, label=_("操作人"), required=False)
    action = forms.CharField(max_length=100, label=_("操作"), required=False)
    object_type = forms.CharField(max_length=100, label=_("对象类型"), required=False)
    object_id = forms.CharField(max_length=100, label=_("对象编号"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=HtmlDateInput())
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=HtmlDateInput())
