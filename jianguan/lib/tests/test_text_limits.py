"""Every free-text field has a length limit: each text field of every form (and ModelForm) states max_length, and
every string an API operation accepts in its body states maxLength in the schema (PlainText's default or its own)."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

from django import forms

from jianguan.api import api

ROOT = Path(__file__).resolve().parents[2]


def _form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for path in sorted(ROOT.glob("*/forms.py")) + [ROOT / "lib" / "bottrap.py"]:
        module = importlib.import_module(f"jianguan.{path.parent.name}.{path.stem}")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def test_every_text_field_of_every_form_has_a_length_limit():
    classes = _form_classes()
    assert len(classes) > 40
    unbounded = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in classes
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField) and field.max_length is None
    ]
    assert not unbounded, unbounded


def _unbounded_strings(schema: dict, components: dict, where: str, seen: set[str]) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _unbounded_strings(components[name], components, name, seen)
    found = []
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            found += _unbounded_strings(part, components, where, seen)
    if schema.get("type") == "string" and not ({"maxLength", "enum", "format", "const"} & schema.keys()):
        found.append(where)
    for prop, sub in schema.get("properties", {}).items():
        found += _unbounded_strings(sub, components, f"{where}.{prop}", seen)
    if "items" in schema:
        found += _unbounded_strings(schema["items"], components, f"{where}[]", seen)
    return found


def test_every_string_the_api_accepts_has_a_length_limit():
    spec = api.get_openapi_schema()
    components = spec["components"]["schemas"]
    unbounded, bodies = [], 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {})
            for content in body.values():
                bodies += 1
                unbounded += [
                    f"{method.upper()} {path}: {w}"
                    for w in _unbounded_strings(content["schema"], components, "body", set())
                ]
    assert bodies > 10
    assert not unbounded, unbounded
