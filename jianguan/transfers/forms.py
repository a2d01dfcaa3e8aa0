"""The forms of 移送 / 协查 and subscriptions. Each action form's cleaned data are the keyword arguments of its service
(services.ACTIONS), so the pages and the API read the same fields the same way."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.lib.forms import VersionForm
from jianguan.org.choices import CheckCategory, RegionLevel
from jianguan.org.models import Department, Region
from jianguan.registry.choices import InstitutionKind
from jianguan.transfers.choices import FeedEvent, TransferAction, TransferKind


def _text(label: Any, *, required: bool = True, rows: int = 3, max_length: int = 2000) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


def streets() -> Any:
    return Region.objects.filter(is_active=True, level__in=(RegionLevel.STREET, RegionLevel.TOWNSHIP))


class TransferForm(forms.Form):
    """A new 移送 or 协查. The records it comes from (institution, complaint, case, ledger item) are fixed by the page
    that opened it, not typed."""

    kind = forms.ChoiceField(label=_("类型"), choices=TransferKind.choices, widget=forms.RadioSelect,
                             initial=TransferKind.TRANSFER)  # fmt: skip
    receiver_department = forms.ModelChoiceField(
        label=_("接收部门"), queryset=Department.objects.filter(is_active=True), required=False
    )
    receiver_street = forms.ModelChoiceField(
        label=_("或接收街道/乡镇（仅协查）"), queryset=Region.objects.none(), required=False
    )
    sender_street = forms.ModelChoiceField(label=_("以哪个街道/乡镇名义发出"), queryset=Region.objects.none(),
                                           required=False)  # fmt: skip
    category = forms.ChoiceField(
        label=_("问题类别"), choices=[("", "—"), *CheckCategory.choices], required=False,
        help_text=_("移送时按职责分工核对接收部门是否有管辖权。"),
    )  # fmt: skip
    subject = forms.CharField(label=_("事由"), max_length=120)
    facts = _text(_("基本情况"))
    request = _text(_("移送或协查事项"), required=False, max_length=1000)
    suspected_crime = forms.BooleanField(
        label=_("涉嫌犯罪，移送公安机关（行政处罚法第二十七条）"), required=False,
        help_text=_("须由部门负责人发出（《行政执法机关移送涉嫌犯罪案件的规定》第五条）。"),
    )  # fmt: skip

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiver_street"].queryset = streets()
        if user is not None and user.role == Role.STREET_OFFICER:
            own = user.streets.all()
            self.fields["sender_street"].queryset = own
            if own.count() <= 1:
                del self.fields["sender_street"]
        else:
            del self.fields["sender_street"]


class TransferFilter(forms.Form):
    """The list's filter as a form (for its widgets); the values are parsed by lib.params in the view."""

    direction = forms.ChoiceField(label=_("方向"), required=False,
                                  choices=[("", _("全部")), ("sent", _("本单位发出")), ("received", _("本单位收到"))])  # fmt: skip
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *TransferKind.choices])
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态"))])
    overdue = forms.BooleanField(label=_("仅逾期未答复"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from jianguan.transfers.choices import TransferStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部状态")), *TransferStatus.choices]


class NoteForm(VersionForm):
    note = _text(_("意见"), required=False, rows=2, max_length=1000)


class ReasonForm(VersionForm):
    reason = _text(_("理由"), rows=2, max_length=1000)


class ResultForm(VersionForm):
    result = _text(_("处理结果"), rows=3)


class CommentForm(forms.Form):
    text = _text(_("留言"), rows=2)


FORMS: dict[str, type[forms.Form]] = {
    TransferAction.ACCEPT: NoteForm,
    TransferAction.REFUSE: ReasonForm,
    TransferAction.REPORT: ResultForm,
    TransferAction.WITHDRAW: ReasonForm,
    TransferAction.COMMENT: CommentForm,
}


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60)
    events = forms.MultipleChoiceField(
        label=_("订阅事项"), choices=FeedEvent.choices, widget=forms.CheckboxSelectMultiple
    )
    categories = forms.MultipleChoiceField(
        label=_("问题类别"), choices=CheckCategory.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("部门：不选即本部门在职责分工中负责或配合的全部类别（全区）。"),
    )  # fmt: skip
    institution_kinds = forms.MultipleChoiceField(
        label=_("机构类型"), choices=InstitutionKind.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("不选即全部类型。"),
    )  # fmt: skip
    streets = forms.ModelMultipleChoiceField(
        label=_("街道/乡镇"), queryset=Region.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("不选即全区。"),
    )  # fmt: skip
    street = forms.ModelChoiceField(label=_("订阅单位（街道/乡镇）"), queryset=Region.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None and user.role == Role.STREET_OFFICER:
            # A street office's subscription covers its own street: no street filter.
            del self.fields["streets"]
            own = user.streets.all()
            self.fields["street"].queryset = own
            if own.count() <= 1:
                del self.fields["street"]
        else:
            self.fields["streets"].queryset = streets()
            del self.fields["street"]
