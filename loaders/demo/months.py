"""The demo's calendar: the months it covers and the day it stops.

Records run from :data:`START_DATE` to ``until`` (never a future day). The
last month is partial: :attr:`Months.fraction` scales its expected volume.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from loaders.core.clock import vietnam_today

START_DATE: date = date(2020, 1, 1)
#: The yearly festival (Ngày hội toàn dân bảo vệ an ninh Tổ quốc), 19 August.
FESTIVAL_MONTH, FESTIVAL_DAY = 8, 19


def resolve_until(until: date | datetime | str | None) -> date:
    """The last day to generate: ``until`` (default the end of this month), capped at Vietnam's today.

    Raises
    ------
    ValueError
        If that day is before :data:`START_DATE`.
    """
    today = vietnam_today()
    if until is None:
        until = date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    elif isinstance(until, str):
        until = date.fromisoformat(until)
    elif isinstance(until, datetime):
        until = until.date()
    until = min(until, today)
    if until < START_DATE:
        raise ValueError(f"until must be on or after {START_DATE.isoformat()}, got {until.isoformat()}")
    return until


@dataclass
class Months:
    """The covered months as aligned arrays, one element per month from :data:`START_DATE`."""

    year: np.ndarray
    month: np.ndarray
    start: np.ndarray  # ordinal of the first day
    days: np.ndarray  # days available (the last month stops at ``until``)
    full_days: np.ndarray

    @property
    def fraction(self) -> np.ndarray:
        """Share of each month that is covered (1.0 except for the last month)."""
        return self.days / self.full_days


def months_until(until: date) -> Months:
    """Every month from :data:`START_DATE` to the month of ``until``, inclusive."""
    return months_between(START_DATE, until)


def months_between(first: date, until: date) -> Months:
    """Every month from the month of ``first`` to the month of ``until``, inclusive."""
    ys, ms, st, ds, fd = [], [], [], [], []
    y, m = first.year, first.month
    while (y, m) <= (until.year, until.month):
        full = calendar.monthrange(y, m)[1]
        ys.append(y)
        ms.append(m)
        st.append(date(y, m, 1).toordinal())
        ds.append(until.day if (y, m) == (until.year, until.month) else full)
        fd.append(full)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return Months(*(np.asarray(a) for a in (ys, ms, st, ds, fd)))


def iso_dates(ordinals: np.ndarray) -> list[str]:
    """Day ordinals as ISO ``YYYY-MM-DD`` strings."""
    return [date.fromordinal(int(o)).isoformat() for o in ordinals]
