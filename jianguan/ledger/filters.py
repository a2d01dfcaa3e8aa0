"""The one ledger filter: the list page, the Excel ledger and the API apply it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.inspections.models import Campaign
from jianguan.ledger.choices import ExtensionStatus, ItemStatus
from jianguan.ledger.selectors import due_soon_q, overdue_q, recheck_due_q
from jianguan.lib.forms import HtmlDateInput
from jianguan.org.choices import CheckCategory
from jianguan.org.models import Department
from jianguan.org.selectors import streets

# Derived states offered beside the stored ones.
DERIVED = {
    "open": _("未销号"),
    "overdue": _("逾期"),
    "due_soon": _("即将到期"),
    "recheck_due": _("待复查（含逾期）"),
    "extension_pending": _("延期待审批"),
}


class LedgerFilter(forms.Form):
    q = forms.CharField(label=_("机构名称"), required=False, max_length=100)
    campaign = forms.ModelChoiceField(
        label=_("专项行动"), queryset=Campaign.objects.all(), required=False, empty_label=_("全部行动")
    )
    street = forms.ModelChoiceField(label=_("街道/乡镇"), queryset=streets(), required=False, empty_label=_("全部街道"))
    department = forms.ModelChoiceField(
        label=_("监管部门"), queryset=Department.objects.all(), required=False, empty_label=_("全部部门")
    )
    category = forms.ChoiceField(
        label=_("问题类别"), required=False, choices=[("", _("全部类别")), *CheckCategory.choices]
    )
    status = forms.ChoiceField(
        label=_("整改状态"),
        required=False,
        choices=[("", _("全部状态")), *DERIVED.items(), *ItemStatus.choices],
    )

    # The period in which the problem was found (the inspection's completion day): the dashboard links here with it.
    found_from = forms.DateField(label=_("发现日期自"), required=False, widget=HtmlDateInput())
    found_to = forms.DateField(label=_("发现日期至"), required=False, widget=HtmlDateInput())
    closed_from = forms.DateField(label=_("销号日期自"), required=False, widget=HtmlDateInput())
    closed_to = forms.DateField(label=_("销号日期至"), required=False, widget=HtmlDateInput())

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["campaign"].queryset = Campaign.objects.visible_to(user)
        if getattr(user, "role", None) == Role.INSTITUTION:
            # An institution's own items: no institution name, campaign, street or department to choose from.
            for name in ("q", "campaign", "street", "department"):
                del self.fields[name]

    def apply(self, queryset: QuerySet) -> QuerySet:
        data = self.cleaned_data if self.is_valid() else {}
        today = timezone.localdate()
        if text := (data.get("q") or "").strip():
            queryset = queryset.filter(Q(institution__name__icontains=text) | Q(description__icontains=text))
        for name in ("campaign", "street", "department"):
            if name in self.fields and (value := data.get(name)):
                queryset = queryset.filter(**{"institution__street" if name == "street" else name: value})
        if category := data.get("category"):
            queryset = queryset.filter(category=category)
        if found_from := data.get("found_from"):
            queryset = queryset.filter(found_on__gte=found_from)
        if found_to := data.get("found_to"):
            queryset = queryset.filter(found_on__lte=found_to)
        if closed_from := data.get("closed_from"):
            queryset = queryset.filter(closed_on__gte=closed_from)
        if closed_to := data.get("closed_to"):
            queryset = queryset.filter(closed_on__lte=closed_to)
        status = data.get("status")
        if status == "open":
            queryset = queryset.filter(status__in=("pending", "in_progress", "submitted"))
        elif status == "overdue":
            queryset = queryset.filter(overdue_q(today))
        elif status == "due_soon":
            queryset = queryset.filter(due_soon_q(today))
        elif status == "recheck_due":
            queryset = queryset.filter(recheck_due_q(today))
        elif status == "extension_pending":
            queryset = queryset.filter(extensions__status=ExtensionStatus.PENDING)
        elif status:
            queryset = queryset.filter(status=status)
        return queryset
