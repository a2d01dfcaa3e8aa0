"""Reads for articles. The public ones (portal pages, public API) only ever see published articles."""

from __future__ import annotations

from django.db.models import QuerySet

from jianguan.articles.choices import ArticleCategory, ArticleStatus
from jianguan.articles.models import Article

# What the public sees of an article: never its author, its drafts' dates or its state.
PUBLIC_FIELDS = ("id", "category", "title", "summary", "published_at", "updated_at")


def staff_articles(category: str = "", status: str = "") -> QuerySet[Article]:
    """Every article, newest first, for the staff list (any state)."""
    qs = Article.objects.select_related("author")
    if category in ArticleCategory.values:
        qs = qs.filter(category=category)
    if status in ArticleStatus.values:
        qs = qs.filter(status=status)
    return qs


def published_articles(category: str = "") -> QuerySet[Article]:
    """Published articles, newest publication first. The body is left out: lists do not show it."""
    qs = Article.objects.published().only(*PUBLIC_FIELDS).order_by("-published_at", "-pk")
    if category in ArticleCategory.values:
        qs = qs.filter(category=category)
    return qs


def published_article(pk: int) -> Article | None:
    """One published article with its body; None for a draft, an unpublished or a missing one (all look the same)."""
    return Article.objects.published().only(*PUBLIC_FIELDS, "body").filter(pk=pk).first()


def latest_published(limit: int = 3) -> list[Article]:
    """The newest published articles, for the portal's search page (one query)."""
    return list(published_articles()[:limit])
