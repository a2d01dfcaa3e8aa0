"""Search finds what people type (registry.search): part of a name, a wrong character, pinyin initials, a credit-code
prefix and the Latin part of a name — in the registry list, the planning form and the public search, within each
user's scope. Runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jianguan.registry import services
from jianguan.registry.models import Institution
from jianguan.registry.search import name_latin, pieces, similar, text_q

QIHANG = "青岚启航教育培训学校"


@pytest.fixture
def places(district):
    admin, street = district.users["admin"], district.streets["a"]
    made = {}
    for name in (QIHANG, "城南启明星托管班", "ABC英语培训中心", "青岚艺术培训学校"):
        made[name] = services.institution_create(
            actor=admin, name=name, kind="other", street=street, address=f"{name}路 1 号"
        )
    return made


def _names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def test_pieces_and_latin_part():
    assert pieces("青岚启航") == ["青岚", "岚启", "启航"]
    assert pieces("ABC 英语") == ["ab", "bc", "英语"]
    assert name_latin("ABC英语2号") == "abc 2"
    assert name_latin("青岚启航") == ""


def test_part_of_a_name_pinyin_and_latin(places):
    everyone = Institution.objects.all()
    assert QIHANG in _names(everyone.filter(text_q("启航")))
    assert QIHANG in _names(everyone.filter(text_q("qlqh")))  # pinyin initials, by prefix
    assert "ABC英语培训中心" in _names(everyone.filter(text_q("abc")))
    assert "ABC英语培训中心" in _names(everyone.filter(text_q("ABC")))
    assert not everyone.filter(text_q("zzzq")).exists()


def test_a_wrong_or_missing_character_is_suggested(places):
    everyone = Institution.objects.all()
    assert not everyone.filter(text_q("青岚启航教育培训学院")).exists()
    assert [i.name for i in similar(everyone, "青岚启航教育培训学院")][0] == QIHANG
    assert [i.name for i in similar(everyone, "青岚启航培训学校")][0] == QIHANG  # a word left out
    assert similar(everyone, "完全无关的名称") == []
    assert similar(everyone, "启航") == []  # short text: exact search only
    with CaptureQueriesContext(connection) as queries:
        similar(everyone, "青岚启航教育培训学院")
    assert len(queries) == 1


def test_the_registry_list_suggests_close_names_within_scope(places, client_for):
    html = client_for("lead").get("/institutions/", {"q": "青岚启航教育培训学院"}).content.decode()
    assert 'data-testid="did-you-mean"' in html and QIHANG in html
    # A street officer of another street is not offered an institution it may not see.
    html = client_for("street_b").get("/institutions/", {"q": "青岚启航教育培训学院"}).content.decode()
    assert QIHANG not in html


def test_the_public_search_says_did_you_mean_before_unregistered(places, client):
    html = client.get("/public/", {"q": "青岚启航教育培训学院"}).content.decode()
    assert "您要找的是不是" in html and QIHANG in html
    assert "可能未经登记" not in html
    html = client.get("/public/", {"q": "完全无关的名称"}).content.decode()
    assert "可能未经登记" in html and "您要找的是不是" not in html
    assert QIHANG in client.get("/public/", {"q": "启航"}).content.decode()


def test_the_planning_form_autocompletes_and_suggests(places, client_for, district):
    lead = client_for("lead")
    options = lead.get("/institutions/lookup/", {"institution": "启航"}).content.decode()
    assert "<option" in options and QIHANG in options
    options = lead.get("/institutions/lookup/", {"institution": "青岚启航教育培训学院"}).content.decode()
    assert QIHANG in options  # nothing exact: the closest names
    assert client_for("street_b").get("/institutions/lookup/", {"institution": "启航"}).content.decode().strip() == ""
    page = lead.get("/inspections/new/").content.decode()
    assert 'list="institution-options"' in page and 'id="institution-options"' in page
    response = lead.post("/inspections/new/", {"institution": "青岚启航教育培训学院"})
    assert "您要找的是不是" in response.content.decode() and QIHANG in response.content.decode()


def test_the_lookup_needs_a_signed_in_user(client):
    assert client.get("/institutions/lookup/", {"institution": "启航"}).status_code == 302


def test_latin_text_is_answered_from_indexes_not_a_scan(places):
    """What made q=qlj 229 ms at 100k: SQLite walked the whole name index to return the first twenty in name order.
    Latin text is looked up in the pinyin, credit-code and Latin-name indexes and its few matches sorted."""
    from jianguan.registry.search import by_name

    for text in ("qlj", "9133019", "abc"):
        query = Institution.objects.filter(text_q(text)).order_by(*by_name(text))[:20]
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
        if connection.vendor == "sqlite":  # PostgreSQL's planner costs a table this small as one page either way
            assert "MULTI-INDEX OR" in plan and "SCAN registry_institution" not in plan, plan
    chinese = Institution.objects.filter(text_q("启航")).order_by(*by_name("启航"))
    assert list(chinese.values_list("name", flat=True)) == [QIHANG]
