"""The rollup tables' definitions, their triggers (SQLite and PostgreSQL), their rebuild and their live recount.

A rollup is declared once (``ROLLUPS``): its table, the source table, and for each key column the SQL expression that
computes it from a source row. From that one declaration come the triggers (insert: +1 in the new row's cell; delete:
−1 in the old row's; update that moves a row: both), the rebuild (``INSERT … SELECT … GROUP BY``) and the live
recount the tests compare the tables with — so the three cannot disagree about what a cell means.

Cells whose count falls to 0 stay (a later change may fill them again); readers sum, and a 0 adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import IntegerField, Q, Sum
from django.db.models.functions import Coalesce

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope
from jianguan.inspections.choices import InspectionStatus
from jianguan.ledger.choices import OPEN_STATUSES, ItemStatus
from jianguan.registry.models import Institution

ROLLUP_NO_DATE = date(1, 1, 1)
ROLLUP_NEVER = date(9999, 12, 31)  # a day that has not come (not rectified, never overdue)


@dataclass(frozen=True)
class Rollup:
    table: str
    source: str
    # key column → SQL over the source row, written with "R." for the row (NEW, OLD or the table alias).
    keys: dict[str, str]
    # The source columns whose change moves a row between cells (an update touching none of them is ignored).
    watched: tuple[str, ...]
    where: str = ""  # rows outside it are in no cell

    def expressions(self, row: str, vendor: str) -> list[str]:
        return [_dialect(sql, vendor).replace("R.", f"{row}.") for sql in self.keys.values()]

    def condition(self, row: str, vendor: str) -> str:
        return _dialect(self.where, vendor).replace("R.", f"{row}.") if self.where else "TRUE"

    def change(self, row: str, sign: int, vendor: str) -> str:
        """The trigger's statement: add `sign` to the cell of `row` (NEW or OLD)."""
        columns = ", ".join(self.keys)
        values = ", ".join(self.expressions(row, vendor))
        # SQLite needs the WHERE for an INSERT … SELECT to take an ON CONFLICT clause.
        return (
            f"INSERT INTO {self.table} ({columns}, n) SELECT {values}, {sign} WHERE {self.condition(row, vendor)} "
            f"ON CONFLICT ({columns}) DO UPDATE SET n = {self.table}.n + excluded.n;"
        )

    def grouped(self, vendor: str) -> str:
        """The cells counted from the records: the key columns and n."""
        expressions = self.expressions("r", vendor)
        positions = ", ".join(str(i) for i in range(1, len(expressions) + 1))
        return (
            f"SELECT {', '.join(expressions)}, COUNT(*) FROM {self.source} r "  # noqa: S608 - ROLLUPS' constants only
            f"WHERE {self.condition('r', vendor)} GROUP BY {positions}"
        )


def _recount(table: str, keys: tuple[str, ...], group: dict[str, str], select: str) -> str:
    """A per-group table's trigger statement: its group's row(s) deleted and counted again from the group's records.
    `group`: each group column's value for the trigger's row (SQL); `select`: the recount restricted to that group."""
    pair = " AND ".join(f"{column} = {value}" for column, value in group.items())
    return (
        f"DELETE FROM {table} WHERE {pair}; "  # noqa: S608 - constants and the trigger's row
        f"INSERT INTO {table} ({', '.join(keys)}, n) {select};"
    )


def _same(alias: str, group: dict[str, str]) -> str:
    """The recount's restriction to one group: " AND <alias>.<column> = <value>" for each group column."""
    return "".join(f" AND {alias}{column} = {value}" for column, value in group.items())


def _columns(row: str, *columns: str) -> dict[str, str]:
    return {column: f"{row}.{column}" for column in columns}


@dataclass(frozen=True)
class Repeats:
    """Per institution and category with problems from two inspections or more, the day found of the second most
    recent of those inspections (an inspection's day: its latest item of the category): the institution has had the
    category's problem repeatedly within N days exactly when that day is within them. Not a sum, so a change
    recomputes its (institution, category) pair from the pair's items (a few, by index); n is always 1."""

    table: str = "reports_repeatrollup"
    source: str = "ledger_ledgeritem"
    keys: tuple[str, ...] = ("institution_id", "category", "street_id", "second_found")
    watched: tuple[str, ...] = ("institution_id", "category", "inspection_id", "found_on", "street_id")

    def _ranked(self, where: str) -> str:
        per_inspection = (
            "SELECT institution_id, category, MAX(street_id) AS street_id, MAX(found_on) AS day "  # noqa: S608
            f"FROM {self.source} {where} GROUP BY institution_id, category, inspection_id"
        )
        return (
            "SELECT institution_id, category, street_id, day, 1 AS n FROM (SELECT institution_id, category, street_id, "  # noqa: S608
            "day, ROW_NUMBER() OVER (PARTITION BY institution_id, category ORDER BY day DESC) AS place "
            f"FROM ({per_inspection}) per_inspection) ranked WHERE place = 2"
        )

    def change(self, row: str, sign: int, vendor: str) -> str:
        group = _columns(row, "institution_id", "category")
        return _recount(self.table, self.keys, group, self._ranked("WHERE TRUE" + _same("", group)))

    def grouped(self, vendor: str) -> str:
        return self._ranked("")


# 0 when the institution is gone: only while SQLite's flush (tests) empties the tables one by one, after which
# post_migrate rebuilds every rollup.
_STREET_OF_INSTITUTION = "COALESCE((SELECT street_id FROM registry_institution WHERE id = R.institution_id), 0)"


@dataclass(frozen=True)
class FollowsInstitution:
    """The cells of a rollup whose street is its rows' institution's (rollup.keys["street_id"] reads it), moved when an
    institution moves: its rows are subtracted at the old street and added at the new (no table of its own)."""

    rollup: Rollup
    source: str = "registry_institution"
    watched: tuple[str, ...] = ("street_id",)

    def change(self, row: str, sign: int, vendor: str) -> str:
        rollup = self.rollup
        columns = ", ".join(rollup.keys)
        values = [
            f"{row}.street_id" if key == "street_id" else expression
            for key, expression in zip(rollup.keys, rollup.expressions("s", vendor), strict=True)
        ]
        positions = ", ".join(str(i) for i in range(1, len(values) + 1))
        return (
            f"INSERT INTO {rollup.table} ({columns}, n) SELECT {', '.join(values)}, {sign} * COUNT(*) "  # noqa: S608
            f"FROM {rollup.source} s WHERE s.institution_id = {row}.id AND {rollup.condition('s', vendor)} "
            f"GROUP BY {positions} ON CONFLICT ({columns}) DO UPDATE SET n = {rollup.table}.n + excluded.n;"
        )


@dataclass(frozen=True)
class LatestLicences:
    """Per institution and licence kind whose longest licence has an end date: that date, how many of its licences end
    then, and the institution's street and status (kept by CopiesOfInstitution). A licence is "expiring, not
    renewed" exactly when it ends within the window and is one of these. Recomputed per (institution, kind) from its
    few licences; n counts the licences."""

    table: str = "reports_licencerollup"
    source: str = "registry_licence"
    keys: tuple[str, ...] = ("institution_id", "kind", "street_id", "institution_status", "latest_until")
    watched: tuple[str, ...] = ("institution_id", "kind", "valid_until")

    def _latest(self, where: str) -> str:
        return (
            "SELECT l.institution_id, l.kind, i.street_id, i.status, l.valid_until, COUNT(*) "  # noqa: S608 - constants
            f"FROM {self.source} l JOIN registry_institution i ON i.id = l.institution_id "
            f"WHERE l.valid_until IS NOT NULL {where} AND NOT EXISTS (SELECT 1 FROM {self.source} o "
            "WHERE o.institution_id = l.institution_id AND o.kind = l.kind "
            "AND (o.valid_until IS NULL OR o.valid_until > l.valid_until)) "
            "GROUP BY l.institution_id, l.kind, i.street_id, i.status, l.valid_until"
        )

    def change(self, row: str, sign: int, vendor: str) -> str:
        group = _columns(row, "institution_id", "kind")
        return _recount(self.table, self.keys, group, self._latest(_same("l.", group)))

    def grouped(self, vendor: str) -> str:
        return self._latest("")


@dataclass(frozen=True)
class CopiesOfInstitution:
    """An institution's new street (and status), copied to the rows of a per-group table that hold them (no table of
    its own). `copies`: (the table's column, the institution's column)."""

    of: str  # the table holding the copies
    copies: tuple[tuple[str, str], ...]
    source: str = "registry_institution"

    @property
    def watched(self) -> tuple[str, ...]:
        return tuple(column for _copy, column in self.copies)

    def change(self, row: str, sign: int, vendor: str) -> str:
        if sign < 0:
            return ""  # a deleted institution has no rows left (its licences and inspections go first, or block it)
        assignments = ", ".join(f"{copy} = {row}.{column}" for copy, column in self.copies)
        return f"UPDATE {self.of} SET {assignments} WHERE institution_id = {row}.id;"  # noqa: S608 - constants


def _local_day(column: str, vendor: str) -> str:
    """The local (settings.TIME_ZONE) date of a stored UTC time, as `timezone.localtime(value).date()` gives it. On
    SQLite by the zone's offset now: right for zones without daylight saving (Asia/Shanghai since 1991)."""
    if vendor == "sqlite":
        offset = datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset() or timedelta(0)
        return f"date({column}, '{int(offset.total_seconds()):+d} seconds')"
    return f"CAST(({column} AT TIME ZONE '{settings.TIME_ZONE}') AS date)"


@dataclass(frozen=True)
class Inspected:
    """Each (campaign, institution) with a completed inspection, with the institution's street and the day of its
    first completed inspection there: a campaign's inspected institutions counted per street, today or as of a day (a
    distinct count, so a per-group recount, n always 1)."""

    table: str = "reports_inspectedrollup"
    source: str = "inspections_inspection"
    keys: tuple[str, ...] = ("campaign_id", "institution_id", "street_id", "first_on")
    watched: tuple[str, ...] = ("campaign_id", "institution_id", "status", "completed_at")

    def _pairs(self, where: str, vendor: str) -> str:
        return (
            "SELECT i.campaign_id, i.institution_id, r.street_id, "  # noqa: S608 - constants
            f"MIN({_local_day('i.completed_at', vendor)}), COUNT(DISTINCT i.institution_id) "
            f"FROM {self.source} i JOIN registry_institution r ON r.id = i.institution_id "
            f"WHERE i.campaign_id IS NOT NULL AND i.status = '{InspectionStatus.COMPLETED}' {where} "
            "GROUP BY i.campaign_id, i.institution_id, r.street_id"
        )

    def change(self, row: str, sign: int, vendor: str) -> str:
        group = _columns(row, "campaign_id", "institution_id")
        return _recount(self.table, self.keys, group, self._pairs(_same("i.", group), vendor))

    def grouped(self, vendor: str) -> str:
        return self._pairs("", vendor)


def _of_inspection(column: str, inspection_id: str) -> str:
    return f"(SELECT {column} FROM inspections_inspection WHERE id = {inspection_id})"  # noqa: S608 - constants


@dataclass(frozen=True)
class CampaignProblems:
    """Each campaign's problems (the findings of its completed inspections) by institution, its street, category, the
    day found (the inspection's completion day), the day rectified (fixed on the spot: the day found; else the day its
    ledger item was closed out; ROLLUP_NEVER while it is not) and the day after which it is overdue (its item's
    deadline; ROLLUP_NEVER without an item or once handed over for penalty) — exactly what the campaign statistics
    count as of a day. A per-group recount of the (campaign, institution) pair from its findings, run when one of
    them, its inspection or its ledger item changes (RecountedOn); the street copied when the institution moves."""

    table: str = "reports_campaignproblemrollup"
    source: str = "inspections_finding"
    keys: tuple[str, ...] = (
        "campaign_id", "institution_id", "street_id", "category", "found_on", "rectified_on", "overdue_after",
    )  # fmt: skip
    watched: tuple[str, ...] = ("inspection_id", "category", "fixed_on_site")

    def _problems(self, where: str, vendor: str) -> str:
        found = _local_day("i.completed_at", vendor)
        never = _dialect(f"DATE '{ROLLUP_NEVER}'", vendor)
        return (
            f"SELECT i.campaign_id, i.institution_id, r.street_id, f.category, {found}, "  # noqa: S608 - constants
            f"CASE WHEN f.fixed_on_site THEN {found} WHEN l.status = '{ItemStatus.CLOSED}' AND l.closed_on IS NOT NULL "
            f"THEN l.closed_on ELSE {never} END, "
            f"CASE WHEN l.id IS NULL OR l.status = '{ItemStatus.ESCALATED}' THEN {never} ELSE l.deadline END, COUNT(*) "
            f"FROM {self.source} f JOIN inspections_inspection i ON i.id = f.inspection_id "
            "JOIN registry_institution r ON r.id = i.institution_id "
            "LEFT JOIN ledger_ledgeritem l ON l.finding_id = f.id "
            f"WHERE i.campaign_id IS NOT NULL AND i.status = '{InspectionStatus.COMPLETED}' "
            f"AND i.completed_at IS NOT NULL {where} GROUP BY 1, 2, 3, 4, 5, 6, 7"
        )

    def recount(self, group: dict[str, str], vendor: str) -> str:
        return _recount(self.table, self.keys, group, self._problems(_same("i.", group), vendor))

    def change(self, row: str, sign: int, vendor: str) -> str:
        inspection = f"{row}.inspection_id"
        group = {column: _of_inspection(column, inspection) for column in ("campaign_id", "institution_id")}
        return self.recount(group, vendor)

    def grouped(self, vendor: str) -> str:
        return self._problems("", vendor)


@dataclass(frozen=True)
class RecountedOn:
    """Another table whose rows' changes recount a CampaignProblems group: `group` gives the (campaign, institution)
    pair a row belongs to, as SQL over the row ("R.")."""

    problems: CampaignProblems
    source: str
    group: dict[str, str]
    watched: tuple[str, ...]

    def change(self, row: str, sign: int, vendor: str) -> str:
        group = {column: value.replace("R.", f"{row}.") for column, value in self.group.items()}
        return self.problems.recount(group, vendor)


def _dialect(sql: str, vendor: str) -> str:
    """The one spelling that differs: a date literal (SQLite keeps dates as ISO text)."""
    return sql.replace("DATE '", "'") if vendor == "sqlite" else sql


_OPEN = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
_ON_TIME = (
    f"COALESCE(R.status = '{ItemStatus.CLOSED}' AND (R.closed_on <= R.deadline OR R.submitted_on <= R.deadline), FALSE)"
)


def _per_day_keys(day: str) -> dict[str, str]:
    return {
        day: f"R.{day}",
        "department_id": "R.department_id",
        "street_id": "R.street_id",
        "campaign_id": "COALESCE(R.campaign_id, 0)",
    }


ROLLUPS = (
    Rollup(
        table="reports_ledgerrollup",
        source="ledger_ledgeritem",
        keys={
            "found_on": "R.found_on",
            "category": "R.category",
            "department_id": "R.department_id",
            "street_id": "R.street_id",
            "campaign_id": "COALESCE(R.campaign_id, 0)",
            "status": "R.status",
            "on_time": _ON_TIME,
            "open_deadline": f"CASE WHEN R.status IN ({_OPEN}) THEN R.deadline ELSE DATE '{ROLLUP_NO_DATE}' END",
        },
        watched=(
            "found_on",
            "category",
            "department_id",
            "street_id",
            "campaign_id",
            "status",
            "closed_on",
            "submitted_on",
            "deadline",
        ),
    ),  # fmt: skip
    Rollup(
        table="reports_ledgertotalrollup",
        source="ledger_ledgeritem",
        keys={
            "category": "R.category",
            "department_id": "R.department_id",
            "street_id": "R.street_id",
            "campaign_id": "COALESCE(R.campaign_id, 0)",
            "status": "R.status",
            "on_time": _ON_TIME,
        },
        watched=(
            "category",
            "department_id",
            "street_id",
            "campaign_id",
            "status",
            "closed_on",
            "submitted_on",
            "deadline",
        ),
    ),
    Rollup(
        table="reports_ledgeropenrollup",
        source="ledger_ledgeritem",
        keys={
            "deadline": "R.deadline",
            "category": "R.category",
            "department_id": "R.department_id",
            "street_id": "R.street_id",
            "campaign_id": "COALESCE(R.campaign_id, 0)",
            "status": "R.status",
        },
        watched=("deadline", "category", "department_id", "street_id", "campaign_id", "status"),
        where=f"R.status IN ({_OPEN})",
    ),
    Rollup(
        table="reports_ledgerfoundrollup",
        source="ledger_ledgeritem",
        keys=_per_day_keys("found_on"),
        watched=("found_on", "department_id", "street_id", "campaign_id"),
    ),
    Rollup(
        table="reports_ledgerclosedrollup",
        source="ledger_ledgeritem",
        keys=_per_day_keys("closed_on"),
        watched=("closed_on", "department_id", "street_id", "campaign_id"),
        where="R.closed_on IS NOT NULL",
    ),
    Rollup(
        table="reports_institutionrollup",
        source="registry_institution",
        keys={"street_id": "R.street_id", "kind": "R.kind", "status": "R.status"},
        watched=("street_id", "kind", "status"),
    ),
    Repeats(),
    LatestLicences(),
    Inspected(),
    PROBLEMS := CampaignProblems(),
    RISK_LEVELS := Rollup(
        table="reports_riskrollup",
        source="risk_riskrating",
        keys={"street_id": _STREET_OF_INSTITUTION, "level": "R.level"},
        watched=("institution_id", "level"),
    ),
    CAMPAIGN_TARGETS := Rollup(
        table="reports_targetrollup",
        source="inspections_campaigntarget",
        keys={"campaign_id": "R.campaign_id", "street_id": _STREET_OF_INSTITUTION},
        watched=("institution_id", "campaign_id"),
    ),
)
# What an institution's move or change of status carries to the tables that copy its street or status (their own
# triggers read it when their rows change; these run on the institution's).
CARRIERS = (
    CopiesOfInstitution(LatestLicences.table, (("street_id", "street_id"), ("institution_status", "status"))),
    CopiesOfInstitution(Inspected.table, (("street_id", "street_id"),)),
    CopiesOfInstitution(CampaignProblems.table, (("street_id", "street_id"),)),
    RecountedOn(
        PROBLEMS,
        "inspections_inspection",
        _columns("R", "campaign_id", "institution_id"),
        watched=("campaign_id", "institution_id", "status", "completed_at"),
    ),
    RecountedOn(
        PROBLEMS,
        "ledger_ledgeritem",
        {
            column: _of_inspection(column, "(SELECT inspection_id FROM inspections_finding WHERE id = R.finding_id)")
            for column in ("campaign_id", "institution_id")
        },
        watched=("finding_id", "status", "closed_on", "deadline"),
    ),
    FollowsInstitution(RISK_LEVELS),
    FollowsInstitution(CAMPAIGN_TARGETS),
)
Table = Rollup | Repeats | LatestLicences | Inspected | CampaignProblems
Declaration = Table | CopiesOfInstitution | FollowsInstitution | RecountedOn
TABLES: tuple[Table, ...] = ROLLUPS


def _moved(rollup: Declaration, vendor: str) -> str:
    different = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{c} {different} NEW.{c}" for c in rollup.watched)


def _sources() -> dict[str, list[Declaration]]:
    sources: dict[str, list[Declaration]] = {}
    for rollup in (*ROLLUPS, *CARRIERS):
        sources.setdefault(rollup.source, []).append(rollup)
    return sources


def trigger_sql(vendor: str) -> list[str]:
    """The statements that (re)install every rollup trigger on this database."""
    statements: list[str] = []
    for source, rollups in _sources().items():
        name = f"{source}_rollups"
        moved = " OR ".join(f"({_moved(r, vendor)})" for r in rollups)
        if vendor == "sqlite":
            body = {
                "insert": " ".join(r.change("NEW", 1, vendor) for r in rollups),
                "delete": " ".join(r.change("OLD", -1, vendor) for r in rollups),
                "update": " ".join(r.change("OLD", -1, vendor) + " " + r.change("NEW", 1, vendor) for r in rollups),
            }
            for event, statements_ in body.items():
                statements.append(f"DROP TRIGGER IF EXISTS {name}_{event}")
                when = f" WHEN {moved}" if event == "update" else ""
                statements.append(
                    f"CREATE TRIGGER {name}_{event} AFTER {event.upper()} ON {source} FOR EACH ROW{when} "
                    f"BEGIN {statements_} END"
                )
            continue
        old = " ".join(r.change("OLD", -1, vendor) for r in rollups)
        new = " ".join(r.change("NEW", 1, vendor) for r in rollups)
        statements.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {old} END IF; "
            f"IF TG_OP IN ('UPDATE', 'INSERT') THEN {new} END IF; "
            "RETURN NULL; END $$"
        )
        for event in ("insert", "delete", "update"):
            statements.append(f"DROP TRIGGER IF EXISTS {name}_{event} ON {source}")
            when = f" WHEN ({moved})" if event == "update" else ""
            statements.append(
                f"CREATE TRIGGER {name}_{event} AFTER {event.upper()} ON {source} FOR EACH ROW{when} "
                f"EXECUTE FUNCTION {name}()"
            )
    return statements


def drop_trigger_sql(vendor: str) -> list[str]:
    statements = []
    for source in _sources():
        for event in ("insert", "delete", "update"):
            on = "" if vendor == "sqlite" else f" ON {source}"
            statements.append(f"DROP TRIGGER IF EXISTS {source}_rollups_{event}{on}")
        if vendor != "sqlite":
            statements.append(f"DROP FUNCTION IF EXISTS {source}_rollups()")
    return statements


def drop_triggers(conn: Any = None) -> None:
    conn = conn or connection
    with conn.cursor() as cursor:
        for statement in drop_trigger_sql(conn.vendor):
            cursor.execute(statement)


def install_triggers(conn: Any = None) -> None:
    conn = conn or connection
    with conn.cursor() as cursor:
        for statement in trigger_sql(conn.vendor):
            cursor.execute(statement)


def rebuild(conn: Any = None) -> dict[str, int]:
    """Recompute every rollup table from its records in one transaction (the tables are locked against the triggers'
    writers meanwhile on PostgreSQL); the cells written per table."""
    conn = conn or connection
    written: dict[str, int] = {}
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        for rollup in TABLES:
            if conn.vendor == "postgresql":
                cursor.execute(f"LOCK TABLE {rollup.source} IN SHARE MODE")
            cursor.execute(f"DELETE FROM {rollup.table}")  # noqa: S608 - ROLLUPS' constants only
            cursor.execute(f"INSERT INTO {rollup.table} ({', '.join(rollup.keys)}, n) {rollup.grouped(conn.vendor)}")
            written[rollup.table] = cursor.rowcount
    return written


def drifted_cells(conn: Any = None) -> dict[str, int]:
    """Per table, how many cells hold a count other than the live one (a missing or extra cell included), counted by
    the database as two set differences: memory does not grow with the tables. Tables that agree are left out."""
    conn = conn or connection
    drifted: dict[str, int] = {}
    with conn.cursor() as cursor:
        for rollup in TABLES:
            keys = ", ".join(rollup.keys)
            stored = f"SELECT {keys}, n FROM {rollup.table} WHERE n <> 0"  # noqa: S608 - ROLLUPS' constants only
            live = rollup.grouped(conn.vendor)
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT {keys} FROM (SELECT * FROM ({stored} EXCEPT {live}) a "  # noqa: S608
                f"UNION ALL SELECT * FROM ({live} EXCEPT {stored}) b) d GROUP BY {keys}) c"
            )
            if count := cursor.fetchone()[0]:
                drifted[rollup.table] = count
    return drifted


# Reading the rollups


def cell_sum(condition: Q | None = None) -> Coalesce:
    """The cells' total (of those matching the condition); 0, never NULL, when there are none."""
    return Coalesce(Sum("n", filter=condition), 0, output_field=IntegerField())


@dataclass(frozen=True)
class RollupScope:
    """How a user's scope reads the rollups: a filter on their street and department columns, and the records to count
    live and add (a department officer's items assigned to them in another department), if any."""

    cells: Q
    live_items: Q | None = None
    by_department: bool = False  # `cells` names a department: a rollup without one cannot answer for this scope


def rollup_scope(user: Any) -> RollupScope | None:
    """The user's scope over the rollups; None when it cannot be expressed there (then everything is counted live)."""
    scope = Scope.for_user(user)
    if scope.district_wide:
        return RollupScope(Q())
    if scope.role == Role.STREET_OFFICER:
        return RollupScope(Q(street_id__in=scope.street_ids))
    if scope.role == Role.DEPARTMENT_OFFICER and scope.department_id:
        # The same scope as LedgerItem.scope_q: the department's items, and those assigned to the officer elsewhere.
        return RollupScope(
            Q(department_id=scope.department_id),
            Q(officer_id=scope.user_id) & ~Q(department_id=scope.department_id),
            by_department=True,
        )
    return None


def institution_cells(user: Any) -> Q | None:
    """Institution.scope_q over the cells that carry an institution's street (institutions, risk levels, licences):
    every cell when the user sees every institution, their streets' when the scope is by street; None for a scope
    these cells cannot express (then the records are counted live)."""
    scope = Scope.for_user(user)
    institutions = Institution.objects.scope_q(scope)
    if institutions is None:
        return Q()
    by_street = Q(street_id__in=scope.street_ids)
    return by_street if institutions == by_street else None
