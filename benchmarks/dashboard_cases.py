"""The district dashboard (领导驾驶舱, `/reports/dashboard/`) at 100,000 institutions and N_RESULTS inspection item
results (`BENCH_DASHBOARD_RESULTS`: 1,000,000 by default, 10,000,000 for the big run): p50/p95 as the lead coordinator
with no filter, a campaign filter and a street filter, and one chart's Excel export, each beside the raw-SQL floor
measured in the same run (`registry_cases._page_case`: page, minimal view and a replay of the page's own captured SQL,
interleaved request by request). Target (issue): p95 ≤ 100 ms at 1M item results, ≤ 150 ms at 10M (TARGETS_MS; a
size in between gets the next larger size's). Each case also checks that every figure the dashboard shows for its
filter (`reports.dashboard.dashboard(lead, Filters(...))`: the headlines, the category table, campaign coverage and
the monthly trend) equals a plain COUNT over the live rows; a difference fails the case. Each case prints each of
the page's own queries timed alone. The big run, on a database of its own:
`BENCH_DATABASE_URL=postgres://…/benchdash10m BENCH_CASES=dashboard BENCH_DASHBOARD_RESULTS=10000000 make bench`.

Data (bench only, never audited, built once per database and reused; `BENCH_CASES=dashboard`):

* the registry cases' 100,000 synthetic institutions and the ledger cases' 100,000 ledger items
  (`ledger_cases._ensure_items`, which builds the institutions first; no second generator);
* YEARS = N_RESULTS / 1,000,000 (rounded, at least 1) years of history, each with six synthetic campaigns of two
  months: a province accumulating a year of campaigns after another (100k institutions, each inspection answering
  12–18 checklist items, cannot reach 10M results in one year). The newest year is shaped as the 1M dataset's year:
  six campaigns over the last twelve months (the newest still running), coverage 100 / 97 / 93 / 88 / 80 / 50 % from
  the oldest to the newest, so the trends, the six campaigns the dashboard shows and the open items look the same at
  every size; the older years' campaigns are finished, coverage OLD_COVERAGE. Each year's targets: each campaign a
  sixth of the synthetic institutions (reshuffled every year, seeded) until the year has its N_RESULTS / YEARS
  results; at 10M: 60 campaigns over ten years (the calendar package counts working days back to 2004), 698,168
  targets, 666,481 inspections, 322,732 findings + ledger items (422,752 ledger items in all). The campaign case
  filters by the newest six, those the dashboard lists;
* one completed inspection per inspected target, on a random day of its campaign, answering every item of its
  institution kind's published checklist (12–18 items): exactly N_RESULTS `ItemResult` rows, written by INSERT …
  SELECT (inspections × checklist items) in batches of inspections (ordered by id; the last one answered in part)
  on either database; outcomes from an integer hash of (inspection, item): ~3 % 不合格, ~5 % 不适用, the rest 合格;
* for every failed result, its finding and ledger item (campaign set, the category's lead department, deadline =
  completion + the item's working days; open, overdue, closed on time or late, escalated, by age), so that the campaign
  filter and the trends have something to show (the ledger cases' items have no campaign and were all found on the
  day they were generated). Campaigns, targets, inspections, findings and items are written in batches, so the
  build's memory does not grow with N_RESULTS.

Each phase is timed and printed (campaigns + targets + inspections, item results with their rate, findings + ledger
items, commit, VACUUM ANALYZE, risk ratings). Recognised by MARK (the campaigns' description, the inspections' summary),
which names the size except at 1M (the 1M databases built before the size was a setting stay usable); a database
built for another size stops the run rather than be taken for this one (use another database, e.g. one per size).
On the 2-core bench machine the 10M build took ~7 min after the registry's and ledger cases' ~1 min (1M: ~1.7 min).
The whole build is one transaction, so a database either has all of it or none. After it,
`risk.services.risk_refresh_all` rates every institution (as the daily refresh would; `load_demo` does the same at
the start of every later run). A reused 1M database therefore holds ~30,000 more ledger items than the ledger cases'
100,000 (those cases run before these in `make bench`); a 10M one ~320,000.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from benchmarks import ledger_cases, registry_cases

N_RESULTS = int(os.environ.get("BENCH_DASHBOARD_RESULTS", "1000000").replace("_", ""))
RESULTS_PER_YEAR = 1_000_000
YEARS = max(1, round(N_RESULTS / RESULTS_PER_YEAR))
SIZE = f"100k/{N_RESULTS / 1e6:g}M"  # in the cases' names
SEED = 11
MARK_PREFIX = "【合成测试数据】驾驶舱基准"
MARK = (
    f"{MARK_PREFIX}：合成专项行动与检查，未记入审计日志。"
    if N_RESULTS == 1_000_000
    else f"{MARK_PREFIX}（{N_RESULTS:,} 条检查结果）：合成专项行动与检查，未记入审计日志。"
)
COVERAGE = [1.0, 0.97, 0.93, 0.88, 0.80, 0.50]  # the last twelve months: oldest campaign → newest
OLD_COVERAGE = [1.0, 0.98, 0.97, 0.96, 0.95, 0.95]  # the finished years before them
FAIL_PER_MILLE, NA_PER_MILLE = 30, 50
TARGETS_MS = {1_000_000: 100, 10_000_000: 150}  # the p95 per size
TARGET_MS = next((ms for size, ms in sorted(TARGETS_MS.items()) if size >= N_RESULTS), max(TARGETS_MS.values()))
STREET_CODE = "330199001"  # 城东街道, the registry and portal cases' street
SMALL_STREET_CODE = "330199201"  # 白石乡: the query count must not depend on how much a filter selects
EXPORT_KEY = "categories"
BATCH = 5_000
FLUSH = 50_000  # rows held in Python before they are written
RESULT_BATCH = 50_000  # inspections per INSERT … SELECT of item results (~750,000 rows)

_state: dict[str, Any] = {}


class _DrainingClient(Client):
    """A test Client that reads a streamed response (the Excel export's FileResponse) to its end, as a browser would,
    so that the timing includes sending the file and the response is closed."""

    def get(self, *args: Any, **kwargs: Any) -> Any:
        response = super().get(*args, **kwargs)
        if response.streaming:
            response.drained = b"".join(response.streaming_content)
        return response


def _progress(what: str, done: int, total: int, since: float) -> None:
    elapsed = time.perf_counter() - since
    print(f"     … {what}: {done:,} / {total:,} in {elapsed:.0f} s ({done / max(elapsed, 1e-9):,.0f}/s)", flush=True)


def _status_of(rng: random.Random, today: Any, found: Any, deadline: Any) -> tuple[str, Any, Any]:
    """What became of a problem, by age: most old problems are closed (four in five of those on time), some are still
    open past their deadline (overdue), a few were escalated; recent ones are mostly open."""
    roll = rng.random()
    if deadline < today - timedelta(days=20):
        status = "closed" if roll < 0.80 else "escalated" if roll < 0.85 else rng.choice(["pending", "submitted"])
    elif deadline < today:
        status = "closed" if roll < 0.55 else rng.choice(["pending", "in_progress", "submitted"])
    else:
        status = "closed" if roll < 0.30 else rng.choice(["pending", "in_progress", "submitted"])
    submitted = closed = None
    if status in ("closed", "submitted"):
        on_time = rng.random() < 0.8
        submitted = (
            found + timedelta(days=rng.randrange(max((deadline - found).days, 0) + 1))
            if on_time
            else deadline + timedelta(days=rng.randrange(1, 21))
        )
        submitted = min(submitted, today)
    if status == "closed":
        closed = min(submitted + timedelta(days=rng.randrange(0, 6)), today)
    return status, submitted, closed


def _build() -> dict[str, Any]:
    """Campaigns, targets, inspections, N_RESULTS item results, and findings + ledger items for the failed ones."""
    from jianguan.checklists.models import ChecklistVersion
    from jianguan.inspections.models import Campaign, CampaignTarget, Finding, Inspection, ItemResult
    from jianguan.ledger.models import LedgerItem
    from jianguan.lib.workdays import add_working_days
    from jianguan.org.models import Department
    from jianguan.org.selectors import countable_day
    from jianguan.registry.models import Institution
    from jianguan.registry.synthetic import SYNTHETIC_NOTE

    rng = random.Random(SEED)  # noqa: S311
    # The data's history runs up to today, or, late in a year whose successor's holidays are not imported yet, up
    # to the last day its deadlines (up to a checklist item's longest period) can be counted: never a guessed year.
    today = countable_day(
        timezone.localdate(),
        before=timedelta(days=365 * (YEARS - 1) + 61 * len(COVERAGE) + 31),
        after=timedelta(days=31),
    )
    if today is None:
        raise SystemExit(f"dashboard bench: the working-day calendar does not cover the last {YEARS} year(s)")
    tz = timezone.get_current_timezone()
    counts: dict[str, Any] = {}
    q = connection.ops.quote_name
    print(
        f"     building the dashboard's data: {N_RESULTS:,} item results over {YEARS} year(s) of campaigns",
        flush=True,
    )
    start = time.perf_counter()

    # The newest published version of each institution kind's checklist, and how many items it has.
    versions: dict[str, tuple[int, int]] = {}
    for v in ChecklistVersion.objects.filter(status="published").select_related("checklist").order_by("number"):
        versions[v.checklist.institution_kind] = (v.pk, v.items.count())
    departments = list(Department.objects.order_by("pk"))
    leads = ledger_cases.category_leads()
    institutions = list(Institution.objects.filter(notes=SYNTHETIC_NOTE).order_by("pk").values_list("pk", "kind"))
    street_of = dict(Institution.objects.filter(notes=SYNTHETIC_NOTE).values_list("pk", "street_id"))

    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Foreign keys checked at the end of each statement, not all at COMMIT: PostgreSQL would otherwise queue
            # a check per row (12M at 10M results) in the backend's memory and run them all in one long commit.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # Oldest year first, so that inspection ids follow the years and the last (partly answered) inspection is
        # the newest year's. The newest year is the 1M dataset's year: the same days, coverage and size.
        campaigns = []
        for year in range(YEARS):
            back = timedelta(days=365 * (YEARS - 1 - year))
            for k in range(len(COVERAGE)):
                starts = today - back - timedelta(days=61 * (len(COVERAGE) - k))
                ends = starts + timedelta(days=90 if (year == YEARS - 1 and k == len(COVERAGE) - 1) else 60)
                campaigns.append(
                    Campaign.objects.create(
                        name=f"校外培训机构专项检查（合成第{len(campaigns) + 1}期）",
                        starts_on=starts,
                        ends_on=ends,
                        status="finished" if ends < today else "active",
                        lead_department=departments[k % len(departments)],
                        description=MARK,
                        created_at=timezone.make_aware(datetime.combine(starts, clock(9)), tz),
                    )  # fmt: skip
                )
        targets, inspections, total, n_targets, n_inspections = [], [], 0, 0, 0

        def flush() -> None:
            CampaignTarget.objects.bulk_create(targets, batch_size=BATCH)
            Inspection.objects.bulk_create(inspections, batch_size=BATCH)
            targets.clear()
            inspections.clear()

        for year in range(YEARS):
            rng.shuffle(institutions)
            coverage = COVERAGE if year == YEARS - 1 else OLD_COVERAGE
            budget = N_RESULTS * (year + 1) // YEARS  # results up to the end of this year
            for idx, (pk, kind) in enumerate(institutions):
                if total >= budget:
                    break
                c = idx % len(COVERAGE)
                campaign = campaigns[year * len(COVERAGE) + c]
                targets.append(CampaignTarget(campaign=campaign, institution_id=pk))
                n_targets += 1
                if kind not in versions or rng.random() >= coverage[c]:
                    continue
                last = min(campaign.ends_on, today)
                day = campaign.starts_on + timedelta(days=rng.randrange((last - campaign.starts_on).days + 1))
                done = timezone.make_aware(datetime.combine(day, clock(rng.randrange(9, 17), rng.randrange(60))), tz)
                inspections.append(
                    Inspection(
                        campaign=campaign,
                        institution_id=pk,
                        kind="campaign",
                        status="completed",
                        checklist_version_id=versions[kind][0],
                        lead_department_id=campaign.lead_department_id,
                        scheduled_at=done - timedelta(hours=1),
                        started_at=done - timedelta(hours=1),
                        completed_at=done,
                        representative_name="合成",
                        summary=MARK,
                        created_at=done - timedelta(days=3),
                    )  # fmt: skip
                )
                n_inspections += 1
                total += versions[kind][1]
                if len(inspections) >= FLUSH:
                    flush()
            flush()
            if YEARS > 1:
                _progress("item results planned (campaigns, targets, inspections)", total, N_RESULTS, start)
        counts.update(campaigns=len(campaigns), targets=n_targets, inspections=n_inspections)
        built = time.perf_counter()

        # One row per (inspection, checklist item of its version), INSERT … SELECT over a range of inspection ids at a
        # time; the last inspection may be answered only in part so that the total is exactly N_RESULTS. The outcome
        # is a middle-square hash of the two ids (deterministic, and the same SQL on SQLite and PostgreSQL): h in
        # 0..999. Table names from the models, values as parameters.
        insert_results = f"""
                INSERT INTO {q(ItemResult._meta.db_table)}
                    (inspection_id, item_id, outcome, note, fixed_on_site, recorded_by_id, recorded_at, version)
                SELECT inspection_id, item_id,
                       CASE WHEN h < %s THEN 'fail' WHEN h < %s THEN 'na' ELSE 'pass' END, '', %s, NULL, recorded_at, 1
                FROM (
                    SELECT inspection_id, item_id, recorded_at, ((x * x) / 1000) %% 1000 AS h
                    FROM (
                        SELECT i.id AS inspection_id, ci.id AS item_id, i.completed_at AS recorded_at,
                               (i.id * 7919 + ci.id * 104729) %% 1000003 AS x
                        FROM {q(Inspection._meta.db_table)} i
                        JOIN {q("checklists_checklistitem")} ci ON ci.version_id = i.checklist_version_id
                        WHERE i.summary = %s AND i.id >= %s AND i.id < %s
                        ORDER BY i.id, ci.{q("order")}
                        LIMIT %s
                    ) a
                ) b
                """  # noqa: S608
        ids = list(Inspection.objects.filter(summary=MARK).order_by("pk").values_list("pk", flat=True))
        counts["results"] = 0
        with connection.cursor() as cursor:
            for first in range(0, len(ids), RESULT_BATCH):
                low = ids[first]
                high = ids[first + RESULT_BATCH] if first + RESULT_BATCH < len(ids) else ids[-1] + 1
                params = [FAIL_PER_MILLE, FAIL_PER_MILLE + NA_PER_MILLE, False, MARK, low, high]
                cursor.execute(insert_results, [*params, N_RESULTS - counts["results"]])
                counts["results"] += cursor.rowcount
                if YEARS > 1:
                    _progress("item results", counts["results"], N_RESULTS, built)
                if counts["results"] >= N_RESULTS:
                    break
        del ids
        inserted = time.perf_counter()

        # A finding and a ledger item for every failed result, written a batch at a time.
        failed = (
            ItemResult.objects.filter(inspection__summary=MARK, outcome="fail")
            .order_by("pk")
            .values_list(
                "inspection_id",
                "inspection__institution_id",
                "inspection__campaign_id",
                "inspection__completed_at",
                "item_id",
                "item__category",
                "item__severity",
                "item__period_days",
                "item__text",
                "item__legal_basis",
            )  # fmt: skip
        )
        findings, plans = [], []
        counts["ledger_items"] = 0
        some_department = next(iter(leads.values()))

        def write() -> None:
            Finding.objects.bulk_create(findings, batch_size=BATCH)
            LedgerItem.objects.bulk_create(
                (
                    LedgerItem(
                        finding=finding,
                        inspection_id=finding.inspection_id,
                        campaign_id=campaign_id,
                        institution_id=institution,
                        street_id=street_of[institution],
                        category=finding.category,
                        description=finding.description,
                        measure="按要求整改到位",
                        responsible_person="合成",
                        department=finding.department,
                        found_on=found,
                        deadline=finding.deadline,
                        status=status,
                        submitted_on=submitted,
                        closed_on=closed,
                        created_at=completed,
                    )  # fmt: skip
                    for finding, (institution, campaign_id, completed, found, status, submitted, closed) in zip(
                        findings, plans, strict=True
                    )
                ),
                batch_size=BATCH,
            )
            counts["ledger_items"] += len(findings)
            findings.clear()
            plans.clear()

        for (
            inspection,
            institution,
            campaign_id,
            completed,
            item,
            category,
            severity,
            period,
            text,
            basis,
        ) in failed.iterator(chunk_size=BATCH):
            found = timezone.localtime(completed, tz).date()
            deadline = add_working_days(found, period)
            findings.append(
                Finding(
                    inspection_id=inspection,
                    item_id=item,
                    category=category,
                    description=text,
                    severity=severity,
                    legal_basis=basis,
                    department=leads.get(category, some_department),
                    period_days=period,
                    deadline=deadline,
                    created_at=completed,
                )  # fmt: skip
            )
            plans.append((institution, campaign_id, completed, found, *_status_of(rng, today, found, deadline)))
            if len(findings) >= FLUSH:
                write()
                if YEARS > 1:
                    _progress("findings + ledger items", counts["ledger_items"], N_RESULTS * 32 // 1000, inserted)
        write()
        written = time.perf_counter()
    filled = time.perf_counter()
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of bulk inserts this size (insert-triggered vacuum since PostgreSQL
        # 13, then analyze): statistics for the planner and the visibility map for index-only scans.
        with connection.cursor() as cursor:
            for model in (Campaign, CampaignTarget, Inspection, ItemResult, Finding, LedgerItem):
                cursor.execute(f"VACUUM ANALYZE {q(model._meta.db_table)}")
    vacuumed = time.perf_counter()
    # Every institution rated, as the daily refresh leaves a district (the dashboard shows risk levels and the
    # riskiest institutions). load_demo, which the registry cases call first, rates whatever exists at that moment:
    # on a fresh database only the demo's, so the first run would otherwise differ from the later ones.
    try:
        from jianguan.risk.services import risk_refresh_all
    except ImportError:  # a checkout without the risk module
        risk_refresh_all = None
    if risk_refresh_all is not None:
        counts["rated"] = risk_refresh_all().refreshed
    elapsed = time.perf_counter() - start
    counts.update(
        seconds=elapsed,
        seconds_inspections=built - start,
        seconds_results=inserted - built,
        seconds_ledger=written - inserted,
        seconds_commit=filled - written,
        seconds_vacuum=vacuumed - filled,
        seconds_risk=elapsed - (vacuumed - start),
    )
    print(
        f"     generated {counts['campaigns']} campaigns, {counts['targets']:,} targets, "
        f"{counts['inspections']:,} inspections, {counts['results']:,} item results, {counts['ledger_items']:,} "
        f"findings + ledger items in {elapsed:.1f} s (campaigns/targets/inspections {counts['seconds_inspections']:.1f}"
        f" s, item results {counts['seconds_results']:.1f} s = "
        f"{counts['results'] / max(counts['seconds_results'], 1e-9):,.0f}/s, findings/ledger "
        f"{counts['seconds_ledger']:.1f} s, commit {counts['seconds_commit']:.1f} s, vacuum analyze "
        f"{counts['seconds_vacuum']:.1f} s, risk ratings of {counts.get('rated', 0):,} institutions "
        f"{counts['seconds_risk']:.1f} s; rows not audited)",
        flush=True,
    )
    return counts


def _ensure_data() -> None:
    """The ledger cases' data (and so the registry's 100k institutions), the dashboard's own (built once), and a
    client signed in as the demo district's lead coordinator."""
    if _state:
        return
    from jianguan.accounts.models import User
    from jianguan.inspections.models import Campaign, Inspection, ItemResult
    from jianguan.ledger.models import LedgerItem
    from jianguan.org.models import Region
    from jianguan.registry.models import Institution

    ledger_cases._ensure_items()
    other = (
        Campaign.objects.filter(description__startswith=MARK_PREFIX)
        .exclude(description=MARK)
        .values_list("description")
    )
    if other.exists():
        raise SystemExit(
            f"dashboard bench: this database holds the dashboard data of another size ({other.first()[0]}), not "
            f"{N_RESULTS:,} item results (BENCH_DASHBOARD_RESULTS): use another database for this size"
        )
    built = _build() if not Campaign.objects.filter(description=MARK).exists() else None
    if connection.vendor == "postgresql":
        # `load_demo` at the start of every run re-rates all 100k institutions (as the daily refresh does), leaving
        # ~100k dead rating rows and a cleared visibility map; autovacuum clears them within a minute of that refresh
        # (20 % of a table changed), so a district's dashboard normally reads a vacuumed table. Do the same here,
        # and for the rollup tables, whose cells the same refresh (and the build's row-by-row triggers) rewrote.
        from jianguan.reports.rollups import TABLES

        with connection.cursor() as cursor:
            for table in (
                "risk_riskrating", "registry_institution", "registry_licence", "ledger_ledgeritem",
                *(rollup.table for rollup in TABLES),
            ):  # fmt: skip
                cursor.execute(f"VACUUM ANALYZE {table}")
    lead = User.objects.get(username="lead")
    assert lead.role == "lead_coordinator", lead.role
    client, export_client = Client(HTTP_HOST="127.0.0.1"), _DrainingClient(HTTP_HOST="127.0.0.1")
    client.force_login(lead)
    export_client.force_login(lead)
    # The newest six (those the dashboard lists; at 10M the older years' campaigns are the same size).
    campaigns = list(
        Campaign.objects.filter(description=MARK).order_by("-starts_on", "-pk").values_list("pk", flat=True)[:6]
    )[::-1]
    demo_campaign = Campaign.objects.exclude(description=MARK).order_by("pk").values_list("pk", flat=True).first()
    _state.update(
        lead=lead,
        client=client,
        export_client=export_client,
        campaigns=campaigns,
        demo_campaign=demo_campaign,
        street=Region.objects.get(code=STREET_CODE).pk,
        small_street=Region.objects.get(code=SMALL_STREET_CODE).pk,
        built=built,
        sizes=(
            f"{Institution.objects.count():,} institutions, "
            f"{ItemResult.objects.count():,} item results, {Inspection.objects.count():,} inspections, "
            f"{LedgerItem.objects.count():,} ledger items"
        ),
    )


def _live_counts(where: str, params: list[Any]) -> dict[str, Any]:
    """Plain COUNTs over the ledger items in a filter's scope (`where`: SQL over ledger_ledgeritem's columns)."""
    from jianguan.ledger.choices import OPEN_STATUSES

    today = timezone.localdate()
    open_in = ", ".join(["%s"] * len(OPEN_STATUSES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT category, COUNT(*), COUNT(*) FILTER (WHERE status = 'closed'),
                       COUNT(*) FILTER (WHERE status IN ({open_in}) AND deadline < %s)
                FROM ledger_ledgeritem WHERE {where} GROUP BY category""",  # noqa: S608
            [*[str(s) for s in OPEN_STATUSES], today, *params],
        )
        by_category = {category: (total, closed, overdue) for category, total, closed, overdue in cursor.fetchall()}
    return by_category


def _check_figures(campaign: int | None = None, street: int | None = None) -> tuple[int, list[str]]:
    """Every figure of `dashboard(lead, Filters(campaign, street))` that has a plain count to compare with: the
    headlines (institutions, problems found, rectification rate, overdue), the category table (problems, closed,
    overdue per category), campaign coverage (targets, inspected) and the monthly trend (found, closed per month),
    each against a COUNT over the live rows. Returns how many figures were compared and the differences."""
    from jianguan.inspections.models import Campaign
    from jianguan.org.models import Region
    from jianguan.registry.models import Institution
    from jianguan.reports.dashboard import Filters, dashboard

    f = Filters(
        campaign=Campaign.objects.get(pk=campaign) if campaign else None,
        street=Region.objects.get(pk=street) if street else None,
    )
    headlines, sections = dashboard(_state["lead"], f)
    shown = {str(h.label): h.value for h in headlines}
    by_key = {s.key: s for s in sections}
    where, params = ["TRUE"], []
    if campaign:
        where.append("campaign_id = %s")
        params.append(campaign)
    if street:
        where.append("street_id = %s")
        params.append(street)
    live = _live_counts(" AND ".join(where), params)
    total = sum(t for t, _c, _o in live.values())
    closed = sum(c for _t, c, _o in live.values())
    overdue = sum(o for _t, _c, o in live.values())
    institutions = Institution.objects.filter(**({"street_id": street} if street else {})).count()
    pct = round(closed * 100 / total, 1) if total else 0.0
    expected: dict[str, Any] = {
        "headline 机构": (shown.get("机构"), institutions),
        "headline 发现问题": (shown.get("发现问题"), total),
        "headline 整改率": (shown.get("整改率"), f"{pct}%"),
        "headline 逾期未整改": (shown.get("逾期未整改"), overdue),
    }
    from jianguan.org.choices import CheckCategory

    labels = {str(label): value for value, label in CheckCategory.choices}
    categories = by_key.get("categories")
    for row in categories.rows if categories else []:
        value = labels.get(str(row[0].value))
        want = live.get(value, (0, 0, 0))
        expected[f"categories {row[0].value}"] = ((row[1].value, row[2].value, row[5].value), want)
    if categories is None or len(categories.rows) != len(live):
        expected["categories: rows"] = (len(categories.rows) if categories else None, len(live))
    coverage = by_key.get("campaigns")
    for row in coverage.rows if coverage else []:
        pk = int(re.search(r"/(\d+)/", row[1].url).group(1))
        with connection.cursor() as cursor:
            join = " JOIN registry_institution r ON r.id = x.institution_id AND r.street_id = %s" if street else ""
            extra = [street] if street else []
            cursor.execute(
                f"SELECT COUNT(*) FROM inspections_campaigntarget x{join} WHERE x.campaign_id = %s",  # noqa: S608
                [*extra, pk],
            )
            targets = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT COUNT(DISTINCT x.institution_id) FROM inspections_inspection x{join} "  # noqa: S608
                "WHERE x.campaign_id = %s AND x.status = 'completed'",
                [*extra, pk],
            )
            inspected = cursor.fetchone()[0]
        expected[f"coverage {row[0].value}"] = ((row[1].value, row[2].value), (targets, inspected))
    monthly = by_key.get("monthly")
    for row in monthly.rows if monthly else []:
        first = datetime.strptime(row[0].value + "-01", "%Y-%m-%d").date()
        # The current month up to today (the trend's end): ledger items may carry a later day.
        last = min((first + timedelta(days=31)).replace(day=1) - timedelta(days=1), timezone.localdate())
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FILTER (WHERE found_on BETWEEN %s AND %s), "  # noqa: S608
                "COUNT(*) FILTER (WHERE closed_on BETWEEN %s AND %s) "
                f"FROM ledger_ledgeritem WHERE {' AND '.join(where)}",
                [first, last, first, last, *params],
            )
            found, closed_n = cursor.fetchone()
        expected[f"monthly {row[0].value}"] = ((row[1].value, row[2].value), (found, closed_n))
    for name in ("categories", "campaigns", "monthly"):
        if name not in by_key:
            expected[f"section {name}"] = ("missing", "shown")
    wrong = [f"{name}: shown {got}, live {want}" for name, (got, want) in expected.items() if got != want]
    return len(expected), wrong


def _queries(url: str, client: Client) -> tuple[int, list[tuple[str, Any]]]:
    """How many queries one request runs, and the page's own (those the minimal view does not also run)."""
    with override_settings(ROOT_URLCONF=registry_cases.__name__):
        floor_sql = {sql for sql, _p in registry_cases._capture(registry_cases.FLOOR_URL, client)}
        queries = registry_cases._capture(url, client)
    return len(queries), [(sql, p) for sql, p in queries if sql not in floor_sql]


def _label(sql: str) -> str:
    """What a dashboard query computes (its section), from its SQL; its table otherwise."""
    plain = re.sub(r'"\w+"\.', "", " ".join(sql.split())).replace('"', "")
    table = m.group(1) if (m := re.search(r" FROM (\w+)", plain)) else "?"
    select = plain[len("SELECT ") : plain.find(" FROM ")]
    where = plain[plain.find(" WHERE ") :] if " WHERE " in plain else ""
    grouped = " GROUP BY " in plain
    what = {
        "registry_licence": "alerts: expiring licences (COUNT)",
        "ledger_ledgeritem": "alerts: overdue / due-soon items (COUNT)",
        "complaints_complaint": "alerts: complaints (COUNT)",
        "alerts_alertack": "alerts: acknowledgements",
        "risk_riskrating": "risk levels" if grouped else "riskiest institutions",
        "inspections_inspection": "coverage: inspected per campaign",
        "inspections_campaigntarget": "coverage: targets per campaign",
        "registry_institution": "institutions kind × status" if grouped else "institutions",
    }.get(table, table)
    if plain.startswith("SELECT COUNT(*) FROM (SELECT") and "ledger_ledgeritem" in plain:
        what = "alerts: repeated problems (items grouped)"
    elif table == "ledger_ledgeritem" and grouped:
        for start, name in (
            ("category", "items by category × department × street"),
            ("found_on", "trend: found per day"),
            ("closed_on", "trend: closed per day"),
        ):
            if select.startswith(start):
                what = name
    elif table == "inspections_campaign":
        what = "campaigns"
    scope = "campaign" if "campaign_id = " in where else "street" if "street_id = " in where else ""
    return what + (f" [{scope}]" if scope else "")


def _slowest(queries: list[tuple[str, Any]], rounds: int = 3) -> list[dict[str, Any]]:
    """Each of the page's own queries timed alone (median of `rounds`), slowest first; on PostgreSQL the slowest
    one's EXPLAIN (ANALYZE, BUFFERS) is kept with it (in var/bench/latest.json)."""
    timed = []
    with connection.cursor() as cursor:
        for sql, params in queries:
            samples = []
            for _ in range(rounds):
                start = time.perf_counter()
                cursor.execute(sql, params)
                rows = cursor.fetchall()
                samples.append((time.perf_counter() - start) * 1000)
            timed.append({"label": _label(sql), "ms": statistics.median(samples), "rows": len(rows), "sql": sql})
        timed.sort(key=lambda t: -t["ms"])
        if connection.vendor == "postgresql" and timed:
            sql, params = next((s, p) for s, p in queries if s == timed[0]["sql"])
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            timed[0]["plan"] = "\n".join(row[0] for row in cursor.fetchall())
            timed[0]["params"] = [str(p) for p in params or ()]
    return timed


def _case(
    name: str,
    urls: list[str],
    *,
    alternates: tuple[str, ...] = (),
    export: bool = False,
    figures: list[dict[str, int | None]] | None = None,
    checks: tuple[Callable[[], tuple[int, list[str]]], ...] = (),
) -> dict:
    """`registry_cases._page_case` over `urls` as the lead coordinator (target TARGET_MS), plus the query count of
    every URL (and of `alternates`: the same filter selecting much less), each of the page's own queries timed alone,
    the data sizes, and `_check_figures` for each filter in `figures` (a difference fails the case)."""
    _ensure_data()
    client = _state["export_client" if export else "client"]
    counts = {}
    own: dict[str, list[tuple[str, Any]]] = {}
    client.get(urls[0])  # once first: the first request of a process also loads caches (the workday calendar)
    # The first and last URL and the alternates (each capture is a whole request).
    for url in dict.fromkeys([urls[0], urls[-1], *alternates]):
        counts[url], own[url] = _queries(url, client)
    if export:
        response = client.get(urls[0])
        assert response.drained.startswith(b"PK"), "not an xlsx file"  # a zip archive
        size = len(response.drained)
    constant = len(set(counts.values())) == 1
    by_count = f"{counts[urls[0]]} per request ({len(own[urls[0]])} the page's own)"
    if len(counts) > 1:
        by_count += (
            f", the same for all {len(counts)} URLs" if constant else f", NOT CONSTANT: {sorted(set(counts.values()))}"
        )
    compared, wrong = 0, []
    for check in (*(partial(_check_figures, **scope) for scope in figures or ()), *checks):
        n, differences = check()
        compared += n
        wrong += differences
    result = registry_cases._page_case(name, urls, lambda: "", target_ms=TARGET_MS, client=client)
    timed = _slowest(own[urls[0]])
    slowest = timed[:3]
    result.update(
        queries=counts[urls[0]],
        own_queries=len(own[urls[0]]),
        queries_constant=constant,
        query_counts=counts,
        slowest=slowest,
        queries_alone=[{k: v for k, v in t.items() if k not in ("sql", "plan")} for t in timed],
        data=_state["sizes"],
        build=_state["built"],
        figures_compared=compared,
        figures_wrong=wrong,
    )
    outside = result["p50"] - result["floor_p50"]
    result["outside_sql_p50"] = outside
    result["note"] += (
        f"; p50 − floor p50 = {outside:.1f} ms outside the SQL; queries {by_count}; slowest alone (median of 3): "
        + ", ".join(f"{t['label']} {t['ms']:.1f} ms ({t['rows']:,} rows)" for t in slowest)
        + f"; all own queries alone {sum(t['ms'] for t in timed):.1f} ms"
        + (f"; figures equal to the live counts: {compared}" if compared and not wrong else "")
        + f"; {_state['sizes']}"
        + (f"; {size / 1000:.1f} kB file" if export else "")
    )
    print(f"     {name}: each of the page's own queries alone (median of 3), slowest first:", flush=True)
    for t in timed:
        print(f"       {t['ms']:8.1f} ms  {t['rows']:>7,} rows  {t['label']}", flush=True)
    if wrong:
        result["failed"] = True
        result["note"] += f"; FIGURES DIFFER FROM THE LIVE COUNTS ({len(wrong)} of {compared}): " + "; ".join(wrong)
    if result["value"] > TARGET_MS:
        print(f"     {name}: slowest query ({slowest[0]['ms']:.1f} ms): {slowest[0]['sql']}", flush=True)
        if "plan" in slowest[0]:
            print("     " + slowest[0]["plan"].replace("\n", "\n     "), flush=True)
    return result


def dashboard_page_no_filter() -> dict:
    _ensure_data()
    return _case(f"dashboard, no filter, lead p95 @{SIZE}", ["/reports/dashboard/"], figures=[{}])


def dashboard_page_campaign() -> dict:
    """Each request another of the newest six synthetic campaigns; the demo campaign (22 sites) for the query count;
    the figures checked for the newest and the oldest of the six."""
    _ensure_data()
    urls = [f"/reports/dashboard/?campaign={pk}" for pk in _state["campaigns"]]
    alternates = (f"/reports/dashboard/?campaign={_state['demo_campaign']}",) if _state["demo_campaign"] else ()
    return _case(
        f"dashboard, campaign filter (6), lead p95 @{SIZE}",
        urls,
        alternates=alternates,
        figures=[{"campaign": _state["campaigns"][0]}, {"campaign": _state["campaigns"][-1]}],
    )


def dashboard_page_street() -> dict:
    _ensure_data()
    return _case(
        f"dashboard, street={STREET_CODE}, lead p95 @{SIZE}",
        [f"/reports/dashboard/?street={_state['street']}"],
        alternates=(f"/reports/dashboard/?street={_state['small_street']}",),
        figures=[{"street": _state["street"]}],
    )


def dashboard_export_categories() -> dict:
    _ensure_data()
    return _case(
        f"dashboard export {EXPORT_KEY}.xlsx, lead p95 @{SIZE}", [f"/reports/dashboard/{EXPORT_KEY}.xlsx"], export=True
    )


def _check_statistics(campaign: int) -> tuple[int, list[str]]:
    """Every figure of the campaign's statistics today (`campaign_statistics`, from the rollups) against the same
    counted from its findings (tests.support.statistics, as the statistics were computed before the rollups)."""
    from jianguan.inspections.models import Campaign
    from tests.support.statistics import statistics_counted_live, statistics_shown

    obj, today = Campaign.objects.get(pk=campaign), timezone.localdate()
    shown, live = statistics_shown(obj, today), statistics_counted_live(obj, today)
    compared, wrong = 0, []
    for part, got, want in zip(("totals", "categories", "streets"), shown, live, strict=True):
        if isinstance(want, dict):
            compared += sum(len(v) for v in want.values())
            wrong += [f"statistics {campaign} {part} {k}: shown {got.get(k)}, live {v}" for k, v in want.items()
                      if got.get(k) != v]  # fmt: skip
            wrong += [f"statistics {campaign} {part} {k}: shown {got[k]}, not live" for k in got.keys() - want.keys()]
        else:
            compared += len(want)
            wrong += [f"statistics {campaign} {part}: shown {got}, live {want}"] if got != want else []
    return compared, wrong


def dashboard_data_campaign_statistics() -> dict:
    """The campaign statistics page (`/reports/campaigns/<pk>/`, as of today), each request another of the newest six
    synthetic campaigns (~10,000 inspections each at 10M); the demo campaign for the query count; every figure of the
    newest and the oldest of the six checked against the findings."""
    _ensure_data()
    campaigns = _state["campaigns"]
    alternates = (f"/reports/campaigns/{_state['demo_campaign']}/",) if _state["demo_campaign"] else ()
    return _case(
        f"campaign statistics (6), lead p95 @{SIZE}",
        [f"/reports/campaigns/{pk}/" for pk in campaigns],
        alternates=alternates,
        checks=(partial(_check_statistics, campaigns[0]), partial(_check_statistics, campaigns[-1])),
    )


ALL = [
    dashboard_page_no_filter,
    dashboard_page_campaign,
    dashboard_page_street,
    dashboard_export_categories,
    dashboard_data_campaign_statistics,
]
