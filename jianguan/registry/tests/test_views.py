"""Registry pages: list filters and search, detail with licences and timeline, forms with Chinese errors, API."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jianguan.registry import services
from jianguan.registry.models import Institution
from tests.support.district import DECISION_BASIS


@pytest.fixture
def more(personas, district):
    admin = personas["admin"]
    services.institution_create(
        actor=admin, name="北京新东方学校", kind="academic", street=district.streets["a"], address="育才路 1 号"
    )
    services.institution_create(
        actor=admin, name="阳光托管班", kind="after_school", street=district.streets["b"], address="新华路 8 号"
    )


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"q": "bjxd"}, {"北京新东方学校"}),
        ({"q": "新东方"}, {"北京新东方学校"}),
        ({"q": "新华路"}, {"阳光托管班"}),
        ({"q": "92990100ma00000a1p"}, {"甲街道培训学校"}),
        ({"kind": "after_school"}, {"阳光托管班"}),
        ({"licence": "missing"}, {"北京新东方学校", "阳光托管班", "乙街道小饭桌", "甲街道培训学校"}),
    ],
)
def test_list_filters_and_search(client_for, more, query, expected):
    html = client_for("admin").get("/institutions/", query).content.decode()
    names = {"北京新东方学校", "阳光托管班", "乙街道小饭桌", "甲街道培训学校"}
    assert {n for n in names if f">{n}</a>" in html} == expected


def test_list_is_scoped(client_for, more):
    html = client_for("street_b").get("/institutions/").content.decode()
    assert "阳光托管班" in html and "北京新东方学校" not in html


def test_htmx_request_returns_the_table_only(client_for, more):
    response = client_for("admin").get("/institutions/", {"q": "阳光"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "阳光托管班" in html


def test_list_query_count_is_the_same_at_10_and_200_rows(client_for, personas, district):
    from django.db import transaction

    def grow(n):
        base = Institution.objects.count()
        with transaction.atomic():
            for i in range(base, base + n):
                inst = services.institution_create(
                    actor=personas["admin"],
                    name=f"机构{i}",
                    kind="meal_care",
                    street=district.streets["a"],
                )
                services.licence_save(actor=personas["admin"], institution=inst, kind="food", number=f"F{inst.pk}")

    def count():
        client = client_for("admin")
        client.get("/institutions/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/institutions/", {"licence": "missing"}).status_code == 200
        return len(ctx.captured_queries)

    grow(8)
    small = count()
    grow(190)
    assert count() == small


def test_detail_shows_licences_status_and_timeline(client_for, personas, district):
    inst = district.institutions["a"]
    services.institution_status_change(
        actor=personas["lead"],
        institution=inst,
        to_status="suspended",
        reason="消防通道堵塞",
        **DECISION_BASIS,
    )
    html = client_for("street_a").get(f"/institutions/{inst.pk}/").content.decode()
    assert "教民330199001" in html  # the licence
    assert "消防通道堵塞" in html and "停业整顿" in html
    assert "变更经营状态" in html  # in the timeline, as its Chinese label
    assert "缺少营业执照/法人登记证书" in html


def test_create_page_shows_duplicate_warning_with_confirm(client_for, district):
    client = client_for("admin")
    data = {"name": "乙街道小饭桌", "kind": "meal_care", "street": district.streets["b"].pk}
    html = client.post("/institutions/new/", data).content.decode()
    assert "同一街道已有名称相同的机构" in html and "仍然保存" in html
    response = client.post("/institutions/new/", {**data, "confirm_duplicate_name": "on"})
    assert response.status_code == 302


def test_create_page_bad_credit_code(client_for, district):
    html = (
        client_for("admin")
        .post(
            "/institutions/new/",
            {"name": "x", "kind": "other", "street": district.streets["a"].pk, "credit_code": "91133100MA0D8N1J7I"},
        )
        .content.decode()
    )
    assert "含有不允许的字符" in html


def test_licence_scan_is_checked_by_content(client_for, district):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("licence.pdf", b"MZ this is an exe", content_type="application/pdf")
    url = f"/institutions/{district.institutions['a'].pk}/licences/new/"
    html = client_for("admin").post(url, {"kind": "fire", "number": "F1", "scan": fake}).content.decode()
    assert "按文件内容判断" in html


def test_api_create_and_patch_use_the_service_rules(client_for, district):
    client = client_for("street_b")
    body = {
        "name": "乙街道新机构",
        "kind": "other",
        "street_id": district.streets["b"].pk,
        "credit_code": "91133100MA0D8N1J7G",
    }
    created = client.post("/api/v1/institutions", data=json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["licence_state"] == "missing" and data["pinyin_initials"] == "yjdxjg"
    bad = client.patch(
        f"/api/v1/institutions/{data['id']}", data=json.dumps({"credit_code": "123"}), content_type="application/json"
    )
    assert bad.status_code == 400 and "长度应为 18 位" in bad.json()["message"]
    outside = client.post(
        "/api/v1/institutions",
        data=json.dumps({**body, "name": "越界", "credit_code": None, "street_id": district.streets["a"].pk}),
        content_type="application/json",
    )
    assert outside.status_code == 403 and "本街道" in outside.json()["message"]


def test_api_list_uses_the_page_filter(client_for, more):
    items = client_for("admin").get("/api/v1/institutions", {"q": "bjxd"}).json()["items"]
    assert [i["name"] for i in items] == ["北京新东方学校"]


def test_the_api_schema_and_the_server_agree_on_numbers(client_for, district):
    """The schemathesis finding: the schema allowed `longitude: ""` (a Decimal is "number or string") that the server
    refused. Numbers are numbers with their bounds now; the server answers what the schema says."""
    from jianguan.api import api

    props = api.get_openapi_schema()["components"]["schemas"]["InstitutionIn"]["properties"]
    assert props["longitude"]["anyOf"][0] == {"type": "number", "minimum": -180, "maximum": 180, "multipleOf": 1e-06}
    body = {"name": "经纬度测试机构", "kind": "other", "street_id": district.streets["a"].pk}
    client = client_for("admin")
    for bad in ("", "东经120度", 181):
        response = client.post("/api/v1/institutions", {**body, "longitude": bad}, content_type="application/json")
        assert response.status_code == 422, bad
    ok = client.post("/api/v1/institutions", {**body, "longitude": 120.123456}, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["longitude"] in ("120.123456", 120.123456)
