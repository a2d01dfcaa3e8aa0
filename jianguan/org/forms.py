from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.lib.forms import HtmlDateInput
from jianguan.org.models import Department, Region, WorkdayOverride


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "is_active"]

    def _post_clean(self) -> None:
        # The service runs full_clean, so web, API and commands share one set of rules.
        pass


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "short_name", "kind", "is_active"]

    def _post_clean(self) -> None:
        pass


class ResponsibilityForm(forms.Form):
    lead = forms.ModelChoiceField(
        label=_("牵头部门"), queryset=Department.objects.none(), required=False, empty_label=_("（空白）")
    )
    supporting = forms.ModelMultipleChoiceField(
        label=_("配合部门"), queryset=Department.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = Department.objects.filter(is_active=True)
        self.fields["lead"].queryset = active
        self.fields["supporting"].queryset = active


class WorkdayOverrideForm(forms.ModelForm):
    class Meta:
        model = WorkdayOverride
        fields = ["date", "is_working_day", "note"]
        widgets = {"date": HtmlDateInput()}

    def _post_clean(self) -> None:
        pass
