"""What the ledger announces, for the apps built on it (enforcement) without the ledger depending on them. Sent inside
the service's transaction, so a receiver's writes commit or roll back with it."""

from django.dispatch import Signal

# sender=Referral; kwargs: referral. Sent when an item is referred for a penalty case (移交处罚).
item_referred = Signal()
