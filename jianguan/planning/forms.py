"""Forms of the year's plan, the draw and the officers' declared relationships; cleaned data = service kwargs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.inspections.choices import CampaignMethod, CampaignStatus
from jianguan.inspections.forms import InstitutionLookupField
from jianguan.inspections.models import Campaign
from jianguan.lib.validators import TEXT_MAX_LENGTH
from jianguan.org.models import Department
from jianguan.org.selectors import streets
from jianguan.planning.choices import Quarter
from jianguan.planning.selectors import default_ratios
from jianguan.registry.choices import InstitutionKind
from jianguan.risk.choices import RiskLevel


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("方案名称"), max_length=100)
    objectives = forms.CharField(
        label=_("工作目标"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )
    check_items = forms.CharField(
        label=_("检查事项"), max_length=TEXT_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("参与部门"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year + 1


class PlanCampaignForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("专项行动"), queryset=Campaign.objects.none())
    quarter = forms.TypedChoiceField(label=_("季度"), choices=Quarter.choices, coerce=int)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, plan: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if plan is not None:
            self.fields["campaign"].queryset = Campaign.objects.filter(
                starts_on__year=plan.year, plan_entry__isnull=True
            ).order_by("starts_on")
            self.fields["version"].initial = plan.version


class CoverageTargetForm(forms.Form):
    institution_kind = forms.ChoiceField(
        label=_("机构类型"), choices=[("", _("所有类型")), *InstitutionKind.choices], required=False
    )
    street = forms.ModelChoiceField(label=_("街道/乡镇"), queryset=streets(), required=False, empty_label=_("全区"))
    times = forms.IntegerField(label=_("每家至少检查次数"), min_value=1, max_value=12, initial=1)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, plan: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if plan is not None:
            self.fields["version"].initial = plan.version


class PublishForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, plan: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if plan is not None:
            self.fields["version"].initial = plan.version


def _ratio_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=100, required=False)


class DrawForm(forms.Form):
    """The seed and its source, the ratios by risk level (the settings' by default) and by kind, the limit."""

    seed = forms.CharField(label=_("随机种子"), max_length=100, help_text=_("事先确定并公开的数值，抽取后不能更改。"))
    seed_source = forms.CharField(label=_("种子来源"), max_length=200, help_text=_("如：某日公布的某项数值。"))
    max_per_officer = forms.IntegerField(label=_("每名执法人员至多检查对象数"), min_value=1, max_value=1000)

    def __init__(self, *args: Any, campaign: Campaign | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        defaults = default_ratios()
        for level, label in RiskLevel.choices:
            field = _ratio_field(_("风险等级 %(level)s 抽查比例（%%）") % {"level": label})
            field.initial = defaults.get(level, 0)
            self.fields[f"level_{level}"] = field
        kinds = (campaign.institution_kinds if campaign else None) or InstitutionKind.values
        for kind in kinds:
            self.fields[f"kind_{kind}"] = _ratio_field(
                _("%(kind)s 至少抽查比例（%%，可不填）") % {"kind": InstitutionKind(kind).label}
            )
        self.fields["max_per_officer"].initial = settings.JIANGUAN_DRAW_MAX_PER_OFFICER

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "seed": data["seed"],
            "seed_source": data["seed_source"],
            "max_per_officer": data["max_per_officer"],
            "ratios": {level: data[f"level_{level}"] or 0 for level in RiskLevel.values},
            "kind_ratios": {
                key.removeprefix("kind_"): value for key, value in data.items() if key.startswith("kind_") and value
            },
        }


class RecusalForm(forms.Form):
    reason = forms.CharField(label=_("回避原因"), max_length=200)


class ConflictForm(forms.Form):
    institution = InstitutionLookupField(label=_("机构"))
    reason = forms.CharField(
        label=_("关联关系"), max_length=200, help_text=_("如：近亲属在该机构任职、持有该机构股份。")
    )


def drawable(campaign: Campaign) -> bool:
    return campaign.method == CampaignMethod.RANDOM and campaign.status == CampaignStatus.PLANNED
