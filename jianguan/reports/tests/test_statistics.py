"""Campaign statistics on the small district: as-of semantics, constant queries, the briefing's files and numbers,
who may read them."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jianguan.ledger.models import LedgerItem
from jianguan.reports.briefing import briefing_content
from jianguan.reports.statistics import campaign_statistics


@pytest.fixture(autouse=True)
def _done_in_campaign(district):
    """The district's inspection that found the fire-exit problem, counted in the district's campaign."""
    from jianguan.inspections.models import Inspection

    campaign, problem = district.campaigns["a"], district.ledger["a"].inspection_id
    Inspection.objects.filter(pk=problem).update(campaign=campaign)
    LedgerItem.objects.filter(inspection_id=problem).update(campaign=campaign)
    district.ledger["a"].refresh_from_db()


def test_the_district_campaign_counts_its_open_fire_problem(district):
    campaign = district.campaigns["a"]
    stats = campaign_statistics(campaign)
    fire = {c.category: c for c in stats.categories}.get("fire_safety")
    assert stats.targets >= 1 and stats.inspected >= 1
    assert fire is not None and fire.institutions == 1 and fire.rectified_institutions == 0


def test_a_problem_counts_as_rectified_from_its_close_out_day(district):
    campaign = district.campaigns["a"]
    item = district.ledger["a"]
    today = timezone.localdate()
    LedgerItem.objects.filter(pk=item.pk).update(status="closed", closed_on=today)
    assert campaign_statistics(campaign, today).rectified_findings == 1
    assert campaign_statistics(campaign, today - timedelta(days=1)).rectified_findings == 0


def test_overdue_on_a_day(district):
    campaign = district.campaigns["a"]
    item = district.ledger["a"]
    today = timezone.localdate()
    LedgerItem.objects.filter(pk=item.pk).update(deadline=today - timedelta(days=2))
    stats = campaign_statistics(campaign, today)
    assert stats.overdue_findings == 1 and stats.overdue[0].institution == item.institution.name


def test_queries_do_not_grow_with_findings(district):
    from jianguan.inspections.models import Finding

    campaign = district.campaigns["a"]
    with CaptureQueriesContext(connection) as before:
        campaign_statistics(campaign)
    finding = Finding.objects.filter(inspection__campaign=campaign).first()
    for i in range(20):
        finding.pk = None
        finding.description = f"复制问题 {i}"
        finding.save()
    with CaptureQueriesContext(connection) as after:
        stats = campaign_statistics(campaign)
    assert len(before.captured_queries) == len(after.captured_queries) and stats.findings >= 21


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils is missing")
def test_the_briefing_pdf_and_docx_say_the_statistics_numbers(client_for, district, tmp_path):
    campaign = district.campaigns["a"]
    client = client_for("lead")
    response = client.get(f"/reports/campaigns/{campaign.pk}/briefing.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(response.content)
    assert "CJK" in subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    stats = campaign_statistics(campaign)
    assert "工作简报" in text and f"共检查培训点{stats.inspected}家" in text.replace("\n", "")
    docx = client.get(f"/reports/campaigns/{campaign.pk}/briefing.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    page = client.get(f"/reports/campaigns/{campaign.pk}/").content.decode()
    assert briefing_content(campaign).sections[0].paragraphs[0] in page
    assert client.get(f"/reports/campaigns/{campaign.pk}/briefing.exe").status_code == 404


def test_statistics_as_of_a_day_before_the_campaign_are_refused(client_for, district):
    campaign = district.campaigns["a"]
    client = client_for("lead")
    url = f"/reports/campaigns/{campaign.pk}/"
    day_before = (campaign.starts_on - timedelta(days=1)).isoformat()
    for path in (url, f"/reports/campaigns/{campaign.pk}/briefing.pdf"):
        response = client.get(path, {"date": day_before})
        assert response.status_code == 400
        assert "早于专项行动的开始日期" in response.content.decode()
    assert client.get(url, {"date": campaign.starts_on.isoformat()}).status_code == 200


def test_a_dashboard_period_that_ends_before_it_starts_is_refused(client_for, district):
    client = client_for("lead")
    today = timezone.localdate()
    period = {"date_from": today.isoformat(), "date_to": (today - timedelta(days=7)).isoformat()}
    page = client.get("/reports/dashboard/", period)
    html = page.content.decode()
    assert page.status_code == 400 and "早于起始日期" in html and 'role="alert"' in html
    assert 'data-testid="section-' not in html  # no figures for a period that does not exist
    export = client.get("/reports/dashboard/categories.xlsx", period)
    assert export.status_code == 400 and "早于起始日期" in export.content.decode()
    assert client.get("/reports/dashboard/", {**period, "date_to": today.isoformat()}).status_code == 200
