"""Loading the demo district into a test database that already holds the personas' district."""

from __future__ import annotations

from typing import Any


def load_demo_district(**kwargs: Any) -> dict[str, int]:
    """`load_demo`, with the demo's own responsibility matrix: the personas' district's matrix (its 测* departments)
    is removed first — kept, it would make departments with no officer on the demo's teams competent for the demo's
    problems, and their orders would wait. Inside the test's transaction, so the next test has it back."""
    from jianguan.demo.loader import load_demo
    from jianguan.org.models import Responsibility

    Responsibility.objects.all().delete()
    kwargs.setdefault("log", lambda *a, **k: None)
    return load_demo(**kwargs)
