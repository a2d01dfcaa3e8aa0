from django.dispatch import Signal

# Sent with `ids` (institution ids) when a run opened or closed violations of those institutions, inside its
# transaction: the risk rating counts open violations (risk/receivers.py re-rates them on commit).
violations_changed = Signal()
