"""Chinese names for audit actions and object types, shown on the audit page (the codes stay in the chain)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "document.issue": _("制发文书"),
    "document.regenerate": _("重新生成文书"),
    "auth.login": _("登录"),
    "auth.login_failed": _("登录失败"),
    "auth.logout": _("退出登录"),
    "user.bootstrap_admin": _("创建首个管理员"),
    "user.create": _("新建账户"),
    "user.update": _("修改账户"),
    "user.password_change": _("修改密码"),
    "user.password_reset": _("重置密码"),
    "officer_profile.set": _("登记执法证"),
    "api_token.create": _("创建 API 令牌"),
    "api_token.revoke": _("吊销 API 令牌"),
    "region.create": _("新建行政区划"),
    "region.update": _("修改行政区划"),
    "department.create": _("新建部门"),
    "department.update": _("修改部门"),
    "responsibility.set": _("调整职责分工"),
    "workday_override.create": _("新增工作日调整"),
    "workday_override.update": _("修改工作日调整"),
    "workday_override.delete": _("删除工作日调整"),
    "institution.create": _("登记机构"),
    "institution.update": _("修改机构信息"),
    "institution.status_change": _("变更经营状态"),
    "licence.create": _("添加证照"),
    "licence.update": _("修改证照"),
    "licence.delete": _("删除证照"),
    "licence_requirement.set": _("调整证照要求"),
}

OBJECT_TYPE_LABELS = {
    "accounts.user": _("账户"),
    "accounts.officerprofile": _("执法证"),
    "accounts.apitoken": _("API 令牌"),
    "org.region": _("行政区划"),
    "org.department": _("部门"),
    "org.responsibility": _("职责分工"),
    "org.workdayoverride": _("工作日调整"),
    "registry.institution": _("机构"),
    "registry.licence": _("证照"),
    "registry.licencerequirement": _("证照要求"),
    "documents.document": _("执法文书"),
}
