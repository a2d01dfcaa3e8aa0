"""Listeners told of every audit event, inside the transaction that records it.

Every write goes through a service that records an audit event in its transaction, so "an event was recorded" is the
one place other parts learn that something changed without each service calling them: the webhooks queue their
deliveries here (in the same transaction: a change and its delivery commit or vanish together), the portal's cache
drops what a change made stale (on commit). A listener must be quick, must not write audit events itself, and takes
the events of one `audit_record_many` call (usually one). Apps register theirs in `AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Listener = Callable[[Sequence[Any]], None]

_listeners: list[Listener] = []


def listen(listener: Listener) -> Listener:
    """Register a listener (once: registering the same function again changes nothing)."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def unlisten(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def notify(events: Sequence[Any]) -> None:
    """Called by audit.services inside the recording transaction; a listener's error rolls the change back."""
    for listener in list(_listeners):
        listener(events)
