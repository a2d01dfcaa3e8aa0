"""Article services: who may write and publish, the allowed state changes, the audit trail, sanitising on save."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jianguan.articles import services
from jianguan.articles.models import Article
from jianguan.audit.models import AuditEvent
from jianguan.audit.selectors import audit_chain_verify

MANAGERS = ["admin", "lead"]
OTHERS = ["edu_officer", "fire_officer", "street_a", "street_b", "legal", "leader", "institution"]


def _create(user, **extra):  # type: ignore[no-untyped-def]
    fields = {"category": "notice", "title": "关于开展联合执法检查的通知", "body": "<p>正文</p>", **extra}
    return services.article_create(actor=user, **fields)


def _events(article: Article) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="articles.article", object_id=str(article.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


@pytest.mark.parametrize("name", MANAGERS)
def test_managers_write_publish_and_unpublish_with_an_audit_event_each(personas, name):
    user = personas[name]
    article = _create(user, summary="  摘要  ")
    assert article.status == "draft" and article.author == user and article.summary == "摘要"
    assert article.published_at is None
    article = services.article_update(
        actor=user, article=article, category="policy", title="新标题", body="<p>新正文</p>", summary=""
    )
    article = services.article_publish(actor=user, article=article)
    assert article.status == "published" and article.published_at is not None
    article = services.article_unpublish(actor=user, article=article)
    assert article.status == "unpublished" and article.unpublished_at is not None
    assert _events(article) == ["article.create", "article.update", "article.publish", "article.unpublish"]
    update = AuditEvent.objects.get(action="article.update", object_id=str(article.pk))
    assert update.before["title"] == "关于开展联合执法检查的通知" and update.after["title"] == "新标题"
    assert update.actor_id == user.pk
    publish = AuditEvent.objects.get(action="article.publish", object_id=str(article.pk))
    assert publish.before["status"] == "draft" and publish.after["status"] == "published"
    assert audit_chain_verify().ok


@pytest.mark.parametrize("name", OTHERS)
def test_other_roles_may_not_write_or_publish(personas, name):
    user = personas[name]
    article = _create(personas["lead"])
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        _create(user)
    with pytest.raises(PermissionDenied):
        services.article_update(actor=user, article=article, category="notice", title="改", body="<p>改</p>")
    with pytest.raises(PermissionDenied):
        services.article_publish(actor=user, article=article)
    services.article_publish(actor=personas["lead"], article=article)
    with pytest.raises(PermissionDenied):
        services.article_unpublish(actor=user, article=article)
    assert AuditEvent.objects.count() == before + 1  # only the lead's publication
    assert Article.objects.get(pk=article.pk).title == "关于开展联合执法检查的通知"


def test_anonymous_may_not_write(db):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        _create(AnonymousUser())


def test_impossible_transitions_are_refused_in_chinese_and_change_nothing(personas):
    lead = personas["lead"]
    article = _create(lead)
    with pytest.raises(ValidationError, match="草稿尚未发布"):
        services.article_unpublish(actor=lead, article=article)
    article = services.article_publish(actor=lead, article=article)
    published_at = article.published_at
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="已发布"):
        services.article_publish(actor=lead, article=article)
    article = services.article_unpublish(actor=lead, article=article)
    with pytest.raises(ValidationError, match="已撤下"):
        services.article_unpublish(actor=lead, article=article)
    assert AuditEvent.objects.count() == events + 1  # the one real unpublication
    stored = Article.objects.get(pk=article.pk)
    assert stored.status == "unpublished" and stored.published_at == published_at


def test_republishing_keeps_the_first_publication_time(personas):
    lead = personas["lead"]
    article = services.article_publish(actor=lead, article=_create(lead))
    first = article.published_at
    article = services.article_unpublish(actor=lead, article=article)
    article = services.article_publish(actor=lead, article=article)
    assert article.status == "published" and article.published_at == first and article.unpublished_at is None


def test_the_body_is_sanitised_on_create_and_on_update(personas):
    lead = personas["lead"]
    article = _create(lead, body='<p onclick="x()">正文<script>alert(1)</script></p><img src=x onerror=alert(2)>')
    assert Article.objects.get(pk=article.pk).body == "<p>正文</p>"
    services.article_update(
        actor=lead, article=article, category="notice", title="t", body='<p><a href="javascript:alert(3)">链接</a></p>'
    )
    assert Article.objects.get(pk=article.pk).body == '<p><a rel="noopener noreferrer">链接</a></p>'


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"body": "<p><br></p>"}, "body"),
        ({"body": "<script>alert(1)</script>"}, "body"),
        ({"title": "   "}, "title"),
        ({"title": "带\x07控制字符"}, "title"),
        ({"category": "gossip"}, "category"),
    ],
)
def test_invalid_articles_are_refused_and_nothing_is_written(personas, fields, field):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        _create(personas["lead"], **fields)
    assert field in exc.value.message_dict
    assert not Article.objects.exists() and AuditEvent.objects.count() == events


def test_an_update_without_changes_writes_nothing(personas):
    lead = personas["lead"]
    article = _create(lead)
    events = AuditEvent.objects.count()
    services.article_update(actor=lead, article=article, category="notice", title=article.title, body="<p>正文</p>")
    assert AuditEvent.objects.count() == events
