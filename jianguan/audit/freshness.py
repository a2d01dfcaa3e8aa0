"""`updated_at` kept true by the audit log: every write records an event naming its object, so the object's
`updated_at` is set to the event's time in the same transaction — also where a service saved only some fields
(`save(update_fields=…)`) or changed rows with `QuerySet.update()`, which Django's `auto_now` misses.

A model takes part by having an `updated_at` field; a part of a record (a licence of an institution, a result of
an inspection) names the record it belongs to in `CHANGES_PARENT` (the foreign key's name), whose `updated_at` then
moves with it. The change feeds of the API (`?updated_since=`) and its ETags rest on this.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _tracked(model: type[models.Model]) -> bool:
    return any(f.name == "updated_at" for f in model._meta.concrete_fields)


def _key(model: type[models.Model], object_id: str) -> Any:
    try:
        return model._meta.pk.to_python(object_id)
    except (ValidationError, ValueError, TypeError):
        return None


def touch(events: Sequence[Any]) -> None:
    """The audit listener: one UPDATE per model named (and per parent), whatever the number of events."""
    ids: dict[str, set[str]] = defaultdict(set)
    at = None
    for event in events:
        if event.object_type and event.object_id:
            ids[event.object_type].add(event.object_id)
            at = event.at
    for object_type, pks in ids.items():
        model = _model(object_type)
        if model is None:
            continue
        keys = [key for key in (_key(model, pk) for pk in pks) if key is not None]
        if not keys:
            continue
        rows = model._default_manager.filter(pk__in=keys)
        if _tracked(model):
            rows.update(updated_at=at)
        parent_fk = getattr(model, "CHANGES_PARENT", "")
        if parent_fk:
            parent = model._meta.get_field(parent_fk).related_model
            parent._default_manager.filter(pk__in=rows.values(f"{parent_fk}_id")).update(updated_at=at)
