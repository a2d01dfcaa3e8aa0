from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.models import User
from jianguan.inspections.selectors import certified_officers
from jianguan.ledger.choices import GuidanceMethod
from jianguan.lib.forms import HtmlDateInput, MultipleFileField, VersionForm
from jianguan.lib.validators import TEXT_MAX_LENGTH

DATE = HtmlDateInput()


class NoteForm(VersionForm):
    note = forms.CharField(
        max_length=TEXT_MAX_LENGTH, label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SubmitForm(VersionForm):
    note = forms.CharField(
        max_length=TEXT_MAX_LENGTH, label=_("整改情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(label=_("整改照片或材料（可多选）"))


class RecheckForm(VersionForm):
    passed = forms.TypedChoiceField(
        label=_("复查结果"),
        choices=[("1", _("通过，予以销号")), ("0", _("未通过，继续整改"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    checked_on = forms.DateField(label=_("复查日期"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(max_length=TEXT_MAX_LENGTH, label=_("复查情况"), widget=forms.Textarea(attrs={"rows": 3}))
    new_deadline = forms.DateField(label=_("新的整改时限（未通过时可填）"), widget=DATE, required=False)
    officers = forms.ModelMultipleChoiceField(
        label=_("共同复查的执法人员"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("复查须由至少两名持有效执法证的执法人员进行（《行政处罚法》第四十二条）；您本人持证时计入。"),
    )
    files = MultipleFileField(label=_("复查照片"))

    def __init__(self, *args: Any, item: Any = None, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        certified = certified_officers()
        if user is not None:
            certified = certified.exclude(pk=user.pk)
        if item is not None:
            # The supervising department's officers first; those who inspected are ticked.
            certified = certified.order_by(
                Case(When(department_id=item.department_id, then=0), default=1), "department_id", "name"
            )
            if not self.is_bound:
                team = item.inspection.officers.values_list("user_id", flat=True)
                self.initial.setdefault("officers", list(certified.filter(pk__in=team).values_list("pk", flat=True)))
        self.fields["officers"].queryset = certified
        self.fields["officers"].label_from_instance = lambda u: f"{u.name}（{u.department or ''}）"


class ExtensionForm(VersionForm):
    requested_deadline = forms.DateField(label=_("申请延至"), widget=DATE)
    reason = forms.CharField(max_length=TEXT_MAX_LENGTH, label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(VersionForm):
    approve = forms.TypedChoiceField(
        label=_("审批"), choices=[("1", _("同意延期")), ("0", _("不同意"))], coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )  # fmt: skip
    granted_deadline = forms.DateField(
        label=_("批准延至（可早于申请的日期，不填即按申请）"), required=False, widget=DATE
    )
    note = forms.CharField(max_length=TEXT_MAX_LENGTH, label=_("审批意见"), required=False)


class EscalateForm(VersionForm):
    reason = forms.CharField(max_length=TEXT_MAX_LENGTH, label=_("移交理由"), widget=forms.Textarea(attrs={"rows": 2}))


class GuidanceForm(forms.Form):
    adviser = forms.CharField(label=_("指导人（留空为本人）"), max_length=50, required=False)
    given_on = forms.DateField(label=_("指导日期"), widget=DATE, initial=timezone.localdate)
    method = forms.ChoiceField(label=_("指导方式"), choices=GuidanceMethod.choices)
    advice = forms.CharField(max_length=TEXT_MAX_LENGTH, label=_("指导内容"), widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(label=_("附件"))
