"""Rollup tables: the counts the dashboard and the campaign statistics read, kept current by the database itself.

Each row is one cell — a combination of the dimensions a figure is grouped or filtered by — and ``n``, how many
records fall in it. Triggers installed by this app's migrations (``reports.rollups``) add and subtract in the same
transaction as the insert, update or delete that moves a record between cells, on SQLite and PostgreSQL alike, so no
code path (a service, a ``QuerySet.update()``, a bulk load) can leave them behind; ``manage.py rebuild_rollups``
recomputes them from the records. Ids are plain integers, 0 for "none", and a date that does not apply is
``ROLLUP_NO_DATE`` (or ``ROLLUP_NEVER``, a day that has not come, where a reader compares "on or before a day"): the
unique key every upsert targets must not hold NULLs (NULL is never equal to NULL)."""

from __future__ import annotations

from django.db import models


class LedgerRollup(models.Model):
    """Ledger items by the day found × category × department × street × campaign × status, with whether a closed item
    was rectified on time and, for an open item, its deadline (overdue is an open item whose deadline has passed): the
    rectification tables for a span of days found. The coarser tables below answer the same without dates from far
    fewer cells."""

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


class LedgerTotalRollup(models.Model):
    """Ledger items by category × department × street × campaign × status, with whether a closed item was rectified on
    time: the rectification tables when no dates are chosen (a few thousand cells whatever the years of records)."""

    category = models.CharField(max_length=20)
    department_id = models.IntegerField()
    street_id = models.IntegerField()
    campaign_id = models.IntegerField()
    status = models.CharField(max_length=12)
    on_time = models.BooleanField()
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["category", "department_id", "street_id", "campaign_id", "status", "on_time"],
                name="reports_ledgertotalrollup_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.status}: {self.n}"


class LedgerOpenRollup(models.Model):
    """Open ledger items by deadline × category × department × street × campaign × status: overdue and due soon as of
    any day, when no dates are chosen, and the warnings' counts."""

    deadline = models.DateField()
    category = models.CharField(max_length=20)
    department_id = models.IntegerField()
    street_id = models.IntegerField()
    campaign_id = models.IntegerField()
    status = models.CharField(max_length=12)
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "category", "department_id", "street_id", "campaign_id", "status"],
                name="reports_ledgeropenrollup_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.deadline} {self.category} {self.status}: {self.n}"


class LedgerFoundRollup(models.Model):
    """Ledger items found by day × department × street × campaign: the trends' first line."""

    found_on = models.DateField()
    department_id = models.IntegerField()
    street_id = models.IntegerField()
    campaign_id = models.IntegerField()
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["found_on", "department_id", "street_id", "campaign_id"], name="reports_ledgerfoundrollup_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.found_on}: {self.n}"


class LedgerClosedRollup(models.Model):
    """Ledger items closed out (销号) by day × department × street × campaign: the trends' second line."""

    closed_on = models.DateField()
    department_id = models.IntegerField()
    street_id = models.IntegerField()
    campaign_id = models.IntegerField()
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["closed_on", "department_id", "street_id", "campaign_id"],
                name="reports_ledgerclosedrollup_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.closed_on}: {self.n}"


class RepeatRollup(models.Model):
    """Per institution and category with problems from two inspections or more: the day found of the second most
    recent inspection (reports.rollups.Repeats). n is always 1 (one pair per row)."""

    institution_id = models.IntegerField()
    category = models.CharField(max_length=20)
    street_id = models.IntegerField()
    second_found = models.DateField(db_index=True)
    n = models.IntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution_id", "category"], name="reports_repeatrollup_pair")]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.category}: {self.second_found}"


class LicenceRollup(models.Model):
    """Per institution and licence kind whose longest licence has an end date: that date, how many licences end then,
    and the institution's street and status (reports.rollups.LatestLicences): the expiring-licence warning's count."""

    institution_id = models.IntegerField()
    kind = models.CharField(max_length=20)
    street_id = models.IntegerField()
    institution_status = models.CharField(max_length=20)
    latest_until = models.DateField(db_index=True)
    n = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution_id", "kind"], name="reports_licencerollup_pair")]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.kind}: {self.latest_until}"


class RiskRollup(models.Model):
    """Risk ratings by the institution's street × level (moved with the institution)."""

    street_id = models.IntegerField()
    level = models.CharField(max_length=1)
    n = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["street_id", "level"], name="reports_riskrollup_cell")]

    def __str__(self) -> str:
        return f"{self.street_id} {self.level}: {self.n}"


class TargetRollup(models.Model):
    """Campaign targets (检查对象) by campaign × the institution's street (moved with the institution)."""

    campaign_id = models.IntegerField()
    street_id = models.IntegerField()
    n = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign_id", "street_id"], name="reports_targetrollup_cell")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.street_id}: {self.n}"


class InspectedRollup(models.Model):
    """Each (campaign, institution) with a completed inspection, with the institution's street and the (local) day of
    its first completed inspection in the campaign (reports.rollups.Inspected): a campaign's coverage per street, today
    or as of any day. n is always 1."""

    campaign_id = models.IntegerField()
    institution_id = models.IntegerField()
    street_id = models.IntegerField()
    first_on = models.DateField(null=True)  # None: completed without a completion time (counted today, not as of)
    n = models.IntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign_id", "institution_id"], name="reports_inspectedrollup_pair")
        ]
        indexes = [models.Index(fields=["campaign_id", "street_id"], name="reports_inspected_street")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.institution_id}"


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


class CampaignProblemRollup(models.Model):
    """A campaign's problems (findings of its completed inspections) by institution × category × the day found (the
    inspection's completion day) × the day rectified × the day after which it is overdue (reports.rollups.
    CampaignProblems): the campaign statistics as of any day D count the rows found by D, rectified by D, and neither
    rectified by D nor within their deadline. Recounted per (campaign, institution) from its few findings whenever one
    of them, its inspection or its ledger item changes; the street is the institution's (moved with it)."""

    campaign_id = models.IntegerField()
    institution_id = models.IntegerField()
    street_id = models.IntegerField()
    category = models.CharField(max_length=20)
    found_on = models.DateField()
    rectified_on = models.DateField()  # ROLLUP_NEVER: not rectified (yet)
    overdue_after = models.DateField()  # the ledger item's deadline; ROLLUP_NEVER: no item yet, or 移交处罚
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "campaign_id", "institution_id", "category", "found_on", "rectified_on", "overdue_after",
                    "street_id",
                ],
                name="reports_campaignproblemrollup_cell",
            )
        ]  # fmt: skip
        indexes = [models.Index(fields=["campaign_id", "found_on"], name="reports_problem_found")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.institution_id} {self.category}: {self.n}"
