"""Webhook subscriptions of other systems and the log of what was sent to them."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.webhooks.choices import DeliveryStatus, WebhookEvent


class AdminOnlyQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        # Integrations are the platform administrator's: nobody else sees where events go or what went.
        return None if scope.role == Role.ADMIN else Q(pk__in=[])


class Subscription(models.Model):
    """Another system's endpoint and the events it is sent; the signing secret is kept sealed, shown only once."""

    name = models.CharField(_("名称"), max_length=100)
    # Checked by sender.url_refusal (http/https, a valid host, no credentials, the allowed hosts), not URLValidator,
    # which refuses an intranet's single-label host names.
    target_url = models.CharField(_("接收地址"), max_length=500)
    secret_sealed = models.CharField(_("签名密钥（加密保存）"), max_length=255, editable=False)
    events = models.JSONField(_("订阅的事件"), default=list)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    secret_rotated_at = models.DateTimeField(_("密钥更换时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = AdminOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("事件推送订阅")
        verbose_name_plural = _("事件推送订阅")

    def __str__(self) -> str:
        return self.name

    @property
    def event_labels(self) -> list[str]:
        labels = dict(WebhookEvent.choices)
        return [str(labels.get(code, code)) for code in self.events]


class Delivery(models.Model):
    """One event sent to one subscription: the payload (fixed when the event happened), where it stands, and the last
    attempt's outcome; every attempt is kept in DeliveryAttempt."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("订阅")
    )
    event = models.CharField(_("事件"), max_length=40, choices=WebhookEvent.choices)
    event_id = models.UUIDField(_("事件编号"), default=uuid.uuid4)
    payload = models.JSONField(_("内容"))
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近一次 HTTP 状态码"), null=True, blank=True)
    last_error = models.CharField(_("最近一次错误"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("最近一次耗时（毫秒）"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AdminOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"], name="webhook_delivery_once_per_event")
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="webhook_delivery_status"),
            models.Index(fields=["subscription", "created_at"], name="webhook_delivery_subscription"),
        ]
        verbose_name = _("事件推送记录")
        verbose_name_plural = _("事件推送记录")

    def __str__(self) -> str:
        return f"{self.event} {self.event_id}"


class DeliveryAttempt(models.Model):
    """One POST of a delivery: when, the answer's status code or the error, how long, and the start of the answer."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("第几次"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("HTTP 状态码"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    response_excerpt = models.TextField(_("对方返回（节选）"), blank=True)

    class Meta:
        ordering = ["delivery", "at", "pk"]
        verbose_name = _("推送尝试")
        verbose_name_plural = _("推送尝试")

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number}"
