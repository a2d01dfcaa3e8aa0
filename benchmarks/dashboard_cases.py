"""The district dashboard (领导驾驶舱, `/reports/dashboard/`) at 100,000 institutions and 1,000,000 inspection item
results: p50/p95 as the lead coordinator with no filter, a campaign filter and a street filter, and one chart's Excel
export, each beside the raw-SQL floor measured in the same run (`registry_cases._page_case`: page, minimal view and a
replay of the page's own captured SQL, interleaved request by request). Target: p95 under 500 ms (issue 7).

Data (bench only, never audited, built once per database and reused; `BENCH_CASES=dashboard`):

* the registry cases' 100,000 synthetic institutions and the ledger cases' 100,000 ledger items
  (`ledger_cases._ensure_items`, which builds the institutions first; no second generator);
* six synthetic campaigns of two months each over the last twelve months (the newest still running), with targets
  (each campaign a sixth of the synthetic institutions, in a seeded random order, until the results below are
  reached) and coverage 100 / 97 / 93 / 88 / 80 / 50 % from the oldest to the newest;
* one completed inspection per inspected target, on a random day of its campaign, answering every item of its
  institution kind's published checklist (12–18 items): exactly N_RESULTS `ItemResult` rows, written by one
  INSERT … SELECT (inspections × checklist items) on either database; outcomes from an integer hash of
  (inspection, item): ~3 % 不合格, ~5 % 不适用, the rest 合格;
* for every failed result, its finding and ledger item (campaign set, the category's lead department, deadline =
  completion + the item's working days; open, overdue, closed on time or late, escalated, by age), so that the campaign
  filter and the trends have something to show (the ledger cases' items have no campaign and were all found on the
  day they were generated).

Recognised by MARK (the campaigns' description, the inspections' summary); the whole build is one transaction, so a
database either has all of it or none. After it, `risk.services.risk_refresh_all` rates every institution (as the
daily refresh would; `load_demo` does the same at the start of every later run). A reused database therefore holds ~30,000 more ledger items than the ledger
cases' 100,000 (those cases run before these in `make bench`).
"""

from __future__ import annotations

import random
import re
import statistics
import time
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from benchmarks import ledger_cases, registry_cases

N_RESULTS = 1_000_000
SEED = 11
MARK = "【合成测试数据】驾驶舱基准：合成专项行动与检查，未记入审计日志。"
COVERAGE = [1.0, 0.97, 0.93, 0.88, 0.80, 0.50]  # oldest campaign → newest
FAIL_PER_MILLE, NA_PER_MILLE = 30, 50
TARGET_MS = 500
STREET_CODE = "330199001"  # 城东街道, the registry and portal cases' street
SMALL_STREET_CODE = "330199201"  # 白石乡: the query count must not depend on how much a filter selects
EXPORT_KEY = "categories"
BATCH = 5_000

_state: dict[str, Any] = {}


class _DrainingClient(Client):
    """A test Client that reads a streamed response (the Excel export's FileResponse) to its end, as a browser would,
    so that the timing includes sending the file and the response is closed."""

    def get(self, *args: Any, **kwargs: Any) -> Any:
        response = super().get(*args, **kwargs)
        if response.streaming:
            response.drained = b"".join(response.streaming_content)
        return response


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
        timezone.localdate(), before=timedelta(days=61 * len(COVERAGE) + 31), after=timedelta(days=31)
    )
    if today is None:
        raise SystemExit("dashboard bench: the working-day calendar does not cover the last year; import its notice")
    tz = timezone.get_current_timezone()
    counts: dict[str, Any] = {}
    q = connection.ops.quote_name
    start = time.perf_counter()

    # The newest published version of each institution kind's checklist, and how many items it has.
    versions: dict[str, tuple[int, int]] = {}
    for v in ChecklistVersion.objects.filter(status="published").select_related("checklist").order_by("number"):
        versions[v.checklist.institution_kind] = (v.pk, v.items.count())
    departments = list(Department.objects.order_by("pk"))
    leads = ledger_cases.category_leads()
    institutions = list(Institution.objects.filter(notes=SYNTHETIC_NOTE).order_by("pk").values_list("pk", "kind"))
    street_of = dict(Institution.objects.filter(notes=SYNTHETIC_NOTE).values_list("pk", "street_id"))
    rng.shuffle(institutions)

    with transaction.atomic():
        campaigns = []
        for k in range(len(COVERAGE)):
            starts = today - timedelta(days=61 * (len(COVERAGE) - k))
            ends = starts + timedelta(days=60 if k < len(COVERAGE) - 1 else 90)
            campaigns.append(
                Campaign.objects.create(
                    name=f"校外培训机构专项检查（合成第{k + 1}期）",
                    starts_on=starts,
                    ends_on=ends,
                    status="finished" if ends < today else "active",
                    lead_department=departments[k % len(departments)],
                    description=MARK,
                    created_at=timezone.make_aware(datetime.combine(starts, clock(9)), tz),
                )  # fmt: skip
            )
        targets, inspections, total = [], [], 0
        for idx, (pk, kind) in enumerate(institutions):
            if total >= N_RESULTS:
                break
            c = idx % len(campaigns)
            campaign = campaigns[c]
            targets.append(CampaignTarget(campaign=campaign, institution_id=pk))
            if kind not in versions or rng.random() >= COVERAGE[c]:
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
            total += versions[kind][1]
        CampaignTarget.objects.bulk_create(targets, batch_size=BATCH)
        Inspection.objects.bulk_create(inspections, batch_size=BATCH)
        counts.update(campaigns=len(campaigns), targets=len(targets), inspections=len(inspections))
        built = time.perf_counter()

        # One row per (inspection, checklist item of its version), in one statement; the last inspection may be
        # answered only in part so that the total is exactly N_RESULTS. The outcome is a middle-square hash of the two
        # ids (deterministic, and the same SQL on SQLite and PostgreSQL): h in 0..999.
        # Table names from the models, values as parameters.
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
                        WHERE i.summary = %s
                        ORDER BY i.id, ci.{q("order")}
                        LIMIT %s
                    ) a
                ) b
                """  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(insert_results, [FAIL_PER_MILLE, FAIL_PER_MILLE + NA_PER_MILLE, False, MARK, N_RESULTS])
            counts["results"] = cursor.rowcount
        inserted = time.perf_counter()

        # A finding and a ledger item for every failed result.
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
        some_department = next(iter(leads.values()))
        for inspection, institution, campaign_id, completed, item, category, severity, period, text, basis in failed:
            found = timezone.localtime(completed, tz).date()
            deadline = add_working_days(found, period)
            department = leads.get(category, some_department)
            findings.append(
                Finding(
                    inspection_id=inspection,
                    item_id=item,
                    category=category,
                    description=text,
                    severity=severity,
                    legal_basis=basis,
                    department=department,
                    period_days=period,
                    deadline=deadline,
                    created_at=completed,
                )  # fmt: skip
            )
            # What became of it, by age: most old problems are closed (four in five of those on time), some are still
            # open past their deadline (overdue), a few were escalated; recent ones are mostly open.
            roll = rng.random()
            if deadline < today - timedelta(days=20):
                status = (
                    "closed" if roll < 0.80 else "escalated" if roll < 0.85 else rng.choice(["pending", "submitted"])
                )
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
            plans.append((institution, campaign_id, department, found, deadline, status, submitted, closed, completed))
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
                    department=department,
                    found_on=found,
                    deadline=deadline,
                    status=status,
                    submitted_on=submitted,
                    closed_on=closed,
                    created_at=completed,
                )  # fmt: skip
                for finding, (
                    institution,
                    campaign_id,
                    department,
                    found,
                    deadline,
                    status,
                    submitted,
                    closed,
                    completed,
                ) in zip(findings, plans, strict=True)
            ),
            batch_size=BATCH,
        )
        counts["ledger_items"] = len(findings)
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of bulk inserts this size (insert-triggered vacuum since PostgreSQL
        # 13, then analyze): statistics for the planner and the visibility map for index-only scans.
        with connection.cursor() as cursor:
            for model in (Campaign, CampaignTarget, Inspection, ItemResult, Finding, LedgerItem):
                cursor.execute(f"VACUUM ANALYZE {q(model._meta.db_table)}")
    filled = time.perf_counter()
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
        seconds_ledger=filled - inserted,
        seconds_risk=elapsed - (filled - start),
    )
    vacuum = " + vacuum analyze" if connection.vendor == "postgresql" else ""
    print(
        f"     generated {counts['campaigns']} campaigns, {counts['targets']:,} targets, "
        f"{counts['inspections']:,} inspections, {counts['results']:,} item results, {counts['ledger_items']:,} "
        f"findings + ledger items in {elapsed:.1f} s (inspections {counts['seconds_inspections']:.1f} s, "
        f"item results {counts['seconds_results']:.1f} s, findings/ledger{vacuum} {counts['seconds_ledger']:.1f} s, "
        f"risk ratings of {counts.get('rated', 0):,} institutions {counts['seconds_risk']:.1f} s; rows not audited)",
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
    built = _build() if not Campaign.objects.filter(description=MARK).exists() else None
    if connection.vendor == "postgresql":
        # `load_demo` at the start of every run re-rates all 100k institutions (as the daily refresh does), leaving
        # ~100k dead rating rows and a cleared visibility map; autovacuum clears them within a minute of that refresh
        # (20 % of a table changed), so a district's dashboard normally reads a vacuumed table. Do the same here.
        with connection.cursor() as cursor:
            for table in ("risk_riskrating", "registry_institution", "registry_licence", "ledger_ledgeritem"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    lead = User.objects.get(username="lead")
    assert lead.role == "lead_coordinator", lead.role
    client, export_client = Client(HTTP_HOST="127.0.0.1"), _DrainingClient(HTTP_HOST="127.0.0.1")
    client.force_login(lead)
    export_client.force_login(lead)
    campaigns = list(Campaign.objects.filter(description=MARK).order_by("starts_on").values_list("pk", flat=True))
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


def _slowest(queries: list[tuple[str, Any]], rounds: int = 3, top: int = 3) -> list[dict[str, Any]]:
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
    return timed[:top]


def _case(name: str, urls: list[str], *, alternates: tuple[str, ...] = (), export: bool = False) -> dict:
    """`registry_cases._page_case` over `urls` as the lead coordinator (target TARGET_MS), plus the query count of
    every URL (and of `alternates`: the same filter selecting much less), the slowest queries and the data sizes."""
    _ensure_data()
    client = _state["export_client" if export else "client"]
    counts = {}
    own: dict[str, list[tuple[str, Any]]] = {}
    client.get(urls[0])  # once first: the first request of a process also loads caches (the workday calendar)
    # The first and last URL and the alternates (each capture is a whole request: at 3–4 s a page, all seven
    # campaign URLs would add half a minute).
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
    result = registry_cases._page_case(name, urls, lambda: "", target_ms=TARGET_MS, client=client)
    slowest = _slowest(own[urls[0]])
    result.update(
        queries=counts[urls[0]],
        own_queries=len(own[urls[0]]),
        queries_constant=constant,
        query_counts=counts,
        slowest=slowest,
        data=_state["sizes"],
        build=_state["built"],
    )
    outside = result["p50"] - result["floor_p50"]
    result["outside_sql_p50"] = outside
    result["note"] += (
        f"; p50 − floor p50 = {outside:.1f} ms outside the SQL; queries {by_count}; slowest alone (median of 3): "
        + ", ".join(f"{t['label']} {t['ms']:.1f} ms ({t['rows']:,} rows)" for t in slowest)
        + f"; {_state['sizes']}"
        + (f"; {size / 1000:.1f} kB file" if export else "")
    )
    if result["value"] > TARGET_MS:
        print(f"     {name}: slowest query ({slowest[0]['ms']:.1f} ms): {slowest[0]['sql']}", flush=True)
        if "plan" in slowest[0]:
            print("     " + slowest[0]["plan"].replace("\n", "\n     "), flush=True)
    return result


def dashboard_page_no_filter() -> dict:
    _ensure_data()
    return _case("dashboard, no filter, lead p95 @100k/1M", ["/reports/dashboard/"])


def dashboard_page_campaign() -> dict:
    """Each request another of the six synthetic campaigns; the demo campaign (22 sites) for the query count."""
    _ensure_data()
    urls = [f"/reports/dashboard/?campaign={pk}" for pk in _state["campaigns"]]
    alternates = (f"/reports/dashboard/?campaign={_state['demo_campaign']}",) if _state["demo_campaign"] else ()
    return _case("dashboard, campaign filter (6), lead p95 @100k/1M", urls, alternates=alternates)


def dashboard_page_street() -> dict:
    _ensure_data()
    return _case(
        f"dashboard, street={STREET_CODE}, lead p95 @100k/1M",
        [f"/reports/dashboard/?street={_state['street']}"],
        alternates=(f"/reports/dashboard/?street={_state['small_street']}",),
    )


def dashboard_export_categories() -> dict:
    _ensure_data()
    return _case(
        f"dashboard export {EXPORT_KEY}.xlsx, lead p95 @100k/1M", [f"/reports/dashboard/{EXPORT_KEY}.xlsx"], export=True
    )


ALL = [dashboard_page_no_filter, dashboard_page_campaign, dashboard_page_street, dashboard_export_categories]
