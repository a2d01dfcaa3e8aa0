"""The top of an institution's page: what is open about it, in the user's scope, with 安排检查 and 投诉核查; and a
timeline that shows each inspection once (with its problem count), not every answer and photo."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jianguan.audit.models import AuditEvent
from jianguan.registry.selectors import ON_SITE_DETAIL


def test_the_overview_counts_what_is_open_within_scope(client_for, district):
    institution = district.institutions["a"]
    url = f"/reports/institutions/{institution.pk}/overview/"
    lead = client_for("lead")
    with CaptureQueriesContext(connection) as queries:
        html = lead.get(url).content.decode()
    assert 'data-testid="institution-overview"' in html
    assert "未销号问题" in html and "检查次数" in html and "安排检查" in html and "kind=complaint" in html
    assert f"?institution={institution.pk}" in html
    tables = ("ledger_ledgeritem", "inspections_inspection", "complaints_complaint")
    figures = [
        q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"] and any(t in q["sql"] for t in tables)
    ]
    assert len(figures) == 3  # one query each for the ledger, the inspections and the complaints, however many rows
    # Who may not see the institution does not learn its figures; who may not plan gets no buttons.
    assert client_for("street_b").get(url).status_code == 404
    assert client_for("institution").get(url).status_code == 404  # staff only
    leader = client_for("leader").get(url).content.decode()
    assert "未销号问题" in leader and "安排检查" not in leader


def test_the_institution_page_loads_the_overview_for_staff_only(client_for, district):
    institution = district.institutions["a"]
    page = client_for("lead").get(f"/institutions/{institution.pk}/").content.decode()
    assert f"/reports/institutions/{institution.pk}/overview/" in page
    own = client_for("institution").get(f"/institutions/{institution.pk}/").content.decode()
    assert "/overview/" not in own


def test_the_timeline_shows_each_inspection_once(client_for, district):
    institution = district.institutions["a"]
    assert AuditEvent.objects.filter(institution_id=institution.pk, action__in=ON_SITE_DETAIL).exists()
    html = client_for("lead").get(f"/institutions/{institution.pk}/").content.decode()
    assert "记录检查项结果" not in html and "上传现场照片" not in html
    assert "完成检查" in html and ("发现 1 个问题" in html or "未发现问题" in html)
