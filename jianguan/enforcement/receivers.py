"""A ledger referral (移交处罚) opens its penalty case at once, waiting for 立案: the filing clock starts on the day of
the referral."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from jianguan.ledger.signals import item_referred


@receiver(item_referred, dispatch_uid="enforcement.case_from_referral")
def open_case(sender: Any, referral: Any, **kwargs: Any) -> None:
    from jianguan.enforcement.services import case_from_referral

    case_from_referral(referral=referral)
