"""The rollup tables equal the live counts after any sequence of writes (a hypothesis state machine), whatever path a
write takes: a service, a model's save(), QuerySet.update(), bulk_create(), a delete; `rebuild_rollups` recomputes
them and says how far they had drifted; the dashboard's figures read from them equal the figures counted live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from jianguan.alerts.choices import AlertKind
from jianguan.alerts.selectors import SOURCES, alert_totals
from jianguan.audit.models import AuditEvent
from jianguan.inspections.choices import InspectionStatus
from jianguan.inspections.models import Campaign, CampaignTarget, Finding, Inspection
from jianguan.ledger.choices import ItemStatus
from jianguan.ledger.models import LedgerItem
from jianguan.ledger.selectors import due_soon_q, overdue_q
from jianguan.org.choices import CheckCategory
from jianguan.registry import services as registry
from jianguan.registry.choices import InstitutionKind, LicenceKind, OperatingStatus
from jianguan.registry.models import Institution, Licence
from jianguan.reports import rollups
from jianguan.reports.dashboard import (
    Filters,
    campaign_coverage,
    institution_counts,
    live_rectification_counts,
    per_day,
    risk_levels,
)
from jianguan.reports.dashboard import rectification_counts as rollup_rectification_counts
from jianguan.reports.models import InstitutionRollup, LedgerRollup
from jianguan.reports.statistics import campaign_statistics
from jianguan.risk.choices import RiskLevel
from jianguan.risk.models import RiskRating
from tests.support.rollups import differences
from tests.support.statistics import statistics_counted_live, statistics_shown

pytestmark = pytest.mark.django_db

DAYS = st.integers(min_value=-40, max_value=20)
MAYBE_DAY = st.none() | DAYS
STATUSES = st.sampled_from(ItemStatus.values)
CATEGORIES = st.sampled_from(CheckCategory.values[:4])
PERSONAS_READING = ("lead", "street_a", "fire_officer", "edu_officer")


def _counted_live(user, today):
    items = LedgerItem.objects.visible_to(user)
    found = sorted(items.filter(found_on__gte=today - timedelta(days=60)).values_list("found_on", flat=True))
    closed = sorted(items.filter(closed_on__gte=today - timedelta(days=60)).values_list("closed_on", flat=True))
    return live_rectification_counts(items, today), found, closed


def _counted_from_rollups(user, today):
    found, closed = per_day(user, Filters(), today - timedelta(days=60), today + timedelta(days=60))
    return (
        rollup_rectification_counts(user, Filters()),
        sorted(d for d, n in found for _ in range(n)),
        sorted(d for d, n in closed for _ in range(n)),
    )


def assert_rollups_true(district) -> None:
    assert differences() == {}
    today = timezone.localdate()
    for campaign in Campaign.objects.all():
        for as_of in (today, today - timedelta(days=12), today - timedelta(days=30)):
            assert statistics_shown(campaign, as_of) == statistics_counted_live(campaign, as_of), as_of
    today = timezone.localdate()
    for persona in PERSONAS_READING:
        user = district.users[persona]
        assert _counted_from_rollups(user, today) == _counted_live(user, today), persona
        live_institutions = Institution.objects.visible_to(user).values_list("kind", "status")
        expected: dict[tuple[str, str], int] = {}
        for key in live_institutions:
            expected[key] = expected.get(key, 0) + 1
        assert {(k, s): n for k, s, n in institution_counts(user, Filters()) if n} == expected, persona
        warnings = alert_totals(user, today=today)
        items = LedgerItem.objects.visible_to(user)
        assert warnings[AlertKind.ITEM_OVERDUE] == items.filter(overdue_q(today)).count(), persona
        assert warnings[AlertKind.ITEM_DUE_SOON] == items.filter(due_soon_q(today)).count(), persona
        repeated = SOURCES[AlertKind.REPEATED_PROBLEM](user, today, None, None)  # the list: counted from the items
        assert warnings[AlertKind.REPEATED_PROBLEM] == len(repeated), persona
        expiring = SOURCES[AlertKind.LICENCE_EXPIRING](user, today, None, None)  # the list: from the licences
        assert warnings[AlertKind.LICENCE_EXPIRING] == len(expiring), persona
        levels = dict(RiskRating.objects.visible_to(user).values_list("level").annotate(n=Count("*")).order_by())
        assert {r[0].value: r[1].value for r in risk_levels(user, Filters()).rows} == {
            str(label): levels.get(level, 0) for level, label in RiskLevel.choices
        }, persona
    targets = dict(CampaignTarget.objects.values_list("campaign").annotate(n=Count("*")).order_by())
    completed = Inspection.objects.filter(status=InspectionStatus.COMPLETED)
    done = dict(completed.values_list("campaign").annotate(n=Count("institution", distinct=True)).order_by())
    coverage = campaign_coverage(district.users["lead"], Filters())
    campaign_names = dict(Campaign.objects.values_list("name", "pk"))
    assert {campaign_names[r[0].value]: (r[1].value, r[2].value) for r in coverage.rows} == {
        pk: (targets.get(pk, 0), done.get(pk, 0)) for pk in (campaign_names[r[0].value] for r in coverage.rows)
    }


class LedgerAndRegistry(RuleBasedStateMachine):
    """Random writes to ledger items and institutions, inside a savepoint rolled back at the end of each run."""

    district = None  # set by the test

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.savepoint()
        d = self.district
        self.template = d.ledger["a"]
        self.today = timezone.localdate()
        self.departments = [x.pk for x in d.departments.values()]
        self.streets = list(d.streets.values())
        self.campaigns = [None, *(x.pk for x in d.campaigns.values() if x is not None)]
        self.institutions = [x.pk for x in d.institutions.values() if x is not None]
        self.inspections = [x.pk for x in d.inspections.values() if x is not None]
        self.made: list[int] = []  # items this run made (and may delete)
        # The template's problems (those the rules copy) are found in the campaign, as the campaign statistics count.
        Inspection.objects.filter(pk=self.template.finding.inspection_id).update(campaign_id=self.campaigns[1])

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)

    def _day(self, offset: int | None):
        return None if offset is None else self.today + timedelta(days=offset)

    def _item(self, **fields) -> LedgerItem:
        finding = Finding.objects.get(pk=self.template.finding_id)
        finding.pk = None
        finding.save()
        item = LedgerItem.objects.get(pk=self.template.pk)
        item.pk, item.finding = None, finding
        for name, value in fields.items():
            setattr(item, name, value)
        return item

    @rule(
        status=STATUSES, category=CATEGORIES, department=st.integers(0, 9), institution=st.integers(0, 9),
        campaign=st.integers(0, 9), found=DAYS, deadline=DAYS, closed=MAYBE_DAY, submitted=MAYBE_DAY,
        inspection=st.integers(0, 9),
    )  # fmt: skip
    def add_item(self, status, category, department, institution, campaign, found, deadline, closed, submitted,
                 inspection):  # fmt: skip
        institution_pk = self.institutions[institution % len(self.institutions)]
        item = self._item(
            status=status, category=category, department_id=self.departments[department % len(self.departments)],
            institution_id=institution_pk, street_id=Institution.objects.get(pk=institution_pk).street_id,
            campaign_id=self.campaigns[campaign % len(self.campaigns)], found_on=self._day(found),
            deadline=self._day(found + deadline % 30), closed_on=self._day(closed), submitted_on=self._day(submitted),
            inspection_id=self.inspections[inspection % len(self.inspections)],
        )  # fmt: skip
        item.save()
        self.made.append(item.pk)

    @rule(count=st.integers(1, 3), status=STATUSES, closed=MAYBE_DAY)
    def bulk_create_items(self, count, status, closed):
        items = [self._item(status=status, closed_on=self._day(closed)) for _ in range(count)]
        self.made += [i.pk for i in LedgerItem.objects.bulk_create(items)]

    @rule(
        which=st.integers(0, 50), status=st.none() | STATUSES, closed=st.none() | MAYBE_DAY,
        deadline=st.none() | DAYS, category=st.none() | CATEGORIES, department=st.none() | st.integers(0, 9),
    )  # fmt: skip
    def save_item(self, which, status, closed, deadline, category, department):
        items = list(LedgerItem.objects.order_by("pk").values_list("pk", flat=True))
        item = LedgerItem.objects.get(pk=items[which % len(items)])
        if status is not None:
            item.status = status
        if closed is not None:
            item.closed_on = self._day(closed)
        if deadline is not None:
            item.deadline = self._day(deadline)
        if category is not None:
            item.category = category
        if department is not None:
            item.department_id = self.departments[department % len(self.departments)]
        item.save()

    @rule(status=STATUSES, category=CATEGORIES, shift=st.integers(-5, 5))
    def queryset_update(self, status, category, shift):
        LedgerItem.objects.filter(category=category).update(status=status, deadline=F("deadline") + timedelta(shift))

    @rule(category=CATEGORIES, shift=st.integers(-400, 5))
    def queryset_update_found(self, category, shift):
        """Days found move in and out of the repeated problems' window."""
        LedgerItem.objects.filter(category=category).update(found_on=F("found_on") + timedelta(shift))

    @rule(data=st.data())
    def delete_item(self, data):
        if self.made:
            pk = self.made.pop(data.draw(st.integers(0, len(self.made) - 1)))
            item = LedgerItem.objects.get(pk=pk)
            finding = item.finding
            item.delete()
            finding.delete()

    @rule(institution=st.integers(0, 9), street=st.integers(0, 9))
    def move_institution(self, institution, street):
        """A service: the institution and its ledger items (QuerySet.update in ledger.services) move street."""
        obj = Institution.objects.get(pk=self.institutions[institution % len(self.institutions)])
        registry.institution_update(
            actor=self.district.users["lead"], institution=obj, street=self.streets[street % len(self.streets)]
        )

    @rule(institution=st.integers(0, 9), kind=st.sampled_from(InstitutionKind.values))
    def change_kind(self, institution, kind):
        Institution.objects.filter(pk=self.institutions[institution % len(self.institutions)]).update(kind=kind)

    @rule(institution=st.integers(0, 9), to_status=st.sampled_from(OperatingStatus.values))
    def change_status(self, institution, to_status):
        obj = Institution.objects.get(pk=self.institutions[institution % len(self.institutions)])
        obj.status = to_status
        obj.save()

    @rule(
        institution=st.integers(0, 9),
        kind=st.sampled_from(LicenceKind.values[:2]),
        until=st.none() | st.integers(-5, 45),
    )
    def add_licence(self, institution, kind, until):
        Licence.objects.create(
            institution_id=self.institutions[institution % len(self.institutions)], kind=kind, number="状态机",
            valid_until=self._day(until),
        )  # fmt: skip

    @rule(which=st.integers(0, 50), until=st.none() | st.integers(-5, 45), delete=st.booleans())
    def change_licence(self, which, until, delete):
        licences = list(Licence.objects.order_by("pk"))
        if not licences:
            return
        licence = licences[which % len(licences)]
        if delete:
            licence.delete()
        else:
            licence.valid_until = self._day(until)
            licence.save()

    @rule(institution=st.integers(0, 9), level=st.none() | st.sampled_from(RiskLevel.values))
    def rate(self, institution, level):
        pk = self.institutions[institution % len(self.institutions)]
        if level is None:
            RiskRating.objects.filter(institution_id=pk).delete()
        else:
            RiskRating.objects.update_or_create(
                institution_id=pk, defaults={"level": level, "score": 1, "computed_at": timezone.now()}
            )

    @rule(institution=st.integers(0, 9), campaign=st.integers(0, 9), add=st.booleans())
    def target(self, institution, campaign, add):
        campaigns = [c for c in self.campaigns if c is not None]
        if not campaigns:
            return
        pair = {"institution_id": self.institutions[institution % len(self.institutions)],
                "campaign_id": campaigns[campaign % len(campaigns)]}  # fmt: skip
        if add:
            CampaignTarget.objects.get_or_create(**pair)
        else:
            CampaignTarget.objects.filter(**pair).delete()

    @rule(which=st.integers(0, 9), campaign=st.integers(0, 9), status=st.sampled_from(InspectionStatus.values))
    def inspection(self, which, campaign, status):
        """An inspection moves to another campaign or status (a completed one counts as the campaign's coverage)."""
        Inspection.objects.filter(pk=self.inspections[which % len(self.inspections)]).update(
            campaign_id=self.campaigns[campaign % len(self.campaigns)], status=status
        )

    @rule(which=st.integers(0, 9), campaign=st.integers(0, 9), shift=st.integers(-40, 0))
    def complete_inspection(self, which, campaign, shift):
        """An inspection completed (again) on another day: its problems are found on that day."""
        Inspection.objects.filter(pk=self.inspections[which % len(self.inspections)]).update(
            campaign_id=self.campaigns[campaign % len(self.campaigns)], status=InspectionStatus.COMPLETED,
            completed_at=timezone.now() + timedelta(days=shift),
        )  # fmt: skip

    @rule(
        which=st.integers(0, 50), on_site=st.booleans(), category=CATEGORIES, inspection=st.none() | st.integers(0, 9)
    )
    def change_finding(self, which, on_site, category, inspection):
        """A finding fixed on the spot or not, of another category, moved to another inspection (its item stays)."""
        findings = list(Finding.objects.order_by("pk").values_list("pk", flat=True))
        finding = Finding.objects.get(pk=findings[which % len(findings)])
        finding.fixed_on_site, finding.category = on_site, category
        if inspection is not None:
            finding.inspection_id = self.inspections[inspection % len(self.inspections)]
        finding.save()

    @rule(inspection=st.integers(0, 9), category=CATEGORIES)
    def add_finding(self, inspection, category):
        """A problem recorded but not yet ordered: no ledger item."""
        finding = Finding.objects.get(pk=self.template.finding_id)
        finding.pk, finding.category = None, category
        finding.inspection_id = self.inspections[inspection % len(self.inspections)]
        finding.save()

    @rule(street=st.integers(0, 9), kind=st.sampled_from(InstitutionKind.values))
    def register_institution(self, street, kind):
        made = registry.institution_create(
            actor=self.district.users["lead"], name=f"状态机机构{len(self.institutions)}", kind=kind,
            street=self.streets[street % len(self.streets)], status=OperatingStatus.UNREGISTERED,
        )  # fmt: skip
        self.institutions.append(made.pk)

    @invariant()
    def rollups_equal_live_counts(self) -> None:
        assert_rollups_true(self.district)


def test_rollups_equal_the_live_counts_after_any_sequence_of_writes(district):
    LedgerAndRegistry.district = district
    run_state_machine_as_test(
        LedgerAndRegistry,
        settings=settings(
            max_examples=20, stateful_step_count=12, database=None, suppress_health_check=[HealthCheck.too_slow]
        ),
    )


def test_the_district_and_the_demo_start_with_true_rollups(district):
    assert_rollups_true(district)


def test_rebuild_rollups_repairs_drift_and_says_how_much(district, capsys):
    cells = LedgerRollup.objects.count()  # some may hold 0 (a cell emptied by a change)
    LedgerRollup.objects.update(n=F("n") + 1)  # drift, as a bug or a hand edit would leave it
    assert differences()
    call_command("rebuild_rollups")
    assert differences() == {}
    event = AuditEvent.objects.filter(action="rollups.rebuild").latest("seq")
    assert event.after["drifted_cells"]["reports_ledgerrollup"] == cells
    assert "every cell equals the live count" in capsys.readouterr().out


def test_the_triggers_come_back_after_every_migrate(district):
    """SQLite drops a table's triggers when a migration rebuilds it: post_migrate installs them again."""
    with connection.cursor() as cursor:
        for statement in rollups.drop_trigger_sql(connection.vendor):
            cursor.execute(statement)
    from django.apps import apps
    from django.db.models.signals import post_migrate

    post_migrate.send(sender=apps.get_app_config("reports"), app_config=apps.get_app_config("reports"), using="default")
    item = LedgerItem.objects.first()
    LedgerItem.objects.filter(pk=item.pk).update(status=ItemStatus.ESCALATED, category=CheckCategory.values[-1])
    assert differences() == {}


def test_a_problem_found_again_at_a_second_inspection_is_counted_from_the_rollup(district):
    lead, today = district.users["lead"], timezone.localdate()
    first = district.ledger["a"]
    before = alert_totals(lead, today=today)[AlertKind.REPEATED_PROBLEM]
    machine = LedgerAndRegistry.__new__(LedgerAndRegistry)
    machine.template = first
    again = machine._item(inspection_id=district.inspections["on_site"].pk, found_on=today - timedelta(days=3))
    again.save()
    assert alert_totals(lead, today=today)[AlertKind.REPEATED_PROBLEM] == before + 1
    assert differences() == {}
    # Found long ago, outside the window: no longer a repeat.
    LedgerItem.objects.filter(pk=again.pk).update(found_on=F("found_on") - timedelta(days=2000))
    LedgerItem.objects.filter(pk=first.pk).update(found_on=today - timedelta(days=2000))
    assert alert_totals(lead, today=today)[AlertKind.REPEATED_PROBLEM] == before
    assert differences() == {}
    assert str(LedgerItem.objects.values_list("found_on", flat=True).get(pk=again.pk)) == str(
        today - timedelta(days=2003)
    )


def test_a_problem_not_yet_ordered_moves_with_its_institution(district):
    """A finding with no ledger item yet (the order not issued) is in the campaign's statistics, and in its
    institution's new street once the institution moves (institution b has no ledger item to carry it there)."""
    campaign, today, inspection = district.campaigns["a"], timezone.localdate(), district.inspections["on_site"]
    Inspection.objects.filter(pk=inspection.pk).update(
        campaign=campaign, status=InspectionStatus.COMPLETED, completed_at=timezone.now()
    )
    finding = Finding.objects.get(pk=district.ledger["a"].finding_id)
    finding.pk, finding.inspection_id = None, inspection.pk
    finding.save()
    institution = Institution.objects.get(pk=inspection.institution_id)
    assert not LedgerItem.objects.filter(institution=institution).exists()
    other = next(s for s in district.streets.values() if s.pk != institution.street_id)
    registry.institution_update(actor=district.users["lead"], institution=institution, street=other)
    assert differences() == {}
    assert {s.street: s.findings for s in campaign_statistics(campaign, today).streets}[other.name] == 1
    assert statistics_shown(campaign, today) == statistics_counted_live(campaign, today)


def test_the_drift_counted_by_the_database_is_the_cells_that_differ(district):
    """rebuild_rollups counts drift in SQL (set differences, memory bounded): the same cells as `differences()`."""
    assert rollups.drifted_cells() == {}
    LedgerRollup.objects.filter(pk=LedgerRollup.objects.filter(n__gt=0).values("pk")[:1]).update(n=F("n") + 2)
    LedgerRollup.objects.create(
        found_on=timezone.localdate(), category="x", department_id=0, street_id=0, campaign_id=0, status="pending",
        on_time=False, open_deadline=rollups.ROLLUP_NO_DATE, n=1,
    )  # fmt: skip
    InstitutionRollup.objects.all().delete()
    expected = {table: len(cells) for table, cells in differences().items()}
    assert expected["reports_ledgerrollup"] == 2 and expected["reports_institutionrollup"] >= 1
    assert rollups.drifted_cells() == expected
