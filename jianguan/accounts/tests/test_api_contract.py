"""What an integrator's generated client relies on: stable short operationIds and ASCII tags, enumerated filters that
refuse unknown values, a machine-readable code on every error, next/previous links, and paths and methods that
answer like the rest of the API."""

from __future__ import annotations

import re

import pytest

from jianguan.api import OPERATION_IDS, TAGS, api
from tests.support.district import persona_client

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return api.get_openapi_schema()


def _operations(schema):
    return [(method, path, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def test_operation_ids_are_short_unique_and_named_in_one_table(schema):
    ids = [op["operationId"] for _m, _p, op in _operations(schema)]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", operation_id), operation_id
        assert len(operation_id) <= 40, operation_id
    # No name in the table outlives its endpoint (the table is the contract's one list).
    assert set(OPERATION_IDS.values()) <= set(ids)
    by_path = {(m, p): op["operationId"] for m, p, op in _operations(schema)}
    assert by_path[("get", "/api/v1/institutions")] == "institutions_list"
    assert by_path[("post", "/api/v1/ledger/items/{item_id}/recheck")] == "ledger_item_recheck"
    assert by_path[("get", "/api/v1/public/institutions")] == "public_institutions_list"


def test_title_and_tags_are_ascii_and_declared(schema):
    assert schema["info"]["title"].isascii()
    declared = {tag["name"] for tag in schema["tags"]}
    assert declared == set(TAGS)
    for _m, _p, op in _operations(schema):
        assert op["tags"] and set(op["tags"]) <= declared
        assert all(re.fullmatch(r"[a-z]+", tag) for tag in op["tags"])


def test_filters_are_enums_in_the_schema(schema):
    def enum_of(path, name):
        (param,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        found = param["schema"]
        options = found.get("anyOf", [found])
        return next(o["enum"] for o in options if "enum" in o)

    assert "overdue" in enum_of("/api/v1/ledger/items", "status")
    assert "closed" in enum_of("/api/v1/ledger/items", "status")
    assert "meal_care" in enum_of("/api/v1/institutions", "kind")
    assert enum_of("/api/v1/public/institutions", "kind") == enum_of("/api/v1/institutions", "kind")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/ledger/items?status=bogus",
        "/api/v1/ledger/items?category=bogus",
        "/api/v1/institutions?kind=bogus",
        "/api/v1/institutions?sort=bogus",
        "/api/v1/documents?kind=bogus",
        "/api/v1/inspections?status=bogus",
        "/api/v1/complaints?status=bogus",
        "/api/v1/public/institutions?kind=bogus",
        "/api/v1/public/articles?category=bogus",
    ],
)
def test_unknown_filter_value_is_refused_not_ignored(path, personas):
    response = persona_client(personas["lead"]).get(path)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"] == "请求参数有误。"


def test_known_filter_value_still_filters(personas):
    client = persona_client(personas["lead"])
    assert client.get("/api/v1/ledger/items?status=overdue").status_code == 200
    assert client.get("/api/v1/institutions?kind=academic&sort=-created").status_code == 200


def test_pages_link_next_and_previous(personas, district):
    client = persona_client(personas["lead"])
    whole = client.get("/api/v1/institutions").json()
    assert whole["count"] >= 2
    assert whole["next"] is None and whole["previous"] is None
    first = client.get("/api/v1/institutions?limit=1").json()
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/institutions?limit=1&offset=1"
    second = client.get(first["next"]).json()
    assert second["items"][0]["id"] != first["items"][0]["id"]
    assert second["previous"] == "http://testserver/api/v1/institutions?limit=1&offset=0"
    last = client.get(f"/api/v1/institutions?limit=1&offset={whole['count'] - 1}").json()
    assert last["next"] is None


def test_trailing_slash_and_head_answer_like_the_api(personas):
    client = persona_client(personas["lead"])
    plain = client.get("/api/v1/institutions")
    slashed = client.get("/api/v1/institutions/")
    assert slashed.status_code == 200 and slashed.json() == plain.json()
    head = client.head("/api/v1/institutions")
    assert head.status_code == 200
    assert head["Content-Type"].startswith("application/json")
    assert head.content == b""
    assert int(head["Content-Length"]) == len(plain.content)


def test_refusals_before_any_handler_are_json_with_a_code(personas):
    client = persona_client(personas["lead"])
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    wrong_method = client.delete("/api/v1/public/institutions")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "method_not_allowed"
    assert "GET" in wrong_method["Allow"]


def test_unauthenticated_carries_www_authenticate():
    response = persona_client(None).get("/api/v1/ledger/items")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="jianguan"'
    assert response.json()["code"] == "unauthenticated"


def test_stale_version_has_its_own_code(personas, district):
    item = district.ledger["a"]
    response = persona_client(personas["lead"]).post(
        f"/api/v1/ledger/items/{item.pk}/recheck",
        {"passed": False, "note": "复查", "version": item.version + 5},
        content_type="application/json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "stale_version"


def test_every_documented_error_has_a_code(schema):
    error = schema["components"]["schemas"]["ErrorOut"]
    assert "code" in error["required"]
    assert "stale_version" in error["properties"]["code"]["enum"]


def test_item_actions_are_the_endpoints_names(schema, personas, district):
    from jianguan.ledger.api import ENDPOINTS
    from jianguan.meetings.api import TASK_ENDPOINTS

    ids = {op["operationId"] for _m, _p, op in _operations(schema)}
    assert set(ENDPOINTS.values()) <= ids and set(TASK_ENDPOINTS.values()) <= ids
    item = district.ledger["a"]
    data = persona_client(personas["lead"]).get(f"/api/v1/ledger/items/{item.pk}").json()
    assert "ledger_item_recheck" in data["actions"] and set(data["actions"]) <= ids
    assert {"code": "recheck_pass", "label": "复查通过，销号"} in data["transitions"]


def test_reads_carry_an_etag_and_answer_304_while_unchanged(personas, district):
    client = persona_client(personas["lead"])
    path = f"/api/v1/institutions/{district.institutions['a'].pk}"
    first = client.get(path)
    etag = first["ETag"]
    assert etag.startswith('"') and "Authorization" in first["Vary"]
    unchanged = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    client.patch(path, {"notes": "门牌已更换"}, content_type="application/json")
    changed = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert client.head(path, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304


def test_updated_since_is_a_change_feed(personas, district):
    from datetime import timedelta

    from django.utils import timezone

    from jianguan.registry.models import Institution

    client = persona_client(personas["lead"])
    institution = district.institutions["a"]
    Institution.objects.update(updated_at=timezone.now() - timedelta(days=2))
    since = timezone.now() - timedelta(days=1)
    feed = f"/api/v1/institutions?updated_since={since.isoformat().replace('+', '%2B')}"
    assert client.get(feed).json()["count"] == 0
    response = client.patch(
        f"/api/v1/institutions/{institution.pk}", {"notes": "负责人已更换"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    changed = client.get(feed).json()
    assert [i["id"] for i in changed["items"]] == [institution.pk]
    assert changed["items"][0]["updated_at"] == response.json()["updated_at"]
    # Without a zone: Beijing time.
    naive = timezone.localtime(since).replace(tzinfo=None).isoformat()
    assert client.get(f"/api/v1/institutions?updated_since={naive}").json()["count"] == 1


def test_a_part_of_a_record_moves_the_records_updated_at(personas, district):
    from datetime import timedelta

    from django.utils import timezone

    from jianguan.registry import services
    from jianguan.registry.models import Institution

    institution = district.institutions["a"]
    old = timezone.now() - timedelta(days=3)
    Institution.objects.filter(pk=institution.pk).update(updated_at=old)
    licence = district.licences["a"]
    services.licence_save(
        actor=personas["admin"], institution=institution, licence=licence, issuer="测试区教育局（换发）"
    )
    institution.refresh_from_db()
    assert institution.updated_at > old + timedelta(days=2)


@pytest.mark.parametrize("path", ["/api/v1/institutions/export", "/api/v1/ledger/items/export"])
def test_bulk_export_streams_csv_and_ndjson_within_scope(path, personas, district):
    import csv
    import io
    import json

    lead = persona_client(personas["lead"]).get(path)
    assert lead.status_code == 200 and lead.streaming
    assert lead["Content-Type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in b"".join(lead.streaming_content).decode().splitlines()]
    assert rows and all("updated_at" in r and "id" in r for r in rows)
    table = persona_client(personas["lead"]).get(path, {"format": "csv"})
    assert table["Content-Type"].startswith("text/csv")
    parsed = list(csv.DictReader(io.StringIO(b"".join(table.streaming_content).decode())))
    assert {int(r["id"]) for r in parsed} == {r["id"] for r in rows}
    # A street officer gets only their street's rows; the public nothing.
    street = persona_client(personas["street_b"]).get(path)
    street_rows = [json.loads(line) for line in b"".join(street.streaming_content).decode().splitlines()]
    assert len(street_rows) < len(rows)
    assert persona_client(None).get(path).status_code == 401
    assert persona_client(personas["lead"]).get(path, {"format": "xml"}).json()["code"] == "validation_error"


def test_bulk_export_defuses_formulas_in_csv(personas, district):
    from jianguan.registry import services

    services.institution_update(actor=personas["lead"], institution=district.institutions["a"], notes="x")
    institution = district.institutions["a"]
    institution.address = '=HYPERLINK("http://x")'
    institution.save(update_fields=["address"])
    body = b"".join(
        persona_client(personas["lead"]).get("/api/v1/institutions/export", {"format": "csv"}).streaming_content
    )
    assert b"'=HYPERLINK" in body


@pytest.mark.parametrize(
    "since", ["6024-03-01T11:31:40-16:01", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "2026-01-01"]
)
def test_updated_since_takes_any_valid_iso_time(since, personas):
    response = persona_client(personas["lead"]).get("/api/v1/org/regions", {"updated_since": since})
    assert response.status_code == 200, response.content
