"""信息共享: each unit's feed, derived from the records where things happened (complaints, findings, orders, ledger
items, penalty decisions, transfers) within its subscriptions' filters. Nothing is copied.

What a subscription may reveal, decided here in one place:
- A department is shown, district-wide, the events in the check categories the responsibility matrix gives it (as
  lead or supporting department; the fire brigade sees fire findings and complaints everywhere): that is the sharing
  the speech asks for, across the department's usual scope but only within its own competence. Its own penalty
  decisions are included whatever their category.
- A street office is shown the events in its own street (its area), as it is the one that follows things up locally;
  of penalty decisions only those published on the portal anyway (streets hold no case files).
- A feed item shows only what the feed item needs: the kind, the day, the institution's registered name and street,
  the category and a short title (a finding's description, an order's number). Never a complainant's name, phone or
  words (the complaint's content is not read at all), nor anything else of the record. The link to the record is
  given only where the user could open it anyway (its own `visible_to`).
Each kind is one query for any number of subscriptions and rows, plus one to decide the links.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.complaints.choices import CHECK_CATEGORY
from jianguan.complaints.models import Complaint
from jianguan.documents.choices import DocumentKind
from jianguan.documents.models import Document
from jianguan.enforcement.models import Case
from jianguan.inspections.choices import InspectionStatus
from jianguan.inspections.models import Finding, Inspection
from jianguan.ledger.choices import OPEN_STATUSES, ItemStatus
from jianguan.ledger.models import LedgerItem
from jianguan.lib.story import moment
from jianguan.org.choices import CheckCategory
from jianguan.org.models import Responsibility
from jianguan.transfers.choices import FeedEvent
from jianguan.transfers.models import Subscription, Transfer

ORDER_KINDS = (DocumentKind.RECTIFICATION_NOTICE, DocumentKind.STOP_ORDER, DocumentKind.ON_SPOT_ORDER)
CATEGORY_LABELS = dict(CheckCategory.choices)


def competence_categories(department_id: int) -> set[str]:
    """The check categories the matrix gives the department, as lead or supporting, for any institution kind."""
    return set(Responsibility.objects.filter(department_id=department_id).values_list("category", flat=True))


@dataclass(frozen=True)
class Filter:
    """A subscription as the feed applies it: its unit and the effective filters (empty means any)."""

    events: frozenset[str]
    department_id: int | None
    street_id: int | None
    categories: frozenset[str]
    kinds: frozenset[str]
    streets: frozenset[int]


def effective(subscription: Subscription, competence: dict[int, set[str]] | None = None) -> Filter:
    """The filters as shown: a department's categories never beyond its competence (none chosen: all of it); a street
    office's area is its street."""
    if subscription.department_id is not None:
        own = (competence or {}).get(subscription.department_id)
        if own is None:
            own = competence_categories(subscription.department_id)
        categories = (set(subscription.categories) & own) if subscription.categories else own
        streets = frozenset(s.pk for s in subscription.streets.all())
    else:
        categories = set(subscription.categories)
        streets = frozenset({subscription.street_id})
    return Filter(
        events=frozenset(subscription.events), department_id=subscription.department_id,
        street_id=subscription.street_id, categories=frozenset(categories),
        kinds=frozenset(subscription.institution_kinds), streets=streets,
    )  # fmt: skip


def _where(f: Filter, kind_path: str, street_paths: tuple[str, ...]) -> Q:
    q = Q()
    if f.kinds:
        q &= Q(**{f"{kind_path}__in": sorted(f.kinds)})
    if f.streets:
        near = Q(pk__in=[])
        for path in street_paths:
            near |= Q(**{f"{path}__in": sorted(f.streets)})
        q &= near
    return q


def _complaint_q(f: Filter) -> Q:
    q = _where(f, "institution__kind", ("street_id", "institution__street_id"))
    if f.categories or f.department_id is not None:
        q &= Q(category__in=[c for c, check in CHECK_CATEGORY.items() if check in f.categories])
    return q


def _finding_q(f: Filter) -> Q:
    q = _where(f, "inspection__institution__kind", ("inspection__institution__street_id",))
    if f.categories or f.department_id is not None:
        q &= Q(category__in=sorted(f.categories))
    return q


def _order_q(f: Filter) -> Q:
    q = _where(f, "institution__kind", ("institution__street_id",))
    if f.categories or f.department_id is not None:
        # An order is in a category when it orders a finding of that category (the findings of its inspection that
        # its own department is competent for).
        q &= Q(
            Exists(
                Finding.objects.annotate(source=Cast("inspection_id", CharField()))
                .filter(source=OuterRef("source_id"), department_id=OuterRef("department_id"))
                .filter(category__in=sorted(f.categories))
            )
        )
    return q


def _item_q(f: Filter) -> Q:
    q = _where(f, "institution__kind", ("street_id",))
    if f.categories or f.department_id is not None:
        q &= Q(category__in=sorted(f.categories))
    return q


def _case_q(f: Filter) -> Q:
    """A department: decisions in its categories (by the ledger item a case came from) and its own. A street office,
    which holds no case files: only decisions the public is shown too (published: not a warning alone)."""
    q = _where(f, "institution__kind", ("institution__street_id",))
    if f.department_id is None:
        q &= Q(publication__isnull=False)
    if f.categories or f.department_id is not None:
        within = Q(referral__item__category__in=sorted(f.categories))
        q &= within | Q(department_id=f.department_id) if f.department_id is not None else within
    return q


def _transfer_q(f: Filter) -> Q:
    """Transfers the unit received (its own, whatever their place: the street filter is for the others)."""
    mine = (
        Q(receiver_department_id=f.department_id) if f.department_id is not None else Q(receiver_street_id=f.street_id)
    )
    return mine & (Q(institution__kind__in=sorted(f.kinds)) if f.kinds else Q())


@dataclass
class FeedItem:
    event: str
    at: datetime
    title: str
    institution_name: str = ""
    street_name: str = ""
    category: str = ""
    url: str = ""
    key: str = ""

    @property
    def event_label(self) -> str:
        return str(FeedEvent(self.event).label)

    @property
    def category_label(self) -> str:
        return str(CATEGORY_LABELS.get(self.category, ""))

    @property
    def day(self) -> date:
        return timezone.localtime(self.at).date()


def _bounds(since: date, until: date) -> tuple[datetime, datetime]:
    return moment(since, 0), moment(until + timedelta(days=1), 0)


def _any(filters: Iterable[Filter], event: str, build: Any) -> Q | None:
    found = [build(f) for f in filters if event in f.events]
    if not found:
        return None
    q = found[0]
    for more in found[1:]:
        q |= more
    return q


def _inst(obj: Any) -> tuple[str, str]:
    inst = getattr(obj, "institution", None)
    if inst is None:
        return "", ""
    return inst.name, inst.street.name if inst.street_id else ""


def _visible(model: Any, user: Any, ids: Iterable[int]) -> set[int]:
    ids = set(ids)
    if user is None or not ids:
        return set()
    return set(model.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def _source(event: str, q: Q, since: date, until: date, limit: int, user: Any, count: bool) -> Any:
    start, end = _bounds(since, until)
    if event == FeedEvent.COMPLAINT_RECEIVED:
        qs = (
            Complaint.objects.filter(q, received_at__gte=start, received_at__lt=end)
            .select_related("institution__street", "street")
            .only("pk", "number", "category", "received_at", "typed_name", "street__name", "institution__name",
                  "institution__street__name")
            .order_by("-received_at", "-pk")
        )  # fmt: skip
        if count:
            return qs.count()
        rows = list(qs[:limit])
        links = _visible(Complaint, user, (c.pk for c in rows))
        items = []
        for c in rows:
            name, street = _inst(c)
            check = CHECK_CATEGORY.get(c.category, "")
            items.append(
                FeedItem(
                    event, c.received_at, _("投诉举报 %(number)s：%(category)s") % {"number": c.number or c.pk, "category": c.get_category_display()},
                    name or c.typed_name, street or (c.street.name if c.street_id else ""), str(check),
                    reverse("complaints:complaint_detail", args=[c.pk]) if c.pk in links else "",
                    f"complaints.complaint:{c.pk}",
                )
            )  # fmt: skip
        return items
    if event == FeedEvent.FINDING_RECORDED:
        qs = (
            Finding.objects.filter(q, inspection__status=InspectionStatus.COMPLETED)
            .filter(created_at__gte=start, created_at__lt=end)
            .select_related("inspection__institution__street", "department")
            .only("pk", "category", "description", "severity", "created_at", "department__name",
                  "inspection__institution__name", "inspection__institution__street__name")
            .order_by("-created_at", "-pk")
        )  # fmt: skip
        if count:
            return qs.count()
        rows = list(qs[:limit])
        links = _visible(Inspection, user, (f.inspection_id for f in rows))
        items = []
        for f in rows:
            inst = f.inspection.institution
            items.append(
                FeedItem(
                    event, f.created_at, f"{f.description[:60]}（{f.get_severity_display()}，{f.department.name}）",
                    inst.name, inst.street.name, f.category,
                    reverse("inspections:inspection_detail", args=[f.inspection_id]) if f.inspection_id in links else "",
                    f"inspections.finding:{f.pk}",
                )
            )  # fmt: skip
        return items
    if event == FeedEvent.ORDER_ISSUED:
        qs = (
            Document.objects.filter(q, kind__in=ORDER_KINDS, source_type="inspections.inspection")
            .filter(issued_at__gte=start, issued_at__lt=end)
            .select_related("institution__street", "department")
            .only("pk", "kind", "number", "title", "issued_at", "department__name", "institution__name",
                  "institution__street__name")
            .order_by("-issued_at", "-pk")
        )  # fmt: skip
        if count:
            return qs.count()
        rows = list(qs[:limit])
        links = _visible(Document, user, (d.pk for d in rows))
        items = []
        for d in rows:
            name, street = _inst(d)
            items.append(
                FeedItem(
                    event, d.issued_at, f"{d.title} {d.number}（{d.department.name}）", name, street, "",
                    reverse("documents:download", args=[d.pk, "pdf"]) if d.pk in links else "",
                    f"documents.document:{d.pk}",
                )
            )  # fmt: skip
        return items
    if event in (FeedEvent.ITEM_OVERDUE, FeedEvent.ITEM_CLOSED):
        if event == FeedEvent.ITEM_OVERDUE:
            # The day an item falls overdue is the day after its deadline; it stays in the feed while still open.
            window = Q(status__in=OPEN_STATUSES, deadline__gte=since - timedelta(days=1), deadline__lt=until)
            order = "-deadline"
        else:
            window = Q(status=ItemStatus.CLOSED, closed_on__gte=since, closed_on__lte=until)
            order = "-closed_on"
        qs = (
            LedgerItem.objects.filter(q, window)
            .select_related("institution__street")
            .only("pk", "category", "description", "deadline", "closed_on", "status", "institution__name",
                  "institution__street__name")
            .order_by(order, "-pk")
        )  # fmt: skip
        if count:
            return qs.count()
        rows = list(qs[:limit])
        links = _visible(LedgerItem, user, (i.pk for i in rows))
        items = []
        for i in rows:
            name, street = _inst(i)
            if event == FeedEvent.ITEM_OVERDUE:
                day, title = (
                    i.deadline + timedelta(days=1),
                    _("%(problem)s（整改期限 %(day)s）")
                    % {"problem": i.description[:60], "day": f"{i.deadline:%Y-%m-%d}"},
                )
            else:
                day, title = (
                    i.closed_on,
                    _("%(problem)s（%(day)s 销号）")
                    % {"problem": i.description[:60], "day": f"{i.closed_on:%Y-%m-%d}"},
                )
            items.append(
                FeedItem(
                    event, moment(day, 0), title, name, street, i.category,
                    reverse("ledger:item_detail", args=[i.pk]) if i.pk in links else "", f"ledger.ledgeritem:{i.pk}",
                )
            )  # fmt: skip
        return items
    if event == FeedEvent.CASE_DECIDED:
        qs = (
            Case.objects.filter(q, decided_on__gte=since, decided_on__lte=until)
            .select_related("institution__street", "department", "referral__item")
            .only("pk", "decided_on", "department__name", "institution__name", "institution__street__name",
                  "referral__item__category")
            .order_by("-decided_on", "-pk")
        )  # fmt: skip
        if count:
            return qs.count()
        rows = list(qs[:limit])
        links = _visible(Case, user, (c.pk for c in rows))
        items = []
        for c in rows:
            name, street = _inst(c)
            referral = getattr(c, "referral", None)
            items.append(
                FeedItem(
                    event, moment(c.decided_on, 0), _("%(department)s 作出行政处罚决定") % {"department": c.department.name}, name, street,
                    referral.item.category if referral is not None else "",
                    reverse("enforcement:case_detail", args=[c.pk]) if c.pk in links else "",
                    f"enforcement.case:{c.pk}",
                )
            )  # fmt: skip
        return items
    if event == FeedEvent.TRANSFER_RECEIVED:
        qs = (
            Transfer.objects.filter(q, sent_at__gte=start, sent_at__lt=end)
            .select_related("institution__street", "sender_department", "sender_street")
            .order_by("-sent_at", "-pk")
        )
        if count:
            return qs.count()
        rows = list(qs[:limit])
        links = _visible(Transfer, user, (t.pk for t in rows))
        items = []
        for t in rows:
            name, street = _inst(t)
            items.append(
                FeedItem(
                    event, t.sent_at, f"{t.sender} {t.get_kind_display()}：{t.subject}", name, street, t.category,
                    reverse("transfers:transfer_detail", args=[t.pk]) if t.pk in links else "",
                    f"transfers.transfer:{t.pk}",
                )
            )  # fmt: skip
        return items
    raise ValueError(event)


BUILDERS = {
    FeedEvent.COMPLAINT_RECEIVED: _complaint_q,
    FeedEvent.FINDING_RECORDED: _finding_q,
    FeedEvent.ORDER_ISSUED: _order_q,
    FeedEvent.ITEM_OVERDUE: _item_q,
    FeedEvent.ITEM_CLOSED: _item_q,
    FeedEvent.CASE_DECIDED: _case_q,
    FeedEvent.TRANSFER_RECEIVED: _transfer_q,
}


def filters_for(subscriptions: Iterable[Subscription]) -> list[Filter]:
    """The subscriptions' effective filters (one query for the competence of all their departments)."""
    subscriptions = list(subscriptions)
    departments = {s.department_id for s in subscriptions if s.department_id is not None}
    competence: dict[int, set[str]] = {d: set() for d in departments}
    for department_id, category in Responsibility.objects.filter(department_id__in=departments).values_list(
        "department_id", "category"
    ):
        competence[department_id].add(category)
    return [effective(s, competence) for s in subscriptions]


def feed(
    subscriptions: Iterable[Subscription], user: Any, *, since: date, until: date, limit: int = 100
) -> list[FeedItem]:
    """The events matching any of the subscriptions between two days (inclusive), newest first, at most `limit`."""
    filters = filters_for(subscriptions)
    items: list[FeedItem] = []
    for event, build in BUILDERS.items():
        q = _any(filters, event, build)
        if q is not None:
            items += _source(event, q, since, until, limit, user, count=False)
    # Two subscriptions can match the same record for the same event: it is listed once.
    unique = {(i.event, i.key): i for i in items}
    return sorted(unique.values(), key=lambda i: (i.at, i.key), reverse=True)[:limit]


def count_on(subscription: Subscription, day: date, competence: dict[int, set[str]] | None = None) -> int:
    """How many events match the subscription on one day (the daily digest), by COUNT queries only."""
    f = effective(subscription, competence)
    return sum(
        _source(event, BUILDERS[event](f), day, day, 0, None, count=True) for event in f.events if event in BUILDERS
    )


def subscriptions_for(user: Any) -> Any:
    return Subscription.objects.visible_to(user).select_related("department", "street").prefetch_related("streets")


def own_subscriptions(user: Any) -> list[Subscription]:
    """The subscriptions of the user's own unit(s)."""
    from jianguan.transfers.models import unit_q
    from jianguan.transfers.selectors import own_scope

    return list(subscriptions_for(user).filter(unit_q(own_scope(user), "department", "street")))
