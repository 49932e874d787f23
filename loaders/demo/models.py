"""The demo's self-protection models: what is founded where and when; their yearly records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from loaders.core import domain
from loaders.core.textnorm import key
from loaders.demo.model_templates import (
    BORDER,
    COASTAL,
    ECONOMIC_ZONE,
    GENERIC,
    MEMBERS_RANGE,
    NEEDS_ANY,
    NEEDS_BORDER,
    NEEDS_COASTAL,
    Template,
)
from loaders.demo.model_years import draw_life, yearly_records
from loaders.demo.months import FESTIVAL_DAY, FESTIVAL_MONTH, START_DATE, Months, months_between
from loaders.demo.names import SURNAMES, company, kdc, unit_lower
from loaders.demo.places import Commune, Context, Unit, pick_member, place_points
from loaders.demo.profiles import Profiles
from loaders.ingest.datasets import get_dataset

#: Models per 10,000 residents founded from 2020 on in an ordinary commune, at scale 1.
MODELS_PER_10K = 4.5
#: Models per 10,000 residents founded before 2020 (the stock on the 2020 list), at scale 1.
STOCK_PER_10K = 6.0
#: First founding day of the stock.
STOCK_START = date(2005, 1, 1)
#: Yearly growth of foundings (the year's weight is ``1 + growth * years since the first``).
NEW_GROWTH, STOCK_GROWTH = 0.12, 0.1
#: Share of models that carry a point.
MODEL_POINT_SHARE = 0.6


def _founding_ordinals(
    months: Months, n: int, rng: np.random.Generator, growth: float, first: date | None = None
) -> np.ndarray:
    """``n`` founding dates: more each year, a peak in August before the festival, none before ``first``."""
    yw = 1.0 + growth * (months.year - months.year[0])
    mw = np.select([months.month == 8, np.isin(months.month, (1, 2)), months.month == 3], [3.2, 0.6, 1.3], 1.0)
    w = yw * mw * months.fraction
    if first is not None:  # ``since`` dates are first days of a month
        w = np.where(months.start >= first.toordinal(), w, 0.0)
    mi = rng.choice(len(w), size=n, p=w / w.sum())
    days = months.days[mi]
    day = rng.integers(0, days) + 1
    # In August most foundings fall in the fortnight before the 19th.
    aug = (months.month[mi] == FESTIVAL_MONTH) & (rng.random(n) < 0.65)
    day = np.where(aug, np.minimum(rng.integers(5, FESTIVAL_DAY + 1, n), days), day)
    return months.start[mi] + day - 1


def _foundings(chosen: list[Template], months: Months, rng: np.random.Generator, growth: float) -> np.ndarray:
    """Founding ordinals for ``chosen``, each on or after its template's ``since``."""
    founded = _founding_ordinals(months, len(chosen), rng, growth)
    for j, t in enumerate(chosen):
        if t.since is not None and founded[j] < t.since.toordinal():
            founded[j] = _founding_ordinals(months, 1, rng, growth, t.since)[0]
    return founded


def _pick(options: list[Template], n: int, rng: np.random.Generator, weights: np.ndarray) -> list[Template]:
    if not n or not options:
        return []
    return [options[int(p)] for p in rng.choice(len(options), size=n, p=weights / weights.sum())]


def _chosen_for(
    c: Commune, prof: Profiles, scale: float, until: date, rng: np.random.Generator
) -> tuple[list[Template], list[Template]]:
    """The templates a commune founds before 2020 (its stock) and from 2020 on."""
    mult = (1.4 if c.urban else 1.0) * (1.5 if c.ez else 1.0)
    n_new = int(rng.poisson(scale * MODELS_PER_10K * c.population / 1e4 * mult))
    n_stock = int(rng.poisson(scale * STOCK_PER_10K * c.population / 1e4 * mult))
    specials: list[Template] = []
    if c.border:
        k = int(rng.poisson(3 * scale)) + (1 if scale >= 0.5 else 0)
        specials += [BORDER[int(rng.random() < 0.3)] for _ in range(k)]
    if c.coastal:
        k = int(rng.poisson(4 * scale)) + (1 if scale >= 0.5 else 0)
        specials += [COASTAL[int(rng.random() < 0.4)] for _ in range(k)]
    if c.ez:
        specials += [ECONOMIC_ZONE] * (int(rng.poisson(5 * scale)) + (1 if scale >= 0.5 else 0))
    allowed = [
        t
        for t in GENERIC
        if t.kind not in prof.missing[c.idx]
        and (t.since is None or t.since <= until)
        and (t.needs == NEEDS_ANY or (t.needs == NEEDS_COASTAL and c.coastal) or (t.needs == NEEDS_BORDER and c.border))
    ]
    w = np.array(
        [
            t.weight
            * (2.0 if (c.urban and "Camera" in t.text) else 1.0)
            * (3.0 if (c.border and "ma túy" in t.text) else 1.0)
            for t in allowed
        ]
    )
    in_stock = rng.random(len(specials)) < 0.5  # border and fishing teams are old: half are stock
    new = [t for t, old in zip(specials, in_stock) if not old] + _pick(allowed, n_new, rng, w)
    stock_ok = [j for j, t in enumerate(allowed) if t.since is None or t.since < START_DATE]
    stock = [t for t, old in zip(specials, in_stock) if old] + _pick(
        [allowed[j] for j in stock_ok], n_stock, rng, w[stock_ok]
    )
    # Every kind the commune is meant to have appears at least once from 2020 on, so that
    # the kinds it lacks are exactly the ones in ``prof.missing``.
    for kind in domain.MODEL_KINDS_CORE:
        if kind not in prof.missing[c.idx] and all(t.kind != kind for t in new):
            options = [t for t in allowed if t.kind == kind]
            new += _pick(options, 1, rng, np.array([t.weight for t in options]))
    return stock, new


def _units_by_year(ctx: Context, c: Commune, legacy_code: str | None) -> Callable[[int], Unit]:
    """The unit a year's list names: the legacy unit up to 2024, the 2025 commune from then on."""

    def unit_in(year: int) -> Unit:
        if legacy_code is not None and year < domain.FIRST_RECOGNITION_YEAR_2025:
            return ctx.legacy[legacy_code]
        return c.unit

    return unit_in


def generate_models(
    ctx: Context, prof: Profiles, months: Months, until: date, scale: float, rng: np.random.Generator
) -> pd.DataFrame:
    """The models canonical frame: one record per model and year, with status, rating and point.

    Models founded before 2020 (the stock, from :data:`STOCK_START`) are listed
    from 2020 on. A model founded before the reform names its legacy unit in the
    2020-2024 lists (:func:`loaders.demo.model_years.yearly_records`).
    """
    stock_months = months_between(STOCK_START, date(START_DATE.year - 1, 12, 31))
    flagged = {
        NEEDS_BORDER: {code for code, u in ctx.legacy.items() if u.border},
        NEEDS_COASTAL: {code for code, u in ctx.legacy.items() if u.coastal},
    }
    # Names already used, per 2025 commune (folded keys). A record of a split legacy
    # commune also reserves its name in the commune taking most of the legacy area,
    # so that it stays unique even where an importer ignores the point.
    used_in: dict[str, set[str]] = {c.code: set() for c in ctx.communes}
    primary = ctx.registry.legacy["new_code"].to_dict()
    rows: list[dict[str, Any]] = []
    point_keys: list[tuple[int, str | None]] = []
    point_rows: list[list[int]] = []
    for c in ctx.communes:
        if c.idx in prof.no_models:
            continue
        stock, new = _chosen_for(c, prof, scale, until, rng)
        own_areas = set(prof.villages_2025[c.idx])
        chosen = stock + new
        if not chosen:
            continue
        founded = np.concatenate(
            [_foundings(stock, stock_months, rng, STOCK_GROWTH), _foundings(new, months, rng, NEW_GROWTH)]
        ).astype(int)
        for j in np.argsort(founded, kind="stable"):
            template = chosen[int(j)]
            f_ord = int(founded[j])
            f_date = date.fromordinal(f_ord)
            legacy_code = None
            unit = c.unit
            if f_date < domain.REFORM_DATE:
                legacy_code = pick_member(c, rng, among=flagged.get(template.needs))
                unit = ctx.legacy[legacy_code]
            villages = prof.villages(c.idx, legacy_code)
            scopes = [used_in[c.code]]
            if legacy_code is not None and primary[legacy_code] != c.code:
                scopes.append(used_in[primary[legacy_code]])
            name, name_key, village = "", "", ""
            for attempt in range(30):
                village = villages[int(rng.integers(len(villages)))]
                name = template.text.format(
                    kdc=kdc(unit.type, village),
                    short=unit.short,
                    lower=unit_lower(unit),
                    n=int(rng.integers(1, 10 + attempt)),
                    surname=SURNAMES[int(rng.integers(0, len(SURNAMES)))],
                    company=company(rng, unit.short),
                )
                name_key = key(name)
                if all(name_key not in used for used in scopes):
                    break
            base, k = name, 2
            while any(name_key in used for used in scopes):
                name = f"{base} (số {k})"
                name_key = key(name)
                k += 1
            for used in scopes:
                used.add(name_key)
            lo, hi = MEMBERS_RANGE[template.setting]
            base = {
                "ten_mo_hinh": name,
                "loai_mo_hinh": template.kind,
                "noi_trien_khai": template.setting,
                "so_thanh_vien": int(rng.integers(lo, hi + 1)),
            }
            # The thôn/TDP a model of a residential area runs in, when it is one of the commune's own
            # (a village of a split legacy commune may belong to the neighbouring commune's list).
            area = village if "{kdc}" in template.text and village in own_areas else None
            life = draw_life(f_date, until, prof.weak[c.idx], rng)
            first_row = len(rows)
            rows += yearly_records(base, life, _units_by_year(ctx, c, legacy_code), until, rng, area)
            if (legacy_code is not None and legacy_code in ctx.legacy_split) or rng.random() < MODEL_POINT_SHARE:
                point_rows.append(list(range(first_row, len(rows))))
                point_keys.append((c.idx, legacy_code))
    frame = pd.DataFrame(rows, columns=get_dataset(domain.DATASET_MODELS).names)
    if point_rows:
        # One point per model, on every yearly record of it.
        lat, lon = place_points(ctx, point_keys, rng)
        sizes = [len(r) for r in point_rows]
        at = [i for r in point_rows for i in r]
        frame.loc[at, "vi_do"] = np.repeat(lat, sizes)
        frame.loc[at, "kinh_do"] = np.repeat(lon, sizes)
    frame["so_thanh_vien"] = frame["so_thanh_vien"].astype("int64")
    frame["nam_danh_gia"] = frame["nam_danh_gia"].astype("int64")
    frame["vi_do"] = frame["vi_do"].astype(float)
    frame["kinh_do"] = frame["kinh_do"].astype(float)
    order = ["nam_danh_gia", "ngay_thanh_lap", "ma_xa", "ten_mo_hinh"]
    frame = frame.sort_values(order, kind="stable").reset_index(drop=True)
    return frame
