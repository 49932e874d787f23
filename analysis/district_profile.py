"""Profiles of a former district and recognitions by year (pure pandas).

Since 1 July 2025 there is no district level: a former district's figures are
those of the 2025 communes formed from its legacy communes (the same rule as the
sidebar's district filter), computed from sums like the province figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import indicators as ind
from loaders.core import domain
from loaders.geo.registry import Registry

#: Indicators of a profile compared with the province median, in display order.
PROFILE_INDICATORS: tuple[str, ...] = (
    "models_covering",
    "models_per_10k",
    "kinds_present",
    "weak_share",
    "incidents",
    "incidents_per_10k",
    "incidents_change",
)
#: District figures compared with the median of the 12 former districts.
DISTRICT_INDICATORS: tuple[str, ...] = ("units", *ind.SUMMARY_FIGURES)


def district_table(
    indicators: pd.DataFrame, data: ind.Datasets, registry: Registry, filters: ind.Filters
) -> pd.DataFrame:
    """Key figures of every former district.

    Parameters
    ----------
    indicators : pd.DataFrame
        2025-level indicators of the whole province (no district or focus filter).

    Returns
    -------
    pd.DataFrame
        Indexed by district code: ``name`` and :data:`DISTRICT_INDICATORS`.
    """
    rows = {}
    for code in registry.districts.index:
        members = indicators.index.intersection(registry.communes_in_districts([code]))
        summary = ind.summarise(indicators.loc[members], data, filters)
        rows[code] = {
            "name": registry.districts.at[code, "name"],
            **{k: summary.get(k, np.nan) for k in DISTRICT_INDICATORS},
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def district_members(registry: Registry, district: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 2025 communes formed from a former district and its legacy communes.

    Returns
    -------
    (pd.DataFrame, pd.DataFrame)
        2025 communes (``registry.communes`` rows) and legacy communes
        (``registry.legacy`` rows).

    Raises
    ------
    KeyError
        If ``district`` is not a former district code.
    """
    if district not in registry.districts.index:
        raise KeyError(district)
    communes = registry.communes.loc[registry.communes_in_districts([district])]
    legacy = registry.legacy[registry.legacy["district_code"] == district]
    return communes, legacy


def recognitions_by_year(
    recognitions: pd.DataFrame, codes: pd.Index | list[str], col: str = "commune_code"
) -> pd.DataFrame:
    """Recognition results per year and kind of unit for some communes.

    Returns
    -------
    pd.DataFrame
        Columns ``year, unit_type, assessed, passed, share``; years newest first,
        unit types in ``domain.RECOGNITION_UNIT_TYPES`` order.
    """
    rows = recognitions[recognitions[col].isin(list(codes))]
    if rows.empty:
        return pd.DataFrame(columns=["year", "unit_type", "assessed", "passed", "share"])
    # Stored enumerations may come back as categoricals: group and sort on plain text.
    rows = rows.assign(unit_type=rows["unit_type"].astype(str), result=rows["result"].astype(str))
    grouped = rows.groupby(["year", "unit_type"])["result"]
    out = pd.DataFrame(
        {
            "assessed": grouped.size(),
            "passed": grouped.agg(lambda r: int((r == domain.RESULT_PASSED).sum())),
        }
    ).reset_index()
    out["share"] = out["passed"] / out["assessed"]
    order = {u: i for i, u in enumerate(domain.RECOGNITION_UNIT_TYPES)}
    out = out.assign(_o=out["unit_type"].map(order)).sort_values(["year", "_o"], ascending=[False, True])
    return out.drop(columns="_o").reset_index(drop=True)
