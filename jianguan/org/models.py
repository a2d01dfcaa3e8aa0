from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.org.choices import CheckCategory, DepartmentKind, RegionLevel
from jianguan.registry.choices import InstitutionKind


class Region(models.Model):
    """The district and its streets/townships."""

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A government department that inspects, supervises or coordinates."""

    name = models.CharField(_("部门名称"), max_length=60, unique=True)
    short_name = models.CharField(_("文号简称"), max_length=10, unique=True, help_text=_("用于文书编号，如“X教”。"))
    kind = models.CharField(_("部门类别"), max_length=20, choices=DepartmentKind.choices)
    review_body = models.CharField(
        _("行政复议机关"),
        max_length=60,
        blank=True,
        help_text=_("对本部门行政行为不服时受理行政复议的机关；留空为本区人民政府。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.name


class Responsibility(models.Model):
    """One department's part in one pair of the matrix — an institution kind (empty: every kind without its own row)
    and a check category, or one checklist item of it (by the item's code, where the law splits a category) — as the
    lead (牵头, the competent department that orders) or supporting (配合)."""

    institution_kind = models.CharField(
        _("机构类型"), max_length=20, choices=InstitutionKind.choices, blank=True, help_text=_("留空表示所有类型。")
    )
    category = models.CharField(_("检查类别"), max_length=20, choices=CheckCategory.choices)
    item_code = models.CharField(
        _("检查项代码"), max_length=40, blank=True, help_text=_("留空表示整个检查类别；填写时只适用于该代码的检查项。")
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="responsibilities"
    )
    is_lead = models.BooleanField(_("牵头"), default=False)

    class Meta:
        ordering = ["category", "item_code", "institution_kind", "-is_lead", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution_kind", "category", "item_code", "department"],
                name="responsibility_unique_department",
            )
        ]
        verbose_name = _("职责分工")
        verbose_name_plural = _("职责分工")

    def __str__(self) -> str:
        role = _("牵头") if self.is_lead else _("配合")
        return f"{self.get_category_display()} · {self.department} · {role}"


class HolidayNotice(models.Model):
    """The State Council's holiday arrangement for a year (国务院办公厅关于YYYY年部分节假日安排的通知), as imported."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    text = models.TextField(_("通知原文"))
    sha256 = models.CharField(_("原文 SHA-256"), max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("导入时间"))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("节假日安排通知")
        verbose_name_plural = _("节假日安排通知")

    def __str__(self) -> str:
        return _("%(year)s年节假日安排") % {"year": self.year}


class WorkdayOverride(models.Model):
    """A day that is (or is not) a working day against the plain week or the package: from a notice or an admin."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)
    # Set for the days an imported notice declares; empty for an admin's own entry.
    notice = models.ForeignKey(
        HolidayNotice, verbose_name=_("来源通知"), null=True, blank=True, on_delete=models.CASCADE, related_name="days"
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_working_day else '休息'}"
