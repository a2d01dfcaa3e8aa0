"""The one exception for an action a record's state does not allow now (HTTP 409 in the API, a message on a page).
Each app's state machine subclasses it with its own wording; jianguan/api.py maps it to 409 once, with the
exception's `code` as the error's machine-readable code: "conflict" (the state does not allow the action) or
"stale_version" (the caller's version is not the record's: someone changed it since)."""

from __future__ import annotations

STALE_VERSION = "stale_version"


class Conflict(Exception):
    """The action is impossible in the record's current state (or on today's date), with a Chinese reason."""

    code: str | None = "conflict"

    def __init__(self, *args: object, code: str | None = None) -> None:
        super().__init__(*args)
        if code is not None:
            self.code = code
