from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _reinstall_rollup_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After every migrate (and every flush, which sends post_migrate too) the rollup triggers are installed again
    and the rollups recomputed: SQLite drops a table's triggers when a migration rebuilds the table (its way of
    altering a column), and its flush deletes the tables row by row, triggers firing, in no useful order."""
    from django.db import connections

    from jianguan.reports.rollups import TABLES, install_triggers, rebuild

    connection = connections[using]
    if not {rollup.table for rollup in TABLES} <= set(connection.introspection.table_names()):
        return  # migrated back before the rollups (`migrate reports zero`): nothing to keep
    install_triggers(connection)
    rebuild(connection)


class ReportsConfig(AppConfig):
    name = "jianguan.reports"
    verbose_name = "统计"

    def ready(self) -> None:
        post_migrate.connect(_reinstall_rollup_triggers, sender=self, dispatch_uid="reports.rollup_triggers")
