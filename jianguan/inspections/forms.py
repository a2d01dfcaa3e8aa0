from __future__ import annotations

import base64
import binascii
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from jianguan.checklists.choices import Remedy, Severity
from jianguan.checklists.models import Checklist
from jianguan.inspections.choices import CampaignMethod, InspectionKind, Outcome
from jianguan.inspections.models import Campaign
from jianguan.inspections.selectors import certified_officers
from jianguan.lib.creditcode import normalize as normalize_credit_code
from jianguan.lib.forms import HtmlDateInput
from jianguan.lib.validators import TEXT_MAX_LENGTH
from jianguan.org.choices import CheckCategory
from jianguan.org.models import Department
from jianguan.org.selectors import streets
from jianguan.registry.choices import InstitutionKind
from jianguan.registry.models import Institution
from jianguan.registry.search import similar

DATE = HtmlDateInput()


class InstitutionLookupInput(forms.TextInput):
    """A text input with its own datalist, which registry:institution_lookup fills as the user types."""

    template_name = "inspections/widgets/institution_lookup.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {
                "list": "institution-options", "autocomplete": "off",
                "hx-get": reverse_lazy("registry:institution_lookup"), "hx-trigger": "input changed delay:300ms",
                "hx-target": "#institution-options", "hx-swap": "innerHTML", **(attrs or {}),
            }
        )  # fmt: skip


class InstitutionLookupField(forms.CharField):
    """An institution named by its credit code or its exact name (the registry is too large for a drop-down)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("机构（信用代码或完整名称）"))
        # Typing offers matching institutions (registry:institution_lookup fills the page's datalist).
        kwargs.setdefault("widget", InstitutionLookupInput())
        super().__init__(*args, max_length=100, **kwargs)
        self.queryset = Institution.objects.all()

    def clean(self, value: Any) -> Institution | None:
        text = super().clean(value)
        if not text:
            return None
        code = normalize_credit_code(text)
        matches = list(self.queryset.filter(Q(credit_code=code) | Q(name=text.strip()))[:2])
        if not matches and (close := similar(self.queryset, text.strip(), limit=3)):
            names = "、".join(f"{i.name}（{i.credit_code}）" if i.credit_code else i.name for i in close)
            raise ValidationError(
                _("名录库中没有“%(text)s”。您要找的是不是：%(names)s？") % {"text": text, "names": names}
            )
        if not matches:
            raise ValidationError(_("名录库中没有找到“%(text)s”；未登记的场所请先“登记未登记场所”。") % {"text": text})
        if len(matches) > 1:
            raise ValidationError(_("有多家机构名为“%(text)s”，请输入统一社会信用代码。") % {"text": text})
        return matches[0]


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("行动名称"), max_length=100)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    lead_department = forms.ModelChoiceField(label=_("牵头部门"), queryset=Department.objects.filter(is_active=True))
    departments = forms.ModelMultipleChoiceField(
        label=_("参与部门"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    streets = forms.ModelMultipleChoiceField(
        label=_("范围：街道/乡镇（不选为全区）"),
        queryset=streets(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    institution_kinds = forms.MultipleChoiceField(
        label=_("范围：机构类型（不选为所有类型）"),
        choices=InstitutionKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    checklists = forms.ModelMultipleChoiceField(
        label=_("检查表（不选则按机构类型使用默认检查表）"),
        queryset=Checklist.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        max_length=TEXT_MAX_LENGTH, label=_("工作要求"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    method = forms.ChoiceField(
        label=_("方式"),
        choices=CampaignMethod.choices,
        initial=CampaignMethod.FULL,
        help_text=_("双随机抽查：检查对象和执法检查人员在行动页面按比例随机抽取，抽取结果向社会公开。"),
    )
    joint_notice = forms.BooleanField(
        label=_("制发联合责令整改通知书"),
        required=False,
        help_text=_("不勾选：每个主管部门就其职权内的问题各制发一份通知书。"),
    )


class CampaignCopyForm(forms.Form):
    starts_on = forms.DateField(label=_("下一轮开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("下一轮结束日期"), widget=DATE)


class TargetForm(forms.Form):
    institution = InstitutionLookupField()


class InspectionForm(forms.Form):
    institution = InstitutionLookupField()
    kind = forms.ChoiceField(
        label=_("检查类型"),
        choices=[(k.value, k.label) for k in InspectionKind if k != InspectionKind.CAMPAIGN],
        required=False,
    )
    scheduled_at = forms.DateTimeField(
        label=_("计划检查时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    officers = forms.ModelMultipleChoiceField(
        label=_("检查组（至少 2 名持有效执法证的执法人员）"),
        queryset=certified_officers(),
        widget=forms.CheckboxSelectMultiple,
    )
    lead_department = forms.ModelChoiceField(
        label=_("主办部门（制发文书）"), queryset=Department.objects.filter(is_active=True), required=False
    )
    place = forms.CharField(label=_("检查地点"), max_length=200, required=False)
    backfill = forms.BooleanField(label=_("补录（检查已经进行，现在根据纸质记录录入）"), required=False)

    def __init__(self, *args: Any, campaign: Campaign | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = certified_officers()
        self.fields["officers"].label_from_instance = lambda u: f"{u.name}（{u.department}）"
        if campaign is not None:
            del self.fields["kind"]
            self.fields["officers"].queryset = certified_officers().filter(department__in=campaign.departments.all())


class ResultForm(forms.Form):
    outcome = forms.ChoiceField(label=_("结果"), choices=Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)
    fixed_on_site = forms.BooleanField(label=_("当场整改"), required=False)
    # The version of the result the page showed (0: none yet); absent from a plain form post, which then writes.
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1, required=False, widget=forms.HiddenInput)


class EvidenceForm(forms.Form):
    photo = forms.FileField(
        label=_("照片"), widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})
    )
    caption = forms.CharField(label=_("说明"), max_length=200, required=False)


class FindingForm(forms.Form):
    category = forms.ChoiceField(label=_("问题类别"), choices=CheckCategory.choices)
    description = forms.CharField(
        max_length=TEXT_MAX_LENGTH, label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 2})
    )
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    legal_basis = forms.CharField(label=_("违反的规定"), max_length=300, required=False)
    order_basis = forms.CharField(label=_("责令改正的依据（法·条·款·项）"), max_length=300, required=False)
    remedy = forms.TypedChoiceField(
        label=_("改正方式"),
        choices=Remedy.choices,
        initial=Remedy.DEADLINE,
        required=False,
        empty_value=Remedy.DEADLINE,
    )
    requirement = forms.CharField(label=_("改正要求"), max_length=300, required=False)
    penalty_basis = forms.CharField(label=_("逾期不改正的后果"), max_length=300, required=False)
    period_days = forms.IntegerField(
        label=_("期限（工作日；限期改正为改正期限，其他为书面报告期限）"), min_value=1, max_value=120, initial=10
    )
    deadline = forms.DateField(label=_("或指定整改期限（日期）"), required=False, widget=DATE)
    fixed_on_site = forms.BooleanField(label=_("当场整改"), required=False)


# A signature drawn on the screen arrives as a PNG data URL (a 600 × 200 canvas is 10–60 KB).
SIGNATURE_FIELD_MAX = 700_000
SIGNATURE_MAX_BYTES = 512 * 1024


class SignatureInput(forms.Widget):
    """The drawn signature's PNG, written by the signature pad (site.js) into a hidden input beside its canvas."""

    template_name = "inspections/widgets/signature_pad.html"


class SignatureField(forms.CharField):
    widget = SignatureInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=SIGNATURE_FIELD_MAX, required=False, strip=True, **kwargs)

    def to_python(self, value: Any) -> bytes | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        prefix = "data:image/png;base64,"
        if not text.startswith(prefix):
            raise forms.ValidationError(_("签名应为在屏幕上手写的图像。"))
        try:
            data = base64.b64decode(text[len(prefix) :], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise forms.ValidationError(_("签名图像已损坏，请清除后重新签名。")) from exc
        if len(data) > SIGNATURE_MAX_BYTES:
            raise forms.ValidationError(_("签名图像过大，请清除后重新签名。"))
        return data


YES_NO = [("1", _("是")), ("0", _("否"))]


def _yes_no(label: str, required: bool = True, choices: list | None = None) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=choices or YES_NO,
        coerce=lambda v: v == "1",
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
    )


class CompleteForm(forms.Form):
    certificates_shown = forms.BooleanField(
        label=_("执法人员已向当事人出示执法证件，表明身份"),
        help_text=_("《行政处罚法》第五十五条；笔录按实际记载。"),
    )
    recusal_requested = _yes_no(
        _("问：你是否申请执法人员回避？（记录当事人的回答）"),
        choices=[("0", _("答：不申请回避")), ("1", _("答：申请回避"))],
    )
    recusal_note = forms.CharField(
        label=_("回避申请的对象、理由及处理（申请回避时必填）"), max_length=200, required=False
    )
    recorder = forms.TypedChoiceField(label=_("记录人"), coerce=int)
    representative_name = forms.CharField(label=_("机构负责人/现场负责人签名"), max_length=50, required=False)
    sign_party = SignatureField(label=_("当事人/现场负责人手写签名"))
    signature_refused = forms.BooleanField(label=_("当事人拒绝签字"), required=False)
    witness_name = forms.CharField(label=_("见证人（拒绝签字时必填）"), max_length=50, required=False)
    sign_witness = SignatureField(label=_("见证人手写签名"))
    summary = forms.CharField(
        max_length=TEXT_MAX_LENGTH, label=_("检查情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, officers: list[Any] = (), unlicensed_items: bool = False, **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.officers = list(officers)
        self.fields["recorder"].choices = [(u.pk, u.name or u.username) for u in self.officers]
        if unlicensed_items:
            # 教育部令第53号: what makes an unlicensed site 擅自举办 rather than 变相 training (asked when the licence
            # item fails; the service says which are missing).
            self.fields["fixed_site"] = _yes_no(_("未取得办学许可的：有固定培训场所"), required=False)
            self.fields["two_or_more_staff"] = _yes_no(_("未取得办学许可的：有两名以上培训人员"), required=False)
            self.fields["organised_teaching"] = _yes_no(_("未取得办学许可的：有组织地开展培训"), required=False)
        for user in self.officers:
            self.fields[f"sign_officer_{user.pk}"] = SignatureField(
                label=_("检查人员 %(name)s 手写签名") % {"name": user.name or user.username}
            )

    def service_arguments(self) -> dict[str, Any]:
        """What inspection_complete takes: the names and flags, and the drawn signatures with who drew them."""
        data = self.cleaned_data
        drawn = [("officer", u.name or u.username, u, data.get(f"sign_officer_{u.pk}")) for u in self.officers]
        drawn += [
            ("party", data.get("representative_name", ""), None, data.get("sign_party")),
            ("witness", data.get("witness_name", ""), None, data.get("sign_witness")),
        ]
        names = ("representative_name", "signature_refused", "witness_name", "summary", "certificates_shown")
        names += ("recusal_requested", "recusal_note", "fixed_site", "two_or_more_staff", "organised_teaching")
        recorder = next((u for u in self.officers if u.pk == data.get("recorder")), None)
        return {
            **{name: data.get(name) for name in names},
            "recorder": recorder,
            "signatures": [d for d in drawn if d[3]],
        }


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class AmendForm(forms.Form):
    reason = forms.CharField(max_length=TEXT_MAX_LENGTH, label=_("更正原因"), widget=forms.Textarea(attrs={"rows": 2}))
    place = forms.CharField(label=_("检查地点"), max_length=200, required=False)
    summary = forms.CharField(
        max_length=TEXT_MAX_LENGTH, label=_("检查情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    representative_name = forms.CharField(label=_("机构负责人/现场负责人"), max_length=50, required=False)
    signature_refused = forms.BooleanField(label=_("当事人拒绝签字"), required=False)
    witness_name = forms.CharField(label=_("见证人"), max_length=50, required=False)


class SiteReportForm(forms.Form):
    name = forms.CharField(label=_("场所名称（招牌或俗称）"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=InstitutionKind.choices)
    street = forms.ModelChoiceField(label=_("所属街道/乡镇"), queryset=streets())
    address = forms.CharField(label=_("地址"), max_length=200)
    contact_person = forms.CharField(label=_("现场负责人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    notes = forms.CharField(
        max_length=TEXT_MAX_LENGTH, label=_("发现经过"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
