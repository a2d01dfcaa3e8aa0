"""The risk rating as a pure function: the facts about one institution → its score, level and the factors behind it.

No database here. `selectors.facts_for` gathers the facts of many institutions at once, `score` weighs them with
JIANGUAN_RISK_WEIGHTS (points per counted thing) and places the sum against JIANGUAN_RISK_LEVELS (the lowest score of
levels B, C and D; below B is A). Every factor that adds points is kept with its count and points, so a page can say
why: "证照过期 1 项 +20". The defaults, in settings.py and the README:

    licence_missing 25 per required kind with no licence      licence_expired 20 per required kind whose licences ran out
    open_minor / open_major / open_severe 2 / 5 / 10 per open ledger item by the severity of its finding
    overdue_minor / overdue_major / overdue_severe 5 / 10 / 20 more per open item past its deadline
    recheck_failed 8 per failed recheck              referral 30 per escalation to penalty (移交处罚)
    rule_staff / rule_classes / rule_fees 5 / 3 / 5 per open violation of the sector's rules (rules/catalogue.py)
    rule_high 40 per open high-severity one (a barred person or a criminal record in post, closing with prepaid money)
    complaint 3 / complaint_partly 6 / complaint_substantiated 10 per complaint (not refused, not found untrue)
      — rechecks, referrals and complaints of the last JIANGUAN_RISK_WINDOW_DAYS (365) days
    status_stop_enrolling / status_suspended / status_licence_revoked / status_unregistered 60 (each alone is D)
    status_banned / status_deregistered 0: no longer operating; rated on their records, with a note
    levels: D ≥ 60, C ≥ 30, B ≥ 10, else A
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jianguan.checklists.choices import Severity
from jianguan.registry.choices import OperatingStatus
from jianguan.risk.choices import RiskLevel

# Operating statuses that are no longer operating: rated on their records all the same, and said so.
CLOSED_STATUSES = (OperatingStatus.BANNED, OperatingStatus.DEREGISTERED)


@dataclass(frozen=True)
class FactorKind:
    code: str
    label: Any
    unit: Any = ""  # empty for a state (the operating status), which has no count to show
    note: Any = ""


def _status_kind(status: OperatingStatus) -> FactorKind:
    note = gettext_lazy("已不再经营，评级仅供参考") if status in CLOSED_STATUSES else ""
    return FactorKind(f"status_{status.value}", format_lazy(gettext_lazy("经营状态：{}"), status.label), note=note)


_ITEMS, _TIMES, _COMPLAINTS = gettext_lazy("项"), gettext_lazy("次"), gettext_lazy("件")
_SEVERITY_LABELS = dict(Severity.choices)

# Every factor, in the order pages list them; each code is also its key in JIANGUAN_RISK_WEIGHTS.
FACTOR_KINDS: list[FactorKind] = [
    FactorKind("licence_missing", gettext_lazy("缺少必备证照"), _ITEMS),
    FactorKind("licence_expired", gettext_lazy("证照过期"), _ITEMS),
    *[
        FactorKind(f"open_{s}", format_lazy(gettext_lazy("未销号整改事项（{}）"), _SEVERITY_LABELS[s]), _ITEMS)
        for s in Severity.values
    ],
    *[
        FactorKind(f"overdue_{s}", format_lazy(gettext_lazy("逾期未整改（{}）"), _SEVERITY_LABELS[s]), _ITEMS)
        for s in Severity.values
    ],
    FactorKind("recheck_failed", gettext_lazy("复查未通过"), _TIMES),
    FactorKind("complaint", gettext_lazy("投诉举报（未核实）"), _COMPLAINTS),
    FactorKind("complaint_partly", gettext_lazy("投诉举报（部分属实）"), _COMPLAINTS),
    FactorKind("complaint_substantiated", gettext_lazy("投诉举报（属实）"), _COMPLAINTS),
    FactorKind("referral", gettext_lazy("移交处罚"), _TIMES),
    FactorKind("rule_staff", gettext_lazy("从业人员违规"), _ITEMS),
    FactorKind("rule_classes", gettext_lazy("培训时间违规"), _ITEMS),
    FactorKind("rule_fees", gettext_lazy("预收费违规"), _ITEMS),
    FactorKind("rule_high", gettext_lazy("严重违规（限制从业、有犯罪记录在岗、预收费机构停业迹象）"), _ITEMS),
    *[_status_kind(s) for s in OperatingStatus if s != OperatingStatus.NORMAL],
]
FACTOR_KINDS_BY_CODE = {k.code: k for k in FACTOR_KINDS}
WEIGHT_CODES = tuple(k.code for k in FACTOR_KINDS)
LEVEL_ORDER = (RiskLevel.A, RiskLevel.B, RiskLevel.C, RiskLevel.D)


@dataclass(frozen=True)
class Facts:
    """What the rating is computed from, for one institution on one day."""

    status: str = OperatingStatus.NORMAL
    licences_missing: int = 0  # required licence kinds with no licence at all
    licences_expired: int = 0  # required licence kinds whose every licence has run out
    open_items: Mapping[str, int] = field(default_factory=dict)  # severity → open ledger items
    overdue_items: Mapping[str, int] = field(default_factory=dict)  # severity → open items past their deadline
    rechecks_failed: int = 0  # in the window
    complaints: int = 0  # in the window, not refused, no finding yet
    complaints_partly: int = 0  # in the window, found partly true (部分属实)
    complaints_substantiated: int = 0  # in the window, found true (属实)
    referrals: int = 0  # escalations to penalty (移交处罚) in the window
    rule_violations: Mapping[str, int] = field(default_factory=dict)  # open ones by area (and "high"): check_rules

    def counts(self) -> dict[str, int]:
        """factor code → how many times it applies (1 for the operating status)."""
        counts = {
            "licence_missing": self.licences_missing,
            "licence_expired": self.licences_expired,
            **{f"open_{s}": self.open_items.get(s, 0) for s in Severity.values},
            **{f"overdue_{s}": self.overdue_items.get(s, 0) for s in Severity.values},
            "recheck_failed": self.rechecks_failed,
            "complaint": self.complaints,
            "complaint_partly": self.complaints_partly,
            "complaint_substantiated": self.complaints_substantiated,
            "referral": self.referrals,
            **{f"rule_{area}": n for area, n in self.rule_violations.items()},
        }
        if self.status != OperatingStatus.NORMAL:
            counts[f"status_{self.status}"] = 1
        return counts


@dataclass(frozen=True)
class Factor:
    """One reason for the score: what (code), how many times, and the points it adds."""

    code: str
    count: int
    points: int

    @property
    def kind(self) -> FactorKind:
        return FACTOR_KINDS_BY_CODE.get(self.code) or FactorKind(self.code, self.code)

    @property
    def label(self) -> str:
        return str(self.kind.label)

    @property
    def explanation(self) -> str:
        """证照过期 1 项 +20; 经营状态：责令停止招生 +60; 经营状态：已取缔 +0（已不再经营，评级仅供参考）."""
        kind = self.kind
        if kind.unit:
            text = _("%(label)s %(count)s %(unit)s +%(points)s") % {
                "label": kind.label, "count": self.count, "unit": kind.unit, "points": self.points,
            }  # fmt: skip
        else:
            text = _("%(label)s +%(points)s") % {"label": kind.label, "points": self.points}
        return _("%(text)s（%(note)s）") % {"text": text, "note": kind.note} if kind.note else text

    def as_json(self) -> dict[str, Any]:
        """What is stored: codes and numbers only, so the words follow the reader's language."""
        return {"code": self.code, "count": self.count, "points": self.points}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Factor:
        return cls(code=str(data["code"]), count=int(data["count"]), points=int(data["points"]))


@dataclass(frozen=True)
class Rating:
    score: int
    level: str
    factors: list[Factor]


def _whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def risk_weights() -> dict[str, int]:
    """JIANGUAN_RISK_WEIGHTS, checked: a whole number of points (≥ 0) for every factor code and no unknown code."""
    configured = dict(settings.JIANGUAN_RISK_WEIGHTS)
    unknown = sorted(set(configured) - set(WEIGHT_CODES))
    missing = sorted(set(WEIGHT_CODES) - set(configured))
    invalid = sorted(k for k, v in configured.items() if not _whole_number(v))
    if unknown or missing or invalid:
        raise ImproperlyConfigured(
            f"JIANGUAN_RISK_WEIGHTS: unknown {unknown}, missing {missing}, not a whole number ≥ 0 {invalid}"
        )
    return configured


def risk_levels() -> dict[str, int]:
    """JIANGUAN_RISK_LEVELS, checked: the lowest score of B, C and D, with 0 < B < C < D."""
    configured = dict(settings.JIANGUAN_RISK_LEVELS)
    if set(configured) != {"B", "C", "D"} or not all(_whole_number(v) for v in configured.values()):
        raise ImproperlyConfigured("JIANGUAN_RISK_LEVELS must give whole-number thresholds for B, C and D")
    if not 0 < configured["B"] < configured["C"] < configured["D"]:
        raise ImproperlyConfigured("JIANGUAN_RISK_LEVELS must satisfy 0 < B < C < D")
    return configured


def level_for(score: int, levels: Mapping[str, int]) -> str:
    for level in (RiskLevel.D, RiskLevel.C, RiskLevel.B):
        if score >= levels[level]:
            return level.value
    return RiskLevel.A.value


def score(facts: Facts, weights: Mapping[str, int] | None = None, levels: Mapping[str, int] | None = None) -> Rating:
    """The rating of one institution: the sum of count × weight over its factors, and the level that sum reaches.
    A state with no weight (an institution that is banned or deregistered) is kept as a factor of 0 points, so the
    page says it."""
    weights = risk_weights() if weights is None else weights
    levels = risk_levels() if levels is None else levels
    counts = facts.counts()
    factors = []
    for kind in FACTOR_KINDS:
        count = counts.get(kind.code, 0)
        if count:
            factors.append(Factor(kind.code, count, count * weights[kind.code]))
    factors = [f for f in factors if f.points or f.kind.note]
    total = sum(f.points for f in factors)
    return Rating(score=total, level=level_for(total, levels), factors=factors)


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check` names a wrong weight or threshold before the first refresh does."""
    errors = []
    for read in (risk_weights, risk_levels):
        try:
            read()
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="risk.E001"))
    return errors
