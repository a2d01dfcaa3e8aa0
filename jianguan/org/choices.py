from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    TOWNSHIP = "township", _("乡镇")


class DepartmentKind(models.TextChoices):
    EDUCATION = "education", _("教育")
    PUBLIC_SECURITY = "public_security", _("公安")
    MARKET_REGULATION = "market_regulation", _("市场监管")
    FIRE = "fire", _("消防救援")
    HEALTH = "health", _("卫生健康")
    CULTURE_TOURISM = "culture_tourism", _("文化和旅游")
    SPORTS = "sports", _("体育")
    SCIENCE = "science", _("科技")
    HOUSING = "housing", _("住房和城乡建设")
    CIVIL_AFFAIRS = "civil_affairs", _("民政")
    # A 公安派出所: only the daily fire checks 公安部令第120号 allows; never the lead of a pair in the matrix.
    POLICE_STATION = "police_station", _("公安派出所")
    STREET_OFFICE = "street_office", _("街道/乡镇")
    OTHER = "other", _("其他")


class CheckCategory(models.TextChoices):
    """The check categories used across the platform; each has exactly one lead department."""

    QUALIFICATION = "qualification", _("办学资质")
    TEACHING = "teaching", _("教学内容")
    FOOD_SAFETY = "food_safety", _("食品安全")
    FIRE_SAFETY = "fire_safety", _("消防安全")
    FEES = "fees", _("收费与资金")
    STAFF = "staff", _("从业人员")
    PREMISES = "premises", _("场地设施")
    ADVERTISING = "advertising", _("广告宣传")
