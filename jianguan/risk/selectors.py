"""Reads for the risk rating: the facts it is computed from (for many institutions in a fixed number of queries), and
the stored ratings within a user's scope."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from jianguan.complaints.choices import ComplaintResult, ComplaintStatus
from jianguan.complaints.models import Complaint
from jianguan.ledger.choices import OPEN_STATUSES
from jianguan.ledger.models import LedgerItem, Recheck, Referral
from jianguan.ledger.selectors import overdue_q
from jianguan.registry.models import Institution, Licence
from jianguan.registry.selectors import licence_requirements
from jianguan.risk.choices import RiskLevel
from jianguan.risk.models import RiskRating
from jianguan.risk.scoring import CLOSED_STATUSES, Facts
from jianguan.rules.catalogue import RULES_BY_CODE
from jianguan.rules.models import RuleViolation


def window_start(today: date) -> date:
    """The first day of the look-back window for rechecks, complaints and referrals (JIANGUAN_RISK_WINDOW_DAYS)."""
    return today - timedelta(days=settings.JIANGUAN_RISK_WINDOW_DAYS)


def facts_for(
    institution_ids: Iterable[int], today: date, required: dict[str, list[str]] | None = None
) -> dict[int, Facts]:
    """institution id → its Facts on `today`, for the ids that exist: seven queries whatever their number
    (keep the batch to a few thousand ids). Licences follow the registry's rules (registry.selectors.licence_cover):
    a required kind is missing with no licence of that kind, expired when every licence of that kind has run out."""
    ids = list(institution_ids)
    required = licence_requirements() if required is None else required
    since_day = window_start(today)
    since = timezone.make_aware(datetime.combine(since_day, time.min))
    institutions: dict[int, str] = {}
    facts: dict[int, dict[str, Any]] = {}
    for pk, kind, status in Institution.objects.filter(pk__in=ids).values_list("pk", "kind", "status"):
        institutions[pk], facts[pk] = kind, {"status": status}

    # (institution, licence kind) → (last valid-until, whether one never ends)
    cover: dict[tuple[int, str], tuple[date | None, bool]] = {}
    licences = (
        Licence.objects.filter(institution_id__in=ids)
        .values("institution_id", "kind")
        .annotate(last=Max("valid_until"), open_ended=Count("pk", filter=Q(valid_until__isnull=True)))
        .order_by()
    )
    for row in licences:
        cover[(row["institution_id"], row["kind"])] = (row["last"], row["open_ended"] > 0)
    for pk, kind in institutions.items():
        missing = expired = 0
        for licence_kind in required.get(kind, []):
            held = cover.get((pk, licence_kind))
            if held is None:
                missing += 1
            elif not held[1] and held[0] is not None and held[0] < today:
                expired += 1
        facts[pk].update(licences_missing=missing, licences_expired=expired)

    items = (
        LedgerItem.objects.filter(institution_id__in=ids, status__in=OPEN_STATUSES)
        .values("institution_id", "finding__severity")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue_q(today)))
        .order_by()
    )
    for row in items:
        if row["institution_id"] in facts:
            fact = facts[row["institution_id"]]
            fact.setdefault("open_items", {})[row["finding__severity"]] = row["open"]
            fact.setdefault("overdue_items", {})[row["finding__severity"]] = row["overdue"]

    rechecks = (
        Recheck.objects.filter(item__institution_id__in=ids, passed=False, checked_on__gte=since_day)
        .values("item__institution_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rechecks:
        if row["item__institution_id"] in facts:
            facts[row["item__institution_id"]]["rechecks_failed"] = row["n"]

    complaints = (
        Complaint.objects.filter(institution_id__in=ids, received_at__gte=since)
        .exclude(status=ComplaintStatus.REJECTED)
        .values("institution_id")
        .annotate(
            unverified=Count("pk", filter=Q(result="")),
            partly=Count("pk", filter=Q(result=ComplaintResult.PARTLY)),
            substantiated=Count("pk", filter=Q(result=ComplaintResult.SUBSTANTIATED)),
        )
        .order_by()
    )
    for row in complaints:
        if row["institution_id"] in facts:
            facts[row["institution_id"]].update(
                complaints=row["unverified"],
                complaints_partly=row["partly"],
                complaints_substantiated=row["substantiated"],
            )

    referrals = (
        Referral.objects.filter(item__institution_id__in=ids, created_at__gte=since)
        .values("item__institution_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in referrals:
        if row["item__institution_id"] in facts:
            facts[row["item__institution_id"]]["referrals"] = row["n"]

    violations = (
        RuleViolation.objects.filter(institution_id__in=ids, resolved_on__isnull=True)
        .values("institution_id", "rule")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in violations:
        if row["institution_id"] in facts:
            rule = RULES_BY_CODE.get(row["rule"])
            if rule is not None:
                area = "high" if rule.high else rule.area
                by_area = facts[row["institution_id"]].setdefault("rule_violations", {})
                by_area[area] = by_area.get(area, 0) + row["n"]
    return {pk: Facts(**values) for pk, values in facts.items()}


# ---------------------------------------------------------------------------------------------------- stored ratings


def ratings(user: Any, level: str = "") -> QuerySet[RiskRating]:
    """The ratings of the institutions the user may see, riskiest first, optionally of one level. The caller checks
    the role may see ratings at all (`risk.view`)."""
    qs = RiskRating.objects.visible_to(user).select_related("institution__street")
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("-score", "institution_id")


def riskiest(user: Any, limit: int = 10, street: Any = None) -> list[RiskRating]:
    """The riskiest institutions still operating within the user's scope (banned and deregistered ones are left out;
    so are those with nothing against them), for the dashboard; optionally of one street."""
    qs = ratings(user).filter(score__gt=0).exclude(institution__status__in=CLOSED_STATUSES)
    if street is not None:
        qs = qs.filter(institution__street=street)
    return list(qs[:limit])


def rating_for(institution: Institution) -> RiskRating | None:
    """The stored rating of an institution the caller has already fetched within scope (None: not rated yet)."""
    return RiskRating.objects.filter(institution_id=institution.pk).first()


def counts_by_level(user: Any) -> dict[str, int]:
    """level → how many institutions in the user's scope have it (every level present, zeros included)."""
    counts = dict.fromkeys(RiskLevel.values, 0)
    rows = RiskRating.objects.visible_to(user).order_by().values_list("level").annotate(n=Count("pk"))
    counts.update(dict(rows))
    return counts


def unrated_count(user: Any) -> int:
    """Institutions in the user's scope without a rating yet (added in bulk since the last daily refresh)."""
    return Institution.objects.visible_to(user).filter(risk_rating__isnull=True).count()
