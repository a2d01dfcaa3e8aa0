"""Writes for the year's plan and the 双随机 draws. Every one checks the actor and audits in its transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.models import User
from jianguan.accounts.permissions import require
from jianguan.audit.services import audit_record, snapshot
from jianguan.inspections.choices import CampaignMethod, CampaignStatus
from jianguan.inspections.models import Campaign, CampaignTarget
from jianguan.lib.conflict import STALE_VERSION
from jianguan.lib.conflict import Conflict as BaseConflict
from jianguan.org.models import Department, Region
from jianguan.planning import draw as lots
from jianguan.planning.choices import PlanStatus
from jianguan.planning.models import CoverageTarget, Draw, DrawMember, DrawTarget, PlanCampaign, YearPlan
from jianguan.planning.selectors import default_ratios, drawn_team, snapshot_for
from jianguan.registry.models import Institution


class Conflict(BaseConflict, ValidationError):
    """The action is impossible in the record's current state (HTTP 409 in the API; a message on the pages)."""

    def __str__(self) -> str:
        return "；".join(self.messages)


# ------------------------------------------------------------------------------------------------- the year plan


def _locked_plan(plan: YearPlan, version: int | None) -> YearPlan:
    plan = YearPlan.objects.select_for_update().get(pk=plan.pk)
    if version is not None and version != plan.version:
        raise Conflict(_("方案已被他人修改，请刷新页面后重试。"), code=STALE_VERSION)
    return plan


def _touch(plan: YearPlan) -> None:
    plan.version += 1
    plan.save(update_fields=["version"])


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    year: int,
    title: str,
    objectives: str,
    check_items: str = "",
    departments: Iterable[Department] = (),
) -> YearPlan:
    """Draw up a year's plan (草拟); campaigns and coverage targets are added to it afterwards."""
    require(actor, "plans.manage")
    if YearPlan.objects.filter(year=year).exists():
        raise ValidationError({"year": _("%(year)s 年度的方案已存在。") % {"year": year}})
    plan = YearPlan(
        year=year,
        title=(title or "").strip(),
        objectives=(objectives or "").strip(),
        check_items=(check_items or "").strip(),
        created_by=actor,
    )
    plan.full_clean(exclude=["created_by"])
    plan.save()
    plan.departments.set(list(departments))
    audit_record(actor=actor, action="plan.create", obj=plan, after=snapshot(plan))
    return plan


@transaction.atomic
def plan_campaign_add(
    *, actor: Any, plan: YearPlan, campaign: Campaign, quarter: int, version: int | None = None
) -> PlanCampaign:
    """Hang a campaign of the plan's year off the plan, in a quarter."""
    require(actor, "plans.manage")
    plan = _locked_plan(plan, version)
    if campaign.starts_on.year != plan.year:
        raise ValidationError(_("专项行动的开始日期不在 %(year)s 年度内。") % {"year": plan.year})
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("季度应为 1 至 4。")})
    if PlanCampaign.objects.filter(campaign=campaign).exists():
        raise Conflict(_("该专项行动已列入方案。"))
    entry = PlanCampaign.objects.create(plan=plan, campaign=campaign, quarter=quarter)
    _touch(plan)
    audit_record(actor=actor, action="plan.campaign_add", obj=plan, after={"campaign": campaign.pk, "quarter": quarter})
    return entry


@transaction.atomic
def coverage_target_add(
    *,
    actor: Any,
    plan: YearPlan,
    institution_kind: str = "",
    street: Region | None = None,
    times: int = 1,
    version: int | None = None,
) -> CoverageTarget:
    """A coverage target: every institution of the kind (and street) inspected at least `times` in the year."""
    require(actor, "plans.manage")
    plan = _locked_plan(plan, version)
    target = CoverageTarget(plan=plan, institution_kind=institution_kind or "", street=street, times=times)
    target.full_clean()
    if not 1 <= times <= 12:
        raise ValidationError({"times": _("每家检查次数应为 1 至 12 次。")})
    target.save()
    _touch(plan)
    audit_record(
        actor=actor, action="plan.target_add", obj=plan,
        after={"kind": target.institution_kind, "street": street.pk if street else None, "times": times},
    )  # fmt: skip
    return target


@transaction.atomic
def plan_publish(*, actor: Any, plan: YearPlan, version: int | None = None) -> YearPlan:
    """Publish the plan on the portal (its public fields and, from then on, its results)."""
    require(actor, "plans.manage")
    plan = _locked_plan(plan, version)
    if plan.status == PlanStatus.PUBLISHED:
        raise Conflict(_("方案已公开。"))
    if not plan.campaigns.exists():
        raise ValidationError(_("方案中还没有专项行动，不能公开。"))
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = timezone.now()
    plan.save(update_fields=["status", "published_at"])
    _touch(plan)
    audit_record(actor=actor, action="plan.publish", obj=plan, after={"status": plan.status})
    return plan


# ------------------------------------------------------------------------------------------------------ draws


@dataclass
class DrawOutcome:
    snapshot: lots.Snapshot
    result: lots.Result
    ratios: dict[str, int]
    kind_ratios: dict[str, int]
    max_per_officer: int
    draw: Draw | None  # None for a dry run


def _check_drawable(campaign: Campaign) -> None:
    if campaign.method != CampaignMethod.RANDOM:
        raise ValidationError(_("只有“双随机抽查”方式的专项行动才能抽签。"))
    if Draw.objects.filter(campaign=campaign).exists():
        raise Conflict(_("该专项行动已抽签，抽取结果不能更改。"))
    if campaign.status != CampaignStatus.PLANNED:
        raise Conflict(_("专项行动开始后不能再抽签。"))


def draw_make(
    *,
    actor: Any,
    campaign: Campaign,
    seed: str,
    seed_source: str = "",
    ratios: dict[str, int] | None = None,
    kind_ratios: dict[str, int] | None = None,
    max_per_officer: int | None = None,
    dry_run: bool = False,
) -> DrawOutcome:
    """Draw a 双随机 campaign's targets and teams from its directories frozen now, with the given seed; record it
    (the snapshot whole, its hashes, the result as the campaign's targets) unless it is a dry run."""
    require(actor, "campaigns.manage")
    seed = (seed or "").strip()
    if not seed or len(seed) > 100 or any(ord(c) < 32 for c in seed):
        raise ValidationError({"seed": _("随机种子应为 1 至 100 个可见字符。")})
    ratios = default_ratios() if ratios is None else dict(ratios)
    kind_ratios = dict(kind_ratios or {})
    for value in [*ratios.values(), *kind_ratios.values()]:
        if not 0 <= int(value) <= 100:
            raise ValidationError(_("抽查比例应为 0 到 100 的整数。"))
    limit = max_per_officer or settings.JIANGUAN_DRAW_MAX_PER_OFFICER
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _check_drawable(campaign)
        frozen = snapshot_for(campaign)
        try:
            result = lots.draw(
                seed=seed, snapshot=frozen, ratios=ratios, kind_ratios=kind_ratios, max_per_officer=limit
            )
        except lots.DrawError as exc:
            message = str(exc)
            if exc.institution_id is not None:
                name = Institution.objects.filter(pk=exc.institution_id).values_list("name", flat=True).first()
                message = message.replace(_("机构（编号 %(id)s）") % {"id": exc.institution_id}, f"“{name}”")
            raise ValidationError(message) from exc
        outcome = DrawOutcome(frozen, result, ratios, kind_ratios, limit, None)
        if dry_run:
            return outcome
        if not (seed_source or "").strip():
            raise ValidationError({"seed_source": _("请写明随机种子的来源（如事先公布的数值）。")})
        outcome.draw = _record(actor, campaign, seed, seed_source.strip(), outcome)
        return outcome


def _record(actor: Any, campaign: Campaign, seed: str, seed_source: str, outcome: DrawOutcome) -> Draw:
    frozen, result = outcome.snapshot, outcome.result
    draw = Draw(
        campaign=campaign,
        seed=seed,
        seed_source=seed_source,
        ratios=outcome.ratios,
        kind_ratios=outcome.kind_ratios,
        max_per_officer=outcome.max_per_officer,
        snapshot=frozen.as_json(),
        target_hash=frozen.target_hash,
        officer_hash=frozen.officer_hash,
        result_hash=result.digest(),
        target_pool=len(frozen.targets),
        officer_pool=len(frozen.officers),
        made_by=actor,
    )
    draw.full_clean(exclude=["campaign", "made_by"])
    try:
        with transaction.atomic():
            draw.save()
    except IntegrityError as exc:
        raise Conflict(_("该专项行动已抽签，抽取结果不能更改。")) from exc
    targets = DrawTarget.objects.bulk_create(
        DrawTarget(draw=draw, institution_id=t.institution_id, kind=t.kind, level=t.level, position=n)
        for n, t in enumerate(result.targets, 1)
    )
    departments = dict(frozen.officers)
    DrawMember.objects.bulk_create(
        DrawMember(target=row, user_id=user, department_id=departments[user])
        for row, drawn in zip(targets, result.targets, strict=True)
        for user in drawn.officers
    )
    CampaignTarget.objects.bulk_create(
        CampaignTarget(campaign=campaign, institution_id=t.institution_id) for t in targets
    )
    audit_record(
        actor=actor,
        action="draw.make",
        obj=draw,
        object_label=str(campaign),
        after={
            "campaign": campaign.pk, "seed": seed, "seed_source": seed_source,
            "target_hash": draw.target_hash, "officer_hash": draw.officer_hash, "result_hash": draw.result_hash,
            "ratios": draw.ratios, "kind_ratios": draw.kind_ratios, "drawn": len(targets),
        },
    )  # fmt: skip
    return draw


def drawn_team_rule(campaign: Campaign, institution: Any, officers: list[Any]) -> None:
    """inspections.services.TEAM_RULES: a 双随机 campaign's inspection goes out with the team drawn for it (a
    recusal goes through `draw_recuse`, which draws the replacement)."""
    if campaign.method != CampaignMethod.RANDOM:
        return
    team = drawn_team(campaign, institution)
    if team is None:
        raise ValidationError(_("该专项行动尚未抽签，不能安排检查。"))
    if {u.pk for u in officers} != {u.pk for u in team}:
        raise ValidationError(
            {
                "officers": _("双随机抽查须由抽中的执法人员检查：%(names)s（如需回避，请在抽取页面办理回避并补抽）。")
                % {"names": "、".join(u.name for u in team)}
            }
        )


@transaction.atomic
def draw_recuse(*, actor: Any, member: DrawMember, reason: str) -> DrawMember:
    """An officer drawn for a target steps aside (回避): the replacement is drawn from the frozen directory with the
    draw's seed and the recusal's round, and both are recorded; the original result stays as it was."""
    require(actor, "campaigns.manage")
    member = DrawMember.objects.select_for_update().select_related("target__draw").get(pk=member.pk)
    draw = Draw.objects.select_for_update().get(pk=member.target.draw_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明回避原因。")})
    if member.recused_at is not None:
        raise Conflict(_("该执法人员已回避。"))
    frozen = lots.Snapshot.from_json(draw.snapshot)
    active = DrawMember.objects.filter(target__draw=draw, recused_at=None)
    loads: dict[int, int] = {}
    for user_id in active.values_list("user_id", flat=True):
        loads[user_id] = loads.get(user_id, 0) + 1
    team = list(DrawMember.objects.filter(target=member.target).values_list("user_id", flat=True))
    round_ = DrawMember.objects.filter(target__draw=draw).exclude(recusal_round=None).count() + 1
    chosen = lots.replacement(
        seed=draw.seed,
        snapshot=frozen,
        round_=round_,
        institution_id=member.target.institution_id,
        kind=member.target.kind,
        department_id=member.department_id,
        team=team,
        loads=loads,
        max_per_officer=draw.max_per_officer,
    )
    if chosen is None:
        raise ValidationError(_("名录库中已没有可以补抽的执法人员，请调整后另行安排。"))
    member.recused_at = timezone.now()
    member.recusal_reason = reason
    member.full_clean()
    member.save(update_fields=["recused_at", "recusal_reason"])
    replacement = DrawMember(
        target=member.target,
        user=User.objects.get(pk=chosen),
        department_id=dict(frozen.officers)[chosen],
        recusal_round=round_,
        replaces=member,
    )
    replacement.save()
    audit_record(
        actor=actor, action="draw.recuse", obj=draw, object_label=str(draw.campaign),
        after={"target": member.target.institution_id, "recused": member.user_id, "reason": reason,
               "replacement": chosen, "round": round_},
    )  # fmt: skip
    return replacement
