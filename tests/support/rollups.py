"""The rollup tables compared cell by cell with the live counts, for the tests: which cells differ and by how much
(`rebuild_rollups` counts the same in the database: reports.rollups.drifted_cells)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection

from jianguan.reports.rollups import TABLES, Table


def live_cells(rollup: Table) -> dict[tuple, int]:
    """What the rollup table should hold, counted from the records now."""
    with connection.cursor() as cursor:
        cursor.execute(rollup.grouped(connection.vendor))
        return {tuple(_plain(v) for v in row[:-1]): row[-1] for row in cursor.fetchall()}


def stored_cells(rollup: Table) -> dict[tuple, int]:
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
