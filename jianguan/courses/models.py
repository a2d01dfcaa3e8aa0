"""课程与班级: what an institution teaches (学科类 or not, online or offline) and when each class meets."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.courses.choices import WEEKDAY_LABELS, Mode
from jianguan.lib.validators import validate_plain_text
from jianguan.staff.models import InstitutionScopedQuerySet

weekdays_validator = RegexValidator(r"^1?2?3?4?5?6?7?$", _("上课日请填 1–7 的数字（周一为 1），按顺序、不重复。"))


class Course(models.Model):
    institution = models.ForeignKey(
        "registry.Institution", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="courses"
    )
    name = models.CharField(_("课程名称"), max_length=60, validators=[validate_plain_text])
    subject = models.CharField(_("科目"), max_length=30, validators=[validate_plain_text])
    academic = models.BooleanField(_("学科类"), default=False)
    mode = models.CharField(_("培训方式"), max_length=10, choices=Mode.choices, default=Mode.OFFLINE)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = InstitutionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["institution_id", "name", "pk"]
        verbose_name = _("课程")
        verbose_name_plural = _("课程")

    def __str__(self) -> str:
        return self.name


class ClassGroup(models.Model):
    """A class (班级): a course taught to one group on a weekly pattern between two dates, at fixed times."""

    institution = models.ForeignKey(
        "registry.Institution", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="class_groups"
    )
    course = models.ForeignKey(Course, verbose_name=_("课程"), on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(_("班级名称"), max_length=60, validators=[validate_plain_text])
    teacher = models.ForeignKey(
        "staff.StaffMember", verbose_name=_("授课教师"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="classes",
    )  # fmt: skip
    capacity = models.PositiveIntegerField(_("班额"), validators=[MaxValueValidator(10000)])
    start_date = models.DateField(_("开班日期"))
    end_date = models.DateField(_("结课日期"))
    # ISO weekdays the class meets, in order: "135" is Monday, Wednesday and Friday.
    weekdays = models.CharField(_("上课日"), max_length=7, validators=[weekdays_validator])
    start_time = models.TimeField(_("上课时间"))
    end_time = models.TimeField(_("下课时间"))
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = InstitutionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["institution_id", "start_date", "name", "pk"]
        indexes = [models.Index(fields=["institution", "end_date"]), models.Index(fields=["end_date", "end_time"])]
        verbose_name = _("班级")
        verbose_name_plural = _("班级")

    def __str__(self) -> str:
        return f"{self.course.name} {self.name}" if self.course_id else self.name

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("结课日期不能早于开班日期。")
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("下课时间应晚于上课时间。")
        if self.course_id and self.institution_id and self.course.institution_id != self.institution_id:
            errors["course"] = _("课程不属于本机构。")
        if self.teacher_id and self.institution_id and self.teacher.institution_id != self.institution_id:
            errors["teacher"] = _("授课教师不是本机构的从业人员。")
        if errors:
            raise ValidationError(errors)

    @property
    def weekday_numbers(self) -> list[int]:
        return [int(d) for d in self.weekdays]

    @property
    def weekdays_display(self) -> str:
        return "、".join(str(WEEKDAY_LABELS[d]) for d in self.weekday_numbers)
