"""Recording a draw: from the campaign's frozen directories, once, audited; its targets become the campaign's;
recusal redraws are recorded; declared relationships keep an officer away; `draw_lots` prints and re-checks it."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from jianguan.audit.models import AuditEvent
from jianguan.inspections.models import CampaignTarget
from jianguan.planning import draw as lottery
from jianguan.planning.models import Draw, DrawMember
from jianguan.planning.selectors import draw_json, snapshot_for
from jianguan.planning.services import Conflict, draw_make, draw_recuse

pytestmark = pytest.mark.django_db


def _draw(district, lots_, **kw):  # type: ignore[no-untyped-def]
    return draw_make(
        actor=district.users["lead"], campaign=lots_.campaign, seed=kw.pop("seed", "20261201-公证-0417"),
        seed_source="2026年12月1日公证处公布的数值", ratios={"A": 100, "B": 100, "C": 100, "D": 100}, **kw,
    )  # fmt: skip


def test_a_draw_is_recorded_with_its_snapshot_and_its_targets_join_the_campaign(district, lots):
    outcome = _draw(district, lots)
    draw = outcome.draw
    assert draw is not None
    assert draw.target_pool == 2 and draw.officer_pool == 4
    assert {t.institution_id for t in draw.targets.all()} == {i.pk for i in district.institutions.values()}
    assert set(CampaignTarget.objects.filter(campaign=lots.campaign).values_list("institution_id", flat=True)) == {
        i.pk for i in district.institutions.values()
    }
    assert draw.target_hash == snapshot_for(lots.campaign).target_hash
    # Every team: two officers, one of education and one of fire (both competent for the default checklists).
    for target in draw.targets.all():
        members = list(target.members.all())
        assert len(members) == 2
        assert {m.department_id for m in members} == {district.departments["edu"].pk, district.departments["fire"].pk}
    event = AuditEvent.objects.get(action="draw.make")
    assert event.after["seed"] == "20261201-公证-0417"
    assert event.after["result_hash"] == draw.result_hash
    # The stored snapshot gives the same result again (what anyone checking the draw does).
    again = lottery.draw(
        seed=draw.seed, snapshot=lottery.Snapshot.from_json(Draw.objects.get(pk=draw.pk).snapshot), ratios=draw.ratios,
        kind_ratios=draw.kind_ratios, max_per_officer=draw.max_per_officer,
    )  # fmt: skip
    assert again.digest() == draw.result_hash


def test_a_draw_is_made_once_and_never_changed(district, lots):
    _draw(district, lots)
    with pytest.raises(Conflict, match="已抽签"):
        _draw(district, lots, seed="another")
    assert Draw.objects.count() == 1


def test_a_dry_run_records_nothing(district, lots):
    outcome = _draw(district, lots, dry_run=True)
    assert outcome.draw is None and outcome.result.targets
    assert not Draw.objects.exists() and not CampaignTarget.objects.filter(campaign=lots.campaign).exists()
    assert not AuditEvent.objects.filter(action="draw.make").exists()


def test_only_a_random_campaign_not_started_and_only_its_managers_draw(district, lots):
    with pytest.raises(ValidationError, match="双随机抽查"):
        draw_make(actor=district.users["lead"], campaign=district.campaigns["a"], seed="s", seed_source="x")
    with pytest.raises(PermissionDenied):
        draw_make(actor=district.users["edu_officer"], campaign=lots.campaign, seed="s", seed_source="x")
    with pytest.raises(ValidationError, match="种子的来源"):
        draw_make(actor=district.users["lead"], campaign=lots.campaign, seed="s", seed_source="  ")
    with pytest.raises(ValidationError, match="随机种子"):
        draw_make(actor=district.users["lead"], campaign=lots.campaign, seed="a\x00b", seed_source="x")
    assert not Draw.objects.exists()


def test_targets_of_a_random_campaign_are_not_edited_by_hand(district, lots):
    from jianguan.inspections.services import campaign_target_add

    with pytest.raises(ValidationError, match="抽签产生"):
        campaign_target_add(
            actor=district.users["lead"], campaign=lots.campaign, institution=district.institutions["a"]
        )


def test_an_officer_who_declared_a_relationship_is_never_drawn_for_that_institution(district, lots):
    from jianguan.accounts.services import officer_conflict_declare

    a = district.institutions["a"]
    for key in ("edu", "edu2"):
        officer_conflict_declare(actor=lots.officers[key], user=lots.officers[key], institution=a, reason="近亲属任职")
    # Both education officers are out: the fire department (also competent) makes up the pair.
    draw = _draw(district, lots).draw
    team = set(DrawMember.objects.filter(target__draw=draw, target__institution=a).values_list("user_id", flat=True))
    assert team == {lots.officers["fire"].pk, lots.officers["fire2"].pk}


def test_a_draw_that_cannot_give_a_team_of_two_is_refused_and_records_nothing(district, lots):
    from jianguan.accounts.services import officer_conflict_declare

    a = district.institutions["a"]
    for key in ("edu", "edu2", "fire"):
        officer_conflict_declare(actor=lots.officers[key], user=lots.officers[key], institution=a, reason="近亲属任职")
    with pytest.raises(ValidationError, match="无法组成 2 人以上的检查组"):
        _draw(district, lots)
    assert not Draw.objects.exists() and not CampaignTarget.objects.filter(campaign=lots.campaign).exists()


def test_declared_relationships_are_respected_across_seeds(district, lots):
    from jianguan.accounts.services import officer_conflict_declare

    a = district.institutions["a"]
    officer_conflict_declare(actor=lots.officers["edu"], user=lots.officers["edu"], institution=a, reason="持股")
    for seed in ("1", "2", "3", "4", "5"):
        result = _draw(district, lots, seed=seed, dry_run=True).result
        team_a = next(t.officers for t in result.targets if t.institution_id == a.pk)
        assert lots.officers["edu"].pk not in team_a and len(team_a) == 2


def test_only_the_officer_or_the_administrator_declares_and_ends_a_relationship(district, lots):
    from jianguan.accounts.services import officer_conflict_declare, officer_conflict_end

    a = district.institutions["a"]
    with pytest.raises(PermissionDenied):
        officer_conflict_declare(actor=lots.officers["fire"], user=lots.officers["edu"], institution=a, reason="x")
    conflict = officer_conflict_declare(actor=district.users["admin"], user=lots.officers["edu"], institution=a,
                                        reason="配偶为该机构股东")  # fmt: skip
    with pytest.raises(ValidationError, match="已申报"):
        officer_conflict_declare(actor=lots.officers["edu"], user=lots.officers["edu"], institution=a, reason="x")
    with pytest.raises(PermissionDenied):
        officer_conflict_end(actor=district.users["lead"], conflict=conflict)
    officer_conflict_end(actor=lots.officers["edu"], conflict=conflict)
    assert AuditEvent.objects.filter(action__startswith="officer_conflict.").count() == 2


def test_a_recusal_draws_a_recorded_replacement_from_the_same_department(district, lots):
    draw = _draw(district, lots).draw
    a = district.institutions["a"]
    member = DrawMember.objects.get(target__draw=draw, target__institution=a, department=district.departments["edu"])
    replacement = draw_recuse(actor=district.users["lead"], member=member, reason="当事人申请回避：曾在该机构兼职")
    assert replacement.department_id == member.department_id
    assert replacement.user_id != member.user_id
    assert replacement.replaces_id == member.pk and replacement.recusal_round == 1
    member.refresh_from_db()
    assert member.recused_at is not None
    data = draw_json(draw)
    team = next(t["officers"] for t in data["targets"] if t["institution_id"] == a.pk)
    assert member.user_id not in team and replacement.user_id in team and len(team) == 2
    # The original result is kept: the result hash still matches the draw run again.
    assert data["result_hash"] == draw.result_hash
    with pytest.raises(Conflict, match="已回避"):
        draw_recuse(actor=district.users["lead"], member=member, reason="再次")
    assert AuditEvent.objects.filter(action="draw.recuse").count() == 1


def test_draw_lots_prints_json_records_once_and_checks_the_record(district, lots):
    out = StringIO()
    call_command("draw_lots", lots.campaign.pk, "--seed", "公开值-7731", "--dry-run", "--json", stdout=out)
    dry = json.loads(out.getvalue())
    assert not Draw.objects.exists()
    assert set(dry) >= {"seed", "target_snapshot_hash", "officer_snapshot_hash", "targets"}
    assert all(set(t) >= {"institution_id", "officers"} and len(t["officers"]) >= 2 for t in dry["targets"])

    out = StringIO()
    call_command("draw_lots", lots.campaign.pk, "--seed", "公开值-7731", "--json", stdout=out)
    made = json.loads(out.getvalue())
    assert Draw.objects.count() == 1
    assert made["targets"] == dry["targets"] and made["target_snapshot_hash"] == dry["target_snapshot_hash"]

    out = StringIO()
    call_command("draw_lots", lots.campaign.pk, "--seed", "公开值-7731", stdout=out)
    assert "与抽取记录一致" in out.getvalue()
    with pytest.raises(CommandError, match="不能更改"):
        call_command("draw_lots", lots.campaign.pk, "--seed", "另一个值", stdout=StringIO())
    with pytest.raises(CommandError, match="不存在"):
        call_command("draw_lots", 999999, "--seed", "x", stdout=StringIO())


def test_the_recorded_draw_cannot_be_saved_over(district, lots):
    draw = _draw(district, lots).draw
    draw.seed = "改过的种子"
    with pytest.raises(ValidationError, match="不能更改"):
        draw.save()
    target = draw.targets.first()
    target.position = 99
    with pytest.raises(ValidationError, match="不能更改"):
        target.save()
    assert Draw.objects.get().seed == "20261201-公证-0417"


def test_a_drawn_campaigns_inspection_goes_out_with_the_drawn_team(district, lots):
    from datetime import timedelta

    from django.utils import timezone

    from jianguan.inspections.services import inspection_create

    a = district.institutions["a"]
    when = timezone.now() + timedelta(days=2)
    draw = _draw(district, lots).draw
    team = [m.user for m in DrawMember.objects.filter(target__draw=draw, target__institution=a).select_related("user")]
    other = [u for u in lots.officers.values() if u not in team][:2]
    with pytest.raises(ValidationError, match="抽中的执法人员"):
        inspection_create(actor=district.users["lead"], institution=a, scheduled_at=when, officers=other,
                          campaign=lots.campaign)  # fmt: skip
    inspection = inspection_create(
        actor=district.users["lead"], institution=a, scheduled_at=when, officers=team, campaign=lots.campaign
    )
    assert {o.user_id for o in inspection.officers.all()} == {u.pk for u in team}
