"""The plan pages, the 双随机 draw page and the portal: planned vs done, drawing from the page, recusal, the
relationship declarations, publication of the draw and of each result, and the API's draw equal to the record."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from jianguan.inspections.choices import InspectionStatus
from jianguan.lib import workdays
from jianguan.planning.models import Draw, DrawMember, YearPlan
from jianguan.planning.selectors import draw_json, plan_progress
from jianguan.planning.services import coverage_target_add, draw_make, plan_campaign_add, plan_create, plan_publish
from tests.support.district import persona_client

pytestmark = pytest.mark.django_db
ALL = {"A": 100, "B": 100, "C": 100, "D": 100}


def _plan(district, lots):  # type: ignore[no-untyped-def]
    lead = district.users["lead"]
    plan = plan_create(
        actor=lead, year=lots.campaign.starts_on.year, title="年度联合执法检查工作方案", objectives="全区机构全覆盖",
        departments=[district.departments["edu"], district.departments["fire"]],
    )  # fmt: skip
    plan_campaign_add(actor=lead, plan=plan, campaign=lots.campaign, quarter=4)
    coverage_target_add(actor=lead, plan=plan, institution_kind="meal_care", times=2)
    coverage_target_add(actor=lead, plan=plan, street=district.streets["a"], times=1)
    return YearPlan.objects.get(pk=plan.pk)


def test_planned_vs_done_counts_campaign_targets_and_inspections_in_the_year(district, lots):
    plan = _plan(district, lots)
    draw_make(actor=district.users["lead"], campaign=lots.campaign, seed="s", seed_source="x", ratios=ALL)
    campaigns, coverage = plan_progress(plan)
    assert [(c.targets, c.inspected) for c in campaigns] == [(2, 0)]
    meal_care = next(c for c in coverage if c.target.institution_kind == "meal_care")
    street_a = next(c for c in coverage if c.target.street_id == district.streets["a"].pk)
    assert (meal_care.institutions, meal_care.met) == (1, 0)
    # Institution a (street a) had two routine inspections completed today: street a's target of once is met when the
    # plan's year is this year.
    done_this_year = district.inspections["done"].completed_at.year == plan.year
    assert (street_a.institutions, street_a.met) == (1, 1 if done_this_year else 0)


def test_the_plan_page_shows_planned_vs_done_and_publishing_puts_it_on_the_portal(district, lots):
    plan = _plan(district, lots)
    page = persona_client(district.users["leader"]).get(reverse("planning:plan_detail", args=[plan.pk]))
    assert "双随机抽查测试" in page.content.decode() and "每家至少" in page.content.decode()
    assert 'data-testid="publish"' not in page.content.decode()  # the leader reads only
    anonymous = persona_client(None)
    assert anonymous.get(reverse("public_plans:plan_detail", args=[plan.year])).status_code == 404
    response = persona_client(district.users["lead"]).post(
        reverse("planning:plan_action", args=[plan.pk, "publish"]), {"version": plan.version}
    )
    assert response.status_code == 302
    public = anonymous.get(reverse("public_plans:plan_detail", args=[plan.year])).content.decode()
    assert "年度联合执法检查工作方案" in public and "双随机抽查测试" in public and "全区机构全覆盖" in public
    assert plan.title in anonymous.get(reverse("public_plans:plan_list")).content.decode()


def test_a_stale_version_changes_nothing(district, lots):
    from jianguan.planning.services import Conflict

    plan = _plan(district, lots)
    with pytest.raises(Conflict, match="已被他人修改"):
        plan_publish(actor=district.users["lead"], plan=plan, version=plan.version - 1)
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_the_lead_draws_from_the_campaign_page_and_everyone_in_scope_reads_the_record(district, lots):
    url = reverse("planning:draw", args=[lots.campaign.pk])
    lead = persona_client(district.users["lead"])
    form = lead.get(url).content.decode()
    assert 'data-testid="draw-submit"' in form
    data = {"seed": "2026-12-05 公布值 5521", "seed_source": "区政府网站 2026-12-05 公告", "max_per_officer": 10,
            **{f"level_{lv}": 100 for lv in "ABCD"}}  # fmt: skip
    assert persona_client(district.users["edu_officer"]).post(url, data).status_code == 403
    assert not Draw.objects.exists()
    response = lead.post(url, data)
    assert response.status_code == 302
    draw = Draw.objects.get()
    page = persona_client(district.users["fire_officer"]).get(url).content.decode()
    assert draw.target_hash in page and "2026-12-05 公布值 5521" in page and "甲街道培训学校" in page
    # Drawing again from the page is refused (the form is gone; a POST is forbidden).
    assert lead.post(url, data).status_code == 403
    assert Draw.objects.count() == 1


def test_a_recusal_from_the_page_is_recorded(district, lots):
    outcome = draw_make(actor=district.users["lead"], campaign=lots.campaign, seed="s", seed_source="x", ratios=ALL)
    member = DrawMember.objects.filter(target__draw=outcome.draw).first()
    url = reverse("planning:draw_recuse", args=[member.pk])
    assert persona_client(district.users["edu_officer"]).post(url, {"reason": "回避"}).status_code == 403
    response = persona_client(district.users["lead"]).post(url, {"reason": "与机构负责人系近亲属"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.recused_at is not None and member.replaced_by.user_id != member.user_id


def test_the_api_draw_is_the_recorded_draw(district, lots):
    outcome = draw_make(actor=district.users["lead"], campaign=lots.campaign, seed="s", seed_source="x", ratios=ALL)
    body = persona_client(district.users["street_a"]).get(f"/api/v1/campaigns/{lots.campaign.pk}/draw").json()
    expected = draw_json(outcome.draw)
    assert body["targets"] == expected["targets"] and body["seed"] == "s"
    assert body["target_snapshot_hash"] == outcome.snapshot.target_hash
    assert (
        persona_client(district.users["lead"]).get(f"/api/v1/campaigns/{district.campaigns['a'].pk}/draw").status_code
        == 404
    )


def test_the_draw_is_public_when_made_without_officers_and_each_result_once_completed(district, lots):
    outcome = draw_make(actor=district.users["lead"], campaign=lots.campaign, seed="s", seed_source="x", ratios=ALL)
    url = reverse("public_plans:draw_detail", args=[outcome.draw.pk])
    page = persona_client(None).get(url).content.decode()
    assert outcome.draw.target_hash in page and "甲街道培训学校" in page and "尚未检查完成" in page
    for officer in lots.officers.values():
        assert officer.name not in page
    assert "测试区教育局" in page  # the team's departments
    assert outcome.draw.campaign.name in persona_client(None).get(reverse("public_plans:plan_list")).content.decode()


def test_a_drawn_inspection_result_is_public_within_its_window(district, lots):
    from jianguan.inspections import services as inspections
    from jianguan.inspections.services import campaign_set_status

    lead = district.users["lead"]
    outcome = draw_make(actor=lead, campaign=lots.campaign, seed="s", seed_source="x", ratios=ALL)
    campaign_set_status(actor=lead, campaign=lots.campaign, status="active")
    b = district.institutions["b"]
    team = list(DrawMember.objects.filter(target__draw=outcome.draw, target__institution=b).select_related("user"))
    officers = [m.user for m in team]
    inspection = inspections.inspection_create(
        actor=lead, institution=b, scheduled_at=timezone.now(), officers=officers, campaign=lots.campaign,
        lead_department=district.departments["edu"],
    )  # fmt: skip
    inspections.inspection_start(actor=officers[0], inspection=inspection)
    for item in inspection.checklist_version.items.all():
        inspections.result_record(actor=officers[0], inspection=inspection, item=item, outcome="pass")
    inspection = inspections.inspection_complete(
        certificates_shown=True, recusal_requested=False, actor=officers[0], inspection=inspection,
        representative_name="王负责人",
    )  # fmt: skip
    assert inspection.status == InspectionStatus.COMPLETED
    done_on = timezone.localtime(inspection.completed_at).date()
    due = workdays.add_working_days(done_on, 20)
    url = reverse("public_plans:draw_detail", args=[outcome.draw.pk])
    # Shown from the day of completion, so on every day of the 20-working-day window it is already public.
    for day in (done_on, due):
        with time_machine.travel(timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
                                 + timedelta(hours=12), tick=False):  # fmt: skip
            page = persona_client(None).get(url).content.decode()
        assert "未发现问题" in page
    staff = persona_client(lead).get(reverse("planning:draw", args=[lots.campaign.pk])).content.decode()
    assert f"结果公示期限 {due:%Y-%m-%d}" in staff


def test_relationships_are_declared_by_the_officer_and_read_by_the_drawers(district, lots):
    url = reverse("planning:conflict_list")
    officer = persona_client(district.users["edu_officer"])
    response = officer.post(url, {"institution": district.institutions["a"].credit_code, "reason": "配偶任该校教师"})
    assert response.status_code == 302
    assert "配偶任该校教师" in persona_client(district.users["lead"]).get(url).content.decode()
    assert "配偶任该校教师" not in persona_client(district.users["fire_officer"]).get(url).content.decode()
    assert persona_client(district.users["lead"]).post(url, {"institution": "x", "reason": "y"}).status_code == 403


def test_directories_and_plan_lists_keep_their_query_count(district, lots, django_assert_max_num_queries):
    client = persona_client(district.users["lead"])
    for which in ("items", "targets", "officers"):
        with django_assert_max_num_queries(20):
            assert client.get(reverse("planning:directory", args=[which])).status_code == 200
    for year in (2090, 2091, 2092):
        plan_create(actor=district.users["lead"], year=year, title=f"方案{year}", objectives="目标")
    with django_assert_max_num_queries(20):
        assert client.get(reverse("planning:plan_list")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get("/api/v1/plans").status_code == 200


def test_public_pages_are_rate_limited_like_the_portal(district, lots, settings):
    assert persona_client(None).get(reverse("public_plans:plan_list")).status_code == 200
    assert persona_client(None).get(reverse("public_plans:draw_detail", args=[999999])).status_code == 404


def test_the_draw_page_plans_each_inspection_with_its_drawn_team(district, lots):
    outcome = draw_make(actor=district.users["lead"], campaign=lots.campaign, seed="s", seed_source="x", ratios=ALL)
    client = persona_client(district.users["lead"])
    page = client.get(reverse("planning:draw", args=[lots.campaign.pk])).content.decode()
    a = district.institutions["a"]
    team = list(
        DrawMember.objects.filter(target__draw=outcome.draw, target__institution=a).values_list("user_id", flat=True)
    )
    link = f"{reverse('inspections:inspection_create')}?campaign={lots.campaign.pk}&amp;institution={a.pk}"
    assert link in page
    query = "&".join(f"officer={u}" for u in team)
    form = client.get(
        f"{reverse('inspections:inspection_create')}?campaign={lots.campaign.pk}&institution={a.pk}&{query}"
    ).content.decode()
    checked = {int(v) for v in re.findall(r'name="officers" value="(\d+)" id="[^"]+" checked', form)}
    assert checked == set(team)
    assert client.get(f"{reverse('inspections:inspection_create')}?officer=x").status_code == 400
