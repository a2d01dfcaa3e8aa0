from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _reinstall_rollup_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """SQLite drops a table's triggers when a migration rebuilds the table (its way of altering a column): after every
    migrate the rollup triggers are installed again (idempotent). The copy a rebuild makes keeps the rows, so the
    counts stay true."""
    from django.db import connections

    from jianguan.reports.rollups import install_triggers

    install_triggers(connections[using])


class ReportsConfig(AppConfig):
    name = "jianguan.reports"
    verbose_name = "统计"

    def ready(self) -> None:
        post_migrate.connect(_reinstall_rollup_triggers, sender=self, dispatch_uid="reports.rollup_triggers")
