"""Recognitions "An toàn về an ninh, trật tự": the year that counts and who met the standard (pure).

* The recognition year of a period is the latest year not after the period's
  end that has data (:func:`recognition_year`).
* A commune is 1 when it met the standard that year, 0 when not, NaN when not assessed.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analysis.unit_rows import count_rows, unit_positions
from loaders.core import domain


def recognition_year(recognitions: pd.DataFrame, period_end: date) -> int | None:
    """The latest recognition year not after the period's end that has data."""
    years = recognitions["year"]
    years = years[years <= period_end.year]
    return int(years.max()) if len(years) else None


def recognised_units(recognitions: pd.DataFrame, year: int | None, col: str, units: pd.Index) -> pd.Series:
    """1.0 when the commune itself met the standard in ``year``, 0.0 when not, NaN when not assessed."""
    if year is None:
        return pd.Series(np.nan, index=units)
    of_year = (recognitions["year"] == year).to_numpy()
    commune_rows = of_year & (recognitions["unit_type"] == domain.RECOGNITION_UNIT_TYPES[1]).to_numpy()
    passed = (recognitions["result"] == domain.RESULT_PASSED).to_numpy()
    positions = unit_positions(recognitions[col], pd.Index(units, dtype=object))
    assessed = count_rows(positions, commune_rows, len(units))
    met = count_rows(positions, commune_rows & passed, len(units))
    return pd.Series(np.where(assessed > 0, (met > 0).astype(float), np.nan), index=units)


def recognition_shares(
    recognitions: pd.DataFrame, year: int | None, units: pd.Index, col: str = "commune_code"
) -> dict[str, float]:
    """Share of assessed communes and residential areas recognised in ``year``.

    Returns NaN shares when nothing was assessed that year.
    """
    if year is None:
        return {"communes": np.nan, "residential": np.nan}
    positions = unit_positions(recognitions[col], pd.Index(units, dtype=object))
    rows = (recognitions["year"] == year).to_numpy() & (positions >= 0)
    passed = (recognitions["result"] == domain.RESULT_PASSED).to_numpy()
    unit_types = recognitions["unit_type"].to_numpy()
    shares = {}
    for label, unit_type in (
        ("communes", domain.RECOGNITION_UNIT_TYPES[1]),
        ("residential", domain.RECOGNITION_UNIT_TYPES[0]),
    ):
        typed = rows & (unit_types == unit_type)
        shares[label] = float(passed[typed].mean()) if typed.any() else np.nan
    return shares
