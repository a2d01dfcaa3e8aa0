"""What inspections announce, for the apps built on them (the ledger) without inspections depending on those apps.
Sent inside the service's transaction, so a receiver's writes commit or roll back with it."""

from django.dispatch import Signal

# sender=Inspection; kwargs: inspection, actor. Sent when an inspection is completed (findings exist by then).
inspection_completed = Signal()
# sender=Inspection; kwargs: inspection, findings (those the order lists, with their deadlines), issued_at, actor,
# number (the order's document number).
notice_issued = Signal()
