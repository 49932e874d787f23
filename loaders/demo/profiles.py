"""Per-commune character of the demo: activity, weak models, gaps, rising incidents, villages.

Drawn once per run so that models, incidents and recognitions tell one
consistent story about each commune.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loaders.core import domain
from loaders.core.textnorm import key
from loaders.demo.names import VILLAGE_FIRST, VILLAGE_SECOND
from loaders.demo.places import Context


@dataclass
class Profiles:
    """The drawn character of every 2025 commune (lists and arrays indexed by ``Commune.idx``)."""

    activity: np.ndarray  # incident intensity multiplier
    weak: np.ndarray  # share of weak models
    missing: list[set[str]]  # core kinds a commune does not have
    no_models: set[int]
    rising: set[int]
    gaps: dict[int, tuple[int, int]]  # commune -> (first month index, last month index) without reports
    villages_legacy: dict[str, list[str]]  # residential areas (thôn, tổ dân phố) per legacy commune
    villages_2025: list[list[str]]  # per 2025 commune: those of its legacy communes, which keep their names

    def villages(self, commune: int, legacy_code: str | None) -> list[str]:
        """Names of the residential areas of a reporting unit."""
        return self.villages_2025[commune] if not legacy_code else self.villages_legacy[legacy_code]


def _districts(ctx: Context, commune: int) -> set[str]:
    """The former districts (codes) of a 2025 commune."""
    return set(ctx.registry.communes.at[ctx.communes[commune].code, "district_codes"])


def _scattered(ctx: Context, candidates: list[int], k: int, rng: np.random.Generator, taken: set[str]) -> list[int]:
    """``k`` of ``candidates`` in random order, no two sharing a former district, none in ``taken``.

    ``taken`` (district codes) grows with the districts of the communes returned.
    """
    out: list[int] = []
    for i in rng.permutation(np.asarray(candidates)):
        districts = _districts(ctx, int(i))
        if not districts & taken:
            out.append(int(i))
            taken |= districts
        if len(out) == k:
            break
    return out


def build_profiles(ctx: Context, rng: np.random.Generator, n_months: int) -> Profiles:
    """Draw each commune's profile; ``n_months`` bounds the reporting gaps."""
    n = len(ctx.communes)
    activity = np.array(
        [(1.7 if c.urban else 1.0) * (1.5 if c.ez else 1.0) * (1.15 if c.border else 1.0) for c in ctx.communes]
    ) * rng.lognormal(0.0, 0.25, n)
    weak = np.where(rng.random(n) < 0.2, rng.uniform(0.25, 0.45, n), rng.uniform(0.04, 0.12, n))

    plain = [c.idx for c in ctx.communes if not (c.urban or c.ez or c.border or c.coastal)]
    # Communes without data lie in different former districts: one district with all
    # the grey communes would read as that district's failure, not as missing reports.
    districts_used: set[str] = set()
    no_models = set(_scattered(ctx, plain, int(rng.integers(2, 4)), rng, districts_used))

    missing: list[set[str]] = []
    for c in ctx.communes:
        keep = {"tự quản"} if (c.border or c.coastal) else set()
        if c.ez:
            keep.add("tự bảo vệ")
        droppable = [k for k in domain.MODEL_KINDS_CORE if k not in keep]
        u = rng.random()
        n_drop = 2 if u < 0.08 else 1 if u < 0.3 else 0
        missing.append({str(k) for k in rng.choice(droppable, size=n_drop, replace=False)} if n_drop else set())

    candidates = [c.idx for c in ctx.communes if c.idx not in no_models]
    # Rising incidents: favour communes with a baseline that is not tiny.
    weights = np.array([ctx.communes[i].population * activity[i] for i in candidates])
    rising = {
        int(i) for i in rng.choice(candidates, size=min(7, len(candidates)), replace=False, p=weights / weights.sum())
    }
    gaps: dict[int, tuple[int, int]] = {}
    others = [i for i in range(n) if i not in rising]
    if n_months > 12:
        for i in _scattered(ctx, others, 3, rng, districts_used):
            length = int(rng.integers(3, 7))
            first = int(rng.integers(0, max(1, n_months - length - 3)))
            gaps[int(i)] = (first, first + length - 1)
        # One more commune has not sent its last two months yet, as offices often lag: the
        # current period then shows "chưa báo cáo" too. Chosen without the random stream
        # (the first plain commune of a former district not used yet), so that every other
        # figure of the seed stays the same.
        free = [i for i in plain if i not in gaps and i not in rising]
        late = next((i for i in free if not _districts(ctx, i) & districts_used), None)
        if late is not None:
            gaps[late] = (n_months - 2, n_months - 1)
    # Residential areas have names that are unique (ignoring case and diacritics) within
    # their 2025 commune, so that unit names and model names never collide after resolution.
    villages_legacy: dict[str, list[str]] = {}
    villages_2025: list[list[str]] = []
    for c in ctx.communes:
        total = max(6, int(c.population / (700 if c.urban else 1000)))
        w = np.array([m[1] for m in c.members_plain])
        used: set[str] = set()
        pool: list[str] = []
        for (lc, _), share in zip(c.members_plain, w / w.sum()):
            names: list[str] = []
            for _ in range(max(3, round(total * share * rng.uniform(0.8, 1.2)))):
                for _attempt in range(50):
                    first = VILLAGE_FIRST[int(rng.integers(len(VILLAGE_FIRST)))]
                    second = VILLAGE_SECOND[int(rng.integers(len(VILLAGE_SECOND)))]
                    name, k = f"{first} {second}", key(f"{first} {second}")
                    if k not in used and key(first) != key(second):
                        used.add(k)
                        names.append(name)
                        break
            villages_legacy.setdefault(lc, names)
            pool += names
        villages_2025.append(pool)
    return Profiles(activity, weak, missing, no_models, rising, gaps, villages_legacy, villages_2025)
