"""One form per case action; each form's cleaned data are the keyword arguments of its service (services.ACTIONS),
so the pages and the API read the same fields the same way."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.enforcement.choices import CaseOutcome, EvidenceKind, PenaltyType, ServiceMethod
from jianguan.enforcement.provisions import PROVISIONS
from jianguan.inspections.selectors import certified_officers
from jianguan.lib.forms import HtmlDateInput, VersionForm
from jianguan.lib.validators import TEXT_MAX_LENGTH

DATE = HtmlDateInput()
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01")}


def _text(label: Any, *, required: bool = True, rows: int = 3, max_length: int = TEXT_MAX_LENGTH) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


class CaseForm(VersionForm):
    """A case action's form; `case` and `user` shape the choices (the department's officers and provisions)."""

    def __init__(self, *args: Any, case: Any = None, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user


class OpenForm(forms.Form):
    """登记案件线索: the party is the institution of the page's address."""

    clue = _text(_("案件线索"), max_length=2000)
    clue_on = forms.DateField(label=_("发现线索或收到材料之日"), widget=DATE, initial=timezone.localdate)


class ProposeFilingForm(CaseForm):
    facts = _text(_("涉嫌违法事实"))
    provision = forms.ChoiceField(label=_("涉嫌违反的规定及处罚依据"))
    investigators = forms.ModelMultipleChoiceField(
        label=_("办案人员"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("本部门持有效执法证的执法人员，不得少于两人（《行政处罚法》第四十二条）。"),
    )  # fmt: skip
    recusal = forms.CharField(label=_("回避情况"), max_length=200, required=False,
                              help_text=_("留空：无应当回避的情形，当事人未申请回避。"))  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.case.department.kind if self.case else ""
        self.fields["provision"].choices = [("", "—")] + [
            (p.code, f"{p.citation}：{p.violation}")
            for p in PROVISIONS.values()
            if not self.case or not p.department_kinds or kind in p.department_kinds
        ]
        if self.case:
            self.fields["investigators"].queryset = certified_officers().filter(department_id=self.case.department_id)


class NoteForm(CaseForm):
    note = _text(_("意见"), required=False, rows=2)


class ReasonForm(CaseForm):
    reason = _text(_("理由"), rows=2)


class EvidenceForm(CaseForm):
    kind = forms.ChoiceField(label=_("证据种类"), choices=EvidenceKind.choices)
    title = forms.CharField(label=_("证据名称"), max_length=120)
    description = _text(_("证明内容"), required=False, rows=2, max_length=2000)
    collected_on = forms.DateField(label=_("取证日期"), widget=DATE, initial=timezone.localdate)


class PenaltyFields(CaseForm):
    penalties = forms.MultipleChoiceField(
        label=_("处罚种类"), choices=PenaltyType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    fine = forms.DecimalField(label=_("罚款（元）"), required=False, **MONEY)


class EndInvestigationForm(PenaltyFields):
    outcome = forms.ChoiceField(label=_("处理意见"), choices=CaseOutcome.choices, widget=forms.RadioSelect)
    report = _text(_("调查认定的事实（调查终结报告）"), rows=4)
    illegal_gains = forms.DecimalField(label=_("认定的违法所得（元）"), required=False, max_digits=12,
                                       decimal_places=2, min_value=Decimal(0))  # fmt: skip
    serious = forms.BooleanField(label=_("情节复杂或者重大违法行为，提交集体讨论"), required=False)
    field_order = ["outcome", "report", "penalties", "fine", "illegal_gains", "serious"]


class ReviewForm(CaseForm):
    opinion = _text(_("审核意见"))


class DiscussForm(CaseForm):
    held_on = forms.DateField(label=_("讨论日期"), widget=DATE, initial=timezone.localdate)
    attendees = forms.CharField(label=_("参加人员"), max_length=500)
    conclusion = _text(_("讨论结论"))


class ServiceForm(CaseForm):
    served_on = forms.DateField(label=_("送达日期"), widget=DATE, initial=timezone.localdate)
    method = forms.ChoiceField(label=_("送达方式"), choices=ServiceMethod.choices)


class StatementForm(CaseForm):
    text = _text(_("陈述申辩意见"), rows=4)


class AnswerForm(CaseForm):
    statement = forms.ModelChoiceField(label=_("陈述申辩"), queryset=None)  # type: ignore[arg-type]
    accepted = forms.TypedChoiceField(
        label=_("复核结论"), choices=[("1", _("予以采纳")), ("0", _("不予采纳"))], coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )  # fmt: skip
    answer = _text(_("复核意见及理由"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from jianguan.enforcement.models import Statement

        self.fields["statement"].queryset = Statement.objects.filter(case=self.case, answered_at__isnull=True)
        self.fields["statement"].label_from_instance = lambda s: s.text[:60]


class ScheduleHearingForm(CaseForm):
    hearing_on = forms.DateField(label=_("听证日期"), widget=DATE)
    place = forms.CharField(label=_("听证地点"), max_length=120)
    presider = forms.ModelChoiceField(label=_("听证主持人（非本案调查人员）"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.case:
            investigators = self.case.officers.values("user_id")
            self.fields["presider"].queryset = (
                User.objects.filter(is_active=True)
                .filter(role__in=[Role.LEGAL_REVIEWER, Role.DEPARTMENT_OFFICER])
                .exclude(pk__in=investigators)
                .exclude(role=Role.DEPARTMENT_OFFICER, department_id__isnull=True)
            )


class RecordHearingForm(CaseForm):
    record = _text(_("听证笔录（当事人意见、质证和辩论情况）"), rows=5)


class DecideForm(PenaltyFields):
    reasons = _text(_("决定理由"))
    field_order = ["reasons", "penalties", "fine"]


class PayForm(CaseForm):
    amount = forms.DecimalField(label=_("缴款金额（元）"), **MONEY)
    paid_on = forms.DateField(label=_("缴款日期（银行回单）"), widget=DATE, initial=timezone.localdate)


class CloseForm(CaseForm):
    report = _text(_("执行情况（结案报告）"))


class PreserveForm(CaseForm):
    items = _text(_("先行登记保存的证据（名称、数量、存放地点）"), rows=3, max_length=2000)


class PreservationDecideForm(CaseForm):
    measure = _text(_("处理决定（解除、送检、依法查封扣押或没收等）"), rows=2)


class DeferForm(CaseForm):
    deferred_to = forms.DateField(label=_("批准延期（分期）缴清至"), widget=DATE)
    reason = _text(_("当事人申请和批准理由（分期的，写明各期金额和日期）"), rows=2)


class RepairApplyForm(CaseForm):
    text = _text(_("履行处罚决定、消除危害后果和不良影响的情况"), rows=4, max_length=2000)


class RepairDecideForm(CaseForm):
    approve = forms.TypedChoiceField(
        label=_("审核结论"), choices=[("1", _("同意，停止公示")), ("0", _("不同意"))], coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )  # fmt: skip
    reason = _text(_("理由"), rows=2)


FORMS: dict[str, type[CaseForm]] = {
    "propose_filing": ProposeFilingForm,
    "approve_filing": NoteForm,
    "return_filing": ReasonForm,
    "decline_filing": ReasonForm,
    "evidence": EvidenceForm,
    "extend": ReasonForm,
    "preserve": PreserveForm,
    "preservation_decide": PreservationDecideForm,
    "end_investigation": EndInvestigationForm,
    "review_pass": ReviewForm,
    "review_return": ReviewForm,
    "discuss": DiscussForm,
    "notify": ServiceForm,
    "statement": StatementForm,
    "answer": AnswerForm,
    "waive": NoteForm,
    "request_hearing": NoteForm,
    "schedule_hearing": ScheduleHearingForm,
    "record_hearing": RecordHearingForm,
    "decide": DecideForm,
    "serve": ServiceForm,
    "pay": PayForm,
    "defer": DeferForm,
    "close": CloseForm,
    "withdraw": ReasonForm,
    "repair_apply": RepairApplyForm,
    "repair_decide": RepairDecideForm,
}
