"""The portal's cache: a repeated page is served without the database, a committed change shows on the very next
request, a rolled-back one changes nothing, and nothing of one request (its nonce, a signed-in user) is kept.

Run with the per-process cache and with Redis (the configuration of several servers)."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from jianguan.audit.services import audit_record
from jianguan.portal import cache as portal_cache
from jianguan.portal import services as portal_services
from jianguan.portal import views
from jianguan.registry import services as registry_services
from jianguan.registry.models import Institution
from tests.support.district import DECISION_BASIS
from tests.support.redis import require_redis


def _with_nonce(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The portal's views, after something on the page asked for the request's CSP nonce (as a page with its own
    <style> block does): the nonce is then in the header, and must never reach the cache."""
    str(request.csp_nonce)
    return views.search(request) if pk is None else views.institution(request, pk)


# The URLconf of the nonce test: the project's URLs plus the two views above.
urlpatterns = [
    path("nonce/", _with_nonce),
    path("nonce/<int:pk>/", _with_nonce),
    path("", include("jianguan.urls")),
]


@pytest.fixture(params=["locmem", "redis"])
def cached(request, settings, district):
    """The cache switched on (60 s), in a cache of this test's own: per process, or Redis under a fresh prefix."""
    if request.param == "redis":
        location = require_redis()
        backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}
        backend["KEY_PREFIX"] = f"test-portal-{uuid.uuid4().hex}"
    else:
        backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    settings.CACHES = {"default": backend}
    settings.JIANGUAN_PORTAL_CACHE_SECONDS = 60
    yield request.param
    if request.param == "locmem":
        cache.clear()
    else:  # only this test's keys (other tests share the Redis database)
        import redis

        client = redis.Redis.from_url(backend["LOCATION"])
        for key in client.scan_iter(match=f"{backend['KEY_PREFIX']}:*", count=1000):
            client.delete(key)


def _entries() -> list:
    """Every portal entry in the cache (the per-process cache only: its keys can be listed)."""
    store = getattr(cache, "_cache", {})
    found = []
    for key in list(store):
        if ":portal:search:" in key or ":portal:institution:" in key:
            found.append(cache.get(key.split(":", 2)[2]))
    return found


def test_a_repeated_page_is_served_without_the_database(cached, district, django_assert_num_queries):
    public = Client()
    pk = district.institutions["a"].pk
    for url in ("/public/?q=街道", f"/public/institutions/{pk}/", "/public/?kind=meal_care&page=1"):
        first = public.get(url)
        assert first.status_code == 200
        with django_assert_num_queries(0):
            second = public.get(url)
        assert second.status_code == 200 and second.content == first.content, url


def test_the_parameters_are_normalised_into_the_key(cached, district, django_assert_num_queries):
    public = Client()
    assert "甲街道培训学校" in public.get("/public/", {"q": " 街道 ", "utm": "x"}).content.decode()
    with django_assert_num_queries(0):
        assert "甲街道培训学校" in public.get("/public/", {"q": "街道"}).content.decode()
    # Another query is another entry.
    html = public.get("/public/", {"q": "街道", "kind": "meal_care"}).content.decode()
    assert "乙街道小饭桌" in html and "甲街道培训学校" not in html


def test_a_change_through_a_service_shows_on_the_next_request(
    cached, district, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    public = Client()
    a, b = district.institutions["a"], district.institutions["b"]
    page_a, page_b = f"/public/institutions/{a.pk}/", f"/public/institutions/{b.pk}/"
    search = "/public/?q=街道"
    for url in (page_a, page_b, search):
        public.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        registry_services.institution_update(
            actor=district.users["lead"], institution=Institution.objects.get(pk=a.pk), address="新街道 99 号"
        )
    assert "新街道 99 号" in public.get(page_a).content.decode()
    assert "新街道 99 号" in public.get(search).content.decode()
    # b's page was not concerned: still served from the cache.
    with django_assert_max_num_queries(0):
        public.get(page_b)

    with django_capture_on_commit_callbacks(execute=True):
        registry_services.institution_status_change(
            actor=district.users["lead"], institution=b, to_status="stop_enrolling", reason="无证经营，责令停止招生",
            **DECISION_BASIS,
        )  # fmt: skip
    assert "无证经营，责令停止招生" in public.get(page_b).content.decode()
    assert "责令停止招生" in public.get(search).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        portal_services.mark_add(
            actor=district.users["lead"], institution=a, kind="whitelist", reason="连续三年检查无问题"
        )
    assert "连续三年检查无问题" in public.get(page_a).content.decode()
    assert "放心机构" in public.get(search).content.decode()


def test_an_event_naming_no_institution_refreshes_every_page(cached, district, django_capture_on_commit_callbacks):
    """A street renamed, an article published: events without an institution make every page and search fresh; a
    sign-in (which changes nothing public) keeps them."""
    public = Client()
    public.get(f"/public/institutions/{district.institutions['a'].pk}/")
    public.get("/public/?q=街道")
    before = cache.get_many([portal_cache.SEARCH, portal_cache.PAGES])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit_record(actor=None, action="auth.login", object_type="accounts.user", object_id=1)
    assert cache.get_many([portal_cache.SEARCH, portal_cache.PAGES]) == before
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit_record(actor=None, action="region.update", object_type="org.region", object_id=1)
    after = cache.get_many([portal_cache.SEARCH, portal_cache.PAGES])
    assert after[portal_cache.SEARCH] != before[portal_cache.SEARCH]
    assert after[portal_cache.PAGES] != before[portal_cache.PAGES]


def test_a_rolled_back_change_bumps_nothing(
    cached, district, django_capture_on_commit_callbacks, django_assert_num_queries
):
    public = Client()
    a = district.institutions["a"]
    url = f"/public/institutions/{a.pk}/"
    public.get(url)
    public.get("/public/?q=街道")
    versions = cache.get_many([*portal_cache.page_keys(a.pk), portal_cache.SEARCH])

    class Abandon(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Abandon), transaction.atomic():
        registry_services.institution_update(
            actor=district.users["lead"], institution=Institution.objects.get(pk=a.pk), address="作废的地址"
        )
        raise Abandon
    assert callbacks == []
    assert cache.get_many([*portal_cache.page_keys(a.pk), portal_cache.SEARCH]) == versions
    with django_assert_num_queries(0):
        html = public.get(url).content.decode()
    assert "作废的地址" not in html


@pytest.mark.urls(__name__)
def test_nonces_differ_and_none_is_cached(cached, district):
    public = Client()
    for url in ("/nonce/?q=街道", f"/nonce/{district.institutions['a'].pk}/"):
        first, second = public.get(url), public.get(url)
        nonces = [str(r.wsgi_request.csp_nonce) for r in (first, second)]
        assert nonces[0] != nonces[1]
        for response, nonce in zip((first, second), nonces, strict=True):
            assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        # The second was served from the cache and holds neither nonce (nor does the first: the page uses none).
        for response in (first, second):
            html = response.content.decode()
            assert nonces[0] not in html and nonces[1] not in html
    if cached == "locmem":
        stored = repr(_entries())
        assert stored.count("甲街道培训学校") and "nonce" not in stored and "csrf" not in stored.lower()


@pytest.fixture
def english(settings, tmp_path):
    """The English catalogue: the compiled one (CI compiles it), else compiled here into a directory of this test."""
    from django.utils import translation

    with translation.override("en"):
        if translation.gettext("近三年检查结果") != "近三年检查结果":
            return
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("the English catalogue is not compiled and msgfmt is missing")
    out = tmp_path / "en" / "LC_MESSAGES"
    out.mkdir(parents=True)
    source = Path(settings.BASE_DIR) / "jianguan" / "locale" / "en" / "LC_MESSAGES" / "django.po"
    subprocess.run([msgfmt, "-o", str(out / "django.mo"), str(source)], check=True)  # noqa: S603
    settings.LOCALE_PATHS = [tmp_path]


def test_english_and_chinese_are_cached_apart(cached, district, english):
    url = f"/public/institutions/{district.institutions['a'].pk}/"
    for _ in range(2):
        zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(url).content.decode()
        en = Client(HTTP_ACCEPT_LANGUAGE="en").get(url).content.decode()
        assert "近三年检查结果" in zh and "Inspection results of the last three years" not in zh
        assert "Inspection results of the last three years" in en and "近三年检查结果" not in en
        search_en = Client(HTTP_ACCEPT_LANGUAGE="en").get("/public/?q=街道").content.decode()
        assert "Find a training institution" in search_en


def test_a_signed_in_user_puts_nothing_of_theirs_into_the_cache(cached, district, client_for):
    lead = district.users["lead"]
    staff = client_for("lead")
    pk = district.institutions["a"].pk
    urls = ["/public/?q=街道", f"/public/institutions/{pk}/"]
    staff_pages = [staff.get(url).content.decode() for url in urls]  # the staff member fills the cache
    public_pages = [Client().get(url).content.decode() for url in urls]
    for html in public_pages:
        for own in (lead.username, lead.name, "退出", "csrfmiddlewaretoken"):
            assert own not in html, own
    # The anonymous visitor got exactly what the staff member got: nothing in it depended on who asked.
    assert public_pages == staff_pages
    if cached == "locmem":
        stored = repr(_entries())
        assert lead.username not in stored and lead.name not in stored


def test_zero_seconds_switches_the_cache_off(cached, district, settings):
    settings.JIANGUAN_PORTAL_CACHE_SECONDS = 0
    public = Client()
    url = f"/public/institutions/{district.institutions['a'].pk}/"
    public.get(url)
    with CaptureQueriesContext(connection) as queries:
        public.get(url)
    assert len(queries) > 3  # it read the database again
    assert not cache.get_many([portal_cache.SEARCH, portal_cache.PAGES])
    if cached == "locmem":
        assert _entries() == []


def test_an_unknown_institution_is_404_and_not_cached(cached, district):
    public = Client()
    assert public.get("/public/institutions/999999/").status_code == 404
    assert public.get("/public/institutions/999999/").status_code == 404


def test_many_events_in_one_transaction_bump_once(cached, district, django_capture_on_commit_callbacks):
    sets = []
    original = portal_cache._bump
    portal_cache._bump = lambda keys: (sets.append(set(keys)), original(keys))
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            for i in range(50):
                audit_record(actor=None, action="bench.fill", object_type="x", object_id=i, institution=7)
    finally:
        portal_cache._bump = original
    assert sets == [{portal_cache.SEARCH, portal_cache.institution_key(7)}]


def test_the_public_apis_data_is_cached_and_made_fresh_alike(
    cached, district, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from jianguan.portal import selectors

    a = district.institutions["a"]
    first = selectors.public_search_data("街道", None, "", 0, 20)
    detail = selectors.public_detail_data(a.pk)
    with django_assert_num_queries(0):
        assert selectors.public_search_data("街道", None, "", 0, 20) == first
        assert selectors.public_detail_data(a.pk) == detail
    assert "甲街道培训学校" in {i["name"] for i in first["items"]} and detail["name"] == "甲街道培训学校"
    assert selectors.public_detail_data(999999) is None
    with django_capture_on_commit_callbacks(execute=True):
        registry_services.institution_update(
            actor=district.users["lead"], institution=Institution.objects.get(pk=a.pk), address="新街道 7 号"
        )
    assert selectors.public_detail_data(a.pk)["address"] == "新街道 7 号"
    assert "新街道 7 号" in {i["address"] for i in selectors.public_search_data("街道", None, "", 0, 20)["items"]}


def test_a_transaction_sees_its_own_changes_and_caches_nothing_until_it_commits(cached, district):
    """Before the commit (here: the test's transaction, which never commits) the page is read from the database and
    not stored: the writer sees its change, and nobody is served it from the cache before it is committed."""
    public = Client()
    a = district.institutions["a"]
    url = f"/public/institutions/{a.pk}/"
    public.get(url)
    registry_services.institution_update(
        actor=district.users["lead"], institution=Institution.objects.get(pk=a.pk), address="未提交的地址"
    )
    with CaptureQueriesContext(connection) as queries:
        assert "未提交的地址" in public.get(url).content.decode()
    assert len(queries) > 3
    if cached == "locmem":
        assert "未提交的地址" not in repr(_entries())


def test_a_cache_that_fails_at_the_commit_never_fails_the_change(
    cached, district, monkeypatch, django_capture_on_commit_callbacks
):
    def down(keys):
        raise ConnectionError("cache down")

    monkeypatch.setattr(portal_cache, "_bump", down)
    a = district.institutions["a"]
    with django_capture_on_commit_callbacks(execute=True):
        registry_services.institution_update(
            actor=district.users["lead"], institution=Institution.objects.get(pk=a.pk), address="照样保存"
        )
    assert Institution.objects.get(pk=a.pk).address == "照样保存"
