"""已整改 is one definition (inspections.selectors.rectified_q): the campaign page, the campaign statistics and the
dashboard give the demo campaign the same problems, the same rectified and the same rate."""

from __future__ import annotations

import re
from datetime import date

from django.urls import reverse

from jianguan.accounts.models import User
from jianguan.inspections.demo import CAMPAIGN_NAME
from jianguan.inspections.models import Campaign
from jianguan.reports.dashboard import Filters, rectification_counts
from jianguan.reports.statistics import campaign_statistics
from tests.support.demo import load_demo_district
from tests.support.district import persona_client


def test_the_campaign_page_the_statistics_and_the_dashboard_agree(db):
    load_demo_district(today=date(2026, 11, 26), log=lambda *a, **k: None)
    campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
    lead = User.objects.get(username="lead")
    stats = campaign_statistics(campaign)

    counts = rectification_counts(lead, Filters(campaign=campaign))
    found = sum(n[0] for n in counts.values())
    closed = sum(n[1] for n in counts.values())

    html = persona_client(lead).get(reverse("inspections:campaign_detail", kwargs={"pk": campaign.pk})).content.decode()
    shown = re.search(r'data-testid="rectified">(\d+) <span[^>]*>个 / (\d+) 个（([\d.]+)%）', html)
    page_rectified, page_found, page_rate = int(shown[1]), int(shown[2]), float(shown[3])

    assert stats.rectified_findings > 0  # the speech's campaign: 12 of 20 problems rectified by the meeting
    assert (page_found, page_rectified) == (stats.findings, stats.rectified_findings) == (found, closed)
    assert page_rate == round(100 * closed / found, 1)
    stats_page = persona_client(lead).get(reverse("reports:campaign_statistics", kwargs={"pk": campaign.pk}))
    assert f"{stats.rectified_findings} <small" in stats_page.content.decode()
