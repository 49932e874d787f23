"""Focus-area comparisons, missing-kind lists and incident change tables (pure pandas).

Focus classes partition the 2025 communes (``Registry.focus_class``: border,
economic zone / major project, coastal, then the admin's hot spots of the year,
other, first that applies), so their figures add up to the province. Focus-area
*membership* (``focus_membership``) lets a commune count in every area it belongs
to, for per-area figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis import indicators as ind
from analysis import reporting, residential, series
from loaders.core import domain
from loaders.geo.registry import Registry

#: Partition classes in display order.
FOCUS_CLASSES: tuple[str, ...] = (
    domain.FOCUS_BORDER,
    domain.FOCUS_ECONOMIC_ZONE,
    domain.FOCUS_COASTAL,
    domain.FOCUS_HOT_SPOT,
    "other",
)
#: Membership areas in display order (a commune may be in several).
FOCUS_MEMBERSHIP: tuple[str, ...] = (
    domain.FOCUS_BORDER,
    domain.FOCUS_COASTAL,
    domain.FOCUS_ECONOMIC_ZONE,
    domain.FOCUS_MAJOR_PROJECT,
    domain.FOCUS_HOT_SPOT,
    "other",
)
#: Province figures compared across focus groups, in display order.
COMPARED: tuple[str, ...] = ("units", *ind.SUMMARY_FIGURES)
#: Trend indicators.
TREND_INDICATORS: tuple[str, ...] = ("models_per_10k", "incidents_per_10k")


def focus_membership(registry: Registry, hot_spots: tuple[tuple[str, str], ...] = ()) -> pd.DataFrame:
    """Boolean membership of each 2025 commune in each focus area.

    Parameters
    ----------
    hot_spots : tuple of (vintage, code)
        The admin's hot-spot list of the period's year (``Filters.hot_spots``).

    Returns
    -------
    pd.DataFrame
        Indexed by commune code, one boolean column per :data:`FOCUS_MEMBERSHIP`;
        ``other`` is true for communes in no focus area.
    """
    table = pd.DataFrame(index=registry.communes.index)
    for area in FOCUS_MEMBERSHIP[:-1]:
        table[area] = table.index.isin(ind.focus_codes(registry, area, domain.VINTAGE_2025, hot_spots))
    table["other"] = ~table.any(axis=1)
    return table


def with_hot_spots(
    registry: Registry,
    classes: pd.Series,
    membership: pd.DataFrame,
    hot_spots: tuple[tuple[str, str], ...],
) -> tuple[pd.Series, pd.DataFrame]:
    """Focus classes and membership (without hot spots, kept by the caller) with a year's hot spots added.

    A hot-spot commune keeps its geographic class when it has one and takes the
    hot-spot class otherwise, so that the classes still partition the province;
    in the membership it counts as a hot spot whatever else it is.
    """
    codes = ind.hot_spot_units(registry, hot_spots, domain.VINTAGE_2025)
    classes = classes.copy()
    classes[(classes == "other") & classes.index.isin(codes)] = domain.FOCUS_HOT_SPOT
    membership = membership.copy()
    membership[domain.FOCUS_HOT_SPOT] = membership.index.isin(codes)
    areas = [a for a in FOCUS_MEMBERSHIP if a != "other"]
    membership["other"] = ~membership[areas].any(axis=1)
    return classes, membership[list(FOCUS_MEMBERSHIP)]


def focus_groups(
    registry: Registry,
    units: pd.Index,
    by: str = "class",
    *,
    classes: pd.Series | None = None,
    membership: pd.DataFrame | None = None,
) -> dict[str, pd.Index]:
    """Codes of ``units`` per focus group.

    Parameters
    ----------
    by : {"class", "membership"}
        The partition (each commune once) or per-area membership (a commune in
        every area it belongs to).
    classes, membership : optional
        ``registry.focus_class()`` and :func:`focus_membership`, when the caller
        keeps them (they only depend on the registry).

    Returns
    -------
    dict
        Group key -> codes, in display order; empty groups are left out.
    """
    if by == "class":
        classes = (registry.focus_class() if classes is None else classes).reindex(units)
        groups = {c: units[(classes == c).to_numpy()] for c in FOCUS_CLASSES}
    elif by == "membership":
        member = (focus_membership(registry) if membership is None else membership).reindex(units).fillna(False)
        groups = {a: units[member[a].to_numpy(dtype=bool)] for a in FOCUS_MEMBERSHIP}
    else:
        raise ValueError(f"unknown grouping {by!r}; use 'class' or 'membership'")
    return {k: v for k, v in groups.items() if len(v)}


def compare_groups(
    indicators: pd.DataFrame, data: ind.Datasets, filters: ind.Filters, groups: Mapping[str, pd.Index]
) -> pd.DataFrame:
    """Province-style key figures per focus group, side by side.

    Rates come from the group's sums (as in :func:`analysis.indicators.summarise`).

    Returns
    -------
    pd.DataFrame
        Index :data:`COMPARED` indicators, one column per group; NaN = no data.
    """
    # summarise() scans the recognitions for the units it is given; keep only the
    # rows of the recognition year in these units, once, instead of per group.
    recognitions = data.recognitions
    year = ind.recognition_year(recognitions, filters.period.end)
    if year is not None:
        keep = (recognitions["year"] == year).to_numpy() & recognitions["commune_code"].isin(
            indicators.index
        ).to_numpy()
        recognitions = recognitions[keep]
    small = replace(data, recognitions=recognitions)
    columns = {}
    for key, codes in groups.items():
        summary = ind.summarise(indicators.loc[indicators.index.intersection(codes)], small, filters)
        columns[key] = pd.Series({name: summary.get(name, np.nan) for name in COMPARED})
    return pd.DataFrame(columns, index=list(COMPARED))


def group_trends(
    data: ind.Datasets, registry: Registry, filters: ind.Filters, groups: Mapping[str, pd.Index], step: str = "month"
) -> dict[str, pd.DataFrame]:
    """Monthly or quarterly series per focus group over the filter period.

    ``models_per_10k``: covering models (the counting rule applied to each step,
    model-kind filter applied) per 10,000 residents of the group's communes that
    have model data. ``incidents_per_10k``: incidents in the step per 10,000
    residents of the group's communes that have incident data; with the reported
    commune-months known (``data.reports``), per 10,000 residents of the
    commune-months reported in the step, and NaN ("chưa báo cáo") for a step in
    which none of the group's communes reported.

    Parameters
    ----------
    step : {"month", "quarter"}
        Series step; the first and last steps are cut to the period.

    Returns
    -------
    dict
        ``{"models_per_10k": frame, "incidents_per_10k": frame}``, each indexed by
        step start with one column per group.
    """
    # The population of the period's end year, by the same rule as the rates (analysis.residential).
    shipped = registry.communes["population"].astype(float)
    population = residential.commune_population(data.residential_areas, shipped, filters.period.end.year)["population"]
    models = data.models
    reporting_models = set(models["commune_code"].unique())
    if filters.kinds:
        models = models[models["kind"].isin(filters.kinds)]
    incidents = data.incidents
    # Each incident's commune as a position in the registry, once, not per group: matching
    # codes per group does not scale to a million incidents.
    communes = pd.Index(registry.communes.index.to_numpy(dtype=object), dtype=object)
    incident_pos = ind.unit_positions(incidents["commune_code"], communes)
    reporting_incidents = set(communes[np.bincount(incident_pos + 1, minlength=len(communes) + 1)[1:] > 0])
    steps = series.period_steps(filters.period, step)
    index = pd.DatetimeIndex([pd.Timestamp(s.start) for s in steps], name="period")
    starts = np.array([np.datetime64(pd.Timestamp(s.start), "ns") for s in steps])
    ends = np.array([np.datetime64(pd.Timestamp(s.end), "ns") for s in steps])
    # The models covering in each step, every step at once.
    active = ind.counted_in(models, starts, ends) & ind.may_cover(models, ends)
    model_codes = models["commune_code"]
    # The steps cut the period without gaps: an incident of the period belongs to the last step
    # starting on or before its day.
    when = incidents["occurred_on"].to_numpy(dtype="datetime64[ns]")
    in_period = ind.within_period(when, filters.period)
    step_of = np.searchsorted(starts.view(np.int64), when[in_period].view(np.int64), side="right") - 1
    period_pos = incident_pos[in_period] + 1  # 0 = commune not in the registry
    reported = _reported_share(data.reports, communes, steps)
    # Residents of each commune counted in each step: its population times the share of the step it reported.
    exposed = None if reported is None else population.reindex(communes).fillna(0).to_numpy()[:, None] * reported
    model_cols, incident_cols = {}, {}
    for key, codes in groups.items():
        codes = pd.Index(codes)
        pop_m = population.reindex(codes[codes.isin(reporting_models)]).sum()
        pop_i = population.reindex(codes[codes.isin(reporting_incidents)]).sum()
        covering = active[:, model_codes.isin(codes).to_numpy(dtype=bool)].sum(axis=1)
        member = np.zeros(len(communes) + 1, dtype=bool)
        member[1:] = communes.isin(codes)
        counts = np.bincount(step_of[member[period_pos]], minlength=len(steps))[: len(steps)]
        model_cols[key] = covering / pop_m * ind.PER if pop_m else np.full(len(steps), np.nan)
        if exposed is None:
            incident_cols[key] = counts / pop_i * ind.PER if pop_i else np.full(len(steps), np.nan)
        else:  # the residents of the commune-months reported in each step; none reported: NaN, not zero
            exposure = exposed[member[1:]].sum(axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                incident_cols[key] = np.where(exposure > 0, counts / exposure * ind.PER, np.nan)
    return {
        "models_per_10k": pd.DataFrame(model_cols, index=index),
        "incidents_per_10k": pd.DataFrame(incident_cols, index=index),
    }


def _reported_share(reports: pd.DataFrame | None, communes: pd.Index, steps: list[ind.Period]) -> np.ndarray | None:
    """Per commune and step, the share of the step's months it reported (``None`` without reports)."""
    if reports is None or not steps:
        return None
    months = reporting.months_of(steps[0].start, steps[-1].end)
    grid = reporting.report_grid(reports, communes.to_numpy(dtype=object), months).astype(float)
    step_of_month = (
        np.searchsorted(
            np.array([np.datetime64(pd.Timestamp(s.start).to_period("M").to_timestamp(), "ns") for s in steps]),
            months.to_numpy(dtype="datetime64[ns]"),
            side="right",
        )
        - 1
    )
    share = np.zeros((len(communes), len(steps)))
    for j in range(len(steps)):
        in_step = step_of_month == j
        if in_step.any():
            share[:, j] = grid[:, in_step].mean(axis=1)
    return share


def missing_kinds_table(
    indicators: pd.DataFrame, registry: Registry, *, membership: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Focus-area communes that miss at least one core model kind.

    Parameters
    ----------
    membership : pd.DataFrame, optional
        :func:`focus_membership` of ``registry``, when the caller keeps it.

    Returns
    -------
    pd.DataFrame
        Indexed by commune code: ``name``, ``areas`` (tuple of focus-area keys),
        one boolean column per core kind (true = missing), ``n_missing`` and
        ``no_model_data`` (a commune that never reported models misses all four,
        and is flagged so "no data" is not read as "none"). Sorted by
        ``n_missing`` (most first), then name.
    """
    member = (focus_membership(registry) if membership is None else membership).reindex(indicators.index)
    areas_cols = [a for a in FOCUS_MEMBERSHIP if a != "other"]
    flags = member[areas_cols].fillna(False).to_numpy(dtype=bool)
    focus = flags.any(axis=1)
    rows = indicators[focus]
    flags = flags[focus]
    no_data = ~rows["has_models"].to_numpy(dtype=bool)
    missing = np.array(
        [[k in kinds for k in domain.MODEL_KINDS_CORE] for kinds in rows["kinds_missing"]], dtype=bool
    ).reshape(len(rows), len(domain.MODEL_KINDS_CORE))
    missing |= no_data[:, None]
    out = pd.DataFrame({"name": rows["name"].to_numpy(dtype=object)}, index=rows.index)
    out["areas"] = [tuple(a for a, on in zip(areas_cols, row) if on) for row in flags]
    for index, kind in enumerate(domain.MODEL_KINDS_CORE):
        out[kind] = missing[:, index]
    out["no_model_data"] = no_data
    out["n_missing"] = missing.sum(axis=1).astype(int)
    out = out[out["n_missing"].to_numpy() > 0]
    return out.sort_values(["n_missing", "name"], ascending=[False, True])


def missing_by_kind(table: pd.DataFrame) -> dict[str, list[str]]:
    """Names of the communes missing each core kind, from :func:`missing_kinds_table`."""
    return {kind: table.loc[table[kind], "name"].tolist() for kind in domain.MODEL_KINDS_CORE}


def change_table(indicators: pd.DataFrame) -> pd.DataFrame:
    """This period against its comparison period (``Filters.compare``), per unit.

    Returns
    -------
    pd.DataFrame
        Indexed by code: ``name, incidents_prev, incidents, difference,
        incidents_change, incidents_flag, has_incidents`` and, with reports, the
        reporting columns of ``analysis.reporting.incident_figures``. Flagged rows
        first, then by change (largest first); units without incident data last.
        With reports, the difference, like the change, counts only the months
        reported in both periods (``incidents_compared`` against ``incidents_prev``).
    """
    extra = ("not_reported", "comparable", "months_reported", "months_total", "incidents_compared", "months_compared")
    reported = [c for c in extra if c in indicators]
    out = indicators[
        ["name", "incidents_prev", "incidents", "incidents_change", "incidents_flag", "has_incidents", *reported]
    ].copy()
    out.insert(3, "difference", out["incidents"] - out["incidents_prev"])
    if "incidents_compared" in out:  # month by month over the months reported in both periods
        out["difference"] = out["incidents_compared"] - out["incidents_prev"]
    has_data = out["has_incidents"].to_numpy(dtype=bool)
    flagged = out["incidents_flag"].to_numpy(dtype=bool)
    change = np.nan_to_num(out["incidents_change"].to_numpy(dtype=float), nan=-np.inf)
    codes = out.index.to_numpy(dtype=object).astype(str)
    # np.lexsort sorts by the last key first; negate for descending order (stable, ties by code).
    order = np.lexsort((codes, -change, -flagged.astype(int), -has_data.astype(int)))
    return out.iloc[order]


def median_comparison(values: pd.DataFrame, code: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """One unit's indicators against the median of all units.

    Parameters
    ----------
    values : pd.DataFrame
        Indicators of every unit in the province (communes or districts).
    code : str
        The unit.
    columns : tuple of str
        Indicators to compare.

    Returns
    -------
    pd.DataFrame
        Indexed by indicator: ``value, median, difference`` (NaN = no data).

    Raises
    ------
    KeyError
        If ``code`` is not in ``values``.
    """
    row = values.loc[code]
    medians = values[list(columns)].astype(float).median(skipna=True)
    out = pd.DataFrame({"value": row[list(columns)].astype(float), "median": medians})
    out["difference"] = out["value"] - out["median"]
    return out
