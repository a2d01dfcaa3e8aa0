"""Early warnings (预警), derived from the records on every read: nothing is copied, so a warning goes as soon as its
facts go (a licence renewed, an item closed, a complaint closed).

Each kind is one query over the underlying model's `visible_to(user)` (Licence, LedgerItem, Complaint, MeetingTask),
so the page, the counts and the API show what the user may see, in a fixed number of queries however many warnings
there are. A warning's key names its facts, including the day it arose (the deadline, the licence's valid-until
date, the day the complaint came in, the last day the problem was found): when the facts change the key
changes, and a warning someone acknowledged comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope
from jianguan.alerts.choices import AlertKind
from jianguan.alerts.models import AlertAck
from jianguan.complaints.choices import ComplaintCategory, ComplaintStatus
from jianguan.complaints.models import Complaint
from jianguan.ledger.models import LedgerItem
from jianguan.ledger.selectors import due_soon_q, overdue_q
from jianguan.org.choices import CheckCategory
from jianguan.registry.choices import LicenceKind, OperatingStatus
from jianguan.registry.models import Institution, Licence

# Institutions that no longer operate: their licences running out is no longer anyone's concern.
CLOSED_INSTITUTION_STATUSES = (
    OperatingStatus.LICENCE_REVOKED,
    OperatingStatus.BANNED,
    OperatingStatus.DEREGISTERED,
)
# A complaint about a site that is not in the registry, or is there as 未登记, and says it is unlicensed or gives
# academic tutoring: possibly 无证办学. Open until closed or rejected (an answered complaint is still being handled).
UNLICENSED_CATEGORIES = (ComplaintCategory.UNLICENSED, ComplaintCategory.TUTORING)
COMPLAINT_OPEN_STATUSES = (ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED, ComplaintStatus.REPLIED)
KIND_ORDER = {kind: n for n, kind in enumerate(AlertKind.values)}
MAX_PK = 2**63 - 1  # a key's number beyond any database integer cannot name a row


@dataclass(frozen=True)
class Alert:
    """One warning: what it is about, where, since when, and where to act on it."""

    kind: str
    key: str
    object_type: str
    object_id: int
    label: str
    institution_id: int | None
    institution_name: str
    street_id: int | None
    street_name: str
    message: str
    day: date
    url: str
    acknowledged_at: datetime | None = None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def kind_label(self) -> str:
        return str(AlertKind(self.kind).label)


def object_key(kind: str, object_type: str, object_id: int, day: date) -> str:
    """e.g. item_overdue:ledger.ledgeritem:12:2026-11-20 (the deadline)."""
    return f"{kind}:{object_type}:{object_id}:{day.isoformat()}"


def repeated_key(institution_id: int, category: str, day: date) -> str:
    """repeated_problem:<institution id>:<category>:<day of the latest inspection that found it>."""
    return f"{AlertKind.REPEATED_PROBLEM}:{institution_id}:{category}:{day.isoformat()}"


# Each source: (user, today, only, street_id) → that kind's warnings. `only` narrows to one object (a pk, or an
# (institution id, category) pair for repeated problems) when a single key is checked.
# (user, today, only, street_id, count) → the warnings, or with count=True only how many there are (one COUNT query)
Source = Callable[..., Any]


def _licence_expiring(user: Any, today: date, only: Any, street_id: int | None, count: bool = False) -> Any:
    """Licences whose valid-until date falls within JIANGUAN_LICENCE_EXPIRING_DAYS (the window of
    Licence.status_on), unless a licence of the same kind runs longer (renewed) or the institution has closed."""
    until = today + timedelta(days=settings.JIANGUAN_LICENCE_EXPIRING_DAYS)
    if count and only is None and (total := _expiring_counted(user, today, until, street_id)) is not None:
        return total
    # Not renewed: this licence runs as long as the longest of its kind at the institution (an open-ended one, with
    # no valid-until date, counts as the longest). A scalar subquery per licence in the window, read by index — the
    # equivalent NOT EXISTS is planned as an anti-join hashing every licence of the district.
    longest = (
        Licence.objects.filter(institution=OuterRef("institution"), kind=OuterRef("kind"))
        .order_by(F("valid_until").desc(nulls_first=True))
        .values("valid_until")[:1]
    )
    qs = (
        Licence.objects.visible_to(user)
        .filter(valid_until__gte=today, valid_until__lte=until)
        .exclude(institution__status__in=CLOSED_INSTITUTION_STATUSES)
        .alias(longest=Subquery(longest))
        .filter(longest=F("valid_until"))
        .select_related("institution__street")
        .only("pk", "kind", "number", "valid_until", "institution__name", "institution__street__name")
    )
    if only is not None:
        qs = qs.filter(pk=only)
    if street_id is not None:
        qs = qs.filter(institution__street_id=street_id)
    if count:
        return qs.count()
    kinds = dict(LicenceKind.choices)
    alerts = []
    for lic in qs:
        inst = lic.institution
        day: date = lic.valid_until  # type: ignore[assignment]
        alerts.append(
            Alert(
                kind=AlertKind.LICENCE_EXPIRING,
                key=object_key(AlertKind.LICENCE_EXPIRING, "registry.licence", lic.pk, day),
                object_type="registry.licence",
                object_id=lic.pk,
                label=f"{kinds.get(lic.kind, lic.kind)} {lic.number}",
                institution_id=inst.pk,
                institution_name=inst.name,
                street_id=inst.street_id,
                street_name=inst.street.name,
                message=_("%(licence)s（%(number)s）有效期至 %(day)s，即将到期。")
                % {"licence": kinds.get(lic.kind, lic.kind), "number": lic.number, "day": day.isoformat()},
                day=day,
                url=reverse("registry:institution_detail", args=[inst.pk]),
            )
        )
    return alerts


def _expiring_counted(user: Any, today: date, until: date, street_id: int | None) -> int | None:
    """The expiring licences' count from the rollup of each (institution, kind)'s longest licence, for a scope that
    sees institutions whole or by street (Licence.scope_q); None otherwise (counted live)."""
    from jianguan.reports.models import LicenceRollup
    from jianguan.reports.rollups import cell_sum, institution_cells

    if (scope := institution_cells(user)) is None:
        return None
    cells = LicenceRollup.objects.filter(scope, latest_until__gte=today, latest_until__lte=until).exclude(
        institution_status__in=CLOSED_INSTITUTION_STATUSES
    )
    if street_id is not None:
        cells = cells.filter(street_id=street_id)
    return cells.aggregate(n=cell_sum())["n"]


def _items(kind: str, q: Q, user: Any, only: Any, street_id: int | None, count: bool = False) -> Any:
    qs = (
        LedgerItem.objects.visible_to(user)
        .filter(q)
        .select_related("institution__street")
        .only("pk", "category", "description", "deadline", "institution__name", "institution__street__name")
    )
    if only is not None:
        qs = qs.filter(pk=only)
    if street_id is not None:
        qs = qs.filter(street_id=street_id)
    if count:
        return qs.count()
    categories = dict(CheckCategory.choices)
    if kind == AlertKind.ITEM_OVERDUE:
        text = _("整改期限 %(day)s 已过，尚未销号：%(description)s")
    else:
        text = _("整改期限为 %(day)s，即将到期：%(description)s")
    alerts = []
    for item in qs:
        inst = item.institution
        description = item.description[:60]
        alerts.append(
            Alert(
                kind=kind,
                key=object_key(kind, "ledger.ledgeritem", item.pk, item.deadline),
                object_type="ledger.ledgeritem",
                object_id=item.pk,
                label=f"{categories.get(item.category, item.category)}：{item.description[:40]}",
                institution_id=inst.pk,
                institution_name=inst.name,
                street_id=inst.street_id,
                street_name=inst.street.name,
                message=text % {"day": item.deadline.isoformat(), "description": description},
                day=item.deadline,
                url=reverse("ledger:item_detail", args=[item.pk]),
            )
        )
    return alerts


def _item_due_soon(user: Any, today: date, only: Any, street_id: int | None, count: bool = False) -> Any:
    """Open, not yet submitted, due within JIANGUAN_DUE_SOON_WORKING_DAYS working days (the ledger's own rule)."""
    return _items(AlertKind.ITEM_DUE_SOON, due_soon_q(today), user, only, street_id, count)


def _item_overdue(user: Any, today: date, only: Any, street_id: int | None, count: bool = False) -> Any:
    """Open and past the deadline (the ledger's own rule: a submitted item waiting for its recheck counts too)."""
    return _items(AlertKind.ITEM_OVERDUE, overdue_q(today), user, only, street_id, count)


def _complaint_unregistered(user: Any, today: date, only: Any, street_id: int | None, count: bool = False) -> Any:
    """Open complaints of an unlicensed kind about a site outside the registry or registered as 未登记."""
    qs = (
        Complaint.objects.visible_to(user)
        .filter(status__in=COMPLAINT_OPEN_STATUSES, category__in=UNLICENSED_CATEGORIES)
        .filter(Q(institution__isnull=True) | Q(institution__status=OperatingStatus.UNREGISTERED))
        .select_related("institution__street", "street")
        .only(
            "pk", "number", "category", "received_at", "typed_name", "institution__name", "institution__street__name",
            "street__name",
        )
    )  # fmt: skip
    if only is not None:
        qs = qs.filter(pk=only)
    if street_id is not None:
        qs = qs.filter(Q(street_id=street_id) | Q(institution__street_id=street_id))
    if count:
        return qs.count()
    categories = dict(ComplaintCategory.choices)
    alerts = []
    for c in qs:
        inst = c.institution
        street = inst.street if inst is not None else c.street
        name = inst.name if inst is not None else c.typed_name
        day = timezone.localtime(c.received_at).date()
        number = c.number or f"#{c.pk}"
        alerts.append(
            Alert(
                kind=AlertKind.COMPLAINT_UNREGISTERED,
                key=object_key(AlertKind.COMPLAINT_UNREGISTERED, "complaints.complaint", c.pk, day),
                object_type="complaints.complaint",
                object_id=c.pk,
                label=number,
                institution_id=inst.pk if inst is not None else None,
                institution_name=name,
                street_id=street.pk if street is not None else None,
                street_name=street.name if street is not None else "",
                message=_("投诉 %(number)s 反映“%(name)s”%(category)s，该场所未在机构库登记，疑似无证办学。")
                % {"number": number, "name": name, "category": categories.get(c.category, c.category)},
                day=day,
                url=reverse("complaints:complaint_detail", args=[c.pk]),
            )
        )
    return alerts


def _repeated_problem(user: Any, today: date, only: Any, street_id: int | None, count: bool = False) -> Any:
    """An institution with problems of one category entered in the ledger from JIANGUAN_REPEAT_MIN or more distinct
    inspections found within the last JIANGUAN_REPEAT_WINDOW_DAYS days. Every problem of a completed inspection has
    its ledger item (those fixed on the spot closed at once), so the ledger — with the day each problem was found and
    the reader's scope — is the record to count; a department officer counts the items their department supervises.
    Institution users are not shown this kind: it is the supervisors' judgement about where to look harder, not a
    task of the institution's."""
    scope = Scope.for_user(user)
    if scope.is_anonymous or scope.role == Role.INSTITUTION:
        return 0 if count else []
    window = settings.JIANGUAN_REPEAT_WINDOW_DAYS
    if (
        count
        and only is None
        and settings.JIANGUAN_REPEAT_MIN == 2
        and (total := _repeats_counted(user, today, street_id)) is not None
    ):
        return total
    items = LedgerItem.objects.visible_to(user).filter(found_on__gte=today - timedelta(days=window))
    if only is not None:
        items = items.filter(institution_id=only[0], category=only[1])
    if street_id is not None:
        items = items.filter(street_id=street_id)
    # Grouped by ids only (read in index order: ledger item (category, institution, inspection, found_on)); names are
    # read afterwards for the groups that qualify.
    groups = items.values("category", "institution_id").order_by()
    if count and settings.JIANGUAN_REPEAT_MIN == 2:
        # Two distinct inspections or more ⇔ the smallest and largest inspection id differ: a plain MIN/MAX, which
        # PostgreSQL aggregates in the index's order, where COUNT(DISTINCT) sorts every group again (2× slower).
        groups = groups.annotate(first=Min("inspection_id"), latest=Max("inspection_id"))
        return groups.filter(first__lt=F("latest")).count()
    rows = groups.annotate(times=Count("inspection_id", distinct=True), last=Max("found_on")).filter(
        times__gte=settings.JIANGUAN_REPEAT_MIN
    )
    if count:
        return rows.count()
    rows = list(rows)
    # in_bulk reads in batches where the database limits a query's parameters (SQLite).
    institutions = (
        Institution.objects.select_related("street")
        .only("name", "street__name")
        .in_bulk({row["institution_id"] for row in rows})
        if rows
        else {}
    )
    categories = dict(CheckCategory.choices)
    alerts = []
    for row in rows:
        inst_id, category, day = row["institution_id"], row["category"], row["last"]
        inst = institutions[inst_id]
        category_label = categories.get(category, category)
        alerts.append(
            Alert(
                kind=AlertKind.REPEATED_PROBLEM,
                key=repeated_key(inst_id, category, day),
                object_type="registry.institution",
                object_id=inst_id,
                label=f"{inst.name}：{category_label}",
                institution_id=inst_id,
                institution_name=inst.name,
                street_id=inst.street_id,
                street_name=inst.street.name,
                message=_("近 %(days)s 天内 %(times)s 次检查发现“%(category)s”问题。")
                % {"days": window, "times": row["times"], "category": category_label},
                day=day,
                url=reverse("registry:institution_detail", args=[inst_id]),
            )
        )
    return alerts


def _repeats_counted(user: Any, today: date, street_id: int | None) -> int | None:
    """The repeated problems' count from the rollup of each (institution, category)'s second latest inspection day
    (reports.rollups.Repeats: two inspections or more within the window ⇔ that day is within it), for a scope that
    sees whole institutions (district-wide, streets); None otherwise (a department sees only its items: counted live)."""
    from jianguan.reports.models import RepeatRollup
    from jianguan.reports.rollups import rollup_scope

    scope = rollup_scope(user)
    if scope is None or scope.by_department:  # the rollup has no department: a department's items are counted live
        return None
    window = timedelta(days=settings.JIANGUAN_REPEAT_WINDOW_DAYS)
    cells = RepeatRollup.objects.filter(scope.cells, second_found__gte=today - window)
    if street_id is not None:
        cells = cells.filter(street_id=street_id)
    return cells.count()


def _meeting_task_overdue(user: Any, today: date, only: Any, street_id: int | None, count: bool = False) -> Any:
    """A joint meeting's task (督办事项) open past its deadline (meetings.models.overdue_q), shown to its responsible
    department's or street's users and to the district-wide roles (every member may read it on the task list)."""
    from jianguan.meetings.models import MeetingTask, overdue_q
    from jianguan.meetings.selectors import responsible_q

    qs = MeetingTask.objects.visible_to(user).filter(overdue_q(today))
    if (concern := responsible_q(user)) is not None:
        qs = qs.filter(concern)
    if only is not None:
        qs = qs.filter(pk=only)
    if street_id is not None:
        qs = qs.filter(street_id=street_id)
    if count:
        return qs.count()
    alerts = []
    for task in qs.select_related("session__meeting", "department", "street"):
        alerts.append(
            Alert(
                kind=AlertKind.MEETING_TASK_OVERDUE,
                key=object_key(AlertKind.MEETING_TASK_OVERDUE, "meetings.meetingtask", task.pk, task.deadline),
                object_type="meetings.meetingtask",
                object_id=task.pk,
                label=f"{task.session}：{task.decision[:40]}",
                institution_id=None,
                institution_name="",
                street_id=task.street_id,
                street_name=task.street.name if task.street_id else "",
                message=_("督办事项办理时限 %(day)s 已过，尚未办结（责任单位：%(unit)s）：%(decision)s")
                % {"day": task.deadline.isoformat(), "unit": task.unit_name, "decision": task.decision[:60]},
                day=task.deadline,
                url=reverse("meetings:session_detail", args=[task.session_id]) + f"#task-{task.pk}",
            )
        )
    return alerts


def _transfer_overdue(user: Any, today: date, only: Any, street_id: int | None, count: bool = False) -> Any:
    """移送 / 协查 not answered (neither accepted nor refused) by their reply deadline, seen by both units and the
    district-wide roles (the transfer's own scope); the key names the deadline."""
    from jianguan.transfers.models import Transfer
    from jianguan.transfers.selectors import overdue_q as transfer_overdue_q

    qs = (
        Transfer.objects.visible_to(user)
        .filter(transfer_overdue_q(today))
        .select_related("institution__street", "sender_department", "sender_street", "receiver_department",
                        "receiver_street")
    )  # fmt: skip
    if only is not None:
        qs = qs.filter(pk=only)
    if street_id is not None:
        qs = qs.filter(institution__street_id=street_id)
    if count:
        return qs.count()
    alerts = []
    for t in qs:
        inst = t.institution
        alerts.append(
            Alert(
                kind=AlertKind.TRANSFER_OVERDUE,
                key=object_key(AlertKind.TRANSFER_OVERDUE, "transfers.transfer", t.pk, t.reply_due),
                object_type="transfers.transfer",
                object_id=t.pk,
                label=f"{t.get_kind_display()}：{t.subject[:40]}",
                institution_id=inst.pk if inst is not None else None,
                institution_name=inst.name if inst is not None else "",
                street_id=inst.street_id if inst is not None else None,
                street_name=inst.street.name if inst is not None else "",
                message=_("%(sender)s 向 %(receiver)s 的%(kind)s，答复期限 %(day)s 已过，尚未答复。")
                % {"sender": t.sender, "receiver": t.receiver, "kind": t.get_kind_display(),
                   "day": t.reply_due.isoformat()},
                day=t.reply_due,
                url=reverse("transfers:transfer_detail", args=[t.pk]),
            )
        )  # fmt: skip
    return alerts


def _rule_violations(kind: str, user: Any, only: Any, street_id: int | None, count: bool) -> Any:
    """Open violations of the sector's rules found by check_rules (rules/models.py; its scope keeps the supervisors'
    own signals from the institution), high-severity ones under their own kind; the key names the first day seen."""
    from jianguan.rules.catalogue import HIGH_CODES, RULES_BY_CODE
    from jianguan.rules.models import RuleViolation

    qs = RuleViolation.objects.visible_to(user).filter(resolved_on__isnull=True)
    qs = qs.filter(rule__in=HIGH_CODES) if kind == AlertKind.RULE_HIGH else qs.exclude(rule__in=HIGH_CODES)
    if only is not None:
        qs = qs.filter(pk=only)
    if street_id is not None:
        qs = qs.filter(institution__street_id=street_id)
    if count:
        return qs.count()
    alerts = []
    for v in qs.select_related("institution__street"):
        inst = v.institution
        rule = RULES_BY_CODE[v.rule]
        alerts.append(
            Alert(
                kind=kind,
                key=object_key(kind, "rules.ruleviolation", v.pk, v.first_seen),
                object_type="rules.ruleviolation",
                object_id=v.pk,
                label=f"{rule.title}：{v.record[:40]}",
                institution_id=inst.pk,
                institution_name=inst.name,
                street_id=inst.street_id,
                street_name=inst.street.name,
                message=_("%(rule)s：%(record)s，%(detail)s（依据：%(source)s）")
                % {"rule": rule.title, "record": v.record, "detail": v.detail, "source": rule.source},
                day=v.first_seen,
                url=reverse("rules:violation_detail", args=[v.pk]),
            )
        )
    return alerts


def _rule_high(user: Any, today: date, only: Any, street_id: int | None, count: bool = False) -> Any:
    """A barred person or a person with a criminal record in post, an institution closing with prepaid money owed."""
    return _rule_violations(AlertKind.RULE_HIGH, user, only, street_id, count)


def _rule_violation(user: Any, today: date, only: Any, street_id: int | None, count: bool = False) -> Any:
    """Every other open violation of the sector's rules: staff, class times, prepaid fees."""
    return _rule_violations(AlertKind.RULE_VIOLATION, user, only, street_id, count)


SOURCES: dict[str, Source] = {
    AlertKind.RULE_HIGH: _rule_high,
    AlertKind.LICENCE_EXPIRING: _licence_expiring,
    AlertKind.ITEM_DUE_SOON: _item_due_soon,
    AlertKind.ITEM_OVERDUE: _item_overdue,
    AlertKind.COMPLAINT_UNREGISTERED: _complaint_unregistered,
    AlertKind.REPEATED_PROBLEM: _repeated_problem,
    AlertKind.TRANSFER_OVERDUE: _transfer_overdue,
    AlertKind.MEETING_TASK_OVERDUE: _meeting_task_overdue,
    AlertKind.RULE_VIOLATION: _rule_violation,
}


def _acknowledged(user: Any) -> dict[str, datetime]:
    """key → when the user acknowledged it (one query; acknowledgements are personal)."""
    return dict(AlertAck.objects.visible_to(user).values_list("key", "acknowledged_at"))


def alerts_for(
    user: Any,
    kinds: Iterable[str] | None = None,
    include_acknowledged: bool = False,
    limit: int | None = None,
    *,
    street_id: int | None = None,
    today: date | None = None,
) -> list[Alert]:
    """The user's current warnings, by kind (in AlertKind's order) and then by day; acknowledged ones only when asked
    for. One query per kind asked for (repeated problems one more, for the institutions' names), plus one for the
    user's acknowledgements."""
    today = today or timezone.localdate()
    wanted = [k for k in AlertKind.values if kinds is None or k in set(kinds)]
    found: list[Alert] = []
    for kind in wanted:
        found.extend(SOURCES[kind](user, today, None, street_id))
    acks = _acknowledged(user) if found else {}
    alerts = [replace(a, acknowledged_at=acks.get(a.key)) for a in found]
    if not include_acknowledged:
        alerts = [a for a in alerts if not a.acknowledged]
    alerts.sort(key=lambda a: (KIND_ORDER[a.kind], a.day, a.key))
    return alerts if limit is None else alerts[:limit]


def count_by_kind(alerts: Iterable[Alert]) -> dict[str, int]:
    """kind → how many, with every kind present (zero when none)."""
    counts = dict.fromkeys(AlertKind.values, 0)
    for alert in alerts:
        counts[alert.kind] += 1
    return counts


def alert_counts(user: Any, include_acknowledged: bool = False, *, today: date | None = None) -> dict[str, int]:
    """Current warnings per kind (not yet acknowledged by the user, unless asked), for the home page and the
    dashboard: the same rules as the list, in the same fixed number of queries."""
    return count_by_kind(alerts_for(user, include_acknowledged=include_acknowledged, today=today))


def _item_totals(user: Any, today: date, street_id: int | None) -> dict[str, int]:
    """Due soon and overdue from the rollup of open items' deadlines where the scope can be read there (and the items
    it adds counted live), else from the items."""
    from jianguan.reports.models import LedgerOpenRollup
    from jianguan.reports.rollups import cell_sum, rollup_scope

    wanted = {AlertKind.ITEM_DUE_SOON: due_soon_q, AlertKind.ITEM_OVERDUE: overdue_q}
    items = LedgerItem.objects.visible_to(user)
    if street_id is not None:
        items = items.filter(street_id=street_id)
    scope = rollup_scope(user)
    if scope is None:
        return items.aggregate(**{kind: Count("pk", filter=q(today)) for kind, q in wanted.items()})
    cells = LedgerOpenRollup.objects.filter(scope.cells)
    if street_id is not None:
        cells = cells.filter(street_id=street_id)
    totals = cells.aggregate(**{kind: cell_sum(q(today)) for kind, q in wanted.items()})
    if scope.live_items is not None:
        live = items.filter(scope.live_items).aggregate(
            **{kind: Count("pk", filter=q(today)) for kind, q in wanted.items()}
        )
        totals = {kind: totals[kind] + live[kind] for kind in wanted}
    return totals


def _rule_totals(user: Any, today: date, street_id: int | None) -> dict[str, int]:
    from jianguan.rules.catalogue import HIGH_CODES
    from jianguan.rules.models import RuleViolation

    qs = RuleViolation.objects.visible_to(user).filter(resolved_on__isnull=True)
    if street_id is not None:
        qs = qs.filter(institution__street_id=street_id)
    return qs.aggregate(**{
        AlertKind.RULE_HIGH: Count("pk", filter=Q(rule__in=HIGH_CODES)),
        AlertKind.RULE_VIOLATION: Count("pk", filter=~Q(rule__in=HIGH_CODES)),
    })  # fmt: skip


# Kinds read from the same rows are counted together, in one aggregate query (the same filters as their sources).
COUNTED_TOGETHER: list[Callable[..., dict[str, int]]] = [_item_totals, _rule_totals]


def alert_totals(user: Any, street_id: int | None = None, *, today: date | None = None) -> dict[str, int]:
    """How many current warnings of each kind the user may see, acknowledged or not, by COUNT queries only — for the
    dashboard, where a district holds tens of thousands of them (the list, `state=all`, shows the same rows)."""
    today = today or timezone.localdate()
    totals: dict[str, int] = {}
    for count_together in COUNTED_TOGETHER:
        totals.update(count_together(user, today, street_id))
    for kind in AlertKind.values:
        if kind not in totals:
            totals[kind] = SOURCES[kind](user, today, None, street_id, count=True)
    return {kind: totals[kind] for kind in AlertKind.values}


def alert_by_key(user: Any, key: str, today: date | None = None) -> Alert | None:
    """The warning with this key if it is current and the user may see it; None for anything else (a malformed key,
    facts that have changed, or an object outside the user's scope all look the same)."""
    parts = (key or "").split(":")
    if len(parts) != 4 or parts[0] not in AlertKind.values:
        return None
    kind = parts[0]
    try:
        date.fromisoformat(parts[3])
        pk = int(parts[1] if kind == AlertKind.REPEATED_PROBLEM else parts[2])
    except ValueError:
        return None
    if not 0 < pk <= MAX_PK:
        return None
    only: Any = (pk, parts[2]) if kind == AlertKind.REPEATED_PROBLEM else pk
    today = today or timezone.localdate()
    found = [a for a in SOURCES[kind](user, today, only, None) if a.key == key]
    if not found:
        return None
    return replace(found[0], acknowledged_at=_acknowledged_one(user, key))


def _acknowledged_one(user: Any, key: str) -> datetime | None:
    return AlertAck.objects.visible_to(user).filter(key=key).values_list("acknowledged_at", flat=True).first()
