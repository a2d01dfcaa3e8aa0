"""Early warnings (预警) are derived from the records on every read (selectors.py); only who acknowledged which one is
stored here."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.lib.validators import validate_plain_text


class AlertAckQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        return Q(user_id=scope.user_id)  # personal: each person's list clears independently


class AlertAck(models.Model):
    """One person has seen one warning (确认). The key names the warning's facts, so changed facts warn again."""

    key = models.CharField(_("预警编号"), max_length=120)
    user = models.ForeignKey("accounts.User", verbose_name=_("确认人"), on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField(_("确认时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=300, blank=True, validators=[validate_plain_text])

    objects = AlertAckQuerySet.as_manager()

    class Meta:
        ordering = ["-acknowledged_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="alert_ack_once_per_user")]
        verbose_name = _("预警确认")
        verbose_name_plural = _("预警确认")

    def __str__(self) -> str:
        return self.key
