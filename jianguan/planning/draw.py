"""The 双随机 draw as a pure function of a seed and a frozen snapshot: no database, no clock, no platform randomness.

Every choice is made by ranking with SHA-256 of the seed and an id, so the same seed and snapshot give the same
result on any machine, Python version and database; a different seed ranks everything differently.

- Targets: the snapshot's institutions in strata (kind × risk level); each stratum gives ceil(n × ratio / 100) of its
  institutions, those ranking first. The ratio is the level's, raised to the kind's where the draw names one for it
  (a floor: "every 小饭桌" is a kind ratio of 100).
- Teams: per department, the officers in one ranked order, served round-robin; a target gets the next free officer of
  each department competent for it (lead first), then more from those departments until it has `team_min`. An officer
  who declared a relationship with the institution is never taken for it, nor one who already has `max_per_officer`
  targets. A target that cannot get `team_min` officers stops the draw with the reason (nothing is half-drawn).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

TEAM_MIN = 2  # 行政处罚法 第四十二条: at least two officers with enforcement certificates


class DrawError(Exception):
    """The directories cannot give what the draw asks (too few officers, nothing to draw from); `institution_id`
    names the target that could not get a team."""

    def __init__(self, message: str, institution_id: int | None = None) -> None:
        super().__init__(message)
        self.institution_id = institution_id


@dataclass(frozen=True)
class Snapshot:
    """The two directories as they stood when the draw was made, in a canonical order.

    targets: (institution id, kind, risk level) sorted by id; officers: (user id, department id) sorted by id;
    conflicts: (user id, institution id) sorted; competent: kind → department ids, the lead first."""

    targets: tuple[tuple[int, str, str], ...]
    officers: tuple[tuple[int, int], ...]
    conflicts: tuple[tuple[int, int], ...] = ()
    competent: tuple[tuple[str, tuple[int, ...]], ...] = ()

    @classmethod
    def build(
        cls,
        *,
        targets: Any,
        officers: Any,
        conflicts: Any = (),
        competent: dict[str, list[int]] | None = None,
    ) -> Snapshot:
        return cls(
            targets=tuple(sorted((int(i), str(k), str(lv)) for i, k, lv in targets)),
            officers=tuple(sorted((int(u), int(d)) for u, d in officers)),
            conflicts=tuple(sorted({(int(u), int(i)) for u, i in conflicts})),
            competent=tuple(sorted((str(k), tuple(int(d) for d in ds)) for k, ds in (competent or {}).items())),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "targets": [list(t) for t in self.targets],
            "officers": [list(o) for o in self.officers],
            "conflicts": [list(c) for c in self.conflicts],
            "competent": {k: list(ds) for k, ds in self.competent},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Snapshot:
        return cls.build(
            targets=data["targets"],
            officers=data["officers"],
            conflicts=data.get("conflicts", []),
            competent=data.get("competent", {}),
        )

    @property
    def target_hash(self) -> str:
        """The 检查对象名录库 frozen: institution ids with their kind and level."""
        return _digest({"targets": [list(t) for t in self.targets]})

    @property
    def officer_hash(self) -> str:
        """The 执法检查人员名录库 frozen: officer ids with their department, the declared relationships and which
        departments are competent for each kind."""
        return _digest(
            {
                "officers": [list(o) for o in self.officers],
                "conflicts": [list(c) for c in self.conflicts],
                "competent": {k: list(ds) for k, ds in self.competent},
            }
        )


@dataclass
class Drawn:
    institution_id: int
    kind: str
    level: str
    officers: list[int] = field(default_factory=list)


@dataclass
class Result:
    targets: list[Drawn]
    strata: dict[tuple[str, str], tuple[int, int]]  # (kind, level) → (in the directory, drawn)

    def loads(self) -> dict[int, int]:
        counts: dict[int, int] = defaultdict(int)
        for target in self.targets:
            for user in target.officers:
                counts[user] += 1
        return dict(counts)

    def digest(self) -> str:
        return _digest([[t.institution_id, t.officers] for t in self.targets])


def _digest(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def rank(seed: str, purpose: str, key: int) -> bytes:
    return hashlib.sha256(f"{seed}\x1f{purpose}\x1f{key}".encode()).digest()


def parse_ratios(text: str) -> dict[str, int]:
    """ "A:5,B:10,C:20,D:100" → {"A": 5, …}; each a whole per cent from 0 to 100."""
    ratios: dict[str, int] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition(":")
        if not sep or not value.strip().isdigit() or not 0 <= int(value) <= 100:
            raise ValueError(_("抽查比例应写成“A:5,B:10”，每项为 0 到 100 的整数。"))
        ratios[key.strip()] = int(value)
    return ratios


def sample(seed: str, snapshot: Snapshot, ratios: dict[str, int], kind_ratios: dict[str, int]) -> Result:
    """The targets drawn, in their rank order, without teams."""
    strata: dict[tuple[str, str], list[tuple[int, str, str]]] = defaultdict(list)
    for row in snapshot.targets:
        strata[(row[1], row[2])].append(row)
    chosen: list[tuple[bytes, Drawn]] = []
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    for (kind, level), rows in sorted(strata.items()):
        ratio = max(ratios.get(level, 0), kind_ratios.get(kind, 0))
        take = math.ceil(len(rows) * ratio / 100)
        keyed = sorted((rank(seed, "target", r[0]), r[0]) for r in rows)[:take]
        counts[(kind, level)] = (len(rows), take)
        chosen += [(key, Drawn(institution, kind, level)) for key, institution in keyed]
    chosen.sort(key=lambda pair: pair[0])
    return Result([d for _key, d in chosen], counts)


class Rota:
    """Each department's officers in the seed's order, served round-robin, with their loads."""

    def __init__(self, seed: str, snapshot: Snapshot, max_per_officer: int, loads: dict[int, int] | None = None):
        self.queues: dict[int, list[int]] = defaultdict(list)
        for user, department in snapshot.officers:
            self.queues[department].append(user)
        for users in self.queues.values():
            users.sort(key=lambda u: rank(seed, "officer", u))
        self.next: dict[int, int] = defaultdict(int)
        self.loads: dict[int, int] = defaultdict(int, loads or {})
        self.max = max_per_officer
        self.conflicts: dict[int, set[int]] = defaultdict(set)
        for user, institution in snapshot.conflicts:
            self.conflicts[institution].add(user)

    def take(self, department: int, institution: int, exclude: set[int]) -> int | None:
        queue = self.queues.get(department, [])
        start = self.next[department]
        for step in range(len(queue)):
            user = queue[(start + step) % len(queue)]
            if user in exclude or user in self.conflicts[institution] or self.loads[user] >= self.max:
                continue
            self.next[department] = (start + step + 1) % len(queue)
            self.loads[user] += 1
            return user
        return None


def departments_for(snapshot: Snapshot, kind: str) -> tuple[int, ...]:
    return dict(snapshot.competent).get(kind, ())


def draw(
    *,
    seed: str,
    snapshot: Snapshot,
    ratios: dict[str, int],
    kind_ratios: dict[str, int] | None = None,
    max_per_officer: int,
    team_min: int = TEAM_MIN,
) -> Result:
    """The targets and a team for each (see the module's docstring)."""
    if not seed:
        raise DrawError(_("抽签前须先确定随机种子。"))
    result = sample(seed, snapshot, ratios, kind_ratios or {})
    if not result.targets:
        raise DrawError(_("按所设比例，检查对象名录库中没有可抽取的机构。"))
    rota = Rota(seed, snapshot, max_per_officer)
    for target in result.targets:
        departments = departments_for(snapshot, target.kind)
        team: list[int] = []
        for department in departments:
            user = rota.take(department, target.institution_id, set(team))
            if user is not None:
                team.append(user)
        round_ = 0
        while len(team) < team_min and round_ < team_min * max(len(departments), 1):
            user = (
                rota.take(departments[round_ % len(departments)], target.institution_id, set(team))
                if departments
                else None
            )
            if user is not None:
                team.append(user)
            round_ += 1
        if len(team) < team_min:
            raise DrawError(
                _(
                    "机构（编号 %(id)s）无法组成 %(n)s 人以上的检查组：主管部门持证执法人员不足、已达每人 %(max)s 家的上限"
                    "或申报了关联关系。请增加参与部门或人员，或调整每人上限后重新抽取。"
                )
                % {"id": target.institution_id, "n": team_min, "max": max_per_officer},
                institution_id=target.institution_id,
            )
        target.officers = team
    return result


def replacement(
    *,
    seed: str,
    snapshot: Snapshot,
    round_: int,
    institution_id: int,
    kind: str,
    department_id: int,
    team: list[int],
    loads: dict[int, int],
    max_per_officer: int,
) -> int | None:
    """The officer who replaces a recused one (the `round_`-th recusal of the draw): the first in the seed's order for
    this round among the officers of the same department, else of the other competent departments, who are not on
    the team, declared no relationship with the institution and are under the limit."""
    conflicted = {u for u, i in snapshot.conflicts if i == institution_id}
    order = [department_id] + [d for d in departments_for(snapshot, kind) if d != department_id]
    by_department: dict[int, list[int]] = defaultdict(list)
    for user, department in snapshot.officers:
        by_department[department].append(user)
    for department in order:
        candidates = [
            u
            for u in by_department.get(department, [])
            if u not in team and u not in conflicted and loads.get(u, 0) < max_per_officer
        ]
        if candidates:
            return min(candidates, key=lambda u: rank(seed, f"recusal-{round_}", u))
    return None
