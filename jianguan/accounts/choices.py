from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "platform_admin", _("平台管理员")
    LEAD = "lead_coordinator", _("牵头协调")
    DEPARTMENT_OFFICER = "department_officer", _("部门执法人员")
    STREET_OFFICER = "street_officer", _("街道/乡镇工作人员")
    LEGAL_REVIEWER = "legal_reviewer", _("法制审核员")
    LEADER = "leader", _("领导")
    INSTITUTION = "institution_user", _("机构用户")


# Roles that see the whole district.
DISTRICT_WIDE_ROLES = frozenset({Role.ADMIN, Role.LEAD, Role.LEADER, Role.LEGAL_REVIEWER})


class TokenRevocation(models.TextChoices):
    """Why an API token stopped working before its time."""

    OWNER = "owner", _("本人吊销")
    PASSWORD_CHANGE = "password_change", _("修改密码")
    PASSWORD_RESET = "password_reset", _("管理员重置密码")
    DEACTIVATED = "deactivated", _("账户停用或变更角色")
