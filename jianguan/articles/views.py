"""Articles: the staff pages (write, publish, unpublish) and the public ones on the portal (no login, rate-limited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import require
from jianguan.articles import selectors, services
from jianguan.articles.choices import ArticleCategory
from jianguan.articles.forms import ArticleFilterForm, ArticleForm
from jianguan.articles.models import Article
from jianguan.lib.forms import add_service_errors, attempt, paginate
from jianguan.lib.params import choice_param
from jianguan.portal.views import too_many


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    """Staff: every article in every state, filtered by category and state."""
    require(request.user, "articles.manage")
    filters = ArticleFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    articles = selectors.staff_articles(cleaned.get("category", ""), cleaned.get("status", ""))
    context = {"filters": filters, "page": paginate(request, articles, 50), "query": _query_without_page(request)}
    return render(request, "articles/article_list.html", context)


@login_required
def article_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Staff: write a new article (a draft) or change one."""
    require(request.user, "articles.manage")
    article = get_object_or_404(Article, pk=pk) if pk is not None else None
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        try:
            if article is None:
                services.article_create(actor=request.user, **form.cleaned_data)
            else:
                services.article_update(actor=request.user, article=article, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if article is None:
                messages.success(request, _("草稿已保存；发布后在公众查询页面显示。"))
            else:
                messages.success(request, _("文章已保存。"))
            return redirect("articles:article_list")
    return render(request, "articles/article_form.html", {"form": form, "article": article})


@login_required
@require_POST
def article_publish(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "articles.manage")
    article = get_object_or_404(Article, pk=pk)
    attempt(
        request,
        lambda: services.article_publish(actor=request.user, article=article),
        _("已发布，公众查询页面即时显示。"),
    )
    return redirect("articles:article_list")


@login_required
@require_POST
def article_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "articles.manage")
    article = get_object_or_404(Article, pk=pk)
    attempt(
        request,
        lambda: services.article_unpublish(actor=request.user, article=article),
        _("已撤下，公众不再看到这篇文章；可以重新发布。"),
    )
    return redirect("articles:article_list")


def public_list(request: HttpRequest) -> HttpResponse:
    """The public: published articles, newest first, by category."""
    if (refused := too_many(request)) is not None:
        return refused
    category = choice_param(request.GET, "category", ArticleCategory.values)
    context = {
        "page": paginate(request, selectors.published_articles(category), 20),
        "category": category,
        "categories": ArticleCategory.choices,
        "query": _query_without_page(request),
    }
    return render(request, "articles/public_list.html", context)


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The public: one published article; drafts and unpublished ones are not found."""
    if (refused := too_many(request)) is not None:
        return refused
    article = selectors.published_article(pk)
    if article is None:
        raise Http404
    return render(request, "articles/public_detail.html", {"article": article})
