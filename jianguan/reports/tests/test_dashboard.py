"""The dashboard: scoped numbers, each linking to the list that holds exactly that many rows, the Excel export of
each chart's table, constant queries, and the same figures as the campaign statistics and briefing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jianguan.ledger.filters import LedgerFilter
from jianguan.ledger.models import LedgerItem
from jianguan.reports.dashboard import Filters, dashboard


def _ledger_cells(sections):  # type: ignore[no-untyped-def]
    for section in sections:
        for row in section.rows:
            for cell in row:
                if cell.url.startswith("/ledger/"):
                    yield section.key, cell


@pytest.mark.parametrize("persona", ["lead", "fire_officer", "street_a", "street_b", "leader"])
def test_every_ledger_number_is_the_count_of_the_list_it_links_to(district, persona):
    user = district.users[persona]
    _headlines, sections = dashboard(user, Filters())
    checked = 0
    for key, cell in _ledger_cells(sections):
        params = {k: v[0] for k, v in parse_qs(urlparse(cell.url).query).items()}
        form = LedgerFilter(params, user=user)
        assert form.is_valid(), form.errors
        assert form.apply(LedgerItem.objects.visible_to(user)).count() == cell.value, (key, cell)
        checked += 1
    assert checked or persona == "street_b"


def test_scope_street_officers_see_their_street_only(district):
    lead = dashboard(district.users["lead"], Filters())[1]
    street_b = dashboard(district.users["street_b"], Filters())[1]
    total = {s.key: s for s in lead}["institutions"].rows
    mine = {s.key: s for s in street_b}["institutions"].rows
    assert sum(r[-1].value for r in mine) < sum(r[-1].value for r in total)
    assert {s.key: s for s in street_b}["categories"].rows == []  # the district's problem is in street a


def test_the_page_and_who_may_open_it(client_for, district):
    html = client_for("lead").get("/reports/dashboard/").content.decode()
    assert "监管驾驶舱" in html and 'data-chart="categories"' in html and "echarts.min.js" in html
    assert client_for("institution").get("/reports/dashboard/").status_code == 403
    # A filter that does not parse is refused beside its control, never silently dropped (which would draw the
    # figures of another selection under it).
    refused = client_for("lead").get("/reports/dashboard/", {"street": "nonsense"})
    assert refused.status_code == 400 and 'role="alert"' in refused.content.decode()
    assert 'data-chart="categories"' not in refused.content.decode()


def test_each_chart_exports_its_table(client_for, district, tmp_path):
    client = client_for("lead")
    _headlines, sections = dashboard(district.users["lead"], Filters())
    for section in sections:
        response = client.get(f"/reports/dashboard/{section.key}.xlsx")
        assert response.status_code == 200, section.key
        path = tmp_path / f"{section.key}.xlsx"
        path.write_bytes(b"".join(response.streaming_content))
        rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
        assert list(rows[0]) == [str(h) for h in section.headers]
        assert [list(r) for r in rows[1:]] == [[c.value for c in row] for row in section.rows]
    assert client.get("/reports/dashboard/nothing.xlsx").status_code == 404


def test_an_export_computes_only_its_own_table(client_for, district):
    client = client_for("lead")
    client.get("/reports/dashboard/categories.xlsx")  # the session and the holiday calendar, read once
    with CaptureQueriesContext(connection) as export:
        response = client.get("/reports/dashboard/categories.xlsx")
        b"".join(response.streaming_content)
    sql = " ".join(q["sql"] for q in export.captured_queries)
    # Without dates, the lead's tables are read from the totals rollup and the open items' deadlines alone.
    assert "reports_ledgertotalrollup" in sql and "reports_ledgeropenrollup" in sql
    for other in (
        "ledger_ledgeritem",
        "risk_riskrating",
        "registry_licence",
        "inspections_campaigntarget",
        "complaints_complaint",
    ):
        assert other not in sql, other


def test_queries_do_not_grow_with_the_data(district):
    from jianguan.inspections.models import Finding
    from jianguan.registry.models import Institution

    user = district.users["lead"]
    dashboard(user, Filters())  # the first call of a process also reads the holiday calendar once (then cached)
    with CaptureQueriesContext(connection) as before:
        dashboard(user, Filters())
    item = district.ledger["a"]
    for i in range(25):
        finding = Finding.objects.get(pk=item.finding_id)
        finding.pk, finding.description = None, f"复制 {i}"
        finding.save()
        copy = LedgerItem.objects.get(pk=item.pk)
        copy.pk, copy.finding = None, finding
        copy.status = "closed" if i % 2 else "pending"
        copy.closed_on = timezone.localdate() if i % 2 else None
        copy.save()
        inst = Institution.objects.get(pk=district.institutions["b"].pk)
        inst.pk, inst.name, inst.credit_code = None, f"复制机构{i}", None
        inst.save()
    with CaptureQueriesContext(connection) as after:
        _h, sections = dashboard(user, Filters())
    # 21 on PostgreSQL: the rectification tables read two rollups (totals, and the open items' deadlines for overdue).
    assert len(before.captured_queries) == len(after.captured_queries) <= 21
    assert sum(r[1].value for r in {s.key: s for s in sections}["categories"].rows) >= 26


def test_campaign_figures_equal_the_briefing(district):
    from jianguan.inspections.models import Inspection
    from jianguan.reports.statistics import campaign_statistics

    campaign = district.campaigns["a"]
    problem = district.ledger["a"].inspection_id
    Inspection.objects.filter(pk=problem).update(campaign=campaign)
    LedgerItem.objects.filter(inspection_id=problem).update(campaign=campaign)
    user = district.users["lead"]
    stats = campaign_statistics(campaign)
    _h, sections = dashboard(user, Filters(campaign=campaign))
    by_category = {
        r[0].value: (r[1].value, r[2].value, r[5].value) for r in {s.key: s for s in sections}["categories"].rows
    }
    assert by_category == {c.label: (c.findings, c.rectified_findings, c.overdue_findings) for c in stats.categories}
    coverage = {s.key: s for s in sections}["campaigns"].rows
    assert [(r[1].value, r[2].value) for r in coverage] == [(stats.targets, stats.inspected)]


@pytest.mark.parametrize("persona", ["lead", "fire_officer", "street_a", "institution"])
def test_warning_totals_equal_the_warning_lists_they_link_to(district, persona):
    from jianguan.alerts.selectors import alert_totals, alerts_for

    user = district.users[persona]
    listed = alerts_for(user, include_acknowledged=True)
    totals = alert_totals(user)
    for kind, n in totals.items():
        assert n == sum(1 for a in listed if a.kind == kind), kind


@pytest.mark.parametrize("persona", ["lead", "fire_officer", "street_a", "edu_officer"])
def test_every_complaint_number_is_the_count_of_the_list_it_links_to(district, persona):
    """The complaints section (and so a joint meeting's materials): each cell but 已答复或办结 opens the complaint list
    holding exactly that many; that one is the sum of the list's 已答复 and 已办结."""
    from datetime import timedelta

    from django.http import QueryDict

    from jianguan.complaints.selectors import complaints_for, filtered
    from jianguan.complaints.services import complaint_submit

    complaint_submit(institution=district.institutions["b"], category="food", content="饭菜变质，孩子吃了肚子疼。",
                     anonymous=True)  # fmt: skip
    user = district.users[persona]
    today = timezone.localdate()
    for f in (Filters(), Filters(date_from=today - timedelta(days=3), date_to=today)):
        section = {s.key: s for s in dashboard(user, f)[1]}["complaints"]
        seen = 0
        for row in section.rows:
            for n, cell in enumerate(row[1:], start=1):
                params = QueryDict(urlparse(cell.url).query)
                listed = filtered(complaints_for(user), params, today)
                if n == 4:
                    listed = listed.filter(status__in=("replied", "closed"))
                assert listed.count() == cell.value, (row[0].value, section.headers[n])
                seen += cell.value
        assert seen or persona in ("street_a", "edu_officer")  # they handle none of the complaints
    assert {s.key: s for s in dashboard(district.users["lead"], Filters())[1]}["complaints"].rows
