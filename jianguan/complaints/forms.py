from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jianguan.complaints.choices import ComplaintCategory, ComplaintKind, ComplaintResult
from jianguan.lib.bottrap import BotTrapForm
from jianguan.lib.forms import HtmlDateInput, MultipleFileField, VersionForm
from jianguan.lib.validators import TEXT_MAX_LENGTH
from jianguan.org.models import Department
from jianguan.org.selectors import streets

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def clean_phone(value: str) -> str:
    phone = re.sub(r"[\s()（）]", "", value or "")
    if phone and not PHONE.match(phone):
        raise ValidationError(_("请填写 11 位手机号码或带区号的固定电话。"))
    return phone


class ComplaintForm(BotTrapForm):
    """The public form. The institution comes from the registry (an id picked from search) or is typed."""

    institution = forms.IntegerField(required=False, widget=forms.HiddenInput)
    typed_name = forms.CharField(label=_("机构名称"), max_length=100, required=False)
    typed_address = forms.CharField(label=_("机构地址"), max_length=200, required=False)
    street = forms.ModelChoiceField(label=_("所在街道/乡镇（如知道）"), queryset=streets(), required=False)
    kind = forms.ChoiceField(
        label=_("您要"),
        choices=[
            (ComplaintKind.REPORT, _("举报：机构有违法违规行为（可匿名）")),
            (ComplaintKind.COMPLAINT, _("投诉：本人与机构之间的权益争议，如退费（须实名）")),
        ],
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(label=_("投诉类别"), choices=ComplaintCategory.choices)
    content = forms.CharField(
        label=_("投诉内容"), min_length=10, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("请写明时间、地点、发生了什么（至少 10 个字）。")}),
    )  # fmt: skip
    photos = MultipleFileField(label=_("照片（可选，最多 5 张）"), accept="image/jpeg,image/png,image/webp")
    anonymous = forms.BooleanField(label=_("匿名投诉（不留姓名和电话，将无法回访）"), required=False)
    reporter_name = forms.CharField(label=_("您的姓名"), max_length=30, required=False)
    reporter_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def clean_reporter_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("reporter_phone", ""))


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("查询码"), max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )  # fmt: skip


class AssignForm(VersionForm):
    department = forms.ModelChoiceField(label=_("承办部门"), queryset=Department.objects.none(), required=False)
    street = forms.ModelChoiceField(label=_("或承办街道/乡镇"), queryset=streets(), required=False)
    handler = forms.ModelChoiceField(label=_("承办人"), queryset=None)  # type: ignore[arg-type]
    deadline = forms.DateField(
        label=_("办理期限"), required=False, widget=HtmlDateInput(), help_text=_("留空则为 15 个工作日。")
    )
    note = forms.CharField(
        max_length=TEXT_MAX_LENGTH, label=_("交办意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from jianguan.accounts.choices import Role
        from jianguan.accounts.models import User

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("pk")
        self.fields["handler"].queryset = (
            User.objects.filter(is_active=True, role__in=(Role.DEPARTMENT_OFFICER, Role.STREET_OFFICER))
            .select_related("department")
            .order_by("department_id", "name")
        )
        self.fields["handler"].label_from_instance = lambda u: (
            f"{u.name or u.username}（{u.department.name if u.department_id else u.get_role_display()}）"
        )


class RejectForm(VersionForm):
    reply = forms.CharField(
        max_length=TEXT_MAX_LENGTH, label=_("不予受理理由（投诉人可见）"), widget=forms.Textarea(attrs={"rows": 3})
    )


class NoteForm(VersionForm):
    note = forms.CharField(
        max_length=TEXT_MAX_LENGTH, label=_("办理记录（仅内部可见）"), widget=forms.Textarea(attrs={"rows": 2})
    )


class LinkForm(VersionForm):
    inspection = forms.ModelChoiceField(label=_("核查检查"), queryset=None, required=False)  # type: ignore[arg-type]
    ledger_item = forms.ModelChoiceField(label=_("整改事项"), queryset=None, required=False)  # type: ignore[arg-type]

    def __init__(self, *args, complaint=None, **kwargs):  # type: ignore[no-untyped-def]
        from jianguan.inspections.models import Inspection
        from jianguan.ledger.models import LedgerItem

        super().__init__(*args, **kwargs)
        institution_id = getattr(complaint, "institution_id", None)
        self.fields["inspection"].queryset = Inspection.objects.filter(institution_id=institution_id).order_by(
            "-scheduled_at"
        )
        self.fields["ledger_item"].queryset = LedgerItem.objects.filter(institution_id=institution_id).order_by("-pk")


class ReplyForm(VersionForm):
    reply = forms.CharField(
        max_length=TEXT_MAX_LENGTH, label=_("答复内容（投诉人可见）"), widget=forms.Textarea(attrs={"rows": 4})
    )


class CloseForm(VersionForm):
    result = forms.ChoiceField(label=_("核查结论"), choices=ComplaintResult.choices)
    note = forms.CharField(
        max_length=TEXT_MAX_LENGTH,
        label=_("办结说明（仅内部可见）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
