"""Loading the demo district (青岚区): every app's own demo part, in order. This module is the only one that
imports them all, at the top of the import graph; each app's demo part imports only what lies below it.

The demo's history is replayed as it happened: the district's records are entered about four months before the demo's
day, and every later event — the campaign's inspections, the institutions' submissions, the rechecks, complaints and
articles — runs through the services with the clock at the moment it happened (time-machine), in the order of those
moments. Records, histories and the audit chain therefore carry the days the events happened, in order, not the time
of loading. Each app's story is a generator that yields the moment of its next event before making it (see `Story`).

Idempotent: each part looks its records up by natural key first, so a second run creates nothing.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import time_machine
from django.utils import timezone

from jianguan.accounts.demo import demo_admin, load_demo_accounts
from jianguan.articles.demo import articles_story
from jianguan.complaints.demo import complaints_stories
from jianguan.enforcement.demo import case_stories
from jianguan.inspections.demo import campaign_story
from jianguan.ledger.demo import ledger_stories
from jianguan.lib.story import Story, moment
from jianguan.lib.workdays import UnknownCalendarYear
from jianguan.meetings.demo import meeting_story
from jianguan.org.demo import load_demo_org
from jianguan.org.models import Department, Region
from jianguan.org.selectors import calendar_missing_years, countable_day
from jianguan.planning.demo import plan_story
from jianguan.registry.demo import load_demo_registry
from jianguan.registry.models import Institution
from jianguan.risk.services import risk_refresh_all
from jianguan.rules.demo import sector_story
from jianguan.rules.services import run_checks
from jianguan.transfers.demo import transfer_stories

# The demo's history starts about two months before its day and counts deadlines up to three weeks after it (the
# latest: a complaint assigned two days before, due 15 working days later); its calendar must cover this span.
DEMO_CALENDAR_BEFORE = timedelta(days=120)
DEMO_CALENDAR_AFTER = timedelta(days=31)


def demo_day(today: date) -> date:
    """The day the demo's history runs up to: today, or, while next year's holidays are not imported yet (late in
    the year), the last day whose deadlines the calendar can count. A demo never invents a holiday arrangement."""
    day = countable_day(today, before=DEMO_CALENDAR_BEFORE, after=DEMO_CALENDAR_AFTER)
    if day is None:
        raise UnknownCalendarYear(calendar_missing_years(today - DEMO_CALENDAR_BEFORE, today + DEMO_CALENDAR_AFTER)[0])
    return day


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """The clock at `moment` (and running) for what the block does: every record, history entry and audit event it
    writes carries that time."""
    with time_machine.travel(moment, tick=True):
        yield


def replay(stories: Iterable[tuple[str, Story]], *, since: datetime, until: datetime) -> dict[str, int]:
    """Run the stories' events in the order of the moments they name, each with the clock at its moment (never
    later than `until`, never earlier than where the previous event left the clock, so the audit chain's times only
    go forward); returns how many records each kind of story created. A story's code before its first `yield` runs
    at once and only reads (whether its records exist)."""
    counts: dict[str, int] = {}
    pending: list[tuple[datetime, int, str, Story]] = []
    order = itertools.count()
    clock = since

    def advance(kind: str, story: Story) -> None:
        try:
            next_at = next(story)
        except StopIteration as done:
            counts[kind] = counts.get(kind, 0) + (done.value or 0)
        else:
            heapq.heappush(pending, (next_at, next(order), kind, story))

    for kind, story in stories:
        advance(kind, story)
    while pending:
        at, _n, kind, story = heapq.heappop(pending)
        with clock_at(max(min(at, until), clock)):
            advance(kind, story)
            clock = timezone.now()
    return counts


def load_demo(*, today: date | None = None, log: Any = print, inspections: bool = True) -> dict[str, int]:
    """Create whatever part of the demo district is missing; returns how many records were created by kind.
    Its history runs up to `today` (by default `demo_day` of the local date). `inspections=False` leaves out the
    campaign and its documents (the slow part), for tests that do not need them."""
    if today is None:
        today = demo_day(timezone.localdate())
    created = {
        "regions": 0, "departments": 0, "responsibilities": 0, "users": 0, "institutions": 0, "inspections": 0,
        "ledger": 0, "articles": 0, "complaints": 0, "cases": 0, "meetings": 0, "transfers": 0,
        "plans": 0, "sector": 0,
    }  # fmt: skip
    now = timezone.now()
    # The district's streets, departments, accounts and registry, entered before anything happened to them.
    with clock_at(min(now, moment(today - DEMO_CALENDAR_BEFORE, 9))):
        admin, made = demo_admin()
        created["users"] += made
        created.update(load_demo_org(actor=admin))
        regions = {r.code: r for r in Region.objects.all()}
        created["institutions"] = load_demo_registry(actor=admin, regions=regions, today=today)
        created["users"] += load_demo_accounts(
            actor=admin,
            departments={d.short_name: d for d in Department.objects.all()},
            regions=regions,
            institutions={
                i.credit_code: i for i in Institution.objects.exclude(credit_code=None).only("pk", "credit_code")
            },
            today=today,
        )
        founded = timezone.now()
    # Operating statuses (责令停止招生, 取缔) come from the campaign's 责令停止 orders themselves.
    stories: list[tuple[str, Story]] = []
    if inspections:
        stories.append(("inspections", campaign_story(today=today)))
        stories += [("ledger", story) for story in ledger_stories(today=today)]
        stories += [("complaints", story) for story in complaints_stories(today=today)]
        stories += [("cases", story) for story in case_stories(today=today)]
        stories += [("transfers", story) for story in transfer_stories(today=today)]
        stories.append(("plans", plan_story(today=today)))
        stories.append(("sector", sector_story(today=today)))
    stories.append(("articles", articles_story(today=today)))
    stories.append(("meetings", meeting_story(today=today)))
    counts = replay(stories, since=founded, until=min(now, moment(today, 23, 59)))
    for kind in (
        "inspections",
        "ledger",
        "complaints",
        "articles",
        "cases",
        "meetings",
        "transfers",
        "plans",
        "sector",
    ):
        created[kind] += counts.get(kind, 0)
    if inspections:
        log(
            f"  专项行动：{created['inspections']} 家检查对象已检查；整改台账：{created['ledger']} 条事项已整改、复查、移交或指导"
        )
    # The day's rule check over the staff, classes and charges, then every institution rated as of `today` (derived
    # data, not counted as created records).
    from jianguan.rules.models import RuleRun

    if created["sector"] or not RuleRun.objects.filter(checked_on=today).exists():
        with clock_at(min(now, moment(today, 5))):
            run_checks(today=today)
    risk_refresh_all(today=today)
    return created
