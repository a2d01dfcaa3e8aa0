"""What the public may see: registry facts without personal data, a plain status badge, licences with validity and
inspection results of the last three years. Nothing here reads contact persons, notes, officers or reporters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
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

PUBLIC_FIELDS = [
    "pk", "name", "credit_code", "kind", "sub_kind", "street_id", "street__name", "address", "status", "updated_at"
]  # fmt: skip
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
    kind: str  # the label, as the pages show it
    street: str
    address: str
    badges: list[Badge]
    kind_code: str = ""  # the code, as the API gives it (the staff API's codes)
    street_id: int | None = None
    updated_at: datetime | None = None


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
            kind_code=i["kind"],
            street_id=i["street_id"],
            updated_at=i["updated_at"],
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


# --- the public API's answers, through the portal's cache (portal/cache.py) -------------------------------------------


def public_item(row: PublicRow) -> dict:
    """An institution as the public API lists it (PublicItem)."""
    return {
        "id": row.pk, "name": row.name, "credit_code": row.credit_code, "kind": row.kind_code, "kind_label": row.kind,
        "street_id": row.street_id, "street": row.street, "address": row.address,
        "badges": [b.__dict__ for b in row.badges], "updated_at": row.updated_at,
    }  # fmt: skip


def public_search_data(q: str, street: int | None, kind: str, offset: int, limit: int) -> dict:
    """The public API's search: {"count", "items"} (items as PublicItem), cached like the portal's search page and
    made fresh by the same changes. `kind` must already be one of InstitutionKind's values or ""."""
    from jianguan.portal import cache as portal_cache
    from jianguan.registry.search import by_name

    q = (q or "").strip()[:50]

    def compute() -> dict:
        qs = search(q, street, kind).order_by(*by_name(q))
        page = list(qs.values_list("pk", flat=True)[offset : offset + limit])
        found = rows(Institution.objects.filter(pk__in=page).order_by("name", "pk"), timezone.localdate())
        return {"count": qs.count(), "items": [public_item(r) for r in found]}

    key = portal_cache.entry_key("api-search", q, street, kind, offset, limit)
    return portal_cache.cached(key, portal_cache.search_keys(), compute)


def public_detail_data(institution_id: int) -> dict | None:
    """The public API's institution (PublicDetail), cached like the institution's page; None when there is none."""
    from jianguan.portal import cache as portal_cache

    def compute() -> dict | None:
        inst = Institution.objects.select_related("street").filter(pk=institution_id).first()
        if inst is None:
            return None
        today = timezone.localdate()
        p = profile(inst, today)
        [row] = rows(Institution.objects.filter(pk=inst.pk), today)
        return {
            **public_item(row),
            "phone": p.phone,
            "legal_representative": p.legal_representative,
            "status_since": p.status_since,
            "status_reason": p.status_reason,
            "status_basis": p.status_basis,
            "licences": [{"kind": k, "number": n, "valid_until": u, "state": s} for k, n, u, s in p.licences],
            "inspections": [i.__dict__ for i in p.inspections],
            "penalties": penalties(inst, today),
        }

    key = portal_cache.entry_key("api-institution", int(institution_id))
    return portal_cache.cached(key, portal_cache.page_keys(institution_id), compute)
