"""The public API of articles: published ones only, public fields only, no authentication, rate-limited."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from jianguan.articles import selectors
from jianguan.articles.choices import ArticleCategory
from jianguan.articles.models import Article
from jianguan.lib.api import UPDATED_SINCE_HELP, PageOut, changed_since, choice_filter, page, responses
from jianguan.lib.ratelimit import api_within_limit

router = Router(tags=["public"], auth=None)


class PublicArticleItem(Schema):
    id: int
    category: str
    category_label: str
    title: str
    summary: str
    published_at: datetime
    updated_at: datetime = Field(..., description="最后变动时间（该记录或其组成部分的任何变动）")


class PublicArticlePage(PageOut):
    items: list[PublicArticleItem]


class PublicArticleDetail(PublicArticleItem):
    body: str  # HTML, sanitised when it was saved


def _item(article: Article) -> dict:
    return {
        "id": article.pk, "category": article.category, "category_label": str(article.get_category_display()),
        "title": article.title, "summary": article.summary, "published_at": article.published_at,
        "updated_at": article.updated_at,
    }  # fmt: skip


@router.get("", response=responses(PublicArticlePage), summary="已发布的政策法规、通知公告、典型案例等（新发布的在前）")
def public_article_list(
    request: HttpRequest,
    category: choice_filter(ArticleCategory.choices) | None = None,  # type: ignore[valid-type]
    updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP),
    offset: int = Query(0, ge=0, le=10_000),
    limit: int = Query(20, ge=1, le=50),
) -> dict:
    api_within_limit(request)
    qs = selectors.published_articles(category or "")
    qs = changed_since(qs, updated_since)
    return {**page(request, qs.count(), offset, limit), "items": [_item(a) for a in qs[offset : offset + limit]]}


@router.get("/{article_id}", response=responses(PublicArticleDetail), summary="一篇已发布的文章（正文为净化后的 HTML）")
def public_article_detail(request: HttpRequest, article_id: int) -> dict:
    api_within_limit(request)
    article = selectors.published_article(article_id)
    if article is None:
        raise Http404
    return {**_item(article), "body": article.body}
