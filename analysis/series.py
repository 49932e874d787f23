"""Time series over a period: its monthly or quarterly steps and monthly incident counts (pure).

Owns the one way incidents are counted per month (:func:`monthly_counts`) and
the one way a period is cut into steps (:func:`period_steps`), so the charts of
every page and the focus-area trends agree on which month an incident falls in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import indicators as ind
from analysis import reporting
from analysis.periods import months_since

#: Step lengths of :func:`period_steps`.
STEPS: tuple[str, ...] = ("month", "quarter")


def month_starts(period: ind.Period) -> pd.DatetimeIndex:
    """First day of every calendar month that overlaps ``period``, in order (:func:`reporting.months_of`)."""
    return reporting.months_of(period.start, period.end)


def period_steps(period: ind.Period, step: str) -> list[ind.Period]:
    """``period`` cut into calendar months or quarters, without gaps.

    Parameters
    ----------
    period : Period
        The whole range.
    step : {"month", "quarter"}
        Step length; the first and last steps are cut to the period.

    Returns
    -------
    list of Period
        In order; each step starts the day after the previous one ends.

    Raises
    ------
    KeyError
        For an unknown ``step``.
    """
    freq = {"month": "MS", "quarter": "QS"}[step]
    start = pd.Timestamp(period.start).to_period("M" if step == "month" else "Q").start_time
    end_offset = pd.offsets.MonthEnd(0) if step == "month" else pd.offsets.QuarterEnd(0)
    steps = []
    for s in pd.date_range(start, pd.Timestamp(period.end), freq=freq):
        lo = max(s, pd.Timestamp(period.start))
        hi = min(s + end_offset, pd.Timestamp(period.end))
        steps.append(ind.Period(lo.date(), hi.date()))
    return steps


def monthly_counts(rows: pd.DataFrame, period: ind.Period, by: str | None = None) -> pd.DataFrame:
    """Monthly incident counts of some rows, every month of ``period`` filled.

    For rows already limited to the wanted units (e.g. the period's incidents of
    the filtered communes). Counted with a bincount over month positions, so the
    cost does not grow with the number of groups.

    Parameters
    ----------
    rows : pd.DataFrame
        Incidents with ``occurred_on`` (and ``by``); rows outside ``period`` are ignored.
    period : Period
        Every month of it is a row of the result.
    by : str, optional
        Column to split by (missing values are left out).

    Returns
    -------
    pd.DataFrame
        Indexed by month start (zeros filled); one ``int64`` column ``incidents``,
        or one per value of ``by`` in sorted order.
    """
    months = month_starts(period)
    first = months[0]
    when = rows["occurred_on"]
    inside = ((when >= pd.Timestamp(period.start)) & (when <= pd.Timestamp(period.end))).to_numpy(dtype=bool)
    when = when[inside]
    position = months_since(first, when.dt.year.to_numpy(), when.dt.month.to_numpy()).astype(int)
    n = len(months)
    if by is None:
        return pd.DataFrame({"incidents": np.bincount(position, minlength=n).astype("int64")}, index=months)
    codes, values = pd.factorize(rows.loc[inside, by], sort=True)
    keep = codes >= 0
    k = len(values)
    counts = np.bincount(position[keep] * k + codes[keep], minlength=n * k).reshape(n, k) if k else np.zeros((n, 0))
    return pd.DataFrame(counts.astype("int64"), index=months, columns=pd.Index(list(values), dtype=object))


def monthly_incidents(
    incidents: pd.DataFrame,
    codes: pd.Index | list[str],
    period: ind.Period,
    by: str | None = None,
    col: str = "commune_code",
) -> pd.DataFrame:
    """Monthly incident counts in ``period`` for the units ``codes``, optionally split by a column.

    Parameters
    ----------
    incidents : pd.DataFrame
        Stored incidents (``occurred_on``, ``col`` and ``by``).
    codes : Index or list of str
        Units whose incidents are counted.
    period : Period
        Every month of it is a row of the result.
    by : str, optional
        Column to split by.
    col : str
        Unit column of ``incidents``: ``commune_code`` or ``legacy_code``.

    Returns
    -------
    pd.DataFrame
        As :func:`monthly_counts`.
    """
    return monthly_counts(incidents[incidents[col].isin(codes)], period, by)
