"""Writes for webhooks: the administrator's subscriptions (the secret shown once, never stored in plain text) and the
sending of deliveries, one attempt per task, retried with growing pauses until JIANGUAN_WEBHOOK_MAX_ATTEMPTS."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.permissions import require
from jianguan.audit.services import audit_record
from jianguan.lib.protected import seal, unseal
from jianguan.lib.tasks import enqueue_atomically
from jianguan.webhooks import sender, signing
from jianguan.webhooks.choices import DeliveryStatus, WebhookEvent
from jianguan.webhooks.models import Delivery, DeliveryAttempt, Subscription

MAX_PAUSE = timedelta(hours=6)
# A delivery left pending this long after its last change has lost its task (a worker stopped mid-send).
STUCK_AFTER = timedelta(minutes=10)
RETRYABLE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


def _clean_events(events: Iterable[str]) -> list[str]:
    codes = sorted(set(events))
    known = set(WebhookEvent.values)
    if not codes:
        raise ValidationError({"events": _("请至少选择一种事件。")})
    if unknown := [c for c in codes if c not in known]:
        raise ValidationError({"events": _("未知的事件：%(codes)s。") % {"codes": "、".join(unknown)}})
    return codes


def _clean(subscription: Subscription) -> None:
    subscription.name = (subscription.name or "").strip()
    subscription.target_url = (subscription.target_url or "").strip()
    subscription.full_clean(exclude=["created_by"])
    if refusal := sender.url_refusal(subscription.target_url):
        raise ValidationError({"target_url": refusal})


def _audited(subscription: Subscription) -> dict[str, Any]:
    """What the audit log keeps of a subscription: never its secret, nor the URL's query string."""
    return {
        "name": subscription.name,
        "target_url": sender.display_url(subscription.target_url),
        "events": list(subscription.events),
        "is_active": subscription.is_active,
    }


@transaction.atomic
def subscription_create(
    *, actor: Any, name: str, target_url: str, events: Iterable[str], is_active: bool = True
) -> tuple[Subscription, str]:
    """A new subscription and its signing secret, returned this once (stored only sealed)."""
    require(actor, "webhooks.manage")
    secret = signing.new_secret()
    subscription = Subscription(
        name=name, target_url=target_url, events=_clean_events(events), is_active=is_active, secret_sealed=seal(secret),
        created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    _clean(subscription)
    subscription.save()
    audit_record(actor=actor, action="webhook.subscription_create", obj=subscription, after=_audited(subscription))
    return subscription, secret


def _locked(subscription: Subscription, version: int | None) -> Subscription:
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if version is not None and version != locked.version:
        raise ValidationError(_("该订阅已被他人修改，请刷新后再操作；您的修改未保存。"))
    return locked


@transaction.atomic
def subscription_update(
    *, actor: Any, subscription: Subscription, version: int | None, name: str, target_url: str,
    events: Iterable[str], is_active: bool,
) -> Subscription:  # fmt: skip
    """Change a subscription's name, address, events or whether it is on (the secret stays: see rotate)."""
    require(actor, "webhooks.manage")
    subscription = _locked(subscription, version)
    before, old_url = _audited(subscription), subscription.target_url
    subscription.name, subscription.target_url = name, target_url
    subscription.events, subscription.is_active = _clean_events(events), is_active
    _clean(subscription)
    after = _audited(subscription)
    if after == before and subscription.target_url == old_url:
        return subscription  # unchanged: neither saved nor audited
    subscription.version += 1
    subscription.save()
    audit_record(
        actor=actor, action="webhook.subscription_update", obj=subscription,
        before={k: v for k, v in before.items() if after[k] != v} or before,
        after={k: v for k, v in after.items() if before[k] != v} or after,
    )  # fmt: skip
    return subscription


@transaction.atomic
def subscription_deactivate(*, actor: Any, subscription: Subscription) -> Subscription:
    """Stop sending to a subscription: no new deliveries, and those still waiting are given up when their turn comes."""
    require(actor, "webhooks.manage")
    subscription = _locked(subscription, None)
    if not subscription.is_active:
        raise ValidationError(_("该订阅已停用。"))
    subscription.is_active = False
    subscription.version += 1
    subscription.save(update_fields=["is_active", "version", "updated_at"])
    audit_record(
        actor=actor, action="webhook.subscription_deactivate", obj=subscription,
        before={"is_active": True}, after={"is_active": False},
    )  # fmt: skip
    return subscription


@transaction.atomic
def subscription_rotate_secret(*, actor: Any, subscription: Subscription) -> tuple[Subscription, str]:
    """A new signing secret, returned this once; from now on every attempt (retries too) is signed with it."""
    require(actor, "webhooks.manage")
    subscription = _locked(subscription, None)
    secret = signing.new_secret()
    subscription.secret_sealed = seal(secret)
    subscription.secret_rotated_at = timezone.now()
    subscription.version += 1
    subscription.save(update_fields=["secret_sealed", "secret_rotated_at", "version", "updated_at"])
    audit_record(
        actor=actor, action="webhook.secret_rotate", obj=subscription,
        after={"secret_rotated_at": subscription.secret_rotated_at},
    )  # fmt: skip
    return subscription, secret


def may_redeliver(delivery: Delivery, now: Any = None) -> bool:
    """Failed (waiting for its retry, or given up), or pending with nothing happening for a while (a lost task)."""
    if delivery.status in (DeliveryStatus.FAILED, DeliveryStatus.GIVEN_UP):
        return True
    now = now or timezone.now()
    return delivery.status == DeliveryStatus.PENDING and delivery.updated_at < now - STUCK_AFTER


@transaction.atomic
def delivery_redeliver(*, actor: Any, delivery: Delivery) -> Delivery:
    """重新发送: a fresh round of attempts for the same event (same event id and payload, so a receiver that already
    has it can tell), signed with the subscription's current secret, to its current address."""
    require(actor, "webhooks.manage")
    delivery = Delivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
    if not may_redeliver(delivery):
        raise ValidationError(_("这条推送正在发送或已送达，不能重新发送。"))
    if not delivery.subscription.is_active:
        raise ValidationError(_("该订阅已停用，请先启用再重新发送。"))
    before = {"status": delivery.status, "attempts": delivery.attempts}
    delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.PENDING, 0, None
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    audit_record(
        actor=actor, action="webhook.redeliver", obj=delivery, before=before,
        after={"status": delivery.status, "event": delivery.event, "event_id": str(delivery.event_id)},
    )  # fmt: skip
    _queue(delivery)
    return delivery


def _queue(delivery: Delivery, run_after: Any = None) -> None:
    from jianguan.webhooks.tasks import deliver

    enqueue_atomically(deliver, delivery.pk, delivery.attempts, run_after=run_after)


def retry_pause(attempts: int) -> timedelta:
    """1, 2, 4, 8 … times JIANGUAN_WEBHOOK_RETRY_SECONDS after the n-th failed attempt, at most six hours."""
    seconds = settings.JIANGUAN_WEBHOOK_RETRY_SECONDS * 2 ** min(max(attempts - 1, 0), 20)
    return min(timedelta(seconds=seconds), MAX_PAUSE)


def delivery_attempt(delivery_id: int, after: int) -> str:
    """One try at sending a delivery (run by the `deliver` task) as attempt `after + 1`; returns the status after it.

    The attempt is claimed by a compare-and-set on the counter, so each attempt is made once however often its task
    was queued (a redelivery starts the count again); the POST runs outside any transaction (a slow receiver holds no
    lock) and its outcome is written afterwards."""
    delivery = Delivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if delivery.status not in RETRYABLE or delivery.attempts != after:
        return delivery.status
    claimed = Delivery.objects.filter(pk=delivery.pk, status__in=RETRYABLE, attempts=after).update(
        attempts=after + 1, next_attempt_at=None, updated_at=timezone.now()
    )
    if not claimed:
        return "claimed"
    delivery.attempts = after + 1
    subscription = delivery.subscription
    # What no retry would mend gives up at once, with the reason in the log.
    if not subscription.is_active:
        return _record(delivery, sender.Outcome(None, _("订阅已停用，不再发送。"), 0, ""), final=True)
    if refusal := sender.url_refusal(subscription.target_url):
        return _record(delivery, sender.Outcome(None, refusal, 0, ""), final=True)
    secret = unseal(subscription.secret_sealed)
    if not secret:
        error = _("无法读取签名密钥（加密密钥是否已更换？），请更换密钥后重新发送。")
        return _record(delivery, sender.Outcome(None, error, 0, ""), final=True)
    body = signing.body_bytes(delivery.payload)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Jianguan-Event": delivery.event,
        "X-Jianguan-Delivery": str(delivery.event_id),
        "X-Jianguan-Timestamp": str(timestamp),
        "X-Jianguan-Signature": signing.signature(secret, timestamp, body),
        "X-Jianguan-Attempt": str(delivery.attempts),
    }
    return _record(delivery, sender.post(subscription.target_url, body, headers))


@transaction.atomic
def _record(delivery: Delivery, outcome: sender.Outcome, final: bool = False) -> str:
    DeliveryAttempt.objects.create(
        delivery=delivery, number=delivery.attempts, status_code=outcome.status_code, error=outcome.error,
        duration_ms=outcome.duration_ms, response_excerpt=outcome.excerpt,
    )  # fmt: skip
    delivery.last_status_code, delivery.last_error = outcome.status_code, outcome.error
    delivery.duration_ms = outcome.duration_ms
    fields = ["status", "last_status_code", "last_error", "duration_ms", "next_attempt_at", "updated_at"]
    if outcome.ok:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, None
    elif final or delivery.attempts >= settings.JIANGUAN_WEBHOOK_MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.GIVEN_UP, None
        delivery.save(update_fields=fields)
        audit_record(
            actor=None, action="webhook.give_up", obj=delivery,
            after={
                "subscription": delivery.subscription_id, "event": delivery.event, "event_id": str(delivery.event_id),
                "attempts": delivery.attempts, "error": delivery.last_error,
            },
        )  # fmt: skip
        return delivery.status
    else:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = timezone.now() + retry_pause(delivery.attempts)
        _queue(delivery, run_after=delivery.next_attempt_at)
    delivery.save(update_fields=fields)
    return delivery.status
