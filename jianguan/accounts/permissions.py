"""Who may do what, in one table. Services call `require`; views use `allowed` to show or hide actions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role

# action -> roles that may perform it (within their scope).
PERMISSIONS: dict[str, frozenset[str]] = {
    "users.manage": frozenset({Role.ADMIN}),
    "org.manage": frozenset({Role.ADMIN}),
    "responsibilities.view": frozenset({Role.ADMIN, Role.LEAD, Role.LEADER, Role.DEPARTMENT_OFFICER}),
    "responsibilities.manage": frozenset({Role.ADMIN}),
    # The working-day calendar: importing the State Council's holiday notice and single-day entries. The lead
    # coordinator, who is warned when next year is missing and whose orders wait for it, may do it too.
    "calendar.manage": frozenset({Role.ADMIN, Role.LEAD}),
    "audit.view": frozenset({Role.ADMIN}),
    "institutions.view": frozenset(set(Role) - {Role.INSTITUTION}),
    "institutions.manage": frozenset({Role.ADMIN, Role.LEAD, Role.STREET_OFFICER}),
    "institutions.status": frozenset({Role.ADMIN, Role.LEAD}),
    "registry.configure": frozenset({Role.ADMIN}),
    "checklists.view": frozenset(set(Role) - {Role.INSTITUTION}),
    "checklists.manage": frozenset({Role.ADMIN}),
    "campaigns.view": frozenset(set(Role) - {Role.INSTITUTION}),
    "campaigns.manage": frozenset({Role.ADMIN, Role.LEAD}),
    # Institutions see their own completed inspections; everyone else within their scope.
    "inspections.view": frozenset(set(Role)),
    # Planning an inspection: the lead coordinator for anyone, a department officer for a team they are on.
    "inspections.plan": frozenset({Role.LEAD, Role.DEPARTMENT_OFFICER}),
    # An unregistered site found on patrol or on an inspection is put on the registry as 未登记.
    "sites.report": frozenset({Role.ADMIN, Role.LEAD, Role.DEPARTMENT_OFFICER, Role.STREET_OFFICER}),
    # The ledger: everyone within their scope (an institution sees its own items); transitions are decided per item
    # by ledger/workflow.py.
    "ledger.view": frozenset(set(Role)),
    # The public whitelist (放心机构) and blacklist (黑名单).
    "portal.lists": frozenset({Role.ADMIN, Role.LEAD}),
    # Complaints: district-wide roles see all, departments and streets what was assigned to them (scope_q); the
    # lead coordinator triages; handling is decided per complaint (complaints/selectors.may_handle).
    "complaints.view": frozenset(set(Role) - {Role.INSTITUTION}),
    "complaints.triage": frozenset({Role.LEAD}),
    # Penalty cases (行政处罚): the district-wide roles and the departments see cases (a department its own), the
    # institution its own from the 事先告知书 on; streets hold no case files. Who acts at each stage is decided per
    # case by enforcement/workflow.py (investigators, the department head, the legal reviewer, the party).
    "cases.view": frozenset(set(Role) - {Role.STREET_OFFICER}),
    "cases.open": frozenset({Role.LEAD, Role.DEPARTMENT_OFFICER}),
    # Working together. Joint meetings (联席会议): every member (departments, streets, the district-wide roles) reads the
    # sessions, their materials and tasks; the convener (the lead coordinator) schedules, records and closes tasks;
    # a task's department reports progress (decided per task by meetings/selectors).
    "meetings.view": frozenset(set(Role) - {Role.INSTITUTION}),
    "meetings.manage": frozenset({Role.LEAD}),
    # 移送 / 协查 between departments (and streets): each side sees its thread; the receiver answers it.
    "transfers.view": frozenset(set(Role) - {Role.INSTITUTION}),
    "transfers.send": frozenset({Role.LEAD, Role.DEPARTMENT_OFFICER, Role.STREET_OFFICER}),
    # Information sharing: subscriptions to events and the feed they fill.
    "feed.view": frozenset(set(Role) - {Role.INSTITUTION}),
    # The year's plan (年度联合执法检查工作方案) and the 双随机一公开 lists and draws.
    "plans.view": frozenset(set(Role) - {Role.INSTITUTION}),
    "plans.manage": frozenset({Role.ADMIN, Role.LEAD}),
    # 关联关系: an officer declares their own (never drawn for those institutions); the administrator and the lead
    # coordinator, who draw, read them all.
    "conflicts.view": frozenset({Role.ADMIN, Role.LEAD, Role.DEPARTMENT_OFFICER}),
    # 从业人员, 课程与班级, 预收费 (issue 18): everyone within their scope reads them (an institution its own); the
    # institution enters its own (self-service) and the district's coordinators correct or import them.
    "staff.view": frozenset(set(Role)),
    "staff.manage": frozenset({Role.INSTITUTION, Role.ADMIN, Role.LEAD}),
    # Full ID numbers: only those with the need — the institution (its own staff), the supervising departments and
    # the lead coordinator. Everyone else (and every export for them) sees them masked; the public never.
    "staff.id_numbers": frozenset({Role.INSTITUTION, Role.DEPARTMENT_OFFICER, Role.LEAD}),
    # The district's list of persons barred from the sector (限制从业): the supervisors who match it and enter it.
    "barred.view": frozenset({Role.LEAD, Role.DEPARTMENT_OFFICER, Role.LEGAL_REVIEWER, Role.LEADER, Role.ADMIN}),
    "barred.manage": frozenset({Role.LEAD, Role.DEPARTMENT_OFFICER}),
    "courses.view": frozenset(set(Role)),
    "courses.manage": frozenset({Role.INSTITUTION, Role.ADMIN, Role.LEAD}),
    "fees.view": frozenset(set(Role)),
    "fees.manage": frozenset({Role.INSTITUTION, Role.ADMIN, Role.LEAD}),
    # The rule checks' violations (within scope; an institution its own, less the supervisors' own signals); running
    # the check by hand.
    "rules.view": frozenset(set(Role)),
    "rules.run": frozenset({Role.ADMIN, Role.LEAD}),
    # Risk ratings (风险评级): staff, each within their scope. Not institutions, not even their own: the rating counts
    # complaints they are not told about and is a supervision tool whose factors should not be gamed.
    "risk.view": frozenset(set(Role) - {Role.INSTITUTION}),
    # Campaign statistics and the work briefing: district-wide figures and the overdue list by name (street officers,
    # who see one street's institutions, are not given them).
    # The dashboard (领导驾驶舱): every staff role, each within its scope.
    "reports.dashboard": frozenset(set(Role) - {Role.INSTITUTION}),
    "reports.campaign": frozenset({Role.ADMIN, Role.LEAD, Role.LEADER, Role.LEGAL_REVIEWER, Role.DEPARTMENT_OFFICER}),
    # Public articles on the portal (政策法规, 通知公告, 典型案例 …): write, publish, unpublish.
    "articles.manage": frozenset({Role.ADMIN, Role.LEAD}),
    # Early warnings (预警): everyone, each within their scope (an institution its own licences and ledger items;
    # complaints and repeated problems are for the supervisors). Acknowledging one clears it from one's own list.
    "alerts.view": frozenset(set(Role)),
    # Notifications by e-mail and SMS: the administrator sees every delivery that failed and sends it again.
    "notifications.deliveries": frozenset({Role.ADMIN}),
    # Webhooks (事件推送) to other systems: the administrator sets up the subscriptions (secrets, addresses) and reads
    # the delivery log; nobody else learns where events go.
    "webhooks.view": frozenset({Role.ADMIN}),
    "webhooks.manage": frozenset({Role.ADMIN}),
    # Background tasks (后台任务): the administrator sees the queue's counts, the tasks that failed after their
    # retries (with the error) and the retries waiting.
    "tasks.view": frozenset({Role.ADMIN}),
}


def allowed(user: Any, action: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in PERMISSIONS[action]


def may_use_api_tokens(user: Any) -> bool:
    """Staff always; an institution's users only where the deployment enables it (JIANGUAN_INSTITUTION_API_TOKENS)."""
    from django.conf import settings

    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.role:
        return False
    return user.role != Role.INSTITUTION or settings.JIANGUAN_INSTITUTION_API_TOKENS


def require(user: Any, action: str) -> None:
    """Raise PermissionDenied (HTTP 403, with a Chinese message) unless the user's role may do `action`."""
    if not allowed(user, action):
        raise PermissionDenied(_("您没有执行此操作的权限。"))
