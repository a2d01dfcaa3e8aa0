"""The staff pages: list with states and filters, the editor form (works as a plain textarea), publish/unpublish
buttons, and the navigation link for managers only."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jianguan.articles import services
from jianguan.articles.models import Article


def _article(personas, title: str = "通知", category: str = "notice", publish: bool = False) -> Article:  # type: ignore[no-untyped-def]
    article = services.article_create(actor=personas["lead"], category=category, title=title, body="<p>正文</p>")
    return services.article_publish(actor=personas["lead"], article=article) if publish else article


def test_the_list_shows_every_state_with_its_badge_and_button(client_for, personas):
    _article(personas, "草稿一篇")
    _article(personas, "发布一篇", publish=True)
    gone = _article(personas, "撤下一篇", publish=True)
    services.article_unpublish(actor=personas["lead"], article=gone)
    html = client_for("admin").get("/articles/").content.decode()
    for text in ("草稿一篇", "发布一篇", "撤下一篇", "草稿", "已发布", "已撤下", "重新发布", "撤下"):
        assert text in html, text


def test_the_list_filters_by_category_and_state(client_for, personas):
    _article(personas, "一篇通知草稿")
    _article(personas, "一篇已发布案例", category="case", publish=True)
    admin = client_for("admin")
    html = admin.get("/articles/", {"status": "published"}).content.decode()
    assert "一篇已发布案例" in html and "一篇通知草稿" not in html
    html = admin.get("/articles/", {"category": "notice"}).content.decode()
    assert "一篇通知草稿" in html and "一篇已发布案例" not in html
    assert admin.get("/articles/", {"status": "nonsense"}).status_code == 200


def test_the_list_costs_the_same_queries_for_3_or_30_articles(client_for, personas):
    client = client_for("lead")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/articles/").status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        _article(personas, f"文章 {i}", publish=i % 2 == 0)
    few = count()
    for i in range(27):
        _article(personas, f"更多 {i}", publish=i % 2 == 0)
    assert count() == few


def test_the_form_is_a_plain_textarea_the_editor_enhances(client_for):
    html = client_for("lead").get("/articles/new/").content.decode()
    assert '<textarea name="body"' in html and 'data-rich-text="quill"' in html
    assert "vendor/quill/quill.js" in html and "vendor/quill/quill.snow.css" in html and "articles/editor.js" in html
    # No asset from a CDN: no src or href names one (a random token on the page may hold the letters "cdn").
    assert not re.search(r'(?:src|href)="[^"]*cdn', html, re.IGNORECASE)


def test_plain_text_typed_without_javascript_is_saved_as_paragraphs(client_for):
    response = client_for("lead").post(
        "/articles/new/", {"category": "notice", "title": "停课通知", "summary": "", "body": "第一段\n\n第二段"}
    )
    assert response.status_code == 302 and response["Location"] == "/articles/"
    article = Article.objects.get()
    assert article.body == "<p>第一段</p>\n\n<p>第二段</p>" and article.status == "draft"


def test_an_empty_body_is_refused_on_the_form(client_for):
    response = client_for("lead").post("/articles/new/", {"category": "notice", "title": "空", "body": "<p><br></p>"})
    assert response.status_code == 200 and "请填写正文" in response.content.decode()
    assert not Article.objects.exists()


def test_editing_changes_the_article(client_for, personas):
    article = _article(personas, "旧标题")
    client = client_for("admin")
    assert "旧标题" in client.get(f"/articles/{article.pk}/").content.decode()
    response = client.post(
        f"/articles/{article.pk}/", {"category": "case", "title": "新标题", "summary": "摘要", "body": "<p>改</p>"}
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.category, article.body) == ("新标题", "case", "<p>改</p>")


def test_publish_and_unpublish_buttons(client_for, personas):
    article = _article(personas)
    client = client_for("lead")
    response = client.post(f"/articles/{article.pk}/publish/", follow=True)
    assert "已发布" in response.content.decode()
    article.refresh_from_db()
    assert article.status == "published"
    # Publishing again is refused with a message, and nothing changes.
    response = client.post(f"/articles/{article.pk}/publish/", follow=True)
    assert "该文章已发布，无需再次发布。" in response.content.decode()
    client.post(f"/articles/{article.pk}/unpublish/")
    article.refresh_from_db()
    assert article.status == "unpublished"


def test_the_buttons_need_post(client_for, personas):
    article = _article(personas)
    assert client_for("lead").get(f"/articles/{article.pk}/publish/").status_code == 405


@pytest.mark.parametrize(
    ("name", "shown"), [("admin", True), ("lead", True), ("edu_officer", False), ("leader", False)]
)
def test_the_navigation_link_is_for_managers_only(client_for, name, shown):
    html = client_for(name).get("/").content.decode()
    assert ('href="/articles/"' in html) is shown
