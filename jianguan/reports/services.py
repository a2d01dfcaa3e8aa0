"""Writes of the reports app: the rollup tables' rebuild (their day-to-day upkeep is the database triggers')."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from jianguan.audit.services import audit_record
from jianguan.reports import rollups


def rebuild_rollups(*, actor: Any) -> dict[str, int]:
    """Recompute every rollup table from the records, in one transaction with its audit event, which says how many
    cells had drifted from the live counts before (0 when the triggers kept them, as they should)."""
    with transaction.atomic():
        drifted = rollups.drifted_cells()
        written = rollups.rebuild()
        if rollups.drifted_cells():  # the rebuild is the live count: anything else is a bug, and nothing is kept
            raise RuntimeError("rollup rebuild does not match the live counts")
        audit_record(
            actor=actor,
            action="rollups.rebuild",
            object_type="reports.rollup",
            object_label="统计汇总表",
            after={"cells": written, "drifted_cells": drifted},
        )
    return written
