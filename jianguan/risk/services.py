"""Writes for the risk rating: recompute the stored ratings of some institutions (after their records changed) or of
all of them (daily, for what time changes: a licence runs out, a deadline passes).

Run by the system — the receivers after a commit, the `risk_refresh` command, the daily task, the demo loader — never
by a person, so there is no actor and no permission to check. A rating is derived data like the registry's licence
columns; what the audit trail keeps is one event per refresh that moved something (new ratings, changed levels), with
the numbers, not one per institution."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from jianguan.audit.services import audit_record
from jianguan.lib.sequences import chunks
from jianguan.registry.models import Institution
from jianguan.registry.selectors import licence_requirements
from jianguan.risk import scoring
from jianguan.risk.models import RiskRating
from jianguan.risk.selectors import facts_for

BATCH = 1000


@dataclass
class RefreshResult:
    refreshed: int = 0  # ratings written (new or recomputed)
    created: int = 0  # institutions rated for the first time
    raised: int = 0  # level went up (A → B …)
    lowered: int = 0  # level went down

    @property
    def level_changed(self) -> int:
        return self.raised + self.lowered

    def __iadd__(self, other: RefreshResult) -> RefreshResult:
        self.refreshed += other.refreshed
        self.created += other.created
        self.raised += other.raised
        self.lowered += other.lowered
        return self


def _refresh(
    ids: list[int], today: date, weights: dict[str, int], levels: dict[str, int], required: dict[str, list[str]]
) -> RefreshResult:
    """Recompute and upsert the ratings of one batch: the facts' six queries, one for the old levels, one upsert."""
    facts = facts_for(ids, today, required)
    old = dict(RiskRating.objects.filter(institution_id__in=list(facts)).values_list("institution_id", "level"))
    now = timezone.now()
    result = RefreshResult()
    rows = []
    for pk, fact in facts.items():
        rating = scoring.score(fact, weights, levels)
        rows.append(
            RiskRating(
                institution_id=pk,
                level=rating.level,
                score=rating.score,
                factors=[f.as_json() for f in rating.factors],
                computed_at=now,
            )
        )
        before = old.get(pk)
        if before is None:
            result.created += 1
        elif before != rating.level:
            if scoring.LEVEL_ORDER.index(rating.level) > scoring.LEVEL_ORDER.index(before):
                result.raised += 1
            else:
                result.lowered += 1
    # An upsert: two refreshes racing to rate a new institution (two requests committing at once) both succeed.
    RiskRating.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["institution"],
        update_fields=["level", "score", "factors", "computed_at"],
    )
    result.refreshed = len(rows)
    return result


def _audit(result: RefreshResult, scope: str) -> None:
    # The label is stored in the hashed chain: plain Chinese, not a translation that would follow a reader's language.
    if not (result.created or result.level_changed):
        return  # scores moved within their levels, or nothing moved: derived data, not worth a chain entry
    audit_record(
        actor=None,
        action="risk.refresh",
        object_type="risk.riskrating",
        object_label=scope,
        after={
            "refreshed": result.refreshed,
            "created": result.created,
            "level_changed": result.level_changed,
            "raised": result.raised,
            "lowered": result.lowered,
        },
    )


@transaction.atomic
def risk_refresh(institution_ids: Iterable[int], *, today: date | None = None) -> RefreshResult:
    """Recompute the ratings of these institutions (ids that no longer exist are skipped) in a fixed number of
    queries per thousand, with one audit event for the call when a rating was new or changed level."""
    today = today or timezone.localdate()
    ids = sorted({int(pk) for pk in institution_ids})
    weights, levels, required = scoring.risk_weights(), scoring.risk_levels(), licence_requirements()
    result = RefreshResult()
    for chunk in chunks(ids, BATCH):
        result += _refresh(chunk, today, weights, levels, required)
    _audit(result, "变更涉及的机构")
    return result


def risk_refresh_all(*, today: date | None = None, batch: int = BATCH) -> RefreshResult:
    """Recompute every institution's rating, a batch per transaction (no long lock on a large registry), with one
    audit event at the end when a rating was new or changed level."""
    today = today or timezone.localdate()
    weights, levels, required = scoring.risk_weights(), scoring.risk_levels(), licence_requirements()
    result = RefreshResult()
    last = 0
    while True:
        ids = list(Institution.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        with transaction.atomic():
            result += _refresh(ids, today, weights, levels, required)
        last = ids[-1]
    with transaction.atomic():
        _audit(result, "全部机构")
    return result
