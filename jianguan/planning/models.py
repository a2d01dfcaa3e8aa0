"""The year's plan (年度联合执法检查工作方案) and the 双随机一公开 draws of its campaigns."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.lib.validators import TEXT_MAX_LENGTH, validate_plain_text
from jianguan.planning.choices import PlanStatus, Quarter
from jianguan.registry.choices import InstitutionKind


class YearPlanQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        # Every staff member reads the plans (permission plans.view); the public reads published ones elsewhere.
        return None if scope.role else Q(pk__in=[])


class YearPlan(models.Model):
    """One year's plan: objectives, the departments, the campaigns by quarter and the coverage targets."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("方案名称"), max_length=100, validators=[validate_plain_text])
    objectives = models.TextField(_("工作目标"), max_length=TEXT_MAX_LENGTH, validators=[validate_plain_text])
    check_items = models.TextField(
        _("检查事项"), max_length=TEXT_MAX_LENGTH, blank=True, validators=[validate_plain_text]
    )
    departments = models.ManyToManyField("org.Department", verbose_name=_("参与部门"), related_name="+", blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = YearPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("年度联合执法检查工作方案")
        verbose_name_plural = _("年度联合执法检查工作方案")

    def __str__(self) -> str:
        return self.title


class PlanCampaign(models.Model):
    """A campaign of the plan, in its quarter."""

    plan = models.ForeignKey(YearPlan, on_delete=models.CASCADE, related_name="campaigns")
    campaign = models.OneToOneField(
        "inspections.Campaign", verbose_name=_("专项行动"), on_delete=models.PROTECT, related_name="plan_entry"
    )
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=Quarter.choices)

    class Meta:
        ordering = ["quarter", "campaign__starts_on", "pk"]
        verbose_name = _("方案中的专项行动")
        verbose_name_plural = _("方案中的专项行动")

    def __str__(self) -> str:
        return f"{self.get_quarter_display()} {self.campaign}"


class CoverageTarget(models.Model):
    """A coverage target: every institution of a kind (and street) inspected at least `times` in the plan's year."""

    plan = models.ForeignKey(YearPlan, on_delete=models.CASCADE, related_name="targets")
    institution_kind = models.CharField(
        _("机构类型"), max_length=20, choices=InstitutionKind.choices, blank=True, help_text=_("留空为所有类型。")
    )
    street = models.ForeignKey(
        "org.Region", verbose_name=_("街道/乡镇"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    times = models.PositiveSmallIntegerField(_("每家至少检查次数"), default=1)

    class Meta:
        ordering = ["institution_kind", "street_id", "pk"]
        verbose_name = _("覆盖目标")
        verbose_name_plural = _("覆盖目标")

    def __str__(self) -> str:
        kind = self.get_institution_kind_display() or _("所有类型")
        return f"{kind} {self.street or ''} ≥{self.times}"


class DrawQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        from jianguan.inspections.models import Campaign

        q = Campaign.objects.scope_q(scope)
        return None if q is None else Q(campaign__in=Campaign.objects.filter(q))


class Draw(models.Model):
    """A campaign's 双随机 draw: the seed, the frozen directories (kept whole, so anyone can run the draw again) with
    their hashes, the ratios, and who drew when. Never changed; a recusal adds a recorded replacement."""

    campaign = models.OneToOneField("inspections.Campaign", on_delete=models.PROTECT, related_name="draw")
    seed = models.CharField(_("随机种子"), max_length=100, validators=[validate_plain_text])
    seed_source = models.CharField(
        _("种子来源"), max_length=200, validators=[validate_plain_text], help_text=_("如：事先公布的某日某值。")
    )
    ratios = models.JSONField(_("按风险等级的抽查比例（%）"))
    kind_ratios = models.JSONField(_("按机构类型的抽查比例（%）"), default=dict, blank=True)
    max_per_officer = models.PositiveSmallIntegerField(_("每名执法人员至多检查对象数"))
    snapshot = models.JSONField(_("名录库快照"))
    target_hash = models.CharField(_("检查对象名录库摘要"), max_length=64)
    officer_hash = models.CharField(_("执法检查人员名录库摘要"), max_length=64)
    result_hash = models.CharField(_("抽取结果摘要"), max_length=64)
    target_pool = models.PositiveIntegerField(_("名录库机构数"))
    officer_pool = models.PositiveIntegerField(_("名录库执法人员数"))
    made_by = models.ForeignKey("accounts.User", verbose_name=_("抽取人"), on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(_("抽取时间"), default=timezone.now)

    objects = DrawQuerySet.as_manager()

    class Meta:
        verbose_name = _("双随机抽取")
        verbose_name_plural = _("双随机抽取")

    def __str__(self) -> str:
        return f"{self.campaign} — {self.seed}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError(_("抽取记录不能更改。"))
        super().save(*args, **kwargs)


class DrawTarget(models.Model):
    """An institution drawn, with its kind and risk level as they stood in the snapshot, in the draw's order."""

    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="targets")
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("机构类型"), max_length=20, choices=InstitutionKind.choices)
    level = models.CharField(_("风险等级"), max_length=1)
    position = models.PositiveIntegerField(_("序号"))

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["draw", "institution"], name="draw_target_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.institution_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError(_("抽取结果不能更改。"))
        super().save(*args, **kwargs)


class DrawMemberQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        q = Draw.objects.scope_q(scope)
        return None if q is None else Q(target__draw__in=Draw.objects.filter(q))


class DrawMember(models.Model):
    """An officer drawn for a target. A recusal marks the member and adds the replacement drawn for it."""

    target = models.ForeignKey(DrawTarget, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey("accounts.User", verbose_name=_("执法人员"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    recusal_round = models.PositiveSmallIntegerField(_("回避补抽轮次"), null=True, blank=True)
    recused_at = models.DateTimeField(_("回避时间"), null=True, blank=True)
    recusal_reason = models.CharField(_("回避原因"), max_length=200, blank=True, validators=[validate_plain_text])
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by", verbose_name=_("替换")
    )

    objects = DrawMemberQuerySet.as_manager()

    class Meta:
        ordering = ["target_id", "pk"]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.user_id}"
