"""In-app notifications (站内通知): one per recipient, subject and reason per day at most."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.lib.textnorm import mask_phone
from jianguan.notifications.choices import Channel, DeliveryStatus


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


class Preference(models.Model):
    """The channels a person chose. Without a row the defaults apply (`services.wanted_channels`): e-mail when the
    person has an address, SMS for an institution's users (the order must reach the institution)."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, primary_key=True, related_name="+")
    email = models.BooleanField(_("电子邮件"), default=True)
    sms = models.BooleanField(_("短信"), default=False)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知方式")
        verbose_name_plural = _("通知方式")

    def __str__(self) -> str:
        return f"{self.user_id}: email={self.email} sms={self.sms}"


class DeliveryQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        # The administrator watches every channel's failures; everyone else sees how their own messages went.
        return None if scope.role == Role.ADMIN else Q(notification__recipient_id=scope.user_id)


class Delivery(models.Model):
    """One notification sent on one channel: the address at the time, the attempts and the last error."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("地址"), max_length=254)
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近一次错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel")]
        indexes = [models.Index(fields=["status", "created_at"])]
        verbose_name = _("通知发送")
        verbose_name_plural = _("通知发送")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.masked_address}"

    @property
    def masked_address(self) -> str:
        """A phone shows its first three and last four digits; an e-mail its first letter and domain."""
        if self.channel == Channel.SMS:
            return mask_phone(self.address)
        name, _at, domain = self.address.partition("@")
        return f"{name[:1]}***@{domain}" if domain else "***"
