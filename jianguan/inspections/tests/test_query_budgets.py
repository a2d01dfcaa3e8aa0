"""Inspection and campaign pages and API lists run a fixed number of queries, however many rows there are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jianguan.inspections import services
from jianguan.registry.services import institution_create
from tests.support.district import tiny_jpeg


def _grow(district, n: int) -> None:
    admin, lead = district.users["admin"], district.users["lead"]
    team = [district.users["edu_officer"], district.users["fire_officer"]]
    campaign, on_site = district.campaigns["a"], district.inspections["on_site"]
    for i in range(n):
        institution = institution_create(
            actor=admin, name=f"增长机构{timezone.now().timestamp()}-{i}", kind="other", street=district.streets["a"]
        )
        services.campaign_target_add(actor=lead, campaign=campaign, institution=institution)
        inspection = services.inspection_create(
            actor=lead, institution=institution, scheduled_at=timezone.now() - timedelta(hours=i), officers=team,
            campaign=campaign,
        )  # fmt: skip
        services.inspection_start(actor=team[0], inspection=inspection)
        services.finding_add(
            actor=team[0], inspection=inspection, category="premises", description=f"问题{i}", severity="minor"
        )
        # The inspection on site gets more photos and problems too (its page lists them).
        services.finding_add(
            actor=team[1], inspection=on_site, category="fees", description=f"收费{i}", severity="minor"
        )
        services.evidence_add(
            actor=team[1], inspection=on_site, upload=SimpleUploadedFile("p.jpg", tiny_jpeg(), "image/jpeg"),
            result=on_site.results.order_by("?").first(),
        )  # fmt: skip


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("persona_name", "url"),
    [
        ("lead", "/inspections/"),
        ("edu_officer", "/inspections/"),
        ("lead", "/inspections/campaigns/"),
        ("lead", "/inspections/campaigns/{campaign}/"),
        ("edu_officer", "/inspections/{on_site}/"),
        ("lead", "/api/v1/inspections"),
        ("lead", "/api/v1/inspections/{on_site}"),
        ("lead", "/api/v1/campaigns/{campaign}"),
        ("lead", "/api/v1/documents"),
        ("admin", "/checklists/"),
    ],
)
def test_query_count_does_not_grow_with_rows(client_for, district, persona_name, url):
    url = url.format(campaign=district.campaigns["a"].pk, on_site=district.inspections["on_site"].pk)
    client = client_for(persona_name)
    _grow(district, 2)
    small = _queries(client, url)
    _grow(district, 6)
    assert _queries(client, url) == small
