from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.alerts.choices import AlertKind
from jianguan.lib.validators import TEXT_MAX_LENGTH
from jianguan.org.selectors import streets


class AcknowledgeForm(forms.Form):
    key = forms.CharField(max_length=120, widget=forms.HiddenInput)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    query = forms.CharField(
        max_length=TEXT_MAX_LENGTH, required=False, widget=forms.HiddenInput
    )  # the list's filter, to return to


class AlertFilter(forms.Form):
    """The list's filter: kind, street, and whether to show the warnings the user has acknowledged."""

    STATES = [("", _("待确认")), ("acknowledged", _("已确认")), ("all", _("全部"))]

    kind = forms.ChoiceField(label=_("类型"), choices=[("", _("全部类型")), *AlertKind.choices], required=False)
    street = forms.ModelChoiceField(
        label=_("街道/乡镇"), queryset=streets(), required=False, empty_label=_("全部街道/乡镇")
    )
    state = forms.ChoiceField(label=_("确认状态"), choices=STATES, required=False)

    def values(self) -> dict:
        """The valid filter values; anything malformed counts as not given."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        street = data.get("street")
        return {
            "kind": data.get("kind") or None,
            "street_id": street.pk if street is not None else None,
            "state": data.get("state") or "",
        }
