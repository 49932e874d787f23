"""Coverage and incident indicators per commune, pure pandas.

Rules, stated here once and shown on screen by the pages (docs/domain.md explains the terms):

* Every rule reads a model's state at the period's end (:mod:`analysis.model_state`):
  its latest yearly record not after that year, and its rating for that year only.
* A model *counts* in a period when it was founded on or before the period's end
  and was not dissolved before the period's start.
* A counted model *covers* its commune when, at the period's end, it is neither
  dissolved nor suspended and not rated weak for that year: weak models are a
  gap, not coverage. A model not rated that year ("chưa đánh giá") covers.
* "No data" is not zero: a commune that never reported a dataset gets NaN for
  that dataset's indicators, while one that reported and has none gets 0.
* Incident change compares the period with the comparison period of
  ``Filters.compare`` (the same period last year by default, or the adjacent
  period before: ``analysis.periods``) and is flagged only when the baseline is
  at least ``min_baseline`` incidents and the increase exceeds ``rise_threshold``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TypeVar

import numpy as np
import pandas as pd

from analysis import area_coverage as ac
from analysis import model_state, reporting, residential
from analysis.periods import COMPARE_SAME_PERIOD_LAST_YEAR, Period, comparison_period
from analysis.recognitions import recognised_units, recognition_shares, recognition_year
from analysis.unit_rows import count_rows, unit_positions, within_period
from loaders.core import domain
from loaders.geo.registry import Registry
from loaders.store.reads import LoadedDataset

T = TypeVar("T")

PER = 10_000
DEFAULT_RISE_THRESHOLD = 0.25
DEFAULT_MIN_BASELINE = 5


#: Province-level figures of :func:`summarise` that tables and briefings compare, in display order.
SUMMARY_FIGURES: tuple[str, ...] = (
    "models_covering",
    "models_per_10k",
    "units_all_kinds",
    "weak_share",
    "incidents",
    "incidents_per_10k",
    "incidents_change",
    "recognised_communes_share",
)

#: Indicator columns the map can colour by, in menu order.
MAP_INDICATORS: tuple[str, ...] = (
    "area_coverage",
    "models_per_10k",
    "kinds_present",
    "weak_share",
    "incidents_per_10k",
    "incidents_change",
    "models_covering",
    "incidents",
)


@dataclass(frozen=True)
class Filters:
    """The shared sidebar filters.

    ``districts`` are former district codes (empty = all); ``kinds`` model kinds
    (empty = all); ``focus`` one of ``domain.FOCUS_AREAS``. ``hot_spots`` are the
    ``(vintage, commune code)`` pairs of the admin's hot-spot list for the year of the
    period's end (``loaders.focus.hot_spots``); the sidebar reads them from the store.
    """

    period: Period
    districts: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    focus: str = domain.FOCUS_ALL
    hot_spots: tuple[tuple[str, str], ...] = ()
    rise_threshold: float = DEFAULT_RISE_THRESHOLD
    min_baseline: int = DEFAULT_MIN_BASELINE
    compare: str = COMPARE_SAME_PERIOD_LAST_YEAR

    def with_period(self, period: Period) -> Filters:
        """A copy with another period."""
        return replace(self, period=period)

    def compare_period(self) -> Period:
        """The period the figures are compared with (``compare``: one of ``analysis.periods.COMPARISONS``)."""
        return comparison_period(self.period, self.compare)


@dataclass
class Datasets:
    """The three stored datasets as read by ``loaders.store.reads.load_dataset``."""

    models: pd.DataFrame
    incidents: pd.DataFrame
    recognitions: pd.DataFrame
    #: The yearly lists of thôn and tổ dân phố (``analysis.residential``); none by default.
    residential_areas: pd.DataFrame = field(default_factory=residential.empty_areas)
    #: The reported commune-months (``loaders.store.reads.load_reports``); ``None`` treats
    #: every unit with incidents as reporting (no "chưa báo cáo").
    reports: pd.DataFrame | None = None
    extra: dict[str, object] = field(default_factory=dict)
    #: Values derived from the frames alone (no filter), computed once per Datasets: the frames are
    #: read-only and a new data version is a new Datasets, so a derived value never goes stale.
    _derived: dict[Hashable, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_store(cls, loaded: Mapping[str, LoadedDataset], reports: pd.DataFrame | None) -> Datasets:
        """The datasets as ``loaders.store.reads.refresh_datasets`` read them, with the reported commune-months."""
        return cls(
            models=loaded[domain.DATASET_MODELS].frame,
            incidents=loaded[domain.DATASET_INCIDENTS].frame,
            recognitions=loaded[domain.DATASET_RECOGNITIONS].frame,
            residential_areas=loaded[domain.DATASET_RESIDENTIAL_AREAS].frame,
            reports=reports,
        )

    def derived(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once for these frames under ``key`` (a race computes it twice, harmlessly)."""
        try:
            return self._derived[key]  # type: ignore[return-value]
        except KeyError:
            value = compute()
            self._derived[key] = value
            return value


def unit_table(registry: Registry, level: str) -> pd.DataFrame:
    """The units of a level: 69 communes (2025) or 209 legacy communes."""
    return registry.communes if level == domain.VINTAGE_2025 else registry.legacy


def selected_units(registry: Registry, filters: Filters, level: str = domain.VINTAGE_2025) -> pd.Index:
    """Codes of the units the district and focus filters select, in registry order."""
    table = unit_table(registry, level)
    mask = pd.Series(True, index=table.index)
    if filters.districts:
        if level == domain.VINTAGE_2025:
            mask &= table.index.isin(registry.communes_in_districts(filters.districts))
        else:
            mask &= table["district_code"].isin(filters.districts)
    if filters.focus != domain.FOCUS_ALL:
        mask &= table.index.isin(focus_codes(registry, filters.focus, level, filters.hot_spots))
    return table.index[mask.to_numpy()]


def hot_spot_units(
    registry: Registry, entries: Iterable[tuple[str, str]], level: str = domain.VINTAGE_2025
) -> set[str]:
    """The units of ``level`` that a hot-spot list names.

    ``entries`` are ``(vintage, code)`` pairs: a list may name 2025 communes or
    legacy communes (a year before the reform). In the 2025 view a legacy commune
    counts as the 2025 commune that took its area; in the legacy view a 2025
    commune counts as all its legacy predecessors (as economic zones do).
    """
    out: set[str] = set()
    for vintage, code in entries:
        if vintage == level:
            out.add(code)
        elif level == domain.VINTAGE_2025:
            out.add(str(registry.to_2025(code)))
        else:
            out.update(registry.legacy_members(code))
    return out & set(unit_table(registry, level).index)


def focus_codes(registry: Registry, area: str, level: str, hot_spots: Iterable[tuple[str, str]] = ()) -> set[str]:
    """Codes of the units of ``level`` in a focus area, the hot-spot list included (``domain.FOCUS_*``)."""
    if area == domain.FOCUS_HOT_SPOT:
        return hot_spot_units(registry, hot_spots, level)
    return registry.focus_codes(area, level)


def _unit_column(level: str) -> str:
    # Legacy view: legacy-coded records show in their own units, without conversion;
    # records reported in 2025 units have no legacy unit and are left out there.
    return "commune_code" if level == domain.VINTAGE_2025 else "legacy_code"


def counted_in(
    models: pd.DataFrame, starts: np.ndarray, ends: np.ndarray, held: np.ndarray | None = None
) -> np.ndarray:
    """The counting rule for many periods at once: which models count in each ``[start, end]``.

    A model counts by its record that holds at the period's end
    (:func:`analysis.model_state.holding`) when it was founded on or before the
    period's end and was not dissolved before the period's start. A missing
    founding date never counts; a missing dissolution date means the model
    still exists. At most one record of a model counts per period.

    Parameters
    ----------
    models : pd.DataFrame
        The models frame: ``commune_code``, ``name_key``, ``rating_year``,
        ``founded_on`` and ``dissolved_on`` (datetimes, NaT = missing).
    starts, ends : np.ndarray
        ``datetime64[ns]`` period bounds (both included), one per period.
    held : np.ndarray, optional
        :func:`analysis.model_state.holding` at ``ends``, when already known.

    Returns
    -------
    np.ndarray
        Boolean, shape ``(len(starts), len(models))``.
    """
    founded = models["founded_on"].to_numpy(dtype="datetime64[ns]")
    dissolved = models["dissolved_on"].to_numpy(dtype="datetime64[ns]")
    starts, ends = np.asarray(starts, dtype="datetime64[ns]"), np.asarray(ends, dtype="datetime64[ns]")
    if held is None:
        held = model_state.holding(models, model_state.years_of(ends))
    # numpy's datetime comparisons are false for NaT, as the rule wants.
    return (
        held
        & (founded[None, :] <= ends[:, None])
        & (np.isnat(dissolved)[None, :] | (dissolved[None, :] >= starts[:, None]))
    )


def rated_weak(models: pd.DataFrame, ends: np.ndarray) -> np.ndarray:
    """Rows rated weak for the year of each period's end, shape ``(len(ends), len(models))``.

    A rating of another year does not count (:func:`analysis.model_state.rated_in`).
    """
    ends = np.asarray(ends, dtype="datetime64[ns]")
    weak = (models["assessment"] == domain.ASSESSMENT_WEAK).to_numpy(dtype=bool)
    return model_state.rated_in(models, model_state.years_of(ends)) & weak[None, :]


def may_cover(models: pd.DataFrame, ends: np.ndarray) -> np.ndarray:
    """The covering rule at each period's end: not dissolved, not suspended, not rated weak that year.

    Weak models are a gap, not coverage; a model not rated for the year
    ("chưa đánh giá") is not weak. Combine with :func:`counted_in` (or
    :func:`models_counted`) for the models that cover in a period.

    Parameters
    ----------
    models : pd.DataFrame
        The models frame (see :mod:`analysis.model_state`).
    ends : np.ndarray
        ``datetime64[ns]`` period ends.

    Returns
    -------
    np.ndarray
        Boolean, shape ``(len(ends), len(models))``.
    """
    ends = np.asarray(ends, dtype="datetime64[ns]")
    gone = model_state.dissolved_by(models, ends) | model_state.suspended_by(models, ends)
    return ~gone & ~rated_weak(models, ends)


def _bounds(period: Period) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.array([np.datetime64(pd.Timestamp(period.start), "ns")]),
        np.array([np.datetime64(pd.Timestamp(period.end), "ns")]),
    )


def models_counted(models: pd.DataFrame, period: Period) -> pd.Series:
    """Boolean mask of the models that count in ``period`` (:func:`counted_in`)."""
    return pd.Series(counted_in(models, *_bounds(period))[0], index=models.index)


def models_covering(models: pd.DataFrame, period: Period) -> pd.Series:
    """Mask of counted models that cover their commune (:func:`counted_in` and :func:`may_cover`)."""
    return models_counted(models, period) & may_cover(models, _bounds(period)[1])[0]


def compute_indicators(
    data: Datasets, registry: Registry, filters: Filters, level: str = domain.VINTAGE_2025
) -> pd.DataFrame:
    """Indicators for every selected unit.

    Parameters
    ----------
    data : Datasets
        Stored models, incidents and recognitions.
    registry : Registry
        Units and population.
    filters : Filters
        Period, former districts, model kinds, focus area and the change rule.
    level : {"2025", "legacy"}
        Unit level. A legacy commune's population and coverage of thôn/TDP come
        from the residential lists where its areas are all placed
        (``analysis.residential``); elsewhere they and its rates are NaN.

    Returns
    -------
    pd.DataFrame
        Indexed by unit code, columns ``name, population, population_source,
        population_year`` (where the population comes from, ``analysis.residential``),
        ``residential_areas, areas_covered, area_coverage`` (thôn/TDP of the list in
        force at the period's end, those covered by a selected kind or any kind
        without a kind filter, and their share 0..1, ``analysis.area_coverage``;
        NaN without a list), ``areas_with_mediation_share,
        areas_with_security_team_share`` (NaN before 1/7/2024), ``models_counted,
        models_covering, models_per_10k, kinds_present, kinds_missing (tuple),
        weak_share, incidents, incidents_prev, incidents_per_10k,
        incidents_change, incidents_flag, recognised, has_models,
        has_incidents``. NaN means no data.
    """
    # Plain object strings: pandas' Arrow-backed string index converts itself on
    # every lookup, which cost more than the counting.
    units = pd.Index(selected_units(registry, filters, level).to_numpy(dtype=object), dtype=object)
    table = unit_table(registry, level)
    col = _unit_column(level)
    n = len(units)
    out = pd.DataFrame(index=units)
    out.index.name = "code"
    out["name"] = table.loc[units, "name"]
    # The population rule (analysis.residential): per 2025 commune, a complete list of areas, else
    # the shipped figure; per legacy commune, the sum of its placed areas, else none. The same for
    # every selection: computed for all units once per data version and year.
    year = filters.period.end.year
    if level == domain.VINTAGE_2025:
        shipped = registry.communes["population"]
        everyone = data.derived(
            ("population", year),
            lambda: residential.commune_population(data.residential_areas, shipped, year),
        )
    else:
        everyone = data.derived(
            ("legacy_population", year),
            lambda: residential.legacy_population(data.residential_areas, residential.legacy_holders(registry), year),
        )
    people = everyone.reindex(units)
    out["population"] = people["population"].to_numpy()
    out["population_source"] = people["population_source"].to_numpy()
    out["population_year"] = people["population_year"].to_numpy()
    pop = out["population"].to_numpy()
    for name, values in _area_figures(data, filters, level, units, everyone).items():
        out[name] = values

    models_part = _model_figures(data, filters, units, col)
    for name, values in models_part.items():
        out[name] = values
        if name == "models_covering":
            out["models_per_10k"] = np.where(~models_part["has_models"], np.nan, values / pop * PER)

    incidents = data.incidents
    i_pos = unit_positions(incidents[col], units)
    when = incidents["occurred_on"].to_numpy(dtype="datetime64[ns]")
    # One counting pass over the rows: each row falls in bucket 1 (this period), 2 (the
    # comparison period), 3 (both: a period over a year long overlaps the same period
    # last year) or 0 (neither), per unit position (+1, so that rows outside the
    # selection land in a dropped first row).
    in_compare = within_period(when, filters.compare_period()).view(np.int8)
    bucket = within_period(when, filters.period).view(np.int8) + 2 * in_compare
    per_unit = np.bincount((i_pos + 1) * 4 + bucket, minlength=(n + 1) * 4).reshape(n + 1, 4)[1:]
    has_incidents = per_unit.sum(axis=1) > 0
    cur = (per_unit[:, 1] + per_unit[:, 3]).astype(float)
    prev = (per_unit[:, 2] + per_unit[:, 3]).astype(float)
    no_incidents = ~has_incidents
    out["incidents"] = np.where(no_incidents, np.nan, cur)
    out["incidents_prev"] = np.where(no_incidents, np.nan, prev)
    out["incidents_per_10k"] = np.where(no_incidents, np.nan, cur / pop * PER)
    with np.errstate(invalid="ignore", divide="ignore"):
        change = np.where(prev > 0, (cur - prev) / np.where(prev > 0, prev, 1), np.nan)
    out["incidents_change"] = np.where(no_incidents, np.nan, change)
    out["incidents_flag"] = (
        has_incidents & (prev >= filters.min_baseline) & (np.nan_to_num(change) > filters.rise_threshold)
    )
    out["has_incidents"] = has_incidents
    if data.reports is not None:  # not-reported commune-months are left out, never zero
        compare = filters.compare_period()
        bounds = ((filters.period.start, filters.period.end), (compare.start, compare.end))
        communes = reporting.units_2025(registry, units, level)
        grids = [_report_grid(data, communes, *b) for b in bounds]
        figures = reporting.incident_figures(
            when,
            i_pos,
            pop,
            *grids,
            bounds,
            per=PER,
            min_baseline=filters.min_baseline,
            rise_threshold=filters.rise_threshold,
        )
        for name, values in figures.items():
            out[name] = values

    year = recognition_year(data.recognitions, filters.period.end)
    out["recognised"] = recognised_units(data.recognitions, year, col, units)
    return out


def _model_state_at(data: Datasets, end: date) -> dict[str, np.ndarray]:
    """Per model row, the rules' parts that depend on the period's end only: once per data version and end."""

    def compute() -> dict[str, np.ndarray]:
        models = data.models
        ends = np.array([np.datetime64(pd.Timestamp(end), "ns")])
        rated = model_state.rated_in(models, model_state.years_of(ends))[0] & models["assessment"].notna().to_numpy()
        return {
            "held": model_state.holding(models, model_state.years_of(ends)),
            "weak": rated_weak(models, ends)[0],
            "may_cover": may_cover(models, ends)[0],
            "rated": rated,
            "kind": models["kind"].to_numpy(dtype=object),
        }

    return data.derived(("model_state", end), compute)


def _model_figures(data: Datasets, filters: Filters, units: pd.Index, col: str) -> dict[str, object]:
    """The model columns of :func:`compute_indicators` (``has_models`` a boolean array), rates aside."""
    # Rows are mapped once to unit positions (-1 = outside the selection) and
    # counted with bincount: far cheaper per rerun than groupby + reindex.
    models, n = data.models, len(units)
    state = _model_state_at(data, filters.period.end)
    m_pos = unit_positions(models[col], units)
    has_models = np.bincount(m_pos + 1, minlength=n + 1)[1:] > 0
    m_keep = m_pos >= 0
    if filters.kinds:
        m_keep &= models["kind"].isin(filters.kinds).to_numpy()
    counted = m_keep & counted_in(models, *_bounds(filters.period), held=state["held"])[0]
    covering = counted & state["may_cover"]
    n_counted = count_rows(m_pos, counted, n)
    n_covering = count_rows(m_pos, covering, n)
    n_weak = count_rows(m_pos, counted & state["weak"], n)
    n_assessed = count_rows(m_pos, counted & state["rated"], n)
    kinds_present = np.zeros((n, len(domain.MODEL_KINDS_CORE)), dtype=bool)
    for index, kind in enumerate(domain.MODEL_KINDS_CORE):
        kinds_present[:, index] = count_rows(m_pos, covering & (state["kind"] == kind), n) > 0
    no_models = ~has_models
    with np.errstate(invalid="ignore", divide="ignore"):
        weak_share = np.where(no_models | (n_assessed == 0), np.nan, n_weak / n_assessed)
    return {
        "models_counted": np.where(no_models, np.nan, n_counted),
        "models_covering": np.where(no_models, np.nan, n_covering),
        "kinds_present": np.where(no_models, np.nan, kinds_present.sum(axis=1)),
        "kinds_missing": [
            tuple(k for k, present in zip(domain.MODEL_KINDS_CORE, row) if not present) for row in kinds_present
        ],
        "weak_share": weak_share,
        "has_models": has_models,
    }


def model_indicators(
    data: Datasets, registry: Registry, filters: Filters, level: str = domain.VINTAGE_2025
) -> pd.DataFrame:
    """Only the model columns of :func:`compute_indicators` (the same values), for a comparison that needs no more.

    Returns
    -------
    pd.DataFrame
        Indexed by unit code: ``models_counted, models_covering, kinds_present,
        kinds_missing, weak_share, has_models``.
    """
    units = pd.Index(selected_units(registry, filters, level).to_numpy(dtype=object), dtype=object)
    out = pd.DataFrame(_model_figures(data, filters, units, _unit_column(level)), index=units)
    out.index.name = "code"
    return out


def _report_grid(data: Datasets, communes: np.ndarray, start: date, end: date) -> np.ndarray:
    """``analysis.reporting.report_grid``, from the grid of every commune kept per data version and period."""
    months = reporting.months_of(start, end)
    full = data.derived(("report_grid", start, end), lambda: reporting.full_report_grid(data.reports, months))
    return reporting.report_grid(data.reports, communes, months, full)


def _area_figures(
    data: Datasets, filters: Filters, level: str, units: pd.Index, population: pd.DataFrame
) -> dict[str, np.ndarray]:
    """Coverage of thôn/TDP per unit (``analysis.area_coverage``) at the period's end, for the selected kinds."""
    end = filters.period.end
    # Per area, once per data version and period end; only the sums depend on the selection.
    coverage = data.derived(("area_coverage", end), lambda: ac.area_coverage(data.residential_areas, data.models, end))
    placed = None if level == domain.VINTAGE_2025 else population["placed"]
    return ac.unit_coverage(coverage, units, placed, filters.kinds, end)


def incident_rows(
    incidents: pd.DataFrame, units: pd.Index, period: Period, level: str = domain.VINTAGE_2025
) -> pd.DataFrame:
    """The incidents of ``period`` in ``units``, newest first (then by ``id``, newest first).

    Selected through the category codes and the raw dates rather than pandas'
    ``isin`` and ``Timestamp`` comparisons, which dominate the cost at a million
    stored incidents (bench/README.md).
    """
    col = _unit_column(level)
    selected = unit_positions(incidents[col], pd.Index(units, dtype=object)) >= 0
    when = incidents["occurred_on"].to_numpy(dtype="datetime64[ns]")
    selected &= within_period(when, period)
    rows = np.flatnonzero(selected)
    days = when[rows].view("int64")
    ids = incidents["id"].to_numpy()[rows]
    order = np.lexsort((-ids, -days))
    return incidents.take(rows[order])


def summarise(
    indicators: pd.DataFrame, data: Datasets, filters: Filters, level: str = domain.VINTAGE_2025
) -> dict[str, float]:
    """Province-level key figures for the selected units.

    Rates are computed from the sums (not averages of commune rates) so that
    small communes do not dominate.
    """
    ind = indicators
    pop = ind.loc[ind["has_models"], "population"].sum()
    pop_inc = ind.loc[ind["has_incidents"], "population"].sum()
    covering = ind["models_covering"].sum()
    counted = ind["models_counted"].sum()
    incidents = ind["incidents"].sum()
    now, prev = incidents, ind["incidents_prev"].sum()
    if "population_reported" in ind:  # with reports: reported months only (analysis.reporting)
        pop_inc = ind["population_reported"].sum()
        comparable = ind["comparable"].to_numpy(dtype=bool)
        now, prev = ind.loc[comparable, "incidents_compared"].sum(), ind.loc[comparable, "incidents_prev"].sum()
    col = _unit_column(level)
    year = recognition_year(data.recognitions, filters.period.end)
    shares = recognition_shares(data.recognitions, year, ind.index, col)
    weak_rows = ind["weak_share"] * ind["models_counted"]
    # Coverage of thôn/TDP over the units that have a list: a sum of areas, not a mean of shares.
    areas = float(np.nansum(ind["residential_areas"])) if "residential_areas" in ind else 0.0
    covered = float(np.nansum(ind["areas_covered"])) if "areas_covered" in ind else 0.0
    return {
        "area_coverage": covered / areas if areas else np.nan,
        "units_with_areas": float(ind["residential_areas"].notna().sum()) if "residential_areas" in ind else 0.0,
        "units": float(len(ind)),
        "units_with_models": float(ind["has_models"].sum()),
        "models_covering": float(covering),
        "models_per_10k": float(covering / pop * PER) if pop else np.nan,
        "units_all_kinds": float((ind["kinds_present"] == len(domain.MODEL_KINDS_CORE)).sum()),
        "weak_share": float(weak_rows.sum() / counted) if counted else np.nan,
        "incidents": float(incidents),
        "incidents_per_10k": float(incidents / pop_inc * PER) if pop_inc else np.nan,
        "incidents_change": float((now - prev) / prev) if prev else np.nan,
        "reporting_share": reporting.completeness(ind),
        "recognition_year": float(year) if year is not None else np.nan,
        "recognised_communes_share": shares["communes"],
        "recognised_residential_share": shares["residential"],
        **residential.population_counts(ind),
    }
