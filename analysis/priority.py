"""Priority score per 2025 commune: where to act first (pure pandas).

Who is ranked
    A commune is ranked only when it has the data every component needs: a list
    of thôn/tổ dân phố in force for the year of the period's end
    (``residential_areas`` of ``analysis.indicators``), model data (it has
    reported models), and incidents reported for at least one month of the
    period (``analysis.reporting``; where no reports are kept, an incident in the
    period or its comparison period). Every other commune is listed apart as
    "chưa có dữ liệu" with each reason that applies (:data:`REASONS`), never with
    a score or a rank: a default score would put a commune that sent nothing
    first, or hide it last. A commune whose incidents were not reported is
    listed apart as well, not scored without the incident component: a score
    over fewer components does not compare with the others, and a zero would
    read "no incidents".

Components, each 0..1 where 1 means "needs attention most"

``coverage`` (gap to full coverage)
    ``1 − area_coverage``: the share of the commune's thôn/TDP in force that no
    model of the selected kinds covers at the period's end (the coverage rule of
    ``analysis.indicators``). Absolute, so scores compare across periods.
``missing_kinds``
    Missing core model kinds / 4.
``weak``
    Share of counted models rated weak for the year (0 when none was rated).
``rising`` (rising incidents)
    The rise of the severity-weighted incident rate. Each incident weighs
    :data:`SEVERITY_WEIGHTS` by its severity (:data:`UNKNOWN_SEVERITY_WEIGHT`
    without one); the rate is per 10,000 residents per year (annualised:
    × 365 / the period's days, and over the share of months compared). Both
    periods are read over the months reported in both (month k of the period
    with month k of the comparison period, as ``analysis.reporting`` pairs
    them), and both rates use the period's population, so a new list of
    residents does not read as a rise. ``(rate − rate_prev) / rate_prev``,
    clipped to 0..1 (a doubling or more gives 1). It counts only when the
    compared months of the comparison period hold at least the scaled baseline
    of incidents (a plain count): ``⌈min_baseline × days / 366⌉``, at least 1,
    where ``min_baseline`` is the sidebar's minimum per year and ``days`` the
    period's length; dividing by 366 keeps a whole year, leap or not, at the
    minimum itself (a quarter of 90 days: ``⌈5 × 90 / 366⌉ = 2``). Otherwise,
    or with no month reported in both periods, 0.
``focus``
    1 for border, economic-zone and major-project communes and for the admin's
    hot spots of the year, 0.5 for coastal ones, 0 for the rest (the focus class,
    ``analysis.comparisons.with_hot_spots``).

``score = Σ wᵢ·cᵢ / Σ wᵢ`` (0..1, shown 0–100); ranks 1..n over the ranked
communes only, highest score first, ties by code.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis import indicators as ind
from analysis import reporting
from analysis.formatting import format_plain
from loaders.core import domain
from loaders.core.i18n import translate
from loaders.geo.registry import Registry

#: Components in display order.
COMPONENTS: tuple[str, ...] = ("coverage", "missing_kinds", "weak", "rising", "focus")

#: Default weights: coverage gaps first, then rising incidents, then weak models and focus areas.
DEFAULT_WEIGHTS: dict[str, float] = {
    "coverage": 3.0,
    "missing_kinds": 2.0,
    "weak": 1.0,
    "rising": 2.0,
    "focus": 1.0,
}

#: Focus weight by focus class.
FOCUS_WEIGHT: dict[str, float] = {
    domain.FOCUS_BORDER: 1.0,
    domain.FOCUS_ECONOMIC_ZONE: 1.0,
    domain.FOCUS_COASTAL: 0.5,
    domain.FOCUS_HOT_SPOT: 1.0,
    "other": 0.0,
}

#: Weight of an incident by severity (``domain.INCIDENT_SEVERITIES``): the Penal Code's four
#: classes 1 to 4, an administrative violation half of the least serious crime.
SEVERITY_WEIGHTS: dict[str, float] = dict(zip(domain.INCIDENT_SEVERITIES, (0.5, 1.0, 2.0, 3.0, 4.0), strict=True))
#: Weight of an incident without a severity (the column is optional): a plain incident.
UNKNOWN_SEVERITY_WEIGHT = 1.0

#: ``status`` of a commune: ranked, or listed apart without a score.
STATUS_RANKED = "ranked"
STATUS_NO_DATA = "no_data"
#: Why a commune is listed apart, in display order.
REASON_NO_LIST = "no_list"
REASON_NO_MODEL_DATA = "no_model_data"
REASON_NOT_REPORTED = "not_reported"
REASONS: tuple[str, ...] = (REASON_NO_LIST, REASON_NO_MODEL_DATA, REASON_NOT_REPORTED)

_YEAR_DAYS = 365
#: Days of the longest year: the scaled baseline of a whole year is ``min_baseline`` itself.
_BASELINE_YEAR_DAYS = 366


class WeightsError(ValueError):
    """Weights that cannot make a score (unknown component, negative, or all zero)."""


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Complete ``weights`` with the defaults and validate them.

    Raises
    ------
    WeightsError
        If a component is unknown, a weight is negative, or all weights are zero.
    """
    unknown = set(weights) - set(COMPONENTS)
    if unknown:
        raise WeightsError(f"unknown priority component(s): {', '.join(sorted(unknown))}")
    full = {c: float(weights.get(c, DEFAULT_WEIGHTS[c])) for c in COMPONENTS}
    negative = [c for c, w in full.items() if w < 0 or np.isnan(w)]
    if negative:
        raise WeightsError(f"negative or missing weight for: {', '.join(negative)}")
    if sum(full.values()) == 0:
        raise WeightsError("all priority weights are zero")
    return full


def period_days(period: ind.Period) -> int:
    """Days of ``period``, both ends included."""
    return (period.end - period.start).days + 1


def scaled_baseline(min_baseline: float, period: ind.Period) -> int:
    """The low-base rule for ``period``: ``⌈min_baseline × days / 366⌉``, at least 1 (module docstring)."""
    # Rounded to 9 places first so that float noise (e.g. 5 × 366 / 366) never rounds up.
    return max(1, math.ceil(round(min_baseline * period_days(period) / _BASELINE_YEAR_DAYS, 9)))


def severity_weights(severity: pd.Series) -> np.ndarray:
    """Weight of each incident row by its severity (:data:`SEVERITY_WEIGHTS`, unknown 1)."""
    # Looked up once per distinct value: a year of incidents is up to a million rows.
    codes, values = pd.factorize(severity, use_na_sentinel=True)
    table = [SEVERITY_WEIGHTS.get(str(v), UNKNOWN_SEVERITY_WEIGHT) for v in values]
    return np.append(table, UNKNOWN_SEVERITY_WEIGHT)[codes]  # code -1 (missing) takes the last slot


def _monthly(when: np.ndarray, pos: np.ndarray, weight: np.ndarray, n: int, period: ind.Period) -> np.ndarray:
    # One count per distinct weight (at most six), each by reporting's monthly counting.
    total = np.zeros((n, len(reporting.months_of(period.start, period.end))))
    for value in np.unique(weight):
        rows = np.where(weight == value, pos, -1)
        total += value * reporting.monthly_unit_counts(when, rows, n, period.start, period.end)
    return total


def _grid(reports: pd.DataFrame | None, units: pd.Index, period: ind.Period) -> np.ndarray:
    months = reporting.months_of(period.start, period.end)
    if reports is None:  # no reports kept: every month counts as reported
        return np.ones((len(units), len(months)), dtype=bool)
    return reporting.report_grid(reports, np.asarray(units, dtype=object), months)


def _compare(
    now: np.ndarray, before: np.ndarray, *per_month: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Months compared, their share of the period, and each of ``per_month`` summed over them.

    Month k of the period goes with month k of the comparison period when the
    commune reported both; when the periods' months cannot be paired one to one,
    only communes that reported both periods whole compare (``analysis.reporting``).
    """
    if now.shape[1] == before.shape[1]:
        paired = now & before
        months = paired.sum(axis=1)
        return months, months / max(now.shape[1], 1), [(values * paired).sum(axis=1) for values in per_month]
    whole = now.all(axis=1) & before.all(axis=1)
    months = np.where(whole, now.shape[1], 0)
    return months, whole.astype(float), [np.where(whole, values.sum(axis=1), 0.0) for values in per_month]


def incident_pressure(
    incidents: pd.DataFrame, reports: pd.DataFrame | None, indicators: pd.DataFrame, filters: ind.Filters
) -> pd.DataFrame:
    """Severity-weighted, annualised incident rates of the period and its comparison (module docstring).

    Parameters
    ----------
    incidents : pd.DataFrame
        The stored incidents (``commune_code``, ``occurred_on``, ``severity``).
    reports : pd.DataFrame or None
        The reported commune-months (``analysis.indicators.Datasets.reports``).
    indicators : pd.DataFrame
        ``compute_indicators`` at the 2025 level: its index (the communes),
        ``population`` and ``has_incidents``.
    filters : Filters
        Period, comparison rule and ``min_baseline``.

    Returns
    -------
    pd.DataFrame
        Indexed like ``indicators``: ``reported`` (a month of the period
        reported), ``severity_points`` (weighted incidents of the period),
        ``incident_rate`` (their annualised rate per 10,000 residents over the
        reported months; NaN when not reported), ``rate_compared`` and
        ``rate_prev`` (the two periods over the months compared; NaN without
        one), ``incidents_baseline`` (plain count of the comparison period's
        compared months), ``baseline`` (:func:`scaled_baseline`) and ``rise``
        (the ``rising`` component, 0..1).
    """
    units = pd.Index(indicators.index.to_numpy(dtype=object), dtype=object)
    n = len(units)
    period, compare = filters.period, filters.compare_period()
    when = incidents["occurred_on"].to_numpy(dtype="datetime64[ns]")
    pos = ind.unit_positions(incidents["commune_code"], units)
    rows = np.flatnonzero((pos >= 0) & (ind.within_period(when, period) | ind.within_period(when, compare)))
    when, pos = when[rows], pos[rows]
    weight = severity_weights(incidents["severity"].iloc[rows])
    now, before = _grid(reports, units, period), _grid(reports, units, compare)
    points_now = _monthly(when, pos, weight, n, period) * now
    points_before = _monthly(when, pos, weight, n, compare)
    counts_before = reporting.monthly_unit_counts(when, pos, n, compare.start, compare.end)
    months_compared, share_compared, compared = _compare(now, before, points_now, points_before, counts_before)
    compared_now, compared_before, baseline_count = compared
    if reports is None:
        reported = indicators["has_incidents"].to_numpy(dtype=bool)
        share_reported = np.ones(n)
    else:
        reported = now.any(axis=1)
        share_reported = now.sum(axis=1) / max(now.shape[1], 1)
    population = indicators["population"].to_numpy(dtype=float)
    years, years_prev = period_days(period) / _YEAR_DAYS, period_days(compare) / _YEAR_DAYS
    comparable = months_compared > 0
    baseline = scaled_baseline(filters.min_baseline, period)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = points_now.sum(axis=1) / (population * years * share_reported) * ind.PER
        rate_now = compared_now / (population * years * share_compared) * ind.PER
        rate_prev = compared_before / (population * years_prev * share_compared) * ind.PER
        rise = np.clip((rate_now - rate_prev) / rate_prev, 0.0, 1.0)
    counts = comparable & (baseline_count >= baseline) & (rate_prev > 0)
    return pd.DataFrame(
        {
            "reported": reported,
            "severity_points": np.where(reported, points_now.sum(axis=1), np.nan),
            "incident_rate": np.where(reported & (population > 0), rate, np.nan),
            "rate_compared": np.where(comparable, rate_now, np.nan),
            "rate_prev": np.where(comparable, rate_prev, np.nan),
            "incidents_baseline": np.where(comparable, baseline_count, np.nan),
            "baseline": np.full(n, baseline),
            "rise": np.where(counts, np.nan_to_num(rise), 0.0),
        },
        index=indicators.index,
    )


def missing_data(indicators: pd.DataFrame, pressure: pd.DataFrame) -> pd.Series:
    """Why each commune is listed apart: a tuple of :data:`REASONS`, empty for a ranked commune."""
    no_list = indicators["residential_areas"].isna().to_numpy()
    no_models = ~indicators["has_models"].to_numpy(dtype=bool)
    not_reported = ~pressure["reported"].reindex(indicators.index).fillna(False).to_numpy(dtype=bool)
    flags = zip(no_list, no_models, not_reported, strict=True)
    return pd.Series([tuple(r for r, f in zip(REASONS, row) if f) for row in flags], index=indicators.index)


def priority_components(
    indicators: pd.DataFrame, pressure: pd.DataFrame, registry: Registry, *, classes: pd.Series | None = None
) -> pd.DataFrame:
    """The five normalised components per commune (see the module docstring).

    Parameters
    ----------
    indicators : pd.DataFrame
        ``analysis.indicators.compute_indicators`` at the 2025 level.
    pressure : pd.DataFrame
        :func:`incident_pressure` of the same communes.
    registry : Registry
        For the focus classes.
    classes : pd.Series, optional
        ``registry.focus_class()``, when the caller keeps it.

    Returns
    -------
    pd.DataFrame
        Indexed like ``indicators``: one column per component (0..1; NaN for a
        commune listed apart), ``focus_class`` and ``reasons`` (:func:`missing_data`).
    """
    reasons = missing_data(indicators, pressure)
    apart = reasons.map(bool).to_numpy(dtype=bool)
    out = pd.DataFrame(index=indicators.index)
    out["coverage"] = (1.0 - indicators["area_coverage"].astype(float)).clip(0, 1)
    out["missing_kinds"] = indicators["kinds_missing"].map(len).astype(float) / len(domain.MODEL_KINDS_CORE)
    out["weak"] = indicators["weak_share"].astype(float).fillna(0.0).clip(0, 1)
    out["rising"] = pressure["rise"].reindex(indicators.index).astype(float)
    classes = (registry.focus_class() if classes is None else classes).reindex(indicators.index).fillna("other")
    out["focus"] = classes.map(FOCUS_WEIGHT).fillna(0.0).astype(float)
    out.loc[apart, list(COMPONENTS)] = np.nan
    out["focus_class"] = classes
    out["reasons"] = reasons
    return out


def priority_scores(
    indicators: pd.DataFrame,
    data: ind.Datasets,
    registry: Registry,
    filters: ind.Filters,
    weights: Mapping[str, float] | None = None,
    *,
    classes: pd.Series | None = None,
) -> pd.DataFrame:
    """Rank the communes that have the data, and list the others apart.

    Parameters
    ----------
    indicators : pd.DataFrame
        ``compute_indicators(data, registry, filters)`` at the 2025 level (the filtered communes).
    data : Datasets
        The stored datasets (incidents by severity and the reported months).
    registry : Registry
        For the focus classes.
    filters : Filters
        Period, comparison rule and ``min_baseline`` (per year).
    weights : mapping, optional
        Weight per component; missing components take :data:`DEFAULT_WEIGHTS`.
    classes : pd.Series, optional
        ``registry.focus_class()``, when the caller keeps it.

    Returns
    -------
    pd.DataFrame
        Indexed by code: the ranked communes first (highest score first, ties
        by code), then those listed apart (by code). Columns ``rank`` (Int64,
        <NA> apart), ``name``, ``status`` (:data:`STATUS_RANKED` or
        :data:`STATUS_NO_DATA`), ``reasons``, ``score`` (0..1, NaN apart), the
        components, ``focus_class``, the raw ``residential_areas, areas_covered,
        area_coverage, kinds_missing, weak_share, incidents`` and the
        :func:`incident_pressure` columns.

    Raises
    ------
    WeightsError
        See :func:`check_weights`.
    """
    full = check_weights(weights or {})
    pressure = incident_pressure(data.incidents, data.reports, indicators, filters)
    parts = priority_components(indicators, pressure, registry, classes=classes)
    score = sum(parts[c] * w for c, w in full.items()) / sum(full.values())
    apart = parts["reasons"].map(bool)
    out = pd.DataFrame({"name": indicators["name"], "score": score}, index=indicators.index)
    out["status"] = np.where(apart, STATUS_NO_DATA, STATUS_RANKED)
    out = out.join(parts)
    for col in ("residential_areas", "areas_covered", "area_coverage", "kinds_missing", "weak_share", "incidents"):
        out[col] = indicators[col]
    out = out.join(pressure.drop(columns=["rise", "reported"]))
    order = out.assign(_apart=apart, _code=out.index, _score=out["score"].fillna(0.0))
    order = order.sort_values(["_apart", "_score", "_code"], ascending=[True, False, True])
    out = out.loc[order.index]
    ranked = int((~apart).sum())
    out.insert(0, "rank", pd.array(list(range(1, ranked + 1)) + [None] * (len(out) - ranked), dtype="Int64"))
    return out


def ranked_only(scores: pd.DataFrame) -> pd.DataFrame:
    """The ranked rows of :func:`priority_scores` (those with a rank)."""
    return scores[scores["rank"].notna().to_numpy(dtype=bool)]


def listed_apart(scores: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`priority_scores` listed apart as "chưa có dữ liệu" (no rank)."""
    return scores[scores["rank"].isna().to_numpy(dtype=bool)]


def formula_text(weights: Mapping[str, float], lang: str) -> str:
    """The formula with the current weights, in words, for the page and the exports.

    Example (vi): ``Điểm = (3 × Thiếu độ phủ thôn, tổ dân phố + 2 × Thiếu loại mô hình + …) / 9``.
    """
    full = check_weights(weights)
    total = sum(full.values())
    terms = " + ".join(
        f"{format_plain(w, lang)} × {translate(f'priority.component.{c}', lang)}" for c, w in full.items() if w
    )
    return translate("priority.formula", lang, terms=terms, total=format_plain(total, lang))
