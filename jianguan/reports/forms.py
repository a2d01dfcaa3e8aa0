from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.inspections.models import Campaign
from jianguan.lib.forms import HtmlDateInput
from jianguan.org.models import Department
from jianguan.org.selectors import streets
from jianguan.reports.dashboard import Filters


class DashboardForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("专项行动"), queryset=Campaign.objects.none(), required=False, empty_label=_("全部行动")
    )
    street = forms.ModelChoiceField(label=_("街道/乡镇"), queryset=streets(), required=False, empty_label=_("全部街道"))
    department = forms.ModelChoiceField(
        label=_("监管部门"), queryset=Department.objects.filter(is_active=True), required=False,
        empty_label=_("全部部门"),
    )  # fmt: skip
    date_from = forms.DateField(label=_("发现日期自"), required=False, widget=HtmlDateInput())
    date_to = forms.DateField(label=_("至"), required=False, widget=HtmlDateInput())

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).order_by("-starts_on", "-pk")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("结束日期 %(end)s 早于起始日期 %(start)s。") % {"start": start, "end": end})
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_valid() else {}
        return Filters(
            **{name: data.get(name) for name in ("campaign", "street", "department", "date_from", "date_to")}
        )
