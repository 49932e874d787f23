"""The demo's yearly lists of residential areas (thôn, tổ dân phố) per commune.

Each 2025 commune keeps the areas of its legacy communes (``Profiles.villages_legacy``,
about 1,700 in the province: one per 1,000 people in a commune, per 700 in a
ward). The lists of the last three years up to ``until`` are written as offices
write them: before 2025 under the legacy commune and its former district, from
2025 under the 2025 commune with the legacy commune in "Xã cũ". The latest
list's Số nhân khẩu add up to the commune's shipped population; an earlier list
counts a little fewer people. About every area has a tổ hòa giải; a tổ bảo vệ
ANTT only in lists of 2024 on, since the teams exist from 1 July 2024.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from loaders.core import domain
from loaders.demo.months import START_DATE
from loaders.demo.names import kdc_unit
from loaders.demo.places import Commune, Context
from loaders.demo.profiles import Profiles
from loaders.ingest.datasets import get_dataset
from loaders.ingest.enums import NO, YES

#: How many yearly lists the demo holds (the last ones up to ``until``).
LIST_YEARS = 3
#: Population growth per year: an earlier list counts this much fewer people per year back.
_GROWTH = 0.008
#: Share of areas with a tổ hòa giải, and with a tổ bảo vệ ANTT once the teams exist.
_MEDIATION_SHARE = 0.97
_SECURITY_SHARE = 0.98


def _split_exactly(total: int, weights: np.ndarray) -> np.ndarray:
    """Whole numbers in proportion to ``weights`` that add up to ``total`` (largest remainders)."""
    exact = weights / weights.sum() * total
    out = np.floor(exact).astype(np.int64)
    short = total - int(out.sum())
    if short > 0:
        out[np.argsort(out - exact)[:short]] += 1
    return out


def _areas_of(prof: Profiles, c: Commune) -> list[tuple[str, str]]:
    """(legacy code, bare name) of a 2025 commune's areas, in its legacy communes' order."""
    pool = set(prof.villages_2025[c.idx])
    return [(lc, v) for lc, _ in c.members_plain for v in prof.villages_legacy[lc] if v in pool]


def _named(unit_type: str, name: str) -> str:
    """The area as its list writes it: a thôn in a xã, a tổ dân phố in a ward or a township.

    The kind follows the unit of the list's year: a 2025 ward turned its thôn into tổ dân phố.
    """
    return kdc_unit("Xã" if unit_type == "Xã" else "Phường", name)


def generate_residential_areas(ctx: Context, prof: Profiles, until: date, rng: np.random.Generator) -> pd.DataFrame:
    """The residential-areas canonical frame: every commune's list for each of the last years.

    Parameters
    ----------
    ctx : Context
    prof : Profiles
        The areas of each commune (``villages_legacy``).
    until : date
        The last list is of ``until.year``.
    rng : numpy.random.Generator

    Returns
    -------
    pandas.DataFrame
        The columns of the ``residential_areas`` spec; counts as integers,
        có/không as text, blanks as ``None``.
    """
    columns = get_dataset(domain.DATASET_RESIDENTIAL_AREAS).names
    years = [y for y in range(until.year - LIST_YEARS + 1, until.year + 1) if y >= START_DATE.year]
    rows: list[dict[str, object]] = []
    for c in ctx.communes:
        areas = _areas_of(prof, c)
        if not areas:
            continue
        weights = rng.lognormal(0.0, 0.35, len(areas))
        per_household = rng.uniform(3.5, 4.1, len(areas))
        mediation = rng.random(len(areas)) < _MEDIATION_SHARE
        security = rng.random(len(areas)) < _SECURITY_SHARE
        mediation_members = rng.integers(5, 10, len(areas))
        security_members = rng.integers(3, 6, len(areas))
        for y in years:
            people = _split_exactly(round(c.population * (1 - _GROWTH) ** (until.year - y)), weights)
            households = np.maximum(1, np.round(people / per_household)).astype(np.int64)
            teams = y >= domain.SECURITY_TEAMS_DATE.year
            for i, (lc, name) in enumerate(areas):
                legacy = ctx.legacy[lc]
                before_reform = y < domain.REFORM_DATE.year
                rows.append(
                    {
                        "ten_xa": legacy.name if before_reform else c.unit.name,
                        "huyen_cu": legacy.district_on(date(y, 12, 31)) if before_reform else None,
                        "xa_cu": None if before_reform else legacy.name,
                        "thon_tdp": _named(legacy.type if before_reform else c.unit.type, name),
                        "so_ho": int(households[i]),
                        "so_nhan_khau": int(people[i]),
                        "nam": y,
                        "co_to_hoa_giai": YES if mediation[i] else NO,
                        "so_tv_hoa_giai": int(mediation_members[i]) if mediation[i] else None,
                        "co_to_bao_ve": (YES if security[i] else NO) if teams else None,
                        "so_tv_bao_ve": int(security_members[i]) if teams and security[i] else None,
                    }
                )
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("so_ho", "so_nhan_khau", "nam"):
        frame[column] = frame[column].astype("int64")
    for column in ("so_tv_hoa_giai", "so_tv_bao_ve"):
        frame[column] = frame[column].astype("Int64")
    return frame
