"""The one institution filter: the list page, the Excel/CSV export and the API all apply it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.lib.textnorm import clean_text
from jianguan.org.models import Region
from jianguan.org.selectors import streets
from jianguan.registry.choices import InstitutionKind, LicenceStatus, OperatingStatus
from jianguan.registry.search import by_name, text_q
from jianguan.registry.selectors import licence_state_q

SORTS = {
    "name": ("name", "pk"),
    "-created": ("-created_at", "-pk"),
    "street": ("street__code", "name", "pk"),
    "status": ("status", "name", "pk"),
}
SORT_CHOICES = [("name", _("名称")), ("-created", _("最近登记")), ("street", _("街道")), ("status", _("经营状态"))]


class InstitutionFilter(forms.Form):
    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("名称、信用代码、地址或拼音首字母")}),
    )
    street = forms.ModelChoiceField(
        label=_("街道/乡镇"), queryset=Region.objects.none(), required=False, empty_label=_("全部街道")
    )
    kind = forms.ChoiceField(
        label=_("机构类型"), required=False, choices=[("", _("全部类型")), *InstitutionKind.choices]
    )
    status = forms.ChoiceField(
        label=_("经营状态"), required=False, choices=[("", _("全部状态")), *OperatingStatus.choices]
    )
    licence = forms.ChoiceField(
        label=_("证照状态"), required=False, choices=[("", _("全部证照状态")), *LicenceStatus.choices]
    )
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets()

    def apply(self, queryset: QuerySet) -> QuerySet:
        """Filter and sort; an invalid value for one field leaves that field out rather than failing the list."""
        data = (
            self.cleaned_data
            if self.is_valid()
            else {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        )
        if text := clean_text(data.get("q") or ""):
            queryset = queryset.filter(text_q(text, address=True))
        if street := data.get("street"):
            queryset = queryset.filter(street=street)
        if kind := data.get("kind"):
            queryset = queryset.filter(kind=kind)
        if status := data.get("status"):
            queryset = queryset.filter(status=status)
        if licence := data.get("licence"):
            queryset = queryset.filter(licence_state_q(licence, timezone.localdate()))
        sort = data.get("sort") or "name"
        if sort == "name" and text:
            return queryset.order_by(*by_name(text))
        return queryset.order_by(*SORTS.get(sort, SORTS["name"]))
