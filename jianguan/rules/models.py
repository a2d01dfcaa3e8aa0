"""Violations of the sector's rules (rules/catalogue.py) found by `check_rules`: one row per rule and record while
it lasts, closed (resolved_on) the first day the check no longer finds it; each run is kept (RuleRun)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope
from jianguan.rules.catalogue import RULES, RULES_BY_CODE, SUPERVISOR_ONLY_CODES
from jianguan.staff.models import InstitutionScopedQuerySet


class RuleViolationQuerySet(InstitutionScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        q = super().scope_q(scope)
        if scope.role == Role.INSTITUTION and q is not None:
            return q & ~Q(rule__in=SUPERVISOR_ONLY_CODES)
        return q

    def open(self) -> RuleViolationQuerySet:
        return self.filter(resolved_on__isnull=True)


class RuleViolation(models.Model):
    rule = models.CharField(_("规则"), max_length=30, choices=[(r.code, r.title) for r in RULES])
    institution = models.ForeignKey(
        "registry.Institution", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="rule_violations"
    )
    # The record it is about: "staff.staffmember", "courses.classgroup", "fees.feerecord", "fees.feeaccount" or
    # "registry.institution", and its id.
    object_type = models.CharField(_("记录类型"), max_length=40)
    object_id = models.PositiveBigIntegerField(_("记录编号"))
    record = models.CharField(_("记录"), max_length=200)
    detail = models.CharField(_("情况"), max_length=300)
    first_seen = models.DateField(_("首次发现"))
    resolved_on = models.DateField(_("消除日期"), null=True, blank=True)

    objects = RuleViolationQuerySet.as_manager()

    class Meta:
        ordering = ["institution_id", "rule", "object_id"]
        indexes = [
            models.Index(fields=["institution", "resolved_on"]),
            models.Index(fields=["rule", "resolved_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "object_type", "object_id"], condition=Q(resolved_on__isnull=True),
                name="rule_violation_open_once",
            )
        ]  # fmt: skip
        verbose_name = _("规则违规")
        verbose_name_plural = _("规则违规")

    def __str__(self) -> str:
        return f"{self.rule} {self.record}"

    @property
    def rule_info(self):  # type: ignore[no-untyped-def]
        return RULES_BY_CODE[self.rule]


class RuleRun(models.Model):
    """One run of the checks: when, for which day, and what it found."""

    checked_on = models.DateField(_("检查日期"))
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    found = models.PositiveIntegerField(_("违规数"), default=0)
    opened = models.PositiveIntegerField(_("新发现"), default=0)
    resolved = models.PositiveIntegerField(_("已消除"), default=0)
    by_rule = models.JSONField(_("按规则"), default=dict)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("规则检查")
        verbose_name_plural = _("规则检查")

    def __str__(self) -> str:
        return f"{self.checked_on}: {self.found}"
