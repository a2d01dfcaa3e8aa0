"""The probe's odd parameters on every page and API list: refused with a Chinese 400, never a 500.

NUL (PostgreSQL cannot store it), "²" ("²".isdigit() is True, int("²") raises), an id beyond 64 bits (SQLite's
OverflowError), an impossible date, a negative page, text where a number belongs.
"""

from __future__ import annotations

import pytest
from django.test import Client

from jianguan.accounts.tests.test_access_matrix import CASES
from tests.support.district import persona_client

NAMES = [
    "q", "street", "department", "status", "kind", "page", "date", "date_from", "date_to", "found_from", "found_to",
    "closed_from", "institution", "campaign", "category", "sort", "role", "year", "level", "state", "licence", "id",
]  # fmt: skip
ODD = ["\x00", "²", "99999999999999999999", "-1", "abc", "2026-13-45", "甲\x07乙", "%", "0"]
GET_PAGES = sorted(name for name, case in CASES.items() if case.method == "get")
PUBLIC = ["/public/", "/public/articles/", "/public/complaints/", "/public/complaints/pick/", "/public/open-data/"]
API_LISTS = [
    "/api/v1/institutions", "/api/v1/inspections", "/api/v1/campaigns", "/api/v1/documents", "/api/v1/ledger/items",
    "/api/v1/complaints", "/api/v1/risk/institutions", "/api/v1/alerts", "/api/v1/audit/events", "/api/v1/public/institutions",
    "/api/v1/public/articles",
]  # fmt: skip


def _ok(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, (response.status_code, response.content[:300])
    if response.status_code == 400:
        json = response["Content-Type"].startswith("application/json")
        body = response.json()["message"] if json else response.content.decode()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body), body[:200]  # a Chinese message


@pytest.mark.parametrize("page", GET_PAGES)
def test_no_page_answers_odd_parameters_with_a_server_error(page, district):
    url = CASES[page].url(district)
    client = persona_client(district.users[next(iter(CASES[page].allowed))])
    for value in ODD:
        _ok(client.get(url, dict.fromkeys(NAMES, value)))


def test_public_pages_and_api_lists_refuse_odd_parameters_without_a_server_error(district, settings, client_for):
    settings.JIANGUAN_PUBLIC_RATE_LIMIT = 10_000
    admin = client_for("admin")
    for value in ODD:
        params = dict.fromkeys(NAMES, value)
        for url in PUBLIC:
            _ok(Client().get(url, params))
        for url in API_LISTS:
            response = admin.get(url, params)
            _ok(response)
            assert response["Content-Type"].startswith("application/json")


def test_the_probes_exact_urls(district, client_for, settings):
    settings.JIANGUAN_PUBLIC_RATE_LIMIT = 10_000
    public = Client()
    for path in ("/public/?q=%00", "/public/?street=%C2%B2", "/public/?street=99999999999999999999",
                 "/public/complaints/pick/?q=%00", "/api/v1/public/institutions?q=%00"):  # fmt: skip
        response = public.get(path)
        assert response.status_code == 400, path
    staff = client_for("lead")
    for path in ("/complaints/?street=%C2%B2", "/complaints/?q=%00", "/audit/?actor=%00"):
        assert staff.get(path).status_code in (400, 403), path
    assert client_for("admin").get("/audit/?actor=%00").status_code == 400
    read = staff.post("/notifications/read/", {"id": ["²"]})
    assert read.status_code == 400 and "编号" in read.content.decode()
