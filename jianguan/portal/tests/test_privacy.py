"""No personal field reaches the public: the whole demo district is loaded, then every public page and public API
answer is scanned for every phone number, contact person, legal representative, reporter, internal note and staff
member's name that the database holds."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from jianguan.accounts.models import User
from jianguan.articles.models import Article
from jianguan.complaints.models import Complaint, ComplaintEvent
from jianguan.registry.models import Institution
from tests.support.demo import demo_district_shared


def _secrets() -> set[str]:
    values: set[str] = set()
    for phone, person, legal, notes in Institution.objects.values_list(
        "contact_phone", "contact_person", "legal_representative", "notes"
    ):
        values |= {phone, person, legal, notes}
    for name, phone in User.objects.exclude(role="").values_list("name", "phone"):
        values |= {name, phone}
    values |= {v for pair in Complaint.objects.values_list("reporter_name", "reporter_phone") for v in pair}
    values |= set(ComplaintEvent.objects.filter(action="note").values_list("note", flat=True))
    return {v for v in values if v and len(v) >= 2}


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The whole demo, loaded once for this module's tests (each runs in a transaction of its own inside the load's)."""
    media = tmp_path_factory.mktemp("privacy-media")
    with (
        override_settings(MEDIA_ROOT=media),
        # Up to the loader's own day, as `manage.py load_demo` loads it: today, or late in the year, while next year's
        # holidays are not published, the last day whose deadlines the calendar can count.
        demo_district_shared(django_db_blocker),
    ):
        yield


@pytest.fixture
def demo(_demo_loaded, db, settings):
    settings.JIANGUAN_PUBLIC_RATE_LIMIT = 100_000
    settings.JIANGUAN_COMPLAINT_RATE_LIMIT = 100_000
    settings.JIANGUAN_FORM_MIN_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


def test_no_personal_field_reaches_any_public_page_or_answer(demo):
    client = Client()
    # A complaint filed and tracked through the public API, with its reporter among the secrets.
    receipt = client.post(
        "/api/v1/public/complaints",
        json.dumps({"name": "阳光花园家庭托管", "address": "阳光花园 3 幢", "category": "unlicensed",
                    "content": "住宅里办班，每天二十多个孩子。", "reporter_name": "公开测试举报人",
                    "reporter_phone": "13600006666"}),
        content_type="application/json",
    ).json()  # fmt: skip
    secrets = _secrets()
    assert {"公开测试举报人", "13600006666", "李女士", "13912340001"} <= secrets
    assert Complaint.objects.count() >= 5 and Institution.objects.count() > 40

    texts: dict[str, str] = {}

    def page(url: str, **params: str) -> None:
        response = client.get(url, params)
        assert response.status_code == 200, url
        texts[f"{url} {params}"] = response.content.decode()

    def api(method: str, url: str, body: dict | None = None) -> None:
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 200, url
        texts[url] = json.dumps(response.json(), ensure_ascii=False)

    page("/public/")
    for q in ("培训", "托管", "小饭桌", "jy", "91330199", "学校"):
        page("/public/", q=q)
    for street in Institution.objects.values_list("street_id", flat=True).distinct():
        page("/public/", street=str(street))
    api("get", "/api/v1/public/institutions?q=%E5%9F%B9%E8%AE%AD&limit=50")
    for pk in Institution.objects.values_list("pk", flat=True):
        page(f"/public/institutions/{pk}/")
        api("get", f"/api/v1/public/institutions/{pk}")
    page(f"/public/institutions/{Institution.objects.first().pk}/qr.svg")
    page("/public/articles/")
    api("get", "/api/v1/public/articles")
    page("/public/penalties/")
    api("get", "/api/v1/public/penalties")
    for pk in Article.objects.filter(status="published").values_list("pk", flat=True):
        page(f"/public/articles/{pk}/")
        api("get", f"/api/v1/public/articles/{pk}")
    page("/public/complaints/")
    page("/public/complaints/pick/", q="城东")
    texts["track"] = client.post("/public/complaints/track/", {"code": receipt["tracking_code"]}).content.decode()
    api("post", "/api/v1/public/complaints/track", {"code": receipt["tracking_code"]})

    page("/public/open-data/")
    import io
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get("/public/open-data/download/").streaming_content)))
    for name in archive.namelist():
        texts[f"open data {name}"] = archive.read(name).decode("utf-8-sig")

    assert len(texts) > 100
    leaks = [(url, s) for url, text in texts.items() for s in secrets if s in text]
    assert not leaks, leaks[:10]


def test_unpublished_articles_never_show(demo):
    client = Client()
    hidden = Article.objects.exclude(status="published")
    assert hidden.exists()
    listing = client.get("/public/articles/").content.decode() + client.get("/public/").content.decode()
    api = json.dumps(client.get("/api/v1/public/articles").json(), ensure_ascii=False)
    for article in hidden:
        assert article.title not in listing and article.title not in api
        assert client.get(f"/public/articles/{article.pk}/").status_code == 404
        assert client.get(f"/api/v1/public/articles/{article.pk}").status_code == 404
