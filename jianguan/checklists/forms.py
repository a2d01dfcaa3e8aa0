from __future__ import annotations

from django import forms

from jianguan.checklists.choices import Remedy
from jianguan.checklists.models import Checklist, ChecklistItem


class ChecklistForm(forms.ModelForm):
    class Meta:
        model = Checklist
        fields = ["name", "institution_kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = [
            "order", "category", "code", "text", "legal_basis", "order_basis", "remedy", "requirement",
            "penalty_basis", "severity", "period_days", "photo_required", "guidance",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["remedy"].required = False  # 限期改正 unless chosen
        self.fields["order"].help_text = "留空则排在最后。"

    def clean_remedy(self) -> str:
        return self.cleaned_data.get("remedy") or Remedy.DEADLINE
