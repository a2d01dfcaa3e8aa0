"""The one staff filter: the district list, the per-institution list and the Excel/CSV export all apply it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.lib.textnorm import clean_text
from jianguan.org.selectors import streets
from jianguan.staff.choices import StaffRole
from jianguan.staff.models import current_q

CURRENT, LEFT, ALL = "current", "left", "all"
STATE_CHOICES = [(CURRENT, _("在职")), (LEFT, _("已离职")), (ALL, _("全部"))]


class StaffFilter(forms.Form):
    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("姓名或机构名称")}),
    )
    institution = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    street = forms.ModelChoiceField(
        label=_("街道/乡镇"), queryset=streets().none(), required=False, empty_label=_("全部街道")
    )
    role = forms.ChoiceField(label=_("岗位"), required=False, choices=[("", _("全部岗位")), *StaffRole.choices])
    state = forms.ChoiceField(label=_("在职状态"), required=False, choices=STATE_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets()

    def apply(self, queryset: QuerySet) -> QuerySet:
        """Filter; an invalid value for one field leaves that field out rather than failing the list."""
        data = (
            self.cleaned_data
            if self.is_valid()
            else {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        )
        if text := clean_text(data.get("q") or ""):
            queryset = queryset.filter(Q(name__icontains=text) | Q(institution__name__icontains=text))
        if data.get("institution"):
            queryset = queryset.filter(institution_id=data["institution"])
        if data.get("street"):
            queryset = queryset.filter(institution__street=data["street"])
        if data.get("role"):
            queryset = queryset.filter(role=data["role"])
        state = data.get("state") or CURRENT
        today = timezone.localdate()
        if state == CURRENT:
            queryset = queryset.filter(current_q(today))
        elif state == LEFT:
            queryset = queryset.filter(end_date__lt=today)
        return queryset
