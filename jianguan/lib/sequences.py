"""Small helpers over sequences (Python 3.11 has no itertools.batched)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items: queries over many ids stay under a database's parameter limit."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
