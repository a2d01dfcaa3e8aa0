"""后台任务: the administrator's view of the background queue — how many tasks wait, run and failed, which failed for
good (after their retries) and why, and which retries are waiting. The same on the database queue and on Redis
(lib/tasks.py reads either)."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import require
from jianguan.lib import tasks

logger = logging.getLogger("jianguan.tasks")

# What each task is called on the page (its module path stays beside it).
TASK_LABELS = {
    "jianguan.ledger.tasks.send_ledger_reminders": _("整改与投诉提醒"),
    "jianguan.risk.tasks.refresh_risk_ratings": _("风险评级刷新"),
    "jianguan.rules.tasks.check_rules_daily": _("行业规则检查"),
    "jianguan.notifications.tasks.deliver": _("邮件和短信发送"),
    "jianguan.reports.tasks.build_open_data": _("开放数据生成"),
    "jianguan.audit.tasks.backup_daily": _("定时备份"),
}
BACKEND_LABELS = {"rq": _("Redis（RQ）"), "db": _("数据库")}


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "tasks.view")
    context: dict = {"backend": BACKEND_LABELS.get(tasks.backend_name(), tasks.backend_name())}
    try:
        context["counts"] = tasks.queue_counts()
        failed, waiting = tasks.failed_tasks(), tasks.retries_waiting()
    except Exception:  # Redis not answering: say so, rather than a server error
        logger.exception("task queue not readable")
        return render(request, "audit/tasks.html", {**context, "unreadable": True}, status=503)
    for record in (*failed, *waiting):
        record.label = TASK_LABELS.get(record.path, record.name)
    context.update(failed=failed, waiting=waiting)
    return render(request, "audit/tasks.html", context)
