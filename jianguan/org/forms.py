from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.lib.forms import HtmlDateInput
from jianguan.lib.holidaynotice import MAX_CHARS
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
        fields = ["name", "short_name", "kind", "review_body", "is_active"]

    def _post_clean(self) -> None:
        pass


class ResponsibilityForm(forms.Form):
    institution_kind = forms.ChoiceField(
        label=_("机构类型"), choices=[("", _("所有类型（无单独规定的类型均按此）"))], required=False
    )
    item_code = forms.ChoiceField(label=_("检查项"), choices=[("", _("整个检查类别"))], required=False)
    lead = forms.ModelChoiceField(
        label=_("牵头部门"), queryset=Department.objects.none(), required=False, empty_label=_("（空白）")
    )
    supporting = forms.ModelMultipleChoiceField(
        label=_("配合部门"), queryset=Department.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from jianguan.org.selectors import item_labels
        from jianguan.registry.choices import InstitutionKind

        active = Department.objects.filter(is_active=True)
        self.fields["lead"].queryset = active
        self.fields["supporting"].queryset = active
        self.fields["institution_kind"].choices += InstitutionKind.choices
        self.fields["item_code"].choices += [
            (code, f"{text}（{code}）") for code, text in sorted(item_labels().items())
        ]


class MatrixImportForm(forms.Form):
    file = forms.FileField(
        label=_("职责分工表（.xlsx，由“导出”得到并修改）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )


class WorkdayOverrideForm(forms.ModelForm):
    class Meta:
        model = WorkdayOverride
        fields = ["date", "is_working_day", "note"]
        widgets = {"date": HtmlDateInput()}

    def _post_clean(self) -> None:
        pass


class HolidayNoticeForm(forms.Form):
    text = forms.CharField(
        label=_("通知正文"),
        max_length=MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 14, "placeholder": _("一、元旦：1月1日放假……")}),
        help_text=_("粘贴国务院办公厅关于该年部分节假日安排的通知，连同标题，照原样即可。"),
    )
    year = forms.IntegerField(
        label=_("年份"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("通知文本中没有年份时填写。"),
    )


class CalendarYearForm(forms.Form):
    """The calendar page's ?year= (the year whose days are shown)."""

    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
