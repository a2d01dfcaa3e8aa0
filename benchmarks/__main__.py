"""`make bench`: measures the foundation's hot paths on a scratch database and prints a table.

Uses a temporary SQLite file unless BENCH_DATABASE_URL points elsewhere (e.g. a scratch PostgreSQL database: it is
migrated and filled, so never point it at real data). Results also go to var/bench/latest.json.
BENCH_CASES=registry,home_page runs only the cases whose function name contains one of those words.
A case that misses its target prints MISS; one that fails outright (a throughput run with errors) prints FAIL; either
makes the exit status 1.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
scratch = tempfile.mkdtemp(prefix="jianguan-bench-")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianguan.settings")
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from benchmarks import cases  # noqa: E402


def main() -> int:
    call_command("migrate", verbosity=0)
    results = []
    failed = False
    only = [word.strip() for word in os.environ.get("BENCH_CASES", "").split(",") if word.strip()]
    for case in cases.ALL:
        if only and not any(word in case.__name__ for word in only):
            continue
        outcome = case()
        # A case measures one figure, or several (a list) from one setup.
        for result in outcome if isinstance(outcome, list) else [outcome]:
            results.append(result)
            better = result["better"] == "lower"
            ok = result["value"] <= result["target"] if better else result["value"] >= result["target"]
            # A case may also fail outright (e.g. a throughput run with errors), whatever its value.
            ok &= not result.get("failed", False)
            failed |= not ok
            mark = "FAIL" if result.get("failed") else "ok " if ok else "MISS"
            print(
                f"{mark} {result['name']:<48} {result['value']:>12.2f} {result['unit']:<10} target "
                f"{result['better']} than {result['target']} {result.get('note', '')}"
            )
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{django.db.connection.vendor}"
    )
    print(f"machine: {machine}")
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps({"machine": machine, "results": results}, ensure_ascii=False, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
