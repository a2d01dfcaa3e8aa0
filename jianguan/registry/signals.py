"""What the registry announces about changes that send no post_save (bulk inserts and updates), for the apps that follow
institutions (the risk rating) without the registry depending on them. Sent inside the service's transaction."""

from django.dispatch import Signal

# sender=Institution; kwargs: ids (the institutions inserted or whose stored licence columns changed, in bulk).
institutions_bulk_changed = Signal()

# sender=Institution; kwargs: institution (saved, in its new street), old_street_id. Sent by institution_update when an
# institution moves to another street, inside the service's transaction (the ledger moves its items with it).
institution_moved = Signal()
