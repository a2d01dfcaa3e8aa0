"""Writes for notifications. Sending is idempotent per recipient, subject, reason and day. The inbox always gets the
notification; each channel the recipient chose (and the deployment configured) gets a delivery, sent by a task that
is queued in the same transaction (database backend) and retried with growing pauses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.accounts.permissions import require
from jianguan.audit.services import audit_record
from jianguan.lib.tasks import retry_pause
from jianguan.notifications import channels
from jianguan.notifications.choices import Channel, DeliveryStatus
from jianguan.notifications.models import Delivery, Notification, Preference

# A delivery still pending this long after its last attempt has lost its task (a worker stopped mid-send).
STUCK_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Message:
    recipient_id: int
    reason: str
    subject: str
    text: str
    url: str = ""


def wanted_channels(user: User, preference: Preference | None) -> dict[str, bool]:
    """What the person chose, or the defaults: e-mail on, SMS on for an institution's users (its order must reach
    it even when nobody looks at the platform), off for staff."""
    if preference is not None:
        return {Channel.EMAIL: preference.email, Channel.SMS: preference.sms}
    return {Channel.EMAIL: True, Channel.SMS: user.role == Role.INSTITUTION}


def sms_number(user: User) -> str:
    """The person's own mobile, or for an institution's user without one the institution's contact phone."""
    if user.phone:
        return user.phone
    institution = user.institution if user.institution_id else None
    return institution.contact_phone if institution is not None else ""


def routes(user_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """For each recipient, the (channel, address) pairs to send on: chosen, configured and with an address. Two
    queries, whatever the number of recipients."""
    enabled = [c for c in Channel.values if channels.configured(c)]
    user_ids = set(user_ids)
    if not enabled or not user_ids:
        return {}
    preferences = {p.user_id: p for p in Preference.objects.filter(user_id__in=user_ids)}
    found: dict[int, list[tuple[str, str]]] = {}
    for user in User.objects.filter(pk__in=user_ids, is_active=True).select_related("institution"):
        wanted = wanted_channels(user, preferences.get(user.pk))
        addresses = {Channel.EMAIL: user.email, Channel.SMS: sms_number(user)}
        pairs = [(c, addresses[c]) for c in enabled if wanted[c] and addresses[c]]
        if pairs:
            found[user.pk] = pairs
    return found


def _queue(delivery: Delivery, run_after: Any = None) -> None:
    from jianguan.lib.tasks import enqueue_atomically
    from jianguan.notifications.tasks import deliver

    enqueue_atomically(deliver, delivery.pk, run_after=run_after)


@transaction.atomic
def notify_many(messages: Iterable[Message]) -> int:
    """Create the notifications not yet sent today, and their deliveries; returns how many notifications are new. One
    audit event for the batch."""
    day = timezone.localdate()
    messages = list(messages)
    sent_today = set(
        Notification.objects.filter(day=day, subject__in={m.subject for m in messages}).values_list(
            "recipient_id", "subject", "reason"
        )
    )
    new = [
        Notification(
            recipient_id=m.recipient_id, reason=m.reason, subject=m.subject, text=m.text[:300], url=m.url, day=day
        )
        for m in {(m.recipient_id, m.subject, m.reason): m for m in messages}.values()
        if (m.recipient_id, m.subject, m.reason) not in sent_today
    ]
    Notification.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    deliveries = _deliveries_for(new, day)
    if new:
        audit_record(
            actor=None,
            action="notification.send",
            object_type="notifications.notification",
            object_label=f"{len(new)}",
            after={
                "count": len(new),
                "reasons": sorted({n.reason for n in new}),
                "day": day,
                **({"deliveries": len(deliveries)} if deliveries else {}),
            },
        )
    return len(new)


def _deliveries_for(new: list[Notification], day: Any) -> list[Delivery]:
    """A delivery per chosen channel of each new notification, each with its task on the queue."""
    paths = routes({n.recipient_id for n in new})
    if not paths:
        return []
    keys = {(n.recipient_id, n.subject, n.reason) for n in new if n.recipient_id in paths}
    saved = Notification.objects.filter(
        day=day, recipient_id__in=list(paths), subject__in={k[1] for k in keys}, deliveries__isnull=True
    )  # bulk_create with ignore_conflicts leaves the primary keys unset: read them back
    deliveries = [
        Delivery(notification=n, channel=channel, address=address)
        for n in saved
        if (n.recipient_id, n.subject, n.reason) in keys
        for channel, address in paths[n.recipient_id]
    ]
    Delivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        _queue(delivery)
    return deliveries


def delivery_attempt(delivery_id: int) -> str:
    """One try at sending a pending delivery (run by the `deliver` task); returns the status after it.

    The attempt is claimed by a compare-and-set on its counter, so a task queued twice sends once; the send itself
    runs outside any transaction (a slow mail server holds no lock); the outcome is written afterwards."""
    delivery = Delivery.objects.select_related("notification").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return delivery.status if delivery else "missing"
    claimed = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts).update(
        attempts=delivery.attempts + 1, next_attempt_at=None
    )
    if not claimed:
        return "claimed"
    delivery.attempts += 1
    notification = delivery.notification
    try:
        if delivery.channel == Channel.EMAIL:
            channels.send_email(delivery.address, notification.text, notification.url)
        else:
            channels.send_sms(delivery.address, notification.text)
    except channels.SendError as exc:
        return _record_failure(delivery, str(exc))
    return _record_success(delivery)


@transaction.atomic
def _record_success(delivery: Delivery) -> str:
    delivery.status, delivery.sent_at, delivery.last_error = DeliveryStatus.SENT, timezone.now(), ""
    delivery.save(update_fields=["status", "sent_at", "last_error"])
    _audit_outcome(None, delivery, "notification.deliver")
    return delivery.status


@transaction.atomic
def _record_failure(delivery: Delivery, error: str) -> str:
    delivery.last_error = error[:300]
    if delivery.attempts >= settings.JIANGUAN_NOTIFY_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.save(update_fields=["status", "last_error"])
        _audit_outcome(None, delivery, "notification.deliver")
        return delivery.status
    # 1, 4, 16, 64 … times the base pause: the same growth as every task's retries.
    delivery.next_attempt_at = timezone.now() + retry_pause(delivery.attempts, settings.JIANGUAN_NOTIFY_RETRY_SECONDS)
    delivery.save(update_fields=["last_error", "next_attempt_at"])
    _queue(delivery, run_after=delivery.next_attempt_at)
    return delivery.status


def _audit_outcome(actor: Any, delivery: Delivery, action: str) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=delivery,
        after={
            "channel": delivery.channel,
            "to": delivery.masked_address,
            "status": delivery.status,
            "attempts": delivery.attempts,
            **({"error": delivery.last_error} if delivery.last_error else {}),
        },
    )


def may_retry(delivery: Delivery, now: Any = None) -> bool:
    """Failed for good, or pending with no attempt for a while (its task was lost with a stopped worker)."""
    now = now or timezone.now()
    if delivery.status == DeliveryStatus.FAILED:
        return True
    last = delivery.next_attempt_at or delivery.created_at
    return delivery.status == DeliveryStatus.PENDING and last < now - STUCK_AFTER


@transaction.atomic
def delivery_retry(*, actor: Any, delivery: Delivery) -> Delivery:
    """The administrator sends a failed delivery again (after fixing the mail server, the gateway or an address):
    a fresh round of attempts to the address the person has now."""
    require(actor, "notifications.deliveries")
    delivery = Delivery.objects.select_for_update().select_related("notification__recipient").get(pk=delivery.pk)
    if not may_retry(delivery):
        raise ValidationError(_("这条通知正在发送或已发送，不能重新发送。"))
    recipient = delivery.notification.recipient
    current = recipient.email if delivery.channel == Channel.EMAIL else sms_number(recipient)
    delivery.address = current or delivery.address
    delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.PENDING, 0, None
    delivery.save(update_fields=["address", "status", "attempts", "next_attempt_at"])
    _audit_outcome(actor, delivery, "notification.retry")
    _queue(delivery)
    return delivery


@transaction.atomic
def preference_set(*, actor: Any, email: bool, sms: bool, email_address: str, phone: str) -> Preference:
    """A person's own channels and the addresses they go to (the inbox is always on)."""
    from jianguan.accounts.services import contact_set

    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先登录。"))
    contact_set(actor=actor, email=email_address, phone=phone)
    preference, _created = Preference.objects.select_for_update().get_or_create(user_id=actor.pk)
    before = {"email": preference.email, "sms": preference.sms}
    preference.email, preference.sms = bool(email), bool(sms)
    preference.save()
    after = {"email": preference.email, "sms": preference.sms}
    if after != before or _created:
        audit_record(
            actor=actor, action="notification.preference", object_type="accounts.user", object_id=actor.pk,
            object_label=actor.username, before=before, after=after,
        )  # fmt: skip
    return preference


@transaction.atomic
def mark_read(*, actor: Any, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all of them when no ids are given). Not audited: a reading receipt."""
    qs = Notification.objects.visible_to(actor).filter(read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
