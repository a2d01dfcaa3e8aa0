"""Forms of 课程与班级: each form's cleaned data are the keyword arguments of its service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.courses import selectors
from jianguan.courses.choices import WEEKDAY_LABELS, Mode
from jianguan.courses.models import Course
from jianguan.lib.forms import HtmlDateInput, VersionForm


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class CourseForm(forms.Form):
    name = forms.CharField(label=_("课程名称"), max_length=60)
    subject = forms.CharField(label=_("科目"), max_length=30, help_text=_("如：数学、英语、美术、编程。"))
    academic = forms.BooleanField(label=_("学科类（义务教育阶段语文、数学、英语等）"), required=False)
    mode = forms.ChoiceField(label=_("培训方式"), choices=Mode.choices, initial=Mode.OFFLINE)


class ClassForm(VersionForm):
    course = forms.ModelChoiceField(label=_("课程"), queryset=Course.objects.none())
    name = forms.CharField(label=_("班级名称"), max_length=60)
    teacher = forms.ModelChoiceField(label=_("授课教师"), queryset=Course.objects.none(), required=False,
                                     help_text=_("从本机构在职的从业人员中选择。"))  # fmt: skip
    capacity = forms.IntegerField(label=_("班额"), min_value=1, max_value=10000)
    start_date = forms.DateField(label=_("开班日期"), widget=HtmlDateInput)
    end_date = forms.DateField(label=_("结课日期"), widget=HtmlDateInput)
    weekdays = forms.MultipleChoiceField(
        label=_("上课日"), choices=[(str(d), label) for d, label in WEEKDAY_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    start_time = forms.TimeField(label=_("上课时间"), widget=TimeInput)
    end_time = forms.TimeField(label=_("下课时间"), widget=TimeInput)

    def __init__(self, *args: Any, institution: Any, current_teacher_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(institution=institution).order_by("name", "pk")
        # A class keeps its teacher on the form after they left (so a correction does not drop them unnoticed).
        self.fields["teacher"].queryset = selectors.teachers_of(
            institution, timezone.localdate(), keep=current_teacher_id
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("结课日期不能早于开班日期。"))
        if data.get("start_time") and data.get("end_time") and data["end_time"] <= data["start_time"]:
            self.add_error("end_time", _("下课时间应晚于上课时间。"))
        return data


class ClassFilter(forms.Form):
    """The district list's filter as a form (for its widgets); the values are parsed by lib.params in the view."""

    q = forms.CharField(label=_("机构、课程或班级"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": _("机构、课程或班级名称")}))  # fmt: skip
    street = forms.ChoiceField(label=_("街道/乡镇"), required=False)
    academic = forms.ChoiceField(label=_("类别"), required=False,
                                 choices=[("", _("全部类别")), ("1", _("学科类")), ("0", _("非学科类"))])  # fmt: skip
    mode = forms.ChoiceField(label=_("方式"), required=False, choices=[("", _("线上和线下")), *Mode.choices])
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[
        ("", _("全部班级")), ("current", _("在开")), ("upcoming", _("未开班")), ("ended", _("已结课")),
    ])  # fmt: skip

    def __init__(self, *args: Any, streets: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = [("", _("全部街道/乡镇")), *((str(s.pk), s.name) for s in streets)]
