"""List pages and API lists run a fixed number of queries, however many rows there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jianguan.accounts import services as accounts
from jianguan.accounts.choices import Role
from jianguan.registry.choices import InstitutionKind
from jianguan.registry.services import institution_create
from tests.support.district import PASSWORD


def _grow(district, n: int) -> None:
    from jianguan.org.services import department_save, region_save
    from jianguan.registry.models import Institution

    admin = district.users["admin"]
    start = Institution.objects.count() + 100
    for i in range(start, start + n):
        department_save(actor=admin, name=f"部门{i}", short_name=f"D{i}", kind="other")
        region_save(actor=admin, code=f"88{i:07d}", name=f"街道{i}", level="street", parent=None)
        inst = institution_create(
            actor=admin, name=f"机构{i}", credit_code=None, kind=InstitutionKind.OTHER, street=district.streets["a"]
        )
        accounts.user_create(
            actor=admin, username=f"u{i}", name=f"用户{i}", role=Role.INSTITUTION, password=PASSWORD, institution=inst
        )
        accounts.user_create(
            actor=admin,
            username=f"s{i}",
            name=f"街道{i}",
            role=Role.STREET_OFFICER,
            password=PASSWORD,
            streets=[district.streets["a"], district.streets["b"]],
        )


def _queries(client, url: str) -> int:
    client.get(url)  # warm per-process caches (the working-day calendar) so only per-request queries count
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "persona_name,url",
    [
        ("admin", "/accounts/users/"),
        ("admin", "/audit/"),
        ("admin", "/org/departments/"),
        ("admin", "/org/regions/"),
        ("lead", "/org/responsibilities/"),
        ("admin", "/"),
        ("street_a", "/"),
        ("admin", "/api/v1/institutions"),
        ("admin", "/api/v1/audit/events"),
        ("lead", "/api/v1/org/responsibilities"),
    ],
)
def test_query_count_does_not_grow_with_rows(client_for, district, persona_name, url):
    client = client_for(persona_name)
    _grow(district, 3)
    small = _queries(client, url)
    _grow(district, 12)
    assert _queries(client, url) == small
