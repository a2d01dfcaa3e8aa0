"""Rollup tables: the counts the dashboard reads, kept current by the database itself.

Each row is one cell — a combination of the dimensions a figure is grouped or filtered by — and ``n``, how many
records fall in it. Triggers installed by this app's migrations (``reports.rollups``) add and subtract in the same
transaction as the insert, update or delete that moves a record between cells, on SQLite and PostgreSQL alike, so no
code path (a service, a ``QuerySet.update()``, a bulk load) can leave them behind; ``manage.py rebuild_rollups``
recomputes them from the records. Ids are plain integers, 0 for "none", and a date that does not apply is
``ROLLUP_NO_DATE``: the unique key every upsert targets must not hold NULLs (NULL is never equal to NULL)."""

from __future__ import annotations

from django.db import models


class LedgerRollup(models.Model):
    """Ledger items by the day found × category × department × street × campaign × status, with whether a closed item
    was rectified on time and, for an open item, its deadline (overdue is an open item whose deadline has passed)."""

    found_on = models.DateField()
    category = models.CharField(max_length=20)
    department_id = models.IntegerField()
    street_id = models.IntegerField()
    campaign_id = models.IntegerField()  # 0: found outside a campaign
    status = models.CharField(max_length=12)
    on_time = models.BooleanField()
    open_deadline = models.DateField()  # ROLLUP_NO_DATE unless the item is open
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "found_on", "category", "department_id", "street_id", "campaign_id", "status", "on_time",
                    "open_deadline",
                ],
                name="reports_ledgerrollup_cell",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.found_on} {self.category} {self.status}: {self.n}"


class LedgerClosedRollup(models.Model):
    """Ledger items closed out (销号) by the day × category × department × street × campaign: the trends' second line."""

    closed_on = models.DateField()
    category = models.CharField(max_length=20)
    department_id = models.IntegerField()
    street_id = models.IntegerField()
    campaign_id = models.IntegerField()
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["closed_on", "category", "department_id", "street_id", "campaign_id"],
                name="reports_ledgerclosedrollup_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.closed_on} {self.category}: {self.n}"


class InstitutionRollup(models.Model):
    """Institutions by street × kind × operating status."""

    street_id = models.IntegerField()
    kind = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["street_id", "kind", "status"], name="reports_institutionrollup_cell")
        ]

    def __str__(self) -> str:
        return f"{self.street_id} {self.kind} {self.status}: {self.n}"
