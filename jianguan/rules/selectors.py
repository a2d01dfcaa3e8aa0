"""Reading the rule checks' violations, always through RuleViolation.objects.visible_to (rules/models.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet

from jianguan.rules.catalogue import RULES, RULES_BY_CODE
from jianguan.rules.models import RuleRun, RuleViolation


def open_violations(user: Any) -> QuerySet[RuleViolation]:
    return RuleViolation.objects.visible_to(user).filter(resolved_on__isnull=True)


def for_institution(user: Any, institution_id: int) -> list[RuleViolation]:
    """The institution's open violations the user may see, in the catalogue's order."""
    order = {r.code: n for n, r in enumerate(RULES)}
    rows = list(open_violations(user).filter(institution_id=institution_id))
    rows.sort(key=lambda v: (order.get(v.rule, 99), v.object_id))
    return rows


def by_object(violations: list[RuleViolation]) -> dict[tuple[str, int], list[RuleViolation]]:
    """(object type, id) → its violations, for marking rows of the staff, class and fee tables."""
    out: dict[tuple[str, int], list[RuleViolation]] = {}
    for v in violations:
        out.setdefault((v.object_type, v.object_id), []).append(v)
    return out


def counts_by_rule(user: Any) -> dict[str, int]:
    found = dict(open_violations(user).values("rule").annotate(n=Count("pk")).values_list("rule", "n"))
    return {r.code: found.get(r.code, 0) for r in RULES}


def last_run() -> RuleRun | None:
    return RuleRun.objects.filter(finished_at__isnull=False).first()


def report_rows() -> Iterator[dict[str, Any]]:
    """Every open violation with what check_rules prints (district-wide: the command runs as the system)."""
    qs = (
        RuleViolation.objects.filter(resolved_on__isnull=True)
        .order_by("institution_id", "rule", "object_id")
        .values_list("rule", "institution_id", "institution__name", "object_type", "object_id", "record", "detail",
                     "first_seen")
    )  # fmt: skip
    for rule, inst, name, otype, oid, record, detail, first_seen in qs.iterator(5000):
        info = RULES_BY_CODE[rule]
        yield {
            "rule": rule,
            "rule_title": str(info.title),
            "area": info.area,
            "high": info.high,
            "institution_id": inst,
            "institution_name": name,
            "record_type": otype,
            "record_id": oid,
            "record": record,
            "detail": detail,
            "source": str(info.source),
            "setting": info.setting,
            "first_seen": first_seen.isoformat(),
        }


# object type → (the page that shows the record, taking the institution's id; the anchor prefix of its row there).
RECORD_PAGES: dict[str, tuple[str, str]] = {
    "staff.staffmember": ("staff:institution_staff", "staff-"),
    "courses.classgroup": ("courses:institution", "class-"),
    "fees.feerecord": ("fees:institution", "fee-"),
    "fees.feeaccount": ("fees:institution", ""),
    "registry.institution": ("fees:institution", ""),  # FEE_NO_ACCOUNT, FEE_CLOSING: the institution's fees page
}


def record_url(violation: RuleViolation, user: Any) -> str:
    """The page where the record a violation is about can be seen (and corrected), with its row's anchor."""
    from django.urls import reverse

    name, prefix = RECORD_PAGES[violation.object_type]
    url = reverse(name, args=[violation.institution_id])
    return f"{url}#{prefix}{violation.object_id}" if prefix else url


@dataclass
class SiteFacts:
    """What the inspectors confirm or correct on site: the institution's staff, classes and prepaid fees as the
    platform holds them, each row with its open violations."""

    staff: list[Any]
    classes: list[Any]
    account: Any
    fees: list[Any]
    fee_count: int
    fee_total: Decimal
    violations: list[RuleViolation]
    general: list[RuleViolation]  # about the institution itself (no account, signs of closing)


SITE_ROWS = 100


def site_facts(user: Any, institution: Any, today: date | None = None) -> SiteFacts:
    """A fixed number of queries whatever the institution holds (SITE_ROWS rows of each at most)."""
    from django.conf import settings
    from django.db.models import Sum
    from django.utils import timezone

    from jianguan.courses.models import ClassGroup
    from jianguan.fees.models import FeeAccount, FeeRecord
    from jianguan.staff.models import StaffMember, current_q

    today = today or timezone.localdate()
    violations = for_institution(user, institution.pk)
    marks = by_object(violations)
    staff = list(
        StaffMember.objects.visible_to(user)
        .filter(current_q(today), institution=institution)
        .order_by("role", "name")[:SITE_ROWS]
    )
    classes = list(
        ClassGroup.objects.visible_to(user)
        .filter(institution=institution, end_date__gte=today)
        .select_related("course", "teacher")
        .order_by("start_time", "pk")[:SITE_ROWS]
    )
    since = today - timedelta(days=settings.JIANGUAN_RULE_FEE_LOOKBACK_DAYS)
    fees_qs = FeeRecord.objects.visible_to(user).filter(institution=institution, paid_on__gte=since)
    summary = fees_qs.aggregate(n=Count("pk"), total=Sum("amount"))
    fees = list(fees_qs.order_by("-paid_on", "-pk")[:SITE_ROWS])
    account = FeeAccount.objects.visible_to(user).filter(institution=institution).first()
    rows = [(s, "staff.staffmember") for s in staff] + [(c, "courses.classgroup") for c in classes]
    for row, otype in rows + [(f, "fees.feerecord") for f in fees]:
        row.violations = marks.get((otype, row.pk), [])
    return SiteFacts(
        staff=staff, classes=classes, account=account, fees=fees, fee_count=summary["n"] or 0,
        fee_total=summary["total"] or Decimal("0"), violations=violations,
        general=[v for v in violations if v.object_type == "registry.institution"],
    )  # fmt: skip
