"""In-app notifications (站内通知): one per recipient, subject and reason per day at most."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.scoping import Scope, ScopedQuerySet


class NotificationQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        return Q(recipient_id=scope.user_id)  # personal, even for administrators


class Notification(models.Model):
    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notifications")
    reason = models.CharField(_("类型"), max_length=30)
    subject = models.CharField(_("对象"), max_length=60, help_text=_("如 ledger.ledgeritem:12"))
    text = models.CharField(_("内容"), max_length=300)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    day = models.DateField(_("日期"), default=timezone.localdate)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one reminder per recipient, subject and reason a day, however often the job runs.
            models.UniqueConstraint(fields=["recipient", "subject", "reason", "day"], name="notification_once_a_day")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self) -> str:
        return self.text
