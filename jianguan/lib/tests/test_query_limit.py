"""A very long query string is answered 414 before any view: JSON on the API, the error page elsewhere."""

from __future__ import annotations

from django.test import Client


def test_long_query_strings_are_refused_with_414(client_for, settings):
    long_q = "甲" * 3000  # 9,000 bytes once percent-encoded
    api = client_for("lead").get("/api/v1/institutions", {"q": long_q})
    assert api.status_code == 414 and api["Content-Type"].startswith("application/json")
    assert "请求地址过长" in api.json()["message"]
    page = Client().get("/public/", {"q": long_q})
    assert page.status_code == 414 and "请求地址过长" in page.content.decode()
    assert Client().get("/public/", {"q": "甲" * 100}).status_code == 200
