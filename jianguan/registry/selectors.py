"""Reads for the registry: licence state, the institution filter, and an institution's timeline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from jianguan.audit.models import AuditEvent
from jianguan.lib.textnorm import normalize_name
from jianguan.registry.choices import InstitutionKind, LicenceKind, LicenceStatus
from jianguan.registry.models import Institution, Licence, LicenceRequirement, pinyin_initials


def licence_requirements() -> dict[str, list[str]]:
    """institution kind → the licence kinds it must hold."""
    required: dict[str, list[str]] = {k: [] for k in InstitutionKind.values}
    for inst_kind, lic_kind in LicenceRequirement.objects.values_list("institution_kind", "licence_kind"):
        required[inst_kind].append(lic_kind)
    return required


def _expiring_before(today: date) -> date:
    return today + timedelta(days=settings.JIANGUAN_LICENCE_EXPIRING_DAYS)


def licence_cover(
    institution_kind: str, licences: Iterable[tuple[str, date | None]], required: dict[str, list[str]]
) -> tuple[bool, date | None]:
    """The stored licence columns of one institution from its (licence kind, valid until) pairs.

    Returns (missing, cover_until): missing when a required kind has no licence at all; otherwise the last day on
    which every required kind is covered (each kind by its longest-running licence), or None when none of them ends.
    The same rules as licence_summary, which reads the licences themselves.
    """
    by_kind: dict[str, list[date | None]] = {}
    for kind, valid_until in licences:
        by_kind.setdefault(kind, []).append(valid_until)
    ends = []
    for kind in required.get(institution_kind, []):
        dates = by_kind.get(kind)
        if not dates:
            return True, None
        if None not in dates:
            ends.append(max(dates))  # type: ignore[type-var]
    return False, min(ends) if ends else None


def _expiring_licences(today: date) -> QuerySet[Licence]:
    return Licence.objects.filter(valid_until__gte=today, valid_until__lte=_expiring_before(today))


def licence_state_q(state: str, today: date) -> Q:
    """Institutions whose licences are in `state` on `today`, as one Q usable in any institution query.

    missing: a required kind with no licence at all; expired: a required kind whose licences have all expired;
    expiring: none of those, but some licence runs out within the expiring window; valid: everything else.
    """
    missing = Q(licence_missing=True)
    expired = Q(licence_missing=False, licence_cover_until__lt=today)
    current = Q(licence_missing=False) & (Q(licence_cover_until__isnull=True) | Q(licence_cover_until__gte=today))
    expiring = Q(pk__in=_expiring_licences(today).values("institution_id"))
    if state == LicenceStatus.MISSING:
        return missing
    if state == LicenceStatus.EXPIRED:
        return expired
    if state == LicenceStatus.EXPIRING:
        return current & expiring
    return current & ~expiring


def annotate_licence_state(queryset: QuerySet, today: date) -> QuerySet:
    """Adds `licence_state` (valid / expiring / expired / missing) to each institution, in the same query."""
    return queryset.annotate(
        licence_state=Case(
            When(licence_missing=True, then=Value(LicenceStatus.MISSING.value)),
            When(licence_cover_until__lt=today, then=Value(LicenceStatus.EXPIRED.value)),
            When(
                Exists(_expiring_licences(today).filter(institution=OuterRef("pk"))),
                then=Value(LicenceStatus.EXPIRING.value),
            ),
            default=Value(LicenceStatus.VALID.value),
            output_field=CharField(),
        )
    )


@dataclass
class LicenceSummary:
    state: str
    missing: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    expiring: list[Licence] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing and not self.expired

    @property
    def label(self) -> str:
        if self.complete:
            return _("证照齐全") if self.state == LicenceStatus.VALID else _("证照齐全（有证照即将到期）")
        parts = []
        if self.missing:
            parts.append(_("缺少%(kinds)s") % {"kinds": _("、").join(self.missing)})
        if self.expired:
            parts.append(_("%(kinds)s已过期") % {"kinds": _("、").join(self.expired)})
        return _("；").join(parts)


def licence_summary(
    institution: Institution,
    licences: list[Licence],
    today: date,
    required: dict[str, list[str]] | None = None,
) -> LicenceSummary:
    """The same rules as licence_state_q, for one institution whose licences are already loaded."""
    required = licence_requirements() if required is None else required
    summary = LicenceSummary(state=LicenceStatus.VALID)
    labels = dict(LicenceKind.choices)
    for kind in required.get(institution.kind, []):
        of_kind = [lic for lic in licences if lic.kind == kind]
        if not of_kind:
            summary.missing.append(str(labels[kind]))
        elif all(lic.status_on(today) == LicenceStatus.EXPIRED for lic in of_kind):
            summary.expired.append(str(labels[kind]))
    summary.expiring = [lic for lic in licences if lic.status_on(today) == LicenceStatus.EXPIRING]
    if summary.missing:
        summary.state = LicenceStatus.MISSING
    elif summary.expired:
        summary.state = LicenceStatus.EXPIRED
    elif summary.expiring:
        summary.state = LicenceStatus.EXPIRING
    return summary


# The on-site detail of an inspection (each answer, photo, the arrival) is on the inspection's page and in its 笔录; the
# institution's timeline shows the inspection once, when it was completed, with the number of problems found.
ON_SITE_DETAIL = ("inspection.result", "evidence.add", "inspection.start", "finding.create")


def institution_timeline(institution: Institution) -> QuerySet[AuditEvent]:
    """The audited events about the institution: its record, licences and status, its inspections (one line each),
    ledger items, documents and complaints. Part of the institution's record, so shown to whoever may see it."""
    return (
        AuditEvent.objects.filter(institution_id=institution.pk)
        .exclude(action__in=ON_SITE_DETAIL)
        .select_related("actor")
        .order_by("-seq")
    )


def same_name_in_street(name: str, street_id: int, exclude_pk: int | None = None) -> list[Institution]:
    """Institutions in the street whose normalised name equals this one (possible duplicates)."""
    key = normalize_name(name)
    candidates = Institution.objects.filter(street_id=street_id).exclude(pk=exclude_pk)
    # Compare normalised names in Python; narrow by pinyin initials first so this stays one small query.
    candidates = candidates.filter(pinyin_initials=pinyin_initials(name)[:100]).only("pk", "name")
    return [c for c in candidates if normalize_name(c.name) == key]
