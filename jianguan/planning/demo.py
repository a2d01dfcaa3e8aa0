"""The demo's year plan and its 双随机 campaign: the plan drawn up before the speech's campaign, which it lists with
its coverage targets, and published; an officer's declared relationship; a 双随机 campaign of the fourth quarter,
drawn a week before the demo's day with a seed announced in advance."""

from __future__ import annotations

from datetime import date, timedelta

from jianguan.accounts.models import User
from jianguan.accounts.services import officer_conflict_declare
from jianguan.inspections.choices import CampaignMethod
from jianguan.inspections.demo import CAMPAIGN_NAME, STARTS
from jianguan.inspections.models import Campaign
from jianguan.inspections.services import campaign_create
from jianguan.lib.story import Story, moment
from jianguan.org.models import Department
from jianguan.planning.models import YearPlan
from jianguan.planning.services import coverage_target_add, draw_make, plan_campaign_add, plan_create, plan_publish
from jianguan.registry import demo_data
from jianguan.registry.choices import InstitutionKind
from jianguan.registry.models import Institution
from jianguan.risk.services import risk_refresh_all

RANDOM_NAME = "校外培训机构双随机抽查"
OBJECTIVES = (
    "建立联合执法检查常态化机制：全区校外培训机构（含小饭桌、托管班）每年至少检查一次，小饭桌每年至少检查两次；"
    "专项行动与双随机抽查相结合，发现问题当场责令整改并建立整改台账，逾期未整改的依法移交处罚；"
    "抽查事项、抽查结果和查处情况向社会公开。"
)
CHECK_ITEMS = "办学资质；培训内容（是否变相开展学科类培训）；收费与预收费；食品安全；消防安全；从业人员。"
SEED_NUMBER = "3817"
# The demo district has one or two certified officers per department: each may take up to 30 sites of the quarter.
DEMO_MAX_PER_OFFICER = 30


def _quarter(day: date) -> int:
    return (day.month - 1) // 3 + 1


def plan_story(*, today: date) -> Story:
    """The plan a few days before the speech's campaign is created, the campaign listed once it exists, published; a
    declared relationship; the 双随机 campaign created, its seed announced and drawn. Returns records created."""
    if YearPlan.objects.exists():
        return 0
    shift = today - demo_data.REFERENCE_DATE
    starts = STARTS + shift
    users = {u.username: u for u in User.objects.filter(username__in=["lead", "police1"])}
    if len(users) < 2:
        return 0
    lead = users["lead"]
    departments = {d.short_name: d for d in Department.objects.all()}
    yield moment(starts - timedelta(days=10), 9)
    plan = plan_create(
        actor=lead,
        year=starts.year,
        title=f"{starts.year}年度校外培训机构联合执法检查工作方案",
        objectives=OBJECTIVES,
        check_items=CHECK_ITEMS,
        departments=[departments[s] for s in ("青教", "青消", "青市监", "青公")],
    )
    coverage_target_add(actor=lead, plan=plan, times=1)
    coverage_target_add(actor=lead, plan=plan, institution_kind=InstitutionKind.MEAL_CARE, times=2)
    yield moment(starts - timedelta(days=6), 10)
    speech = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
    if speech is not None:
        plan_campaign_add(actor=lead, plan=plan, campaign=speech, quarter=_quarter(speech.starts_on))
        plan_publish(actor=lead, plan=plan)
    # A police officer declares a relationship with a site before the draw: the draw never sends him there.
    yield moment(today - timedelta(days=12), 16)
    site = Institution.objects.filter(name=demo_data.INSTITUTIONS[0]["name"]).first()
    if site is not None:
        officer_conflict_declare(
            actor=users["police1"], user=users["police1"], institution=site, reason="配偶在该机构任兼职教师"
        )
    yield moment(today - timedelta(days=9), 15)
    campaign = campaign_create(
        actor=lead,
        name=RANDOM_NAME,
        starts_on=today + timedelta(days=5),
        ends_on=today + timedelta(days=35),
        lead_department=departments["青教"],
        departments=[departments[s] for s in ("青消", "青市监", "青公")],
        description="按风险等级比例随机抽取检查对象，随机选派执法检查人员；抽取情况和检查结果向社会公开。",
        method=CampaignMethod.RANDOM,
    )
    if campaign.starts_on.year == plan.year:
        plan_campaign_add(actor=lead, plan=plan, campaign=campaign, quarter=_quarter(campaign.starts_on))
    announced = today - timedelta(days=8)
    yield moment(today - timedelta(days=7), 10)
    risk_refresh_all(today=today - timedelta(days=7))  # the levels the ratios apply to, as they stood that day
    draw_make(
        actor=lead,
        campaign=campaign,
        seed=f"{announced:%Y%m%d}-{SEED_NUMBER}",
        seed_source=f"{announced:%Y年%m月%d日}区政府门户网站公告的抽签种子",
        max_per_officer=DEMO_MAX_PER_OFFICER,
    )
    return 2
