"""Loading the demo district (青岚区): every app's own demo part, in order. This module is the only one that
imports them all, at the top of the import graph; each app's demo part imports only what lies below it.

Idempotent: each part looks its records up by natural key first, so a second run creates nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from jianguan.accounts.demo import demo_admin, load_demo_accounts
from jianguan.articles.demo import load_demo_articles
from jianguan.complaints.demo import load_demo_complaints
from jianguan.inspections.demo import load_demo_campaign
from jianguan.ledger.demo import load_demo_ledger
from jianguan.lib.workdays import UnknownCalendarYear
from jianguan.org.demo import load_demo_org
from jianguan.org.models import Department, Region
from jianguan.org.selectors import calendar_missing_years, countable_day
from jianguan.registry.demo import load_demo_registry
from jianguan.registry.models import Institution
from jianguan.risk.services import risk_refresh_all

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


def load_demo(*, today: date | None = None, log: Any = print, inspections: bool = True) -> dict[str, int]:
    """Create whatever part of the demo district is missing; returns how many records were created by kind.
    Its history runs up to `today` (by default `demo_day` of the local date). `inspections=False` leaves out the
    campaign and its documents (the slow part), for tests that do not need them."""
    if today is None:
        today = demo_day(timezone.localdate())
    created = {
        "regions": 0, "departments": 0, "responsibilities": 0, "users": 0, "institutions": 0, "inspections": 0,
        "ledger": 0, "articles": 0, "complaints": 0,
    }  # fmt: skip
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
    if inspections:
        created["inspections"] = load_demo_campaign(today=today, log=log)
        created["ledger"] = load_demo_ledger(today=today, log=log)
        created["complaints"] = load_demo_complaints(today=today, log=log)
    created["articles"] = load_demo_articles(today=today, log=log)
    # Every institution rated as of `today` (derived data, not counted as created records).
    risk_refresh_all(today=today)
    return created
