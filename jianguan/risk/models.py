"""The stored risk rating (风险评级) of each institution, so lists, counts and the dashboard sort and filter by it with
an index instead of recomputing it per row."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.registry.models import Institution
from jianguan.risk.choices import RiskLevel
from jianguan.risk.scoring import Factor


class RiskRatingQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        """The ratings of the institutions the scope sees; never an institution's own (an internal supervision
        tool: it counts complaints, which an institution is not told about, and invites gaming its factors)."""
        if scope.role == Role.INSTITUTION:
            return Q(pk__in=[])
        q = Institution.objects.scope_q(scope)
        return None if q is None else Q(institution__in=Institution.objects.filter(q))


class RiskRating(models.Model):
    """An institution's risk level and score with the factors behind them, as of `computed_at`. Written only by
    services.risk_refresh: when the institution's records change, and daily for what time changes."""

    institution = models.OneToOneField(
        "registry.Institution", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="risk_rating"
    )
    level = models.CharField(_("风险等级"), max_length=1, choices=RiskLevel.choices)
    score = models.PositiveIntegerField(_("风险分值"))
    # [{"code": "licence_expired", "count": 1, "points": 20}, …]: codes and numbers, words at display time.
    factors = models.JSONField(_("评定因素"), default=list, blank=True)
    computed_at = models.DateTimeField(_("评定时间"))

    objects = RiskRatingQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "institution_id"]
        indexes = [
            models.Index(fields=["level", "score"], name="risk_level_score_idx"),
            models.Index(fields=["score"], name="risk_score_idx"),
        ]
        verbose_name = _("风险评级")
        verbose_name_plural = _("风险评级")

    def __str__(self) -> str:
        return f"{self.institution_id} {self.level} {self.score}"

    @property
    def factor_list(self) -> list[Factor]:
        return [Factor.from_json(f) for f in self.factors]

    @property
    def top_factors(self) -> list[Factor]:
        """The three factors adding most, for one line in a list."""
        return sorted(self.factor_list, key=lambda f: -f.points)[:3]
