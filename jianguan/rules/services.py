"""Running the checks and keeping their violations: new findings open a violation, findings that are gone close
theirs (resolved_on = the day), the rest stay open with what they say now. One transaction, one audit event, and the
institutions whose violations changed are re-rated on commit (rules.signals.violations_changed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from jianguan.accounts.permissions import require
from jianguan.audit.services import audit_record
from jianguan.rules.checks import Finding, all_findings
from jianguan.rules.models import RuleRun, RuleViolation
from jianguan.rules.signals import violations_changed

BATCH = 2000


@dataclass(frozen=True)
class RunResult:
    run: RuleRun
    found: int
    opened: int
    resolved: int


def _chunks(items: list[Any], size: int = BATCH):  # type: ignore[no-untyped-def]
    for i in range(0, len(items), size):
        yield items[i : i + size]


def run_checks(*, today: date | None = None, actor: Any = None) -> RunResult:
    """Evaluate every rule on `today` and store the outcome. `actor` (a person pressing 立即检查) must hold
    rules.run; the daily task runs as the system."""
    if actor is not None:
        require(actor, "rules.run")
    today = today or timezone.localdate()
    with transaction.atomic():
        run = RuleRun.objects.create(checked_on=today)
        open_rows = {
            (rule, otype, oid): (pk, record, detail)
            for pk, rule, otype, oid, record, detail in RuleViolation.objects.filter(resolved_on__isnull=True)
            .values_list("pk", "rule", "object_type", "object_id", "record", "detail")
            .iterator(5000)
        }
        seen: set[tuple[str, str, int]] = set()
        new: list[RuleViolation] = []
        changed: list[RuleViolation] = []
        touched: set[int] = set()
        by_rule: dict[str, int] = {}
        for f in all_findings(today):
            if f.key in seen:
                continue
            seen.add(f.key)
            by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
            record, detail = f.record[:200], f.detail[:300]
            existing = open_rows.get(f.key)
            if existing is None:
                new.append(_violation(f, record, detail, today))
                touched.add(f.institution_id)
            elif (existing[1], existing[2]) != (record, detail):
                changed.append(RuleViolation(pk=existing[0], record=record, detail=detail))
        for chunk in _chunks(new):
            RuleViolation.objects.bulk_create(chunk)
        for chunk in _chunks(changed):
            RuleViolation.objects.bulk_update(chunk, ["record", "detail"])
        gone = [pk for key, (pk, _r, _d) in open_rows.items() if key not in seen]
        for chunk in _chunks(gone):
            touched.update(RuleViolation.objects.filter(pk__in=chunk).values_list("institution_id", flat=True))
            RuleViolation.objects.filter(pk__in=chunk).update(resolved_on=today)
        run.found, run.opened, run.resolved = len(seen), len(new), len(gone)
        run.by_rule = dict(sorted(by_rule.items()))
        run.finished_at = timezone.now()
        run.save(update_fields=["found", "opened", "resolved", "by_rule", "finished_at"])
        audit_record(
            actor=actor, action="rules.check", obj=run, object_label=str(today),
            after={"checked_on": today, "found": run.found, "opened": run.opened, "resolved": run.resolved,
                   "by_rule": run.by_rule},
        )  # fmt: skip
        if touched:
            violations_changed.send(sender=RuleViolation, ids=touched)
    return RunResult(run=run, found=run.found, opened=run.opened, resolved=run.resolved)


def _violation(f: Finding, record: str, detail: str, today: date) -> RuleViolation:
    return RuleViolation(
        rule=f.rule, institution_id=f.institution_id, object_type=f.object_type, object_id=f.object_id,
        record=record, detail=detail, first_seen=today,
    )  # fmt: skip
