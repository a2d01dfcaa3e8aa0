from __future__ import annotations

from django import forms

from jianguan.checklists.models import Checklist, ChecklistItem


class ChecklistForm(forms.ModelForm):
    class Meta:
        model = Checklist
        fields = ["name", "institution_kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["order", "category", "text", "legal_basis", "severity", "period_days", "photo_required", "guidance"]

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["order"].help_text = "留空则排在最后。"
