"""The risk pages and API: scoped to what each persona sees, filtered by level, a constant number of queries, and the
institution's page showing its factors to staff only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jianguan.registry import services as registry
from jianguan.risk.models import RiskRating
from jianguan.risk.services import risk_refresh
from tests.support.district import DECISION_BASIS


def _names(html: str, district) -> set[str]:
    return {k for k, inst in district.institutions.items() if inst.name in html}


@pytest.mark.parametrize(
    "persona_name,visible",
    [
        ("lead", {"a", "b"}),
        ("leader", {"a", "b"}),
        ("fire_officer", {"a", "b"}),
        ("street_a", {"a"}),
        ("street_b", {"b"}),
    ],
)
def test_the_page_lists_ratings_within_scope(client_for, district, persona_name, visible):
    response = client_for(persona_name).get("/risk/")
    assert response.status_code == 200
    assert _names(response.content.decode(), district) == visible


def test_the_page_is_not_for_institutions(client_for):
    assert client_for("institution").get("/risk/").status_code == 403
    assert "风险评级" not in client_for("institution").get("/").content.decode()  # nor in its navigation
    assert "风险评级" in client_for("leader").get("/").content.decode()


def test_the_page_filters_by_level_and_shows_the_reasons(client_for, district):
    client = client_for("lead")
    html = client.get("/risk/").content.decode()
    assert "缺少必备证照 1 项 +25" in html and 'data-risk-level="C"' in html
    a = district.institutions["a"]
    RiskRating.objects.filter(institution=a).update(level="D", score=70)
    assert _names(client.get("/risk/", {"level": "D"}).content.decode(), district) == {"a"}
    assert _names(client.get("/risk/", {"level": "C"}).content.decode(), district) == {"b"}
    assert _names(client.get("/risk/", {"level": "A"}).content.decode(), district) == set()
    # An unknown level is ignored rather than an error.
    assert _names(client.get("/risk/", {"level": "Z"}).content.decode(), district) == {"a", "b"}


def test_the_page_orders_by_score_and_counts_levels(client_for, district):
    a, b = district.institutions["a"], district.institutions["b"]
    RiskRating.objects.filter(institution=b).update(score=90, level="D")
    html = client_for("lead").get("/risk/").content.decode()
    assert html.index(b.name) < html.index(a.name)
    counts = html.split('data-testid="risk-counts"')[1].split("</ul>")[0]
    assert "D 高 <strong>1</strong>" in counts and "C 较高 <strong>1</strong>" in counts


def test_unrated_institutions_are_counted(client_for, district):
    registry.institution_create_many(
        actor=district.users["admin"],
        rows=[{"name": "尚未评定的机构", "kind": "other", "street": district.streets["a"]}],
    )
    html = client_for("street_a").get("/risk/").content.decode()
    assert "另有 1 家机构尚未评定" in html
    assert 'data-testid="risk-unrated"' not in client_for("street_b").get("/risk/").content.decode()


def _grow(district, n: int) -> None:
    rows = [{"name": f"页面计数机构{n}-{i}", "kind": "other", "street": district.streets["a"]} for i in range(n)]
    created = registry.institution_create_many(actor=district.users["admin"], rows=rows)
    risk_refresh([i.pk for i in created])


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/risk/", "/risk/?level=B", "/api/v1/risk/institutions"])
def test_the_list_costs_the_same_queries_for_3_or_30_institutions(client_for, district, url):
    client = client_for("street_a")
    _grow(district, 3)
    few = _queries(client, url)
    _grow(district, 27)
    assert _queries(client, url) == few


def test_the_institution_page_shows_the_rating_and_its_factors_to_staff(client_for, district):
    a = district.institutions["a"]
    html = client_for("street_a").get(f"/institutions/{a.pk}/").content.decode()
    card = html.split('data-testid="risk-rating"')[1].split("</section>")[0]
    assert 'data-risk-level="C"' in card and "C 较高" in card and "<strong>38</strong>" in card
    assert "评定时间" in card
    # Each factor once (issue 14: the explanation sentence repeated the name, count and points beside them).
    rows = [r.split("</tr>")[0] for r in card.split('data-testid="risk-factor">')[1:]]
    cells = [[c.split("</td>")[0].strip() for c in r.split("<td")[1:]] for r in rows]
    found = {c[0].split(">", 1)[1]: (c[1].split(">", 1)[1], c[2].split(">", 1)[1]) for c in cells}
    assert found == {"缺少必备证照": ("1 项", "+25"), "未销号整改事项（严重）": ("1 项", "+10"),
                     "投诉举报（未核实）": ("1 件", "+3")}  # fmt: skip
    for label in found:
        assert card.count(label) == 1


def test_the_institution_page_hides_the_rating_from_the_institution(client_for, district):
    html = client_for("institution").get(f"/institutions/{district.institutions['a'].pk}/").content.decode()
    assert 'data-testid="risk-rating"' not in html and "风险评级" not in html


def test_the_institution_page_says_when_there_is_no_rating_yet(client_for, district):
    a = district.institutions["a"]
    RiskRating.objects.filter(institution=a).delete()
    html = client_for("lead").get(f"/institutions/{a.pk}/").content.decode()
    assert "尚未评定" in html.split('data-testid="risk-rating"')[1]


# ---------------------------------------------------------------------------------------------------- API


@pytest.mark.parametrize(
    "persona_name,visible",
    [("admin", {"a", "b"}), ("edu_officer", {"a", "b"}), ("street_a", {"a"}), ("street_b", {"b"})],
)
def test_the_api_list_is_scoped(client_for, district, persona_name, visible):
    data = client_for(persona_name).get("/api/v1/risk/institutions").json()
    ids = {district.institutions[k].pk for k in visible}
    assert {i["institution_id"] for i in data["items"]} == ids and data["count"] == len(ids)


def test_the_api_filters_by_level(client_for, district):
    RiskRating.objects.filter(institution=district.institutions["a"]).update(level="D", score=70)
    client = client_for("lead")
    [row] = client.get("/api/v1/risk/institutions", {"level": "D"}).json()["items"]
    assert row["institution_id"] == district.institutions["a"].pk and row["level_label"] == "D 高"
    assert client.get("/api/v1/risk/institutions", {"level": "A"}).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "items": [],
    }
    assert client.get("/api/v1/risk/institutions", {"level": "E"}).status_code == 422


def test_the_api_detail_gives_the_factors(client_for, district):
    a = district.institutions["a"]
    data = client_for("street_a").get(f"/api/v1/risk/institutions/{a.pk}").json()
    assert (data["level"], data["score"]) == ("C", 38)
    assert {f["code"]: f["explanation"] for f in data["factors"]} == {
        "licence_missing": "缺少必备证照 1 项 +25",
        "open_severe": "未销号整改事项（严重） 1 项 +10",
        "complaint": "投诉举报（未核实） 1 件 +3",
    }
    assert client_for("street_b").get(f"/api/v1/risk/institutions/{a.pk}").status_code == 404
    response = client_for("institution").get(f"/api/v1/risk/institutions/{a.pk}")
    assert response.status_code == 403 and response.json()["message"]


def test_the_api_detail_of_an_unrated_institution(client_for, district):
    a = district.institutions["a"]
    RiskRating.objects.filter(institution=a).delete()
    data = client_for("lead").get(f"/api/v1/risk/institutions/{a.pk}").json()
    assert (
        data["level"] is None and data["score"] is None and data["factors"] == [] and data["level_label"] == "尚未评定"
    )


def test_riskiest_leaves_out_closed_and_clean_institutions(district, personas):
    from jianguan.risk.selectors import counts_by_level, riskiest

    a, b = district.institutions["a"], district.institutions["b"]
    assert [r.institution_id for r in riskiest(personas["lead"])] == [b.pk, a.pk]  # 50, 38
    assert [r.institution_id for r in riskiest(personas["lead"], limit=1)] == [b.pk]
    assert [r.institution_id for r in riskiest(personas["street_a"])] == [a.pk]
    assert riskiest(personas["institution"]) == []
    registry.institution_status_change(
        actor=personas["lead"],
        institution=b,
        to_status="banned",
        reason="取缔",
        **DECISION_BASIS,
    )
    assert [r.institution_id for r in riskiest(personas["lead"])] == [a.pk]
    RiskRating.objects.filter(institution=a).update(score=0, level="A")
    assert riskiest(personas["lead"]) == []
    assert counts_by_level(personas["street_b"]) == {"A": 0, "B": 0, "C": 1, "D": 0}
