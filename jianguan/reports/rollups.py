"""The rollup tables' definitions, their triggers (SQLite and PostgreSQL), their rebuild and their live recount.

A rollup is declared once (``ROLLUPS``): its table, the source table, and for each key column the SQL expression that
computes it from a source row. From that one declaration come the triggers (insert: +1 in the new row's cell; delete:
−1 in the old row's; update that moves a row: both), the rebuild (``INSERT … SELECT … GROUP BY``) and the live
recount the tests compare the tables with — so the three cannot disagree about what a cell means.

Cells whose count falls to 0 stay (a later change may fill them again); readers sum, and a 0 adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import IntegerField, Q, Sum
from django.db.models.functions import Coalesce

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope
from jianguan.inspections.choices import InspectionStatus
from jianguan.ledger.choices import OPEN_STATUSES, ItemStatus

ROLLUP_NO_DATE = date(1, 1, 1)


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


def _recount(table: str, keys: tuple[str, ...], group: tuple[str, ...], row: str, select: Any) -> str:
    """A per-group table's trigger statement: its group's row(s) deleted and counted again from the group's records.
    `select(alias_where)` gives the recount restricted by "AND <alias>.<column> = <row>.<column>" for the group."""
    pair = " AND ".join(f"{column} = {row}.{column}" for column in group)
    return (
        f"DELETE FROM {table} WHERE {pair}; "  # noqa: S608 - constants and the trigger's row
        f"INSERT INTO {table} ({', '.join(keys)}, n) {select(group, row)};"
    )


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
        return _recount(
            self.table, self.keys, ("institution_id", "category"), row,
            lambda group, r: self._ranked("WHERE " + " AND ".join(f"{c} = {r}.{c}" for c in group)),
        )  # fmt: skip

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
        return _recount(
            self.table, self.keys, ("institution_id", "kind"), row,
            lambda group, r: self._latest("".join(f" AND l.{c} = {r}.{c}" for c in group)),
        )  # fmt: skip

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


@dataclass(frozen=True)
class Inspected:
    """Each (campaign, institution) with a completed inspection, with the institution's street: a campaign's
    inspected institutions counted per street (a distinct count, so a per-group recount, n always 1)."""

    table: str = "reports_inspectedrollup"
    source: str = "inspections_inspection"
    keys: tuple[str, ...] = ("campaign_id", "institution_id", "street_id")
    watched: tuple[str, ...] = ("campaign_id", "institution_id", "status")

    def _pairs(self, where: str) -> str:
        return (
            "SELECT i.campaign_id, i.institution_id, r.street_id, COUNT(DISTINCT i.institution_id) "  # noqa: S608
            f"FROM {self.source} i JOIN registry_institution r ON r.id = i.institution_id "
            f"WHERE i.campaign_id IS NOT NULL AND i.status = '{InspectionStatus.COMPLETED}' {where} "
            "GROUP BY i.campaign_id, i.institution_id, r.street_id"
        )

    def change(self, row: str, sign: int, vendor: str) -> str:
        return _recount(
            self.table, self.keys, ("campaign_id", "institution_id"), row,
            lambda group, r: self._pairs("".join(f" AND i.{c} = {r}.{c}" for c in group)),
        )  # fmt: skip

    def grouped(self, vendor: str) -> str:
        return self._pairs("")


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
    FollowsInstitution(RISK_LEVELS),
    FollowsInstitution(CAMPAIGN_TARGETS),
)
Table = Rollup | Repeats | LatestLicences | Inspected
Declaration = Table | CopiesOfInstitution | FollowsInstitution
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


def live_cells(rollup: Rollup) -> dict[tuple, int]:
    """What the rollup table should hold, counted from the records now."""
    with connection.cursor() as cursor:
        cursor.execute(rollup.grouped(connection.vendor))
        return {tuple(_plain(v) for v in row[:-1]): row[-1] for row in cursor.fetchall()}


def stored_cells(rollup: Rollup) -> dict[tuple, int]:
    """What the rollup table holds (cells at 0 left out)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(rollup.keys)}, n FROM {rollup.table} WHERE n <> 0")  # noqa: S608 - constants
        return {tuple(_plain(v) for v in row[:-1]): row[-1] for row in cursor.fetchall()}


def _plain(value: Any) -> Any:
    """One spelling per value across the two databases (SQLite hands back text dates and 0/1)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def differences() -> dict[str, dict[tuple, tuple[int, int]]]:
    """Per table, the cells whose stored count differs from the live one: (stored, live). Empty when all agree."""
    found: dict[str, dict[tuple, tuple[int, int]]] = {}
    for rollup in TABLES:
        stored, live = stored_cells(rollup), live_cells(rollup)
        wrong = {
            k: (stored.get(k, 0), live.get(k, 0)) for k in stored.keys() | live.keys() if stored.get(k) != live.get(k)
        }
        if wrong:
            found[rollup.table] = wrong
    return found


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
            Q(department_id=scope.department_id), Q(officer_id=scope.user_id) & ~Q(department_id=scope.department_id)
        )
    return None
