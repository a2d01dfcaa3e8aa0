"""Forms for 从业人员 and the 限制从业 list: they parse; the services check and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.lib.forms import HtmlDateInput
from jianguan.staff.choices import RecordCheckResult, StaffRole

ID_ATTRS = {"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}


class StaffForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号码"), max_length=40, widget=forms.TextInput(attrs=ID_ATTRS), strip=False
    )
    role = forms.ChoiceField(label=_("岗位"), choices=StaffRole.choices)
    start_date = forms.DateField(label=_("入职日期"), widget=HtmlDateInput)
    teaches_academic = forms.BooleanField(label=_("从事学科类培训"), required=False)
    teacher_cert_number = forms.CharField(label=_("教师资格证编号"), max_length=40, required=False)
    teacher_cert_subject = forms.CharField(label=_("任教学科"), max_length=30, required=False)
    handles_food = forms.BooleanField(label=_("接触直接入口食品"), required=False)
    health_cert_number = forms.CharField(label=_("健康证明编号"), max_length=40, required=False)
    health_cert_valid_until = forms.DateField(label=_("健康证明有效期至"), required=False, widget=HtmlDateInput)
    record_check_date = forms.DateField(
        label=_("违法犯罪记录查询日期"), required=False, widget=HtmlDateInput,
        help_text=_("性侵害、虐待、拐卖、暴力伤害等违法犯罪记录查询（未成年人保护法 第六十二条），入职时及每年查询。"),
    )  # fmt: skip
    record_check_result = forms.ChoiceField(
        label=_("查询结果"), required=False, choices=[("", "—"), *RecordCheckResult.choices]
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("留空则不修改已登记的号码。")

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class LeaveForm(forms.Form):
    end_date = forms.DateField(label=_("离职日期"), widget=HtmlDateInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RecordCheckForm(forms.Form):
    record_check_date = forms.DateField(label=_("查询日期"), widget=HtmlDateInput)
    record_check_result = forms.ChoiceField(label=_("查询结果"), choices=RecordCheckResult.choices)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class HealthCertForm(forms.Form):
    health_cert_number = forms.CharField(label=_("健康证明编号"), max_length=40)
    health_cert_valid_until = forms.DateField(label=_("有效期至"), widget=HtmlDateInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class BarredForm(forms.Form):
    case = forms.TypedChoiceField(
        label=_("本平台处罚案件"), required=False, coerce=int, empty_value=None,
        help_text=_("选择已送达的限制从业处罚决定，作出决定的机关、文号和日期取自决定书；其他机关或法院的决定请留空并填写下列依据。"),
    )  # fmt: skip
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号码"), max_length=40, widget=forms.TextInput(attrs=ID_ATTRS), strip=False
    )
    reason = forms.CharField(label=_("事由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    basis_authority = forms.CharField(label=_("作出决定的机关"), max_length=60, required=False)
    basis_number = forms.CharField(label=_("决定文号"), max_length=60, required=False)
    basis_date = forms.DateField(label=_("决定日期"), required=False, widget=HtmlDateInput)
    start_date = forms.DateField(
        label=_("限制起始日期"), required=False, widget=HtmlDateInput, help_text=_("留空为决定送达（作出）之日。")
    )
    end_date = forms.DateField(
        label=_("限制截止日期"), required=False, widget=HtmlDateInput, help_text=_("终身禁止的留空。")
    )

    def __init__(self, *args: Any, cases: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.cases = {case.pk: case for case in cases}
        self.fields["case"].choices = [("", _("（其他机关或法院的决定）"))] + [
            (case.pk, f"{case.party_name} · {case.department.name} · {case.served_on:%Y-%m-%d}") for case in cases
        ]


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
