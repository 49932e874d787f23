"""Rows of a dataset mapped to units and periods: the counting helpers of the indicators (pure numpy).

Positions of each row's unit in a selection, counts per unit by bincount, and
rows inside a period compared as integers. ``analysis.indicators`` re-exports them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.periods import Period


def unit_positions(codes: pd.Series, units: pd.Index) -> np.ndarray:
    """Position of each row's unit in ``units``, -1 when absent or outside it.

    Parameters
    ----------
    codes : pd.Series
        Unit codes of the rows, categorical (fast path) or plain.
    units : pd.Index
        Unit codes as plain objects.
    """
    if isinstance(codes.dtype, pd.CategoricalDtype):
        category_pos = units.get_indexer(codes.cat.categories.to_numpy(dtype=object))
        # One lookup per row; the extra last slot answers code -1 (missing).
        lookup = np.append(category_pos, -1).astype(np.int32)
        return lookup[codes.cat.codes.to_numpy()]
    return units.get_indexer(codes.astype(object).where(codes.notna(), None))


def count_rows(positions: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    # Shifted by one so that -1 (outside the selection) lands in a slot that is dropped.
    return np.bincount(positions[mask] + 1, minlength=n + 1)[1:].astype(float)


def within_period(when: np.ndarray, period: Period) -> np.ndarray:
    """Rows of ``period`` (both ends included); ``when`` is ``datetime64``, NaT never inside.

    Compared as integers, because numpy's datetime comparisons check for NaT on
    every row; NaT is the smallest integer, so it still falls outside.
    """
    unit = np.datetime_data(when.dtype)[0]
    start = np.datetime64(pd.Timestamp(period.start)).astype(f"datetime64[{unit}]").astype(np.int64)
    end = np.datetime64(pd.Timestamp(period.end)).astype(f"datetime64[{unit}]").astype(np.int64)
    ticks = when.view(np.int64)
    return (ticks >= start) & (ticks <= end)
