from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    ACTIVE = "active", _("进行中")
    FINISHED = "finished", _("已结束")


class CampaignMethod(models.TextChoices):
    FULL = "full", _("全面覆盖")
    # 双随机一公开 (国发〔2019〕5号): the targets and their teams come from a recorded draw (planning.Draw).
    RANDOM = "random", _("双随机抽查")


class InspectionKind(models.TextChoices):
    CAMPAIGN = "campaign", _("专项检查")
    ROUTINE = "routine", _("日常巡查")
    COMPLAINT = "complaint", _("投诉核查")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("已计划")
    IN_PROGRESS = "in_progress", _("检查中")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class SignerRole(models.TextChoices):
    """Who signed the on-site record on the screen."""

    OFFICER = "officer", _("检查人员")
    PARTY = "party", _("当事人/现场负责人")
    WITNESS = "witness", _("见证人")


class Outcome(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    NOT_APPLICABLE = "na", _("不适用")
