"""The one exception for an action a record's state does not allow now (HTTP 409 in the API, a message on a page).
Each app's state machine subclasses it with its own wording; jianguan/api.py maps it to 409 once."""

from __future__ import annotations


class Conflict(Exception):
    """The action is impossible in the record's current state (or on today's date), with a Chinese reason."""
