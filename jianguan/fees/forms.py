"""Forms of 预收费: each form's cleaned data are the keyword arguments of its service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.courses.models import Course
from jianguan.fees.choices import AccountKind
from jianguan.lib.forms import HtmlDateInput, VersionForm


class AccountForm(VersionForm):
    kind = forms.ChoiceField(label=_("监管方式"), choices=AccountKind.choices, widget=forms.RadioSelect,
                             initial=AccountKind.SUPERVISION)  # fmt: skip
    bank = forms.CharField(label=_("开户银行"), max_length=60, required=False)
    # Never filled in from the stored number: the page shows only the masked form.
    account_number = forms.CharField(
        label=_("监管账户账号"), max_length=40, required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )  # fmt: skip
    agreement_date = forms.DateField(label=_("监管协议签订日期"), required=False, widget=HtmlDateInput)
    deposit_amount = forms.DecimalField(label=_("风险保证金（元）"), required=False, min_value=0,
                                        max_digits=12, decimal_places=2)  # fmt: skip

    def __init__(self, *args: Any, masked: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if masked:
            self.fields["account_number"].help_text = _("当前账号 %(masked)s；留空则不修改。") % {"masked": masked}


class RecordForm(forms.Form):
    student_name = forms.CharField(
        label=_("学员姓名"), max_length=20,
        help_text=_("保存时只保留姓氏（如“张**”），平台不保存学员全名。"),
    )  # fmt: skip
    course = forms.ModelChoiceField(label=_("课程"), queryset=Course.objects.none(), required=False)
    course_name = forms.CharField(label=_("课程名称"), max_length=60, required=False,
                                  help_text=_("未选择课程时必填。"))  # fmt: skip
    academic = forms.BooleanField(label=_("学科类"), required=False)
    contract_number = forms.CharField(label=_("合同/收据编号"), max_length=40, required=False)
    hours = forms.DecimalField(label=_("课时"), min_value=0, max_digits=7, decimal_places=1)
    amount = forms.DecimalField(label=_("金额（元）"), min_value=0, max_digits=12, decimal_places=2)
    period_start = forms.DateField(label=_("服务期起"), widget=HtmlDateInput)
    period_end = forms.DateField(label=_("服务期止"), widget=HtmlDateInput)
    paid_on = forms.DateField(label=_("缴费日期"), widget=HtmlDateInput)
    into_supervised_account = forms.BooleanField(label=_("已缴入监管账户"), required=False, initial=True)

    def __init__(self, *args: Any, institution: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(institution=institution).order_by("name", "pk")
        if editing:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
            self.fields["student_name"].required = False
            self.fields["student_name"].help_text = _("留空则保留原记录（已隐去名字）。")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("course") and not data.get("course_name"):
            self.add_error("course_name", _("请选择课程或填写课程名称。"))
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", _("服务期止不能早于服务期起。"))
        return data


class RecordFilter(forms.Form):
    """The district list's filter as a form (for its widgets); the values are parsed by lib.params in the view."""

    q = forms.CharField(label=_("机构、课程或编号"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": _("机构、课程或合同编号")}))  # fmt: skip
    street = forms.ChoiceField(label=_("街道/乡镇"), required=False)
    academic = forms.ChoiceField(label=_("类别"), required=False,
                                 choices=[("", _("全部类别")), ("1", _("学科类")), ("0", _("非学科类"))])  # fmt: skip
    into_account = forms.ChoiceField(label=_("监管账户"), required=False, choices=[
        ("", _("是否缴入监管账户")), ("1", _("已缴入")), ("0", _("未缴入")),
    ])  # fmt: skip
    paid_from = forms.DateField(label=_("缴费日期起"), required=False, widget=HtmlDateInput)
    paid_to = forms.DateField(label=_("缴费日期止"), required=False, widget=HtmlDateInput)

    def __init__(self, *args: Any, streets: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = [("", _("全部街道/乡镇")), *((str(s.pk), s.name) for s in streets)]
