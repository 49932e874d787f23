"""The demo's yearly recognitions: every unit assessed at each completed year's end."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from loaders.core import domain
from loaders.core.textnorm import key
from loaders.demo.months import START_DATE
from loaders.demo.names import company, kdc_unit, unit_lower
from loaders.demo.places import Context, Unit, pick_member
from loaders.demo.profiles import Profiles
from loaders.ingest.datasets import get_dataset


def generate_recognitions(ctx: Context, prof: Profiles, until: date, rng: np.random.Generator) -> pd.DataFrame:
    """The recognitions canonical frame: each unit's result for every completed year up to ``until``."""
    last_year = until.year if until >= date(until.year, 12, 31) else until.year - 1
    years = list(range(START_DATE.year, last_year + 1))
    if not years:
        return pd.DataFrame(columns=get_dataset(domain.DATASET_RECOGNITIONS).names).astype({"nam": "int64"})

    # A stable pool of enterprises per 2025 commune, each recognised from its first year on.
    enterprises: dict[int, list[tuple[str, str, int]]] = {}
    for c in ctx.communes:
        n_ent = int(rng.integers(5, 11)) if c.ez else int(rng.integers(2, 5)) if c.urban else int(rng.integers(0, 3))
        ents, seen = [], set()
        for _ in range(n_ent):
            lc = pick_member(c, rng, plain=True)
            name = company(rng, ctx.legacy[lc].short)
            if key(name) in seen:
                continue
            seen.add(key(name))
            ents.append((name, lc, int(rng.integers(START_DATE.year, START_DATE.year + 6))))
        enterprises[c.idx] = ents

    rows: list[tuple[Any, ...]] = []
    for y in years:
        legacy_year = y < domain.FIRST_RECOGNITION_YEAR_2025
        improve = 0.012 * (y - START_DATE.year)
        year_end = date(y, 12, 31)  # decided at year end, named as on that day
        for c in ctx.communes:
            p_base = 0.86 + improve - 0.35 * (prof.weak[c.idx] - 0.08) - (0.05 if c.idx in prof.rising else 0.0)
            units: list[tuple[Unit, str, str]] = []  # (reporting unit, type, name)
            if legacy_year:
                for lc, _ in c.members_plain:
                    u = ctx.legacy[lc]
                    units.append((u, "xã, phường, thị trấn", u.name))
                    units += [(u, "khu dân cư", kdc_unit(u.type, v)) for v in prof.villages_legacy[lc]]
                    units.append((u, "cơ quan", f"Trạm Y tế {unit_lower(u)}"))
                    units += [(u, "cơ sở giáo dục", f"Trường {s} {u.short}") for s in ("Mầm non", "Tiểu học", "THCS")]
                for name, lc, start in enterprises[c.idx]:
                    if y >= start:
                        units.append((ctx.legacy[lc], "doanh nghiệp", name))
            else:
                u = c.unit
                units.append((u, "xã, phường, thị trấn", u.name))
                units += [(u, "khu dân cư", kdc_unit(u.type, v)) for v in prof.villages_2025[c.idx]]
                units.append((u, "cơ quan", f"Trạm Y tế {unit_lower(u)}"))
                units.append((u, "cơ quan", f"Trung tâm Phục vụ hành chính công {unit_lower(u)}"))
                for lc, _ in c.members_plain:
                    short = ctx.legacy[lc].short
                    units += [(u, "cơ sở giáo dục", f"Trường {s} {short}") for s in ("Mầm non", "Tiểu học", "THCS")]
                units += [(u, "doanh nghiệp", name) for name, _, start in enterprises[c.idx] if y >= start]
            passed = rng.random(len(units))
            for (u, kind, name), p in zip(units, passed):
                limit = p_base - (0.06 if kind == "xã, phường, thị trấn" else 0.0)
                result = domain.RESULT_PASSED if p < min(0.97, max(0.55, limit)) else domain.RESULT_FAILED
                rows.append((y, u.code, u.name, u.district_on(year_end), kind, name, result))
    frame = pd.DataFrame(rows, columns=get_dataset(domain.DATASET_RECOGNITIONS).names)
    frame["nam"] = frame["nam"].astype("int64")
    return frame
