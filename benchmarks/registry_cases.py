"""The registry at 100,000 institutions: list/search and detail latency, Excel import and export.

The synthetic institutions are generated once (jianguan.registry.synthetic, not audited) and reused when the
database already holds them. Every latency is measured beside a floor taken in the same run:

* page floor = p95 of a minimal login-required view returning "ok" through the same middleware stack and test Client
  (session load and save, user load) + p95 of replaying, with cursor.execute, the SQL the page itself ran minus the
  queries the minimal view also runs (for the list: filter-form streets, licence requirements, the count and the
  first page). Target: page p95 within 3× that floor.
* export floor = a bare XlsxWriter (constant_memory) workbook of the same rows (values only, pre-fetched into a
  list); a bare openpyxl write-only workbook of them is reported beside it.

Each page case takes 50 rounds (page, minimal view, SQL replay), fewer (at least 20) when a round is so slow that 50
would take more than PAGE_CASE_BUDGET_S. The cases run in this order because the import adds 10,000 institutions:
lists, detail, export, import.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import override_settings
from django.urls import include, path
from django.utils import timezone

N_INSTITUTIONS = 100_000
SEED = 1
REQUESTS = 50
# A page case stops short of REQUESTS when one round (page + minimal view + SQL replay) is slow, so that `make bench`
# stays bounded on a slow database; it still takes at least MIN_REQUESTS rounds (the note says how many).
PAGE_CASE_BUDGET_S = 90
MIN_REQUESTS = 20
IMPORT_ROWS = 10_000
FLOOR_URL = "/__bench__/floor/"
PAGE_TARGET_RATIO = 3.0


@login_required
def _floor_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


# The project's URLs plus the floor view, used as ROOT_URLCONF while the page cases run.
urlpatterns = [path(FLOOR_URL.strip("/") + "/", _floor_view), path("", include("jianguan.urls"))]

_state: dict[str, Any] = {}


def _quiet(*_args: Any, **_kwargs: Any) -> None:
    pass


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def _ensure_data() -> None:
    """100,000 synthetic institutions (generated once; reused when already there) and a logged-in admin client."""
    if _state:
        return
    from jianguan.accounts.models import User
    from jianguan.demo.loader import load_demo
    from jianguan.registry.synthetic import generate, synthetic_count

    load_demo(log=_quiet)
    have = synthetic_count()
    if have < N_INSTITUTIONS:
        start = time.perf_counter()
        generate(N_INSTITUTIONS - have, SEED, append=bool(have), log=_quiet)
        elapsed = time.perf_counter() - start
        _state["generated"] = (N_INSTITUTIONS - have, elapsed)
        print(
            f"     generated {N_INSTITUTIONS - have:,} synthetic institutions in {elapsed:.1f} s "
            f"({(N_INSTITUTIONS - have) / elapsed:,.0f}/s, not audited)",
            flush=True,
        )
        if connection.vendor == "postgresql":
            # What autovacuum would do within a minute of the bulk insert; the plans depend on it.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE registry_institution")
                cursor.execute("ANALYZE registry_licence")
    admin = User.objects.get(username="admin")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    _state.update(admin=admin, client=client)


def _capture(url: str, client: Client | None = None) -> list[tuple[str, Any]]:
    """The (sql, params) of every query one request runs."""
    captured: list[tuple[str, Any]] = []

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        response = (client or _state["client"]).get(url)
    assert response.status_code == 200, (url, response.status_code)
    return captured


def _get_ms(url: str, client: Client | None = None) -> float:
    start = time.perf_counter()
    response = (client or _state["client"]).get(url)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def _replay_ms(cursor: Any, queries: list[tuple[str, Any]]) -> float:
    """Run those queries again with cursor.execute + fetchall, timed together."""
    start = time.perf_counter()
    for sql, params in queries:
        cursor.execute(sql, params)
        cursor.fetchall()
    return (time.perf_counter() - start) * 1000


def _page_case(
    name: str,
    urls: list[str],
    describe: Callable[[], str] = lambda: "",
    target_ms: float = 0,
    *,
    client: Client | None = None,
    floor_url: str = FLOOR_URL,
    urlconf: str = __name__,
) -> dict:
    """p50/p95 of GETting `urls` (cycling through them) against the floor measured beside it.

    Page, minimal view and SQL replay are interleaved request by request, so that load from other processes on the
    machine falls on the page and on its floor alike. The target is PAGE_TARGET_RATIO × floor unless `target_ms`.
    `client` (default: the logged-in admin), `floor_url` and `urlconf` (a module whose urlpatterns serve the project
    plus that minimal view) let the public portal's cases use an anonymous client and a public minimal view.
    """
    _ensure_data()
    with override_settings(ROOT_URLCONF=urlconf):
        for url in urls[:2]:
            _get_ms(url, client)  # warm the template cache and the database pages
        _get_ms(floor_url, client)
        floor_view_sql = {sql for sql, _params in _capture(floor_url, client)}
        # The page's own queries: everything it runs that the minimal view does not (session, user).
        page_queries = {}
        for url in dict.fromkeys(urls):
            page_queries[url] = [(sql, p) for sql, p in _capture(url, client) if sql not in floor_view_sql]
        page, floor_view, floor_sql = [], [], []
        with connection.cursor() as cursor:
            round_s = (
                _get_ms(urls[0], client) + _get_ms(floor_url, client) + _replay_ms(cursor, page_queries[urls[0]])
            ) / 1000
            n = max(MIN_REQUESTS, min(REQUESTS, int(PAGE_CASE_BUDGET_S / max(round_s, 1e-6))))
            for i in range(n):
                url = urls[i % len(urls)]
                page.append(_get_ms(url, client))
                floor_view.append(_get_ms(floor_url, client))
                floor_sql.append(_replay_ms(cursor, page_queries[url]))
    p50, p95 = statistics.median(page), _p95(page)
    floor = _p95(floor_view) + _p95(floor_sql)
    floor50 = statistics.median(floor_view) + statistics.median(floor_sql)
    n_queries = max(len(q) for q in page_queries.values())
    target = target_ms or round(PAGE_TARGET_RATIO * floor, 2)
    rule = f"target {target_ms:g} ms" if target_ms else f"target ≤ {PAGE_TARGET_RATIO:g}× floor"
    extra = describe()
    return {
        "name": name,
        "value": p95,
        "unit": "ms",
        "target": target,
        "better": "lower",
        "p50": p50,
        "floor": floor,
        "floor_p50": floor50,
        "floor_view": _p95(floor_view),
        "floor_sql": _p95(floor_sql),
        "ratio": p95 / floor,
        "n": len(page),
        "note": (
            f"p50 {p50:.1f} ms; floor p95 {floor:.1f} ms = minimal view {_p95(floor_view):.1f} + raw SQL "
            f"{_p95(floor_sql):.1f} ({n_queries} queries), floor p50 {floor50:.1f}; ratio {p95 / floor:.2f}× "
            f"({rule}); n={len(page)}{'; ' + extra if extra else ''}"
        ),
    }


def _list_case(
    label: str, params: dict[str, str] | Callable[[], dict[str, str]], target_ms: float = 0
) -> Callable[[], dict]:
    """A list page case. Searches and filters get the issue's target (p95 within 3× the floor); the list with
    neither gets the 100 ms every page gets (its floor, ~2 ms, is a session round trip and a 1 ms query: the gap is template
    rendering, which no query work can close); the ratio is reported for all."""

    def case() -> dict:
        from urllib.parse import urlencode

        from jianguan.registry.filters import InstitutionFilter
        from jianguan.registry.models import Institution

        _ensure_data()
        query = params() if callable(params) else params
        url = "/institutions/" + (f"?{urlencode(query)}" if query else "")

        def matches() -> str:
            form = InstitutionFilter(query or None)
            form.is_valid()
            return f"{form.apply(Institution.objects.visible_to(_state['admin'])).count():,} matches"

        return _page_case(f"list {label} p95 @100k", [url], matches, target_ms=target_ms)

    case.__name__ = f"registry_list_{label}"
    return case


def _street_kind() -> dict[str, str]:
    from jianguan.org.models import Region

    return {"street": str(Region.objects.get(code="330199001").pk), "kind": "academic"}


registry_list_all = _list_case("no filter", {}, target_ms=100)
registry_list_q_substring = _list_case("q=培训", {"q": "培训"})
# Issue 14: under 50 ms (it was 162–229 ms: the whole name index walked). Its SQL now takes ~3 ms, so a ratio to that
# floor would measure template rendering (~15 ms for 30 rows), not search.
registry_list_q_pinyin = _list_case("q=qlj (pinyin)", {"q": "qlj"}, target_ms=50)
registry_list_street_kind = _list_case("street+kind", _street_kind)
registry_list_expired = _list_case("licence=expired", {"licence": "expired"})


def registry_detail() -> dict:
    """Detail pages of 50 different synthetic institutions (the same random sample every run)."""
    from jianguan.registry.models import Institution
    from jianguan.registry.synthetic import SYNTHETIC_NOTE

    _ensure_data()
    pks = list(Institution.objects.filter(notes=SYNTHETIC_NOTE).order_by("pk").values_list("pk", flat=True))
    sample = random.Random(SEED).sample(pks, REQUESTS)  # noqa: S311
    # No floor-based target was set for the detail page: it gets the home page's 100 ms (floor and ratio reported).
    return _page_case("institution detail p95 @100k", [f"/institutions/{pk}/" for pk in sample], target_ms=100)


def _export_queryset(today: date):  # type: ignore[no-untyped-def]
    """What the export view exports for an admin with no filter."""
    from jianguan.registry.filters import InstitutionFilter
    from jianguan.registry.models import Institution
    from jianguan.registry.selectors import annotate_licence_state

    form = InstitutionFilter(None)
    form.is_valid()
    qs = form.apply(Institution.objects.visible_to(_state["admin"]).select_related("street"))
    return annotate_licence_state(qs, today)


def registry_export_xlsx() -> dict:
    """institutions_xlsx over every institution (100k), against bare writes of the same rows: XlsxWriter (the writer
    the export uses; the floor) and openpyxl write-only (the issue's reference)."""
    import xlsxwriter
    from openpyxl import Workbook

    from jianguan.registry import exports

    _ensure_data()
    qs = _export_queryset(timezone.localdate())
    start = time.perf_counter()
    xlsx = exports.institutions_xlsx(qs)
    elapsed = time.perf_counter() - start
    size = Path(xlsx).stat().st_size
    Path(xlsx).unlink()

    start = time.perf_counter()
    rows = list(exports._rows(qs))  # the same values, pre-fetched (query + labels)
    fetch = time.perf_counter() - start
    with tempfile.TemporaryDirectory(prefix="jianguan-bench-") as tmp:
        start = time.perf_counter()
        wb = xlsxwriter.Workbook(str(Path(tmp) / "floor.xlsx"), {"constant_memory": True})
        ws = wb.add_worksheet("机构名录")
        ws.write_row(0, 0, exports.HEADERS)
        for r, row in enumerate(rows, start=1):
            ws.write_row(r, 0, row)
        wb.close()
        floor = time.perf_counter() - start
        start = time.perf_counter()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("机构名录")
        ws.append(exports.HEADERS)
        for row in rows:
            ws.append(row)
        wb.save(Path(tmp) / "openpyxl.xlsx")
        openpyxl_s = time.perf_counter() - start
    return {
        "name": f"export {len(rows):,} rows to xlsx",
        "value": elapsed,
        "unit": "s",
        "target": 15,
        "better": "lower",
        "floor": floor,
        "ratio": elapsed / floor,
        "fetch": fetch,
        "note": (
            f"floor (bare XlsxWriter constant_memory, same rows) {floor:.1f} s, ratio {elapsed / floor:.2f}×; "
            f"bare openpyxl write-only {openpyxl_s:.1f} s; query + labels alone {fetch:.1f} s; {size / 1e6:.1f} MB"
        ),
    }


def _import_sheet(folder: Path) -> Path:
    """10,000 new institutions in the demo streets, as a street would send them (template headers)."""
    from openpyxl import Workbook

    from jianguan.lib.textnorm import normalize_name
    from jianguan.org.selectors import streets
    from jianguan.registry.choices import InstitutionKind, InstitutionSubKind, OperatingStatus
    from jianguan.registry.importer import COLUMNS
    from jianguan.registry.models import Institution
    from jianguan.registry.synthetic import _rows, credit_code

    street_list = list(streets().order_by("code"))
    street_names = {s.pk: s.name for s in street_list}
    # A different seed per run (and a prefix the generator never uses) so the rows are new even in a reused database.
    run = time.time_ns()
    rng = random.Random(f"jianguan-bench-import:{run}")  # noqa: S311
    kinds, subs, statuses = (
        dict(InstitutionKind.choices),
        dict(InstitutionSubKind.choices),
        dict(OperatingStatus.choices),
    )
    institutions = [inst for inst, _lic in _rows(IMPORT_ROWS, rng, street_list, 0, set(), timezone.localdate())]
    base = rng.randrange(10**9)
    for i, inst in enumerate(institutions):
        if inst.credit_code:
            inst.credit_code = credit_code("91330199MB", base + i)
    codes = [i.credit_code for i in institutions if i.credit_code]
    assert not Institution.objects.filter(credit_code__in=codes).exists()
    # The importer matches a row to a registered institution of the same (normalised) name in the street: make sure
    # every name is new, so that all 10,000 rows are creations.
    taken = {(normalize_name(n), s) for n, s in Institution.objects.values_list("name", "street_id")}
    for n, inst in enumerate(institutions):
        while (normalize_name(inst.name), inst.street_id) in taken:
            inst.name += f"（{street_names[inst.street_id][:2]}新{n}部）"
        taken.add((normalize_name(inst.name), inst.street_id))

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("机构名录")
    ws.append([label for _name, label in COLUMNS])
    for inst in institutions:
        ws.append(
            [
                inst.name,
                inst.credit_code or "",
                str(kinds[inst.kind]),
                str(subs[inst.sub_kind]) if inst.sub_kind else "",
                street_names[inst.street_id],
                inst.address,
                inst.legal_representative,
                inst.contact_person,
                inst.contact_phone,
                inst.capacity,
                float(inst.floor_area) if inst.floor_area is not None else None,
                inst.floors,
                str(statuses[inst.status]),
                "",
            ]
        )
    path = folder / "import.xlsx"
    wb.save(path)
    return path


def registry_import_xlsx() -> dict:
    """import_file of 10,000 new institutions as admin: parse, validate, then one service call per row (audited)."""
    from jianguan.registry.importer import import_file

    _ensure_data()
    queries = 0

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with tempfile.TemporaryDirectory(prefix="jianguan-bench-") as tmp:
        path = _import_sheet(Path(tmp))
        start = time.perf_counter()
        with connection.execute_wrapper(count):
            report = import_file(path, actor=_state["admin"])
        elapsed = time.perf_counter() - start
    assert report.committed and report.imported == IMPORT_ROWS, (report.summary, report.errors[:5])
    return {
        "name": f"import {IMPORT_ROWS:,} rows from xlsx",
        "value": elapsed,
        "unit": "s",
        "target": 30,
        "better": "lower",
        "note": (
            f"{elapsed / IMPORT_ROWS * 1000:.2f} ms/row, {queries / IMPORT_ROWS:.1f} queries/row; {report.summary}"
        ),
    }


ALL = [
    registry_list_all,
    registry_list_q_substring,
    registry_list_q_pinyin,
    registry_list_street_kind,
    registry_list_expired,
    registry_detail,
    registry_export_xlsx,
    registry_import_xlsx,
]
