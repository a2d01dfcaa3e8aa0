"""The ledger follows the inspections: items when a rectification order is issued, closed items for what was fixed on
the spot; and the registry: an institution's items move with it to another street. Connected in
LedgerConfig.ready(); runs inside the calling service's transaction."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from jianguan.inspections.signals import inspection_completed, notice_issued
from jianguan.ledger import services
from jianguan.notifications.reminders import collect
from jianguan.registry.signals import institution_moved


@receiver(notice_issued, dispatch_uid="ledger.items_from_notice")
def _items_from_notice(
    sender: Any, inspection: Any, findings: Any, issued_at: Any, actor: Any, number: str, **kwargs: Any
) -> None:
    services.items_from_notice(
        inspection=inspection, findings=findings, issued_at=issued_at, actor=actor, number=number
    )


@receiver(inspection_completed, dispatch_uid="ledger.items_closed_on_site")
def _items_closed_on_site(sender: Any, inspection: Any, actor: Any, **kwargs: Any) -> None:
    services.items_closed_on_site(inspection=inspection, actor=actor)


@receiver(institution_moved, dispatch_uid="ledger.items_follow_the_institution")
def _items_follow_the_institution(sender: Any, institution: Any, **kwargs: Any) -> None:
    services.items_follow_institution(institution=institution)


@receiver(collect, dispatch_uid="ledger.reminders")
def _reminders(sender: Any, today: Any, **kwargs: Any) -> list:
    from jianguan.ledger.reminders import reminders

    return reminders(today)
