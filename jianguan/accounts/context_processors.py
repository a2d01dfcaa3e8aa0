"""Navigation by role: each entry names the permission that shows it, so the menu and the views agree."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import allowed, may_use_api_tokens

# (label, url name, permission or None for every signed-in user). The first MAIN entries stand in the bar; the rest
# (reference and administration pages) sit in its 更多 menu, so the bar fits one line at 1280 px.
NAVIGATION: list[tuple[Any, str, str | None]] = [
    (_("首页"), "home", None),
    (_("驾驶舱"), "reports:dashboard", "reports.dashboard"),
    (_("机构名录"), "registry:institution_list", "institutions.view"),
    (_("风险评级"), "risk:rating_list", "risk.view"),
    (_("专项行动"), "inspections:campaign_list", "campaigns.view"),
    (_("检查"), "inspections:inspection_list", "inspections.view"),
    (_("整改台账"), "ledger:item_list", "ledger.view"),
    (_("投诉举报"), "complaints:complaint_list", "complaints.view"),
    (_("预警"), "alerts:alert_list", "alerts.view"),
    (_("行政处罚"), "enforcement:case_list", "cases.view"),
    (_("移送协查"), "transfers:transfer_list", "transfers.view"),
    (_("信息共享"), "transfers:feed", "feed.view"),
    (_("联席会议"), "meetings:meeting_list", "meetings.view"),
    (_("年度方案与双随机"), "planning:plan_list", "plans.view"),
    (_("关联关系申报"), "planning:conflict_list", "conflicts.view"),
    (_("从业人员"), "staff:mine", "staff.view"),
    (_("课程与班级"), "courses:class_list", "courses.view"),
    (_("预收费"), "fees:record_list", "fees.view"),
    (_("行业规则检查"), "rules:violation_list", "rules.view"),
    (_("检查表"), "checklists:checklist_list", "checklists.view"),
    (_("公示名单"), "portal:mark_list", "portal.lists"),
    (_("政策与公告"), "articles:article_list", "articles.manage"),
    (_("职责分工"), "org:responsibility_list", "responsibilities.view"),
    (_("账户"), "accounts:user_list", "users.manage"),
    (_("部门"), "org:department_list", "org.manage"),
    (_("街道/乡镇"), "org:region_list", "org.manage"),
    (_("工作日"), "org:workday_list", "calendar.manage"),
    (_("证照要求"), "registry:requirement_list", "registry.configure"),
    (_("审计"), "audit:event_list", "audit.view"),
    (_("邮件和短信"), "notifications:delivery_list", "notifications.deliveries"),
    (_("事件推送"), "webhooks:subscription_list", "webhooks.view"),
    (_("后台任务"), "audit:task_list", "tasks.view"),
]
MAIN = 9


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_more": [], "may_use_api_tokens": False}
    items: list[list[dict[str, Any]]] = [[], []]
    for n, (label, name, permission) in enumerate(NAVIGATION):
        if permission is None or allowed(user, permission):
            url = reverse(name)
            items[n >= MAIN].append({"label": label, "url": url, "active": request.path == url})
    return {
        "nav_items": items[0], "nav_more": items[1], "nav_more_active": any(i["active"] for i in items[1]),
        "may_use_api_tokens": may_use_api_tokens(user),
    }  # fmt: skip
