"""The 双随机 draw (issue 17: "a draw over 100k institutions and 2,000 officers under 2 s"): `planning.draw.draw`
over a snapshot of 100,000 institutions (three kinds, four risk levels, D the rarest) and 2,000 officers in ten
departments with 2,000 declared relationships, at the settings' ratios (A 5%, B 10%, C 20%, D 100%), including the
canonical snapshot and its two hashes. Floor, measured in the same run and interleaved round by round: ranking the
same 100,000 institutions by SHA-256 of the seed and their id and sorting them (what any reproducible draw must at
least do). `BENCH_CASES=draw` runs it alone. No database: the draw is a pure function of the seed and the snapshot;
the service adds the snapshot's four queries and the bulk inserts of the result."""

from __future__ import annotations

import statistics
import time
from typing import Any

ROUNDS = 5
TARGET_MS = 2000
INSTITUTIONS = 100_000
OFFICERS = 2_000
KINDS = ["academic", "non_academic", "meal_care"]


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _directories() -> tuple[list, list, list, dict]:
    targets = [(i, KINDS[i % 3], "AAAABBBCCD"[(i * 7919) % 10]) for i in range(1, INSTITUTIONS + 1)]
    officers = [(100_000_000 + n, 1 + n % 10) for n in range(OFFICERS)]
    conflicts = [(100_000_000 + (n * 13) % OFFICERS, 1 + (n * 37) % INSTITUTIONS) for n in range(2_000)]
    competent = {"academic": [1, 2, 3], "non_academic": [1, 4, 3], "meal_care": [5, 3, 1]}
    return targets, officers, conflicts, competent


def draw_100k() -> dict:
    from jianguan.planning import draw as lots

    targets, officers, conflicts, competent = _directories()
    ratios = {"A": 5, "B": 10, "C": 20, "D": 100}
    drawn: list[int] = []

    def run() -> None:
        snapshot = lots.Snapshot.build(targets=targets, officers=officers, conflicts=conflicts, competent=competent)
        assert snapshot.target_hash and snapshot.officer_hash
        result = lots.draw(seed="20261205-3817", snapshot=snapshot, ratios=ratios, max_per_officer=100)
        drawn.append(len(result.targets))

    def floor() -> None:
        sorted(targets, key=lambda r: lots.rank("20261205-3817", "target", r[0]))

    run(), floor()
    runs, floors = [], []
    for _round in range(ROUNDS):
        runs.append(_timed(run))
        floors.append(_timed(floor))
    median, floor_median = statistics.median(runs), statistics.median(floors)
    return {
        "name": "双随机 draw, 100k institutions / 2,000 officers",
        "value": max(runs),
        "unit": "ms",
        "target": TARGET_MS,
        "better": "lower",
        "floor": floor_median,
        "ratio": median / floor_median,
        "note": (
            f"slowest of {ROUNDS}; median {median:.0f} ms; floor (rank and sort the 100k by SHA-256) median "
            f"{floor_median:.0f} ms, ratio {median / floor_median:.2f}×; {drawn[-1]} targets drawn with teams"
        ),
    }


ALL = [draw_100k]
