"""The rating follows the records it is computed from. A change to an institution, its licences, ledger items,
rechecks, referrals, complaints or rule violations (check_rules) queues the institution; when the transaction commits, the institutions queued in it
are refreshed together, once — an import that touches 10,000 institutions is one refresh in batches, not 10,000.
What time changes (a licence runs out, a deadline passes) is picked up daily by `manage.py risk_refresh` or the task.

Connected in RiskConfig.ready(). How the ids of one transaction meet: each change registers a small on_commit callback
holding its ids, and also sits in a per-thread weak set; the first callback to run refreshes the ids of every callback
still alive, the rest find nothing left. A rolled-back transaction (or savepoint) drops its callbacks, and with them,
being only weakly held here, its ids — at worst, should one linger, an institution is refreshed once more than needed.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from jianguan.complaints.models import Complaint
from jianguan.ledger.models import LedgerItem, Recheck, Referral
from jianguan.registry.models import Institution, Licence
from jianguan.registry.signals import institutions_bulk_changed
from jianguan.rules.signals import violations_changed

_local = threading.local()


def _waiting() -> weakref.WeakSet[_Refresh]:
    if not hasattr(_local, "waiting"):
        _local.waiting = weakref.WeakSet()
    return _local.waiting


class _Refresh:
    __slots__ = ("ids", "__weakref__")

    def __init__(self, ids: set[int]) -> None:
        self.ids = ids

    def __call__(self) -> None:
        from jianguan.risk.services import risk_refresh

        ids: set[int] = set()
        waiting = _waiting()
        for callback in list(waiting):
            ids |= callback.ids
            callback.ids = set()
        waiting.clear()
        if ids:
            risk_refresh(ids)


def schedule(institution_ids: Iterable[int | None]) -> None:
    """Refresh these institutions' ratings once the current transaction commits (at once outside a transaction).
    A failed refresh is logged, never raised into the request whose change has already committed; the daily refresh
    puts it right."""
    ids = {pk for pk in institution_ids if pk}
    if not ids:
        return
    callback = _Refresh(ids)
    _waiting().add(callback)
    transaction.on_commit(callback, robust=True)


@receiver(post_save, sender=Institution, dispatch_uid="risk.institution_saved")
def _institution_saved(sender: Any, instance: Institution, raw: bool = False, **kwargs: Any) -> None:
    if not raw:  # new, its status or kind changed; an unchanged save costs one cheap refresh
        schedule([instance.pk])


@receiver(institutions_bulk_changed, dispatch_uid="risk.institutions_bulk_changed")
def _institutions_bulk_changed(sender: Any, ids: Iterable[int], **kwargs: Any) -> None:
    schedule(ids)


@receiver(violations_changed, dispatch_uid="risk.violations_changed")
def _violations_changed(sender: Any, ids: Iterable[int], **kwargs: Any) -> None:
    schedule(ids)


@receiver(post_save, sender=Licence, dispatch_uid="risk.licence_saved")
@receiver(post_delete, sender=Licence, dispatch_uid="risk.licence_deleted")
@receiver(post_save, sender=LedgerItem, dispatch_uid="risk.ledger_item_saved")
@receiver(post_delete, sender=LedgerItem, dispatch_uid="risk.ledger_item_deleted")
@receiver(post_save, sender=Complaint, dispatch_uid="risk.complaint_saved")
@receiver(post_delete, sender=Complaint, dispatch_uid="risk.complaint_deleted")
def _record_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        schedule([instance.institution_id])


@receiver(post_save, sender=Recheck, dispatch_uid="risk.recheck_saved")
@receiver(post_delete, sender=Recheck, dispatch_uid="risk.recheck_deleted")
@receiver(post_save, sender=Referral, dispatch_uid="risk.referral_saved")
@receiver(post_delete, sender=Referral, dispatch_uid="risk.referral_deleted")
def _item_record_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        # The services create these with the item in hand (no query); otherwise one small one.
        schedule([instance.item.institution_id])
