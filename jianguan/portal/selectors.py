"""What the public may see: registry facts without personal data, a plain status badge, licences with validity and
inspection results of the last three years. Nothing here reads contact persons, notes, officers or reporters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.lib.textnorm import mask_phone
from jianguan.registry.choices import LicenceStatus, OperatingStatus
from jianguan.registry.models import Institution
from jianguan.registry.search import text_q
from jianguan.registry.selectors import annotate_licence_state

PUBLIC_FIELDS = ["pk", "name", "credit_code", "kind", "sub_kind", "street__name", "address", "status"]
STATUS_BADGES = {
    OperatingStatus.STOP_ENROLLING: ("danger", _("责令停止招生")),
    OperatingStatus.SUSPENDED: ("danger", _("停业整顿")),
    OperatingStatus.LICENCE_REVOKED: ("danger", _("已吊销许可")),
    OperatingStatus.BANNED: ("dark", _("已取缔")),
    OperatingStatus.DEREGISTERED: ("secondary", _("已注销")),
    OperatingStatus.UNREGISTERED: ("danger", _("未取得许可")),
}
LICENCE_BADGES = {
    LicenceStatus.MISSING: ("danger", _("未取得许可")),
    LicenceStatus.EXPIRED: ("warning", _("证照过期")),
    LicenceStatus.EXPIRING: ("success", _("证照齐全")),
    LicenceStatus.VALID: ("success", _("证照齐全")),
}


@dataclass
class Badge:
    css: str
    label: str


def badges(status: str, licence_state: str, rectifying: bool, marks: tuple[str, ...] = ()) -> list[Badge]:
    """The plain words a parent reads: an operating order first, else the licences; 整改中 while problems are open;
    放心机构 / 黑名单 when staff put it on a list."""
    css, label = STATUS_BADGES.get(status) or LICENCE_BADGES[licence_state]
    result = [Badge(css, str(label))]
    if rectifying and status not in (OperatingStatus.BANNED, OperatingStatus.DEREGISTERED):
        result.append(Badge("info", str(_("整改中"))))
    if "whitelist" in marks:
        result.append(Badge("success border border-warning", str(_("放心机构"))))
    if "blacklist" in marks:
        result.append(Badge("dark", str(_("黑名单"))))
    return result


def active_marks(institution_ids: list[int], today: date) -> dict[int, list]:
    """institution id → its active public marks (one query)."""
    from jianguan.portal.models import PublicMark

    marks: dict[int, list] = {}
    for mark in PublicMark.objects.active(today).filter(institution_id__in=institution_ids):
        marks.setdefault(mark.institution_id, []).append(mark)
    return marks


def search(q: str = "", street: int | None = None, kind: str = "") -> QuerySet[Institution]:
    """Name, pinyin initials or credit code (registry.search.text_q); street and kind."""
    qs = Institution.objects.all()
    if text := (q or "").strip()[:50]:
        qs = qs.filter(text_q(text, code_min=4))
    if street:
        qs = qs.filter(street_id=street)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


@dataclass
class PublicRow:
    pk: int
    name: str
    credit_code: str | None
    kind: str
    street: str
    address: str
    badges: list[Badge]


def rows(queryset: QuerySet[Institution], today: date) -> list[PublicRow]:
    """A page of results with badges, in two queries (the open ledger items are counted for the page only)."""
    from jianguan.ledger.models import LedgerItem

    items = list(annotate_licence_state(queryset, today).values(*PUBLIC_FIELDS, "licence_state"))
    open_items = set(
        LedgerItem.objects.filter(
            institution_id__in=[i["pk"] for i in items], status__in=("pending", "in_progress", "submitted")
        ).values_list("institution_id", flat=True)
    )
    kinds = dict(Institution._meta.get_field("kind").flatchoices)
    marks = active_marks([i["pk"] for i in items], today)
    return [
        PublicRow(
            pk=i["pk"],
            name=i["name"],
            credit_code=i["credit_code"],
            kind=str(kinds.get(i["kind"], "")),
            street=i["street__name"],
            address=i["address"],
            badges=badges(
                i["status"], i["licence_state"], i["pk"] in open_items, tuple(m.kind for m in marks.get(i["pk"], []))
            ),
        )  # fmt: skip
        for i in items
    ]


@dataclass
class InspectionSummary:
    day: date
    categories: list[str]
    problems: dict[str, int]
    rectified: int
    open: int


@dataclass
class Profile:
    institution: Institution
    phone: str
    legal_representative: str
    badges: list[Badge]
    licences: list[tuple[str, str, date | None, str]]
    status_since: date | None = None
    status_reason: str = ""
    status_basis: str = ""  # the decision: 测试区教育局 测教罚决〔2026〕1号（2026-11-02）
    inspections: list[InspectionSummary] = field(default_factory=list)
    marks: list = field(default_factory=list)


def profile(institution: Institution, today: date) -> Profile:
    from jianguan.inspections.models import Inspection
    from jianguan.ledger.models import LedgerItem
    from jianguan.registry.selectors import licence_summary

    licences = list(institution.licences.all())
    summary = licence_summary(institution, licences, today)
    rectifying = LedgerItem.objects.filter(
        institution=institution, status__in=("pending", "in_progress", "submitted")
    ).exists()
    change = institution.status_changes.order_by("-effective_date", "-at").first()
    marks = active_marks([institution.pk], today).get(institution.pk, [])
    result = Profile(
        marks=marks,
        institution=institution,
        phone=mask_phone(institution.contact_phone),
        legal_representative=institution.legal_representative if settings.JIANGUAN_PUBLIC_LEGAL_REPRESENTATIVE else "",
        badges=badges(institution.status, summary.state, rectifying, tuple(m.kind for m in marks)),
        licences=[
            (
                lic.get_kind_display(),
                lic.number,
                lic.valid_until,
                str(dict(LicenceStatus.choices)[lic.status_on(today)]),
            )
            for lic in licences
        ],
    )
    if change is not None and institution.status != OperatingStatus.NORMAL:
        result.status_since, result.status_reason = change.effective_date, change.reason
        result.status_basis = change.basis
    since = today - timedelta(days=3 * 365)
    inspections = (
        Inspection.objects.filter(institution=institution, status="completed", completed_at__date__gte=since)
        .select_related("checklist_version")
        .prefetch_related("findings__ledger_item", "checklist_version__items")
        .order_by("-completed_at")
    )
    for inspection in inspections:
        problems: dict[str, int] = {}
        rectified = open_ = 0
        for finding in inspection.findings.all():
            label = str(finding.get_category_display())
            problems[label] = problems.get(label, 0) + 1
            item = getattr(finding, "ledger_item", None)
            if finding.fixed_on_site or (item is not None and item.status == "closed"):
                rectified += 1
            else:
                open_ += 1
        categories = sorted({str(i.get_category_display()) for i in inspection.checklist_version.items.all()})
        result.inspections.append(
            InspectionSummary(
                timezone.localtime(inspection.completed_at).date(), categories, problems, rectified, open_
            )
        )
    return result


def counts_by_status() -> dict[str, int]:
    return dict(Institution.objects.values_list("status").annotate(n=Count("pk")).order_by())


def penalties(institution: Institution, today: date) -> list[Any]:
    """The institution's decisions in their display period (行政处罚信息公示): public summaries only."""
    from jianguan.enforcement.models import Publication

    return list(Publication.objects.shown_on(today).filter(case__institution=institution))
