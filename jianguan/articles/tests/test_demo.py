"""The demo district's articles: loaded once, published ones on the portal, the draft hidden."""

from __future__ import annotations

from datetime import date

from django.core.cache import cache
from django.test import Client

from jianguan.articles.models import Article
from jianguan.demo.loader import load_demo


def test_the_demo_articles_are_loaded_once_and_the_draft_stays_hidden(db):
    cache.clear()
    first = load_demo(today=date(2026, 11, 26), log=lambda *a: None, inspections=False)
    assert first["articles"] == 5
    assert load_demo(today=date(2026, 11, 26), log=lambda *a: None, inspections=False)["articles"] == 0
    assert set(Article.objects.values_list("category", flat=True)) == {"policy", "notice", "consumer_tip", "case"}
    assert Article.objects.published().count() == 4
    html = Client().get("/public/articles/").content.decode()
    assert "关于开展校外培训机构联合执法检查的通知" in html and "60 课时" in html
    assert "2026年10月12日至2026年11月30日" in html  # the campaign's dates
    draft = Article.objects.get(status="draft")
    assert draft.title not in html
    assert Client().get(f"/public/articles/{draft.pk}/").status_code == 404
