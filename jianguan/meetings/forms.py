from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.lib.forms import HtmlDateInput
from jianguan.lib.validators import validate_plain_text
from jianguan.meetings.choices import AttendanceStatus, SessionKind, TaskStatus
from jianguan.meetings.selectors import Unit
from jianguan.org.choices import RegionLevel
from jianguan.org.models import Department, Region

YES = [("", _("全部")), ("true", _("已超期")), ("false", _("未超期"))]


class TaskFilter(forms.Form):
    """The task list's filters (the API takes the same two as enums)."""

    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *TaskStatus.choices])
    overdue = forms.ChoiceField(label=_("是否超期"), required=False, choices=YES)


class MeetingForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=80, validators=[validate_plain_text])
    department = forms.ModelChoiceField(
        label=_("办公室所在部门（纪要以其名义编号制发）"), queryset=Department.objects.none()
    )
    convener = forms.ModelChoiceField(label=_("召集人"), queryset=User.objects.none())
    departments = forms.ModelMultipleChoiceField(
        label=_("成员部门"), queryset=Department.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    streets = forms.ModelMultipleChoiceField(
        label=_("成员街道/乡镇"), queryset=Region.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    schedule = forms.ChoiceField(label=_("例会周期"), choices=[])
    duties = forms.CharField(
        label=_("工作规则"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from jianguan.meetings.choices import Schedule

        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(is_active=True).order_by("pk")
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["departments"].queryset = departments  # type: ignore[attr-defined]
        self.fields["streets"].queryset = Region.objects.filter(  # type: ignore[attr-defined]
            level__in=[RegionLevel.STREET, RegionLevel.TOWNSHIP], is_active=True
        ).order_by("code")
        self.fields["convener"].queryset = User.objects.filter(role=Role.LEAD, is_active=True)  # type: ignore[attr-defined]
        self.fields["schedule"].choices = Schedule.choices  # type: ignore[attr-defined]


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"), choices=SessionKind.choices)
    held_on = forms.DateField(label=_("会议日期"), widget=HtmlDateInput)
    place = forms.CharField(label=_("地点"), max_length=80, validators=[validate_plain_text])
    agenda = forms.CharField(
        label=_("议程"), max_length=2000, validators=[validate_plain_text], widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一项。前次会议未办结的督办事项自动列入议程。"),
    )  # fmt: skip


class AttendanceForm(forms.Form):
    """One row per member unit: the status and who came (a deputy's name is required)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: list[Unit], initial_rows: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = units
        for unit in units:
            status, attendee = initial_rows.get(unit.key, (AttendanceStatus.ATTENDED, ""))
            self.fields[f"{unit.key}_status"] = forms.ChoiceField(
                label=unit.name, choices=AttendanceStatus.choices, initial=status
            )
            self.fields[f"{unit.key}_attendee"] = forms.CharField(
                label=_("%(unit)s 出席人（委托出席时填被委托人）") % {"unit": unit.name}, required=False, max_length=40,
                initial=attendee,
            )  # fmt: skip

    def rows(self) -> list[dict[str, str]]:
        data = self.cleaned_data
        return [
            {"unit": u.key, "status": data[f"{u.key}_status"], "attendee": data[f"{u.key}_attendee"]}
            for u in self.units
        ]


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MinutesForm(forms.Form):
    """The minutes and up to DECISION_ROWS decisions, each with its unit and deadline (empty rows are skipped)."""

    DECISION_ROWS = 6

    version = forms.IntegerField(widget=forms.HiddenInput)
    minutes = forms.CharField(
        label=_("会议纪要（会议内容）"), max_length=4000, validators=[validate_plain_text],
        widget=forms.Textarea(attrs={"rows": 6}),
    )  # fmt: skip

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *[(u.key, u.name) for u in units]]
        for n in range(1, self.DECISION_ROWS + 1):
            self.fields[f"decision_{n}"] = forms.CharField(
                label=_("议定事项 %(n)s") % {"n": n}, required=False, max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
            )  # fmt: skip
            self.fields[f"unit_{n}"] = forms.ChoiceField(label=_("责任单位"), required=False, choices=choices)
            self.fields[f"deadline_{n}"] = forms.DateField(label=_("办理时限"), required=False, widget=HtmlDateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in range(1, self.DECISION_ROWS + 1):
            if (data.get(f"decision_{n}") or "").strip():
                if not data.get(f"unit_{n}"):
                    self.add_error(f"unit_{n}", _("请选择责任单位。"))
                if not data.get(f"deadline_{n}"):
                    self.add_error(f"deadline_{n}", _("请填写办理时限。"))
        return data

    def decisions(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {"decision": data[f"decision_{n}"], "unit": data[f"unit_{n}"], "deadline": data[f"deadline_{n}"]}
            for n in range(1, self.DECISION_ROWS + 1)
            if (data.get(f"decision_{n}") or "").strip()
        ]


class ProgressForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("办理进展"), max_length=1000, validators=[validate_plain_text], widget=forms.Textarea(attrs={"rows": 2})
    )
    done = forms.BooleanField(label=_("已办理完毕，申请销号"), required=False)


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("办结意见"), required=False, max_length=300, validators=[validate_plain_text])
