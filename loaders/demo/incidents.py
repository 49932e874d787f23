"""The demo's incidents: monthly volumes per commune, fields, then descriptions and their severities."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from loaders.core import domain
from loaders.demo.descriptions import DESCRIPTIONS, allowed
from loaders.demo.months import START_DATE, Months, iso_dates
from loaders.demo.names import kdc
from loaders.demo.places import Commune, Context, place_points
from loaders.demo.profiles import Profiles
from loaders.ingest.datasets import get_dataset

#: Province-wide incidents per month at scale 1 before trends (about 30,000 for 2020-2026).
INCIDENTS_PER_MONTH = 360.0
#: Share of incidents that carry a point.
INCIDENT_POINT_SHARE = 0.7

_FIELDS = domain.INCIDENT_FIELDS
_F = {name: i for i, name in enumerate(_FIELDS)}

# Base shares of incident fields (province average before area effects).
_FIELD_BASE = {
    "an ninh": 0.04,
    "hình sự": 0.15,
    "ma túy": 0.07,
    "kinh tế, buôn lậu": 0.06,
    "môi trường": 0.05,
    "tệ nạn xã hội": 0.11,
    "trật tự an toàn giao thông": 0.38,
    "cháy, nổ": 0.05,
    "khác": 0.09,
}
# Multipliers on those shares by kind of area.
_FIELD_EFFECT = {
    "border": {"ma túy": 4.0, "kinh tế, buôn lậu": 2.5, "trật tự an toàn giao thông": 0.7},
    "coastal": {"môi trường": 1.8, "kinh tế, buôn lậu": 1.3},
    "ez": {"an ninh": 2.2, "kinh tế, buôn lậu": 1.5, "môi trường": 1.5, "hình sự": 1.2},
    "urban": {"hình sự": 1.4, "tệ nạn xã hội": 1.3, "trật tự an toàn giao thông": 1.2, "cháy, nổ": 1.2},
}


def _field_probs(c: Commune) -> np.ndarray:
    p = np.array([_FIELD_BASE[f] for f in _FIELDS])
    for flag, effect in (("border", c.border), ("coastal", c.coastal), ("ez", c.ez), ("urban", c.urban)):
        if effect:
            for f, m in _FIELD_EFFECT[flag].items():
                p[_F[f]] *= m
    return p / p.sum()


def generate_incidents(
    ctx: Context, prof: Profiles, months: Months, scale: float, rng: np.random.Generator
) -> pd.DataFrame:
    """The incidents canonical frame: Poisson monthly counts per commune, then field, point, text, severity."""
    n_c, n_m = len(ctx.communes), len(months.year)
    pop = np.array([c.population for c in ctx.communes])
    base = pop / 1e4 * prof.activity
    base = base / base.sum() * INCIDENTS_PER_MONTH * scale

    t = (months.year - START_DATE.year) + (months.month - 1) / 12.0
    year_effect = {2020: 0.95, 2021: 0.9, 2022: 1.0, 2023: 1.05, 2024: 1.1, 2025: 1.05}
    trend = np.array([year_effect.get(int(y), 1.1) for y in months.year])
    trend = np.where((months.year == 2020) & (months.month == 4), 0.7, trend)  # April 2020 social distancing
    season = np.select([np.isin(months.month, (1, 2)), np.isin(months.month, (7, 8))], [1.15, 1.05], 1.0)
    slope = rng.normal(0.0, 0.12, n_c)
    lam = base[:, None] * trend[None, :] * season[None, :] * np.exp(slope[:, None] * (t[None, :] - t.mean()) / 3.5)
    lam = lam * months.fraction[None, :]
    for i in prof.rising:
        k = min(3, n_m)
        lam[i, n_m - k :] *= rng.uniform(1.8, 2.6)
    for i, (a, b) in prof.gaps.items():
        lam[i, a : b + 1] = 0.0
    counts = rng.poisson(lam)

    ci = np.repeat(np.repeat(np.arange(n_c), n_m), counts.ravel())
    mi = np.repeat(np.tile(np.arange(n_m), n_c), counts.ravel())
    n = len(ci)
    day = (rng.random(n) * months.days[mi]).astype(int)
    ords = months.start[mi] + day
    order = np.lexsort((ci, ords))
    ci, mi, ords = ci[order], mi[order], ords[order]
    pre = ords < domain.REFORM_DATE.toordinal()

    # Field by cumulative shares; the description and its severity come after the unit.
    fprobs = np.stack([_field_probs(c) for c in ctx.communes])
    fcum = np.cumsum(fprobs, axis=1)[ci]
    fi = np.minimum((rng.random(n)[:, None] > fcum).sum(axis=1), len(_FIELDS) - 1)

    # Reporting unit: the legacy member before the reform, else the 2025 commune.
    legacy_of = np.full(n, "", dtype=object)
    for c in ctx.communes:
        sel = np.flatnonzero(pre & (ci == c.idx))
        if len(sel):
            w = np.array([m[1] for m in c.members])
            pick = rng.choice(len(c.members), size=len(sel), p=w / w.sum())
            legacy_of[sel] = np.array([m[0] for m in c.members], dtype=object)[pick]
    split = np.array([lc in ctx.legacy_split for lc in legacy_of])
    has_point = (rng.random(n) < INCIDENT_POINT_SHARE) | split
    pts = np.flatnonzero(has_point)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    if len(pts):
        keys = [(int(ci[p]), legacy_of[p] or None) for p in pts]
        lat[pts], lon[pts] = place_points(ctx, keys, rng)

    # Description (by field and the unit's focus flags), then a severity it allows,
    # with a residential area for about half of them.
    dpick = rng.random(n)
    spick = rng.random(n)
    where = rng.random(n) < 0.5
    village = rng.random(n)
    units = [ctx.legacy[legacy_of[r]] if pre[r] else ctx.communes[ci[r]].unit for r in range(n)]
    border = np.array([u.border for u in units], dtype=bool)
    coastal = np.array([u.coastal for u in units], dtype=bool)
    desc = np.zeros(n, dtype=int)  # index into DESCRIPTIONS
    for f in range(len(_FIELDS)):
        for on_border in (False, True):
            for on_coast in (False, True):
                sel = np.flatnonzero((fi == f) & (border == on_border) & (coastal == on_coast))
                if len(sel):
                    opts = [DESCRIPTIONS.index(d) for d in allowed(_FIELDS[f], on_border, on_coast)]
                    cum = np.cumsum([DESCRIPTIONS[o].weight for o in opts])
                    pos = np.minimum(np.searchsorted(cum, dpick[sel] * cum[-1], side="right"), len(opts) - 1)
                    desc[sel] = np.asarray(opts)[pos]
    severities = np.empty(n, dtype=object)
    for o, d in enumerate(DESCRIPTIONS):
        sel = np.flatnonzero(desc == o)
        if len(sel):
            cum = np.cumsum([w for _, w in d.severities])
            pos = np.minimum(np.searchsorted(cum, spick[sel] * cum[-1], side="right"), len(cum) - 1)
            severities[sel] = np.asarray([s for s, _ in d.severities], dtype=object)[pos]
    codes = [u.code for u in units]
    names = [u.name for u in units]
    districts = [u.district_on(date.fromordinal(int(o))) for u, o in zip(units, ords)]
    texts = []
    for r in range(n):
        text = DESCRIPTIONS[desc[r]].text
        if where[r]:
            pool = prof.villages(int(ci[r]), legacy_of[r] if pre[r] else None)
            text = f"{text}, {kdc(units[r].type, pool[int(village[r] * len(pool))])}"
        texts.append(text)

    years = np.array([date.fromordinal(int(o)).year for o in ords]) if n else np.empty(0, dtype=int)
    ids: list[str] = []
    seq: dict[int, int] = {}
    for y in years:
        seq[int(y)] = seq.get(int(y), 0) + 1
        ids.append(f"VV-{int(y)}-{seq[int(y)]:06d}")
    return pd.DataFrame(
        {
            "ma_vu_viec": ids,
            "ngay": iso_dates(ords),
            "ma_xa": codes,
            "ten_xa": names,
            "huyen_cu": districts,
            "linh_vuc": [_FIELDS[i] for i in fi],
            "muc_do": list(severities),
            "vi_do": lat,
            "kinh_do": lon,
            "mo_ta": texts,
        },
        columns=get_dataset(domain.DATASET_INCIDENTS).names,
    )
