"""Which vintage of units a record uses, decided by its date.

The one rule: a record dated before the reform (``domain.REFORM_DATE``,
2025-07-01) names the legacy units (209 communes in 12 former districts); a
record dated on or after it names the 69 communes of 2025. A record without
a date has no vintage. The scalar and the column forms below agree value by
value.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd

from loaders.core import domain


def vintage_for_date(on: date | datetime | None) -> str | None:
    """The vintage a record dated ``on`` uses: legacy before 2025-07-01, else 2025."""
    if on is None or (isinstance(on, float) and math.isnan(on)) or pd.isna(on):
        return None
    if isinstance(on, datetime):
        on = on.date()
    return domain.VINTAGE_LEGACY if on < domain.REFORM_DATE else domain.VINTAGE_2025


def vintage_codes_for_dates(dates: pd.Series) -> np.ndarray:
    """:func:`vintage_for_date` for a whole column, as codes into :data:`VINTAGE_BY_CODE`.

    Returns
    -------
    np.ndarray
        0 for no (or an unreadable) date, 1 for legacy, 2 for the 2025 units.
    """
    when = pd.to_datetime(dates, errors="coerce")
    legacy = (when < pd.Timestamp(domain.REFORM_DATE)).to_numpy()
    return np.where(when.isna().to_numpy(), 0, np.where(legacy, 1, 2))


#: The vintage of each code of :func:`vintage_codes_for_dates`.
VINTAGE_BY_CODE: tuple[str | None, ...] = (None, domain.VINTAGE_LEGACY, domain.VINTAGE_2025)


def vintages_for_dates(dates: pd.Series) -> pd.Series:
    """:func:`vintage_for_date` for a whole column: legacy, 2025, or missing (``None``) for no date.

    Parameters
    ----------
    dates : pd.Series
        Dates, datetimes or text pandas can read as dates (unreadable values count as missing).

    Returns
    -------
    pd.Series
        Object dtype, aligned with ``dates``.
    """
    codes = vintage_codes_for_dates(dates)
    return pd.Series(np.array(VINTAGE_BY_CODE, dtype=object)[codes], index=dates.index, dtype=object)
