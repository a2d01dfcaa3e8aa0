"""Checklist templates (检查表): versioned, and a published version never changes."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.checklists.choices import Remedy, Severity, VersionStatus
from jianguan.lib.validators import TEXT_MAX_LENGTH, validate_item_code, validate_plain_text
from jianguan.org.choices import CheckCategory
from jianguan.registry.choices import InstitutionKind


class Checklist(models.Model):
    """A checklist for one kind of institution (or for every kind when the kind is empty)."""

    name = models.CharField(_("名称"), max_length=100, unique=True, validators=[validate_plain_text])
    institution_kind = models.CharField(
        _("适用机构类型"),
        max_length=20,
        choices=InstitutionKind.choices,
        blank=True,
        help_text=_("留空表示适用于所有类型。"),
    )
    description = models.TextField(_("说明"), blank=True, max_length=TEXT_MAX_LENGTH, validators=[validate_plain_text])
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["institution_kind", "name"]
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")

    def __str__(self) -> str:
        return self.name


class ChecklistVersion(models.Model):
    """One version of a checklist: a draft is edited, then published (and then never changes), then archived when a
    newer version is published. Inspections keep the version they started with."""

    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    note = models.CharField(_("修订说明"), max_length=200, blank=True, validators=[validate_plain_text])
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)

    class Meta:
        ordering = ["checklist", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "number"], name="checklist_version_unique"),
            models.UniqueConstraint(
                fields=["checklist"], condition=Q(status="published"), name="checklist_one_published"
            ),
            models.UniqueConstraint(fields=["checklist"], condition=Q(status="draft"), name="checklist_one_draft"),
        ]
        verbose_name = _("检查表版本")
        verbose_name_plural = _("检查表版本")

    def __str__(self) -> str:
        return f"{self.checklist.name} 第{self.number}版"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class OrderTerms(models.Model):
    """What an order says about one problem besides the rule broken: the remedy, the provision that empowers the
    order (依据), what correcting means (改正要求) and the consequence of not complying (the penalty provision). Set
    on the checklist item; copied onto the finding, so an order keeps what held on the day."""

    remedy = models.CharField(_("改正方式"), max_length=20, choices=Remedy.choices, default=Remedy.DEADLINE)
    order_basis = models.CharField(
        _("责令改正的依据"),
        max_length=300,
        blank=True,
        validators=[validate_plain_text],
        help_text=_("法律、条、款、项，如“《中华人民共和国消防法》第六十条第一款第（五）项”。"),
    )
    requirement = models.CharField(_("改正要求"), max_length=300, blank=True, validators=[validate_plain_text])
    penalty_basis = models.CharField(
        _("逾期不改正的后果"), max_length=300, blank=True, validators=[validate_plain_text]
    )

    class Meta:
        abstract = True


class ChecklistItem(OrderTerms):
    """One check. Its competent department is not stored: it is whoever the responsibility matrix makes the lead for
    the institution's kind and the item's category or code at the time (org.selectors.Competence)."""

    version = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="items")
    order = models.PositiveSmallIntegerField(_("序号"))
    category = models.CharField(_("检查类别"), max_length=20, choices=CheckCategory.choices)
    text = models.CharField(_("检查内容"), max_length=300, validators=[validate_plain_text])
    legal_basis = models.CharField(_("违反的规定"), max_length=300, validators=[validate_plain_text])
    severity = models.CharField(_("问题严重程度"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    period_days = models.PositiveSmallIntegerField(
        _("整改期限（工作日）"), default=10, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    photo_required = models.BooleanField(_("不合格时须拍照"), default=False)
    guidance = models.CharField(_("检查方法"), max_length=300, blank=True, validators=[validate_plain_text])
    code = models.CharField(
        _("检查项代码"),
        max_length=40,
        blank=True,
        validators=[validate_item_code],
        help_text=_("职责分工按代码把检查项从其类别中单列（如营业执照、明码标价）；各版本沿用同一代码。"),
    )

    class Meta:
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="checklist_item_order_unique")]
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")

    def __str__(self) -> str:
        return f"{self.order}. {self.text}"
