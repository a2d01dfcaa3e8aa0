"""Imports run downwards: product `lib/` imports no domain app (nor the tests' helpers), and only the demo loader —
at the top of the graph — calls the apps' demo parts; no app's demo part reaches for another's."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the jianguan package


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def _product_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]


def test_lib_imports_no_domain_app_and_no_test_helper():
    bad = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in _product_files(ROOT / "lib")
        for name in _imports(path)
        if (name.startswith("jianguan.") and not name.startswith("jianguan.lib")) or name.startswith("tests")
    }
    assert not bad, sorted(bad)


def test_no_product_code_imports_the_test_helpers():
    bad = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in _product_files(ROOT)
        for name in _imports(path)
        if name == "tests" or name.startswith("tests.")
    }
    assert not bad, sorted(bad)


def test_only_the_demo_loader_calls_the_demo_parts():
    bad = set()
    for path in _product_files(ROOT):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("demo/"):
            continue
        app = relative.split("/")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith("jianguan.demo"):
                    bad.add(f"{relative}: {node.module}")
                # An app's demo part may read another's plain demo data (dates, names), never run its loader.
                other_demo = node.module.endswith(".demo") and not node.module.startswith(f"jianguan.{app}.")
                runs = [
                    a.name for a in node.names if a.name.startswith("load_") or a.name.endswith(("_story", "_stories"))
                ]
                if path.name == "demo.py" and other_demo and runs:
                    bad.add(f"{relative}: {node.module}")
    assert not bad, sorted(bad)
