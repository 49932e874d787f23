"""Which commune-months were reported, and how complete reporting is (pure pandas).

The one owner of "was this commune-month reported?":

* A commune-month that some visible incidents import reported
  (``loaders.store.reads.load_reports``) and that has no incident counts 0.
* A commune-month that no visible import reported is "chưa báo cáo" (not
  reported): never 0. Incident counts and rates leave it out, and so do
  comparisons; a unit with no reported month in the period shows "chưa báo cáo"
  on maps, charts and tables.
* Every stored incident lies in a reported commune-month: an import reports
  the month and commune of each of its rows (``loaders.ingest.reporting``), and
  a rolled-back or hidden import hides its rows and its reports together. So
  counting the visible rows already leaves the not-reported months out.
* Reports are kept per 2025 commune. A legacy unit takes the reports of the
  2025 commune that took its area.
* Completeness: reported commune-months / all commune-months of the period,
  for a commune, a former district or the province. A month belongs to a period
  when it overlaps it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd

from loaders.core import domain
from loaders.geo.registry import Registry

_DAY_NS = 86_400 * 10**9

#: Indicators computed from incidents: a unit with no reported month shows "chưa báo cáo" for them.
INCIDENT_INDICATORS: tuple[str, ...] = ("incidents", "incidents_per_10k", "incidents_change")


def not_reported_units(indicators: pd.DataFrame, indicator: str) -> tuple[str, ...]:
    """Units shown "chưa báo cáo" for ``indicator``: an incident indicator and no month reported."""
    if indicator not in INCIDENT_INDICATORS or "not_reported" not in indicators:
        return ()
    return tuple(indicators.index[indicators["not_reported"].to_numpy(dtype=bool)])


def months_of(start: date, end: date) -> pd.DatetimeIndex:
    """First day of every calendar month that overlaps ``[start, end]``, in order."""
    first = pd.Timestamp(start).to_period("M").to_timestamp()
    return pd.date_range(first, pd.Timestamp(end), freq="MS")


def units_2025(registry: Registry, units: pd.Index, level: str) -> np.ndarray:
    """The 2025 commune whose reports each unit takes (``None`` when unknown), as an object array."""
    if level == domain.VINTAGE_2025:
        return np.asarray(units, dtype=object)
    new = registry.legacy["new_code"].reindex(units)
    return np.array([None if pd.isna(c) else str(c) for c in new], dtype=object)


def report_grid(
    reports: pd.DataFrame, communes: np.ndarray, months: pd.DatetimeIndex, full: ReportGrid | None = None
) -> np.ndarray:
    """Which of ``months`` each commune reported.

    Parameters
    ----------
    reports : pd.DataFrame
        ``month`` (first day) and ``commune_code`` of the reported commune-months.
    communes : np.ndarray
        2025 commune code per row of the result (``None`` reports nothing).
    months : pd.DatetimeIndex
        Month starts, the columns of the result.
    full : ReportGrid, optional
        :func:`full_report_grid` of the same ``reports`` and ``months``, when already known.

    Returns
    -------
    np.ndarray
        Boolean, shape ``(len(communes), len(months))``.
    """
    keys, grid = full_report_grid(reports, months) if full is None else full
    at = keys.get_indexer(pd.Index(communes, dtype=object))
    return grid[np.where(at >= 0, at, len(keys))]


#: Every commune that reported anything (an index) and its row of reported months;
#: the grid's last row, all false, answers every other commune.
ReportGrid = tuple[pd.Index, np.ndarray]


def full_report_grid(reports: pd.DataFrame, months: pd.DatetimeIndex) -> ReportGrid:
    """The reported months of every commune found in ``reports`` (see :data:`ReportGrid`)."""
    codes = reports["commune_code"].astype(object).to_numpy()
    keys = pd.Index(pd.unique(codes[pd.notna(codes)]), dtype=object)
    grid = np.zeros((len(keys) + 1, len(months)), dtype=bool)
    if len(reports) and len(keys) and len(months):
        rows = keys.get_indexer(codes)
        cols = months.get_indexer(pd.DatetimeIndex(reports["month"]))
        ok = (rows >= 0) & (cols >= 0)
        grid[rows[ok], cols[ok]] = True
    return keys, grid


def reporting_status(
    reports: pd.DataFrame, registry: Registry, units: pd.Index, start: date, end: date, level: str
) -> pd.DataFrame:
    """Reported months of each unit in ``[start, end]``.

    Returns
    -------
    pd.DataFrame
        Indexed by ``units``: ``months_total`` (months overlapping the period),
        ``months_reported`` and ``reporting_share`` (reported / total, NaN for an
        empty period), ``not_reported`` (no month reported: "chưa báo cáo") and
        ``complete`` (every month reported).
    """
    months = months_of(start, end)
    grid = report_grid(reports, units_2025(registry, units, level), months)
    reported = grid.sum(axis=1)
    total = len(months)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = reported / total if total else np.full(len(units), np.nan)
    return pd.DataFrame(
        {
            "months_total": np.full(len(units), total),
            "months_reported": reported,
            "reporting_share": share,
            "not_reported": reported == 0,
            "complete": reported == total,
        },
        index=units,
    )


def monthly_reporting(
    reports: pd.DataFrame, registry: Registry, units: pd.Index, start: date, end: date, level: str
) -> pd.DataFrame:
    """Per month of the period: how many of ``units`` reported.

    Returns
    -------
    pd.DataFrame
        Indexed by month start: ``reported`` and ``not_reported`` (unit counts).
    """
    months = months_of(start, end)
    grid = report_grid(reports, units_2025(registry, units, level), months)
    reported = grid.sum(axis=0)
    return pd.DataFrame({"reported": reported, "not_reported": len(units) - reported}, index=months)


def completeness(indicators: pd.DataFrame) -> float:
    """Reported commune-months / all commune-months of some units (NaN when there are none).

    ``indicators`` has ``months_reported`` and ``months_total`` (:func:`reporting_status`).
    """
    total = float(indicators["months_total"].sum()) if "months_total" in indicators else 0.0
    return float(indicators["months_reported"].sum()) / total if total else float("nan")


def completeness_table(indicators: pd.DataFrame, groups: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Completeness of each group of units and of all of them together (the last row, ``None``).

    Parameters
    ----------
    indicators : pd.DataFrame
        Per-unit indicators with the columns of :func:`reporting_status`.
    groups : mapping of str to sequence of str
        Group key (e.g. a former district code) to its unit codes.

    Returns
    -------
    pd.DataFrame
        Indexed by group key (then ``None`` for the whole): ``units``,
        ``units_not_reported``, ``months_reported``, ``months_total``, ``share``.
    """
    # One membership matrix (groups × units; a unit may belong to several groups, the last
    # row holds every unit) and one product per column, instead of a selection per group.
    keys = [*groups, None]
    position = {code: i for i, code in enumerate(indicators.index)}
    member = np.zeros((len(keys), len(indicators)), dtype=np.int64)
    for row, group in enumerate(groups):
        at = [position[c] for c in groups[group] if c in position]
        member[row, at] = 1
    member[-1, :] = 1
    counts = {
        "units_not_reported": indicators["not_reported"].to_numpy(dtype=np.int64),
        "months_reported": indicators["months_reported"].to_numpy(dtype=np.int64),
        "months_total": indicators["months_total"].to_numpy(dtype=np.int64),
    }
    out = pd.DataFrame({"units": member.sum(axis=1)}, index=pd.Index(keys, dtype=object))
    for column, values in counts.items():
        out[column] = member @ values
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share"] = np.where(out["months_total"] > 0, out["months_reported"] / out["months_total"], np.nan)
    return out


def monthly_unit_counts(when: np.ndarray, positions: np.ndarray, n: int, start: date, end: date) -> np.ndarray:
    """Incidents per unit and month of ``[start, end]`` (months as :func:`months_of`).

    Parameters
    ----------
    when : np.ndarray
        ``datetime64`` date of each incident row (NaT never counts).
    positions : np.ndarray
        Unit position of each row, -1 outside the units.
    n : int
        Number of units.

    Returns
    -------
    np.ndarray
        Integer counts, shape ``(n, len(months_of(start, end)))``.
    """
    months = months_of(start, end)
    # Compared as integers (NaT is the smallest, so it falls outside), and each row's month
    # read from a table of the period's days: no date conversion of a million stored rows.
    ticks = when.astype("datetime64[ns]", copy=False).view(np.int64)
    low, high = (np.datetime64(d, "ns").astype(np.int64) for d in (start, end))
    rows = np.flatnonzero((ticks >= low) & (ticks <= high))
    units = positions[rows]
    rows, units = rows[units >= 0], units[units >= 0]
    days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)
    month_of_day = days.astype("datetime64[M]").astype(np.int64) - np.datetime64(months[0], "M").astype(np.int64)
    month = month_of_day[(ticks[rows] - low) // _DAY_NS]
    flat = units.astype(np.int64) * len(months) + month
    return np.bincount(flat, minlength=n * len(months)).reshape(n, len(months))


def incident_figures(
    when: np.ndarray,
    positions: np.ndarray,
    population: np.ndarray,
    now: np.ndarray,
    before: np.ndarray,
    periods: tuple[tuple[date, date], tuple[date, date]],
    *,
    per: float,
    min_baseline: int,
    rise_threshold: float,
) -> dict[str, np.ndarray]:
    """Incident counts, rates and change per unit, leaving the not-reported commune-months out.

    Parameters
    ----------
    when, positions : np.ndarray
        Date and unit position (-1 outside the units) of every incident row.
    population : np.ndarray
        Residents per unit (NaN when unknown).
    now, before : np.ndarray
        :func:`report_grid` of the units over the months of the period and of the
        comparison period.
    periods : ((date, date), (date, date))
        The period and the comparison period, both days included.
    per : float
        Rates are per this many residents.
    min_baseline, rise_threshold
        The change rule: flagged when the compared count is at least ``min_baseline``
        and the rise exceeds ``rise_threshold``.

    Returns
    -------
    dict of str to np.ndarray
        ``incidents`` (NaN where no month of the period was reported),
        ``incidents_per_10k`` (over the reported months: the population times the
        share of the period's months reported), and the comparison, month by month:
        the k-th month of the period goes with the k-th month of the comparison
        period, and a pair counts only when the unit reported both months.
        ``incidents_compared`` and ``incidents_prev`` are the two periods' counts over
        those pairs, ``months_compared`` their number, ``incidents_change`` and
        ``incidents_flag`` follow from them (NaN / False without a pair).
        Also ``months_total``, ``months_reported``, ``reporting_share``,
        ``not_reported``, ``comparable``, ``population_reported``, ``has_incidents``.
    """
    n = len(population)
    (start, end), (c_start, c_end) = periods
    counts_now = monthly_unit_counts(when, positions, n, start, end)
    counts_before = monthly_unit_counts(when, positions, n, c_start, c_end)
    total, reported = now.shape[1], now.sum(axis=1)
    not_now = reported == 0
    share = reported / total if total else np.zeros(n)
    if now.shape[1] == before.shape[1]:
        paired = now & before
        compared_now = (counts_now * paired).sum(axis=1).astype(float)
        compared_before = (counts_before * paired).sum(axis=1).astype(float)
        months_compared = paired.sum(axis=1)
    else:  # months cannot be paired one to one: compare only units that reported both periods whole
        whole = now.all(axis=1) & before.all(axis=1)
        compared_now = np.where(whole, counts_now.sum(axis=1), 0).astype(float)
        compared_before = np.where(whole, counts_before.sum(axis=1), 0).astype(float)
        months_compared = np.where(whole, total, 0)
    comparable = months_compared > 0
    current = counts_now.sum(axis=1).astype(float)
    exposed = population * share
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(exposed > 0, current / np.where(exposed > 0, exposed, 1) * per, np.nan)
        change = np.where(
            compared_before > 0,
            (compared_now - compared_before) / np.where(compared_before > 0, compared_before, 1),
            np.nan,
        )
    change = np.where(comparable, change, np.nan)
    return {
        "incidents": np.where(not_now, np.nan, current),
        "incidents_prev": np.where(comparable, compared_before, np.nan),
        "incidents_compared": np.where(comparable, compared_now, np.nan),
        "months_compared": months_compared,
        "incidents_per_10k": np.where(not_now, np.nan, rate),
        "incidents_change": change,
        "incidents_flag": comparable & (compared_before >= min_baseline) & (np.nan_to_num(change) > rise_threshold),
        "has_incidents": ~not_now,
        "population_reported": np.where(not_now, 0.0, exposed),
        "comparable": comparable,
        "months_total": np.full(n, total),
        "months_reported": reported,
        "reporting_share": share if total else np.full(n, np.nan),
        "not_reported": not_now,
    }


def blank_unreported_months(monthly: pd.DataFrame, reports: pd.DataFrame | None, codes: Sequence[str]) -> pd.DataFrame:
    """``monthly`` (indexed by month start) with the months none of ``codes`` reported set to NaN.

    Such a month is "chưa báo cáo", not zero: a chart leaves it blank. Without
    reports (``None``) every month is kept as counted.

    Parameters
    ----------
    monthly : pd.DataFrame
        Counts per month, as :func:`analysis.series.monthly_incidents` gives them.
    reports : pd.DataFrame or None
        ``month`` and ``commune_code`` of the reported commune-months.
    codes : sequence of str
        The 2025 communes the counts are of.
    """
    if reports is None or monthly.empty:
        return monthly
    mine = reports[reports["commune_code"].isin(list(codes))]
    reported = pd.DatetimeIndex(mine["month"]).unique()
    months = pd.DatetimeIndex(monthly.index).to_period("M").to_timestamp()
    return monthly.astype(float).where(pd.Series(months.isin(reported), index=monthly.index), axis=0)
