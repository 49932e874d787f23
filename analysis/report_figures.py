"""The periodic report's figures (báo cáo định kỳ), per 2025 commune and for a unit (pure pandas).

:mod:`analysis.report` adds the tables and is what callers use.

A report is asked for a period, a comparison rule (``analysis.periods``) and a
unit: the province, one 2025 commune, or one former district (the 2025
communes formed from its legacy communes). Its figures come from the rules of
their owners, applied at the period's end:

* coverage of thôn/TDP and models by kind × rating: :mod:`analysis.area_coverage`;
* population and its source: :mod:`analysis.residential`;
* incidents, the comparison and the change rule: :func:`analysis.indicators.compute_indicators`,
  which leaves not-reported commune-months out (:mod:`analysis.reporting`);
* recognitions: the recognition year of :func:`analysis.indicators.recognition_year`.

Sums over communes keep "no data" apart from zero: a unit's count of areas is
``None`` when none of its communes has a list in force, its incidents ``None``
when none of them reported a month of the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from analysis import area_coverage as ac
from analysis import indicators as ind
from analysis import reporting, residential
from analysis.periods import COMPARE_SAME_PERIOD_LAST_YEAR, Period, comparison_period
from loaders.core import domain
from loaders.geo.registry import Registry

UNIT_PROVINCE = "province"
UNIT_COMMUNE = "commune"
UNIT_DISTRICT = "district"
#: How the command line names a former district: ``district:<legacy district code>``.
DISTRICT_PREFIX = "district:"
#: Communes whose share of thôn/TDP covered by any kind is below this are listed.
DEFAULT_COVERAGE_THRESHOLD = 0.8
#: Days of a year, for rates per year.
_YEAR_DAYS = 365.25


@dataclass(frozen=True)
class ReportUnit:
    """What a report covers: its kind, code (``None`` for the province), name and 2025 communes."""

    kind: str
    code: str | None
    name: str
    communes: tuple[str, ...]


def parse_unit(spec: str, registry: Registry) -> ReportUnit:
    """The unit named as on the command line: ``province``, a 2025 commune code, ``district:<code>``.

    Raises
    ------
    ValueError
        With a Vietnamese message naming the value and the accepted forms.
    """
    text = str(spec).strip()
    if text in ("", UNIT_PROVINCE):
        return ReportUnit(UNIT_PROVINCE, None, "Tỉnh Hà Tĩnh", tuple(registry.communes.index.astype(str)))
    if text.startswith(DISTRICT_PREFIX):
        code = text.removeprefix(DISTRICT_PREFIX).strip()
        if code in registry.districts.index:
            name = f"{registry.districts.at[code, 'name']} (cũ)"
            return ReportUnit(UNIT_DISTRICT, code, name, tuple(registry.communes_in_districts([code])))
        known = ", ".join(registry.districts.index.astype(str))
        raise ValueError(f"Không có huyện cũ mã {code!r}. Các mã huyện cũ: {known}.")
    if text in registry.communes.index:
        return ReportUnit(UNIT_COMMUNE, text, str(registry.communes.at[text, "name"]), (text,))
    raise ValueError(
        f"Đơn vị {text!r} không hợp lệ. Hãy viết «province» (toàn tỉnh), mã xã, phường 2025 gồm 5 chữ số "
        f"(ví dụ 18073) hoặc «district:<mã huyện cũ>» (ví dụ district:436)."
    )


@dataclass(frozen=True)
class ReportRequest:
    """What a report is asked for."""

    period: Period
    compare: str = COMPARE_SAME_PERIOD_LAST_YEAR
    unit: str = UNIT_PROVINCE
    #: ``(vintage, code)`` of the hot-spot list of the period's end year (``loaders.focus.hot_spots``).
    hot_spots: tuple[tuple[str, str], ...] = ()
    coverage_threshold: float = DEFAULT_COVERAGE_THRESHOLD
    min_baseline: int = ind.DEFAULT_MIN_BASELINE
    rise_threshold: float = ind.DEFAULT_RISE_THRESHOLD

    def compare_period(self) -> Period:
        """The period the figures are compared with."""
        return comparison_period(self.period, self.compare)

    def filters(self) -> ind.Filters:
        """The province-wide filters of the indicators this report reads."""
        return ind.Filters(
            period=self.period,
            hot_spots=self.hot_spots,
            rise_threshold=self.rise_threshold,
            min_baseline=self.min_baseline,
            compare=self.compare,
        )


@dataclass
class Report:
    """A built report: the request, its unit, the per-commune figures, the JSON figures and the tables."""

    request: ReportRequest
    unit: ReportUnit
    demo: bool
    communes: pd.DataFrame
    figures: dict[str, object]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: The same per-commune figures at the comparison period's end (coverage, models).
    communes_compare: pd.DataFrame | None = None
    recognition_year: int | None = None
    #: The models operating at the period's end (``commune_code``, ``kind``, ``model_name``).
    operating: pd.DataFrame | None = None


def _kind_rating_columns() -> list[tuple[str, str]]:
    return [(k, r) for k in domain.MODEL_KINDS for r in ac.RATINGS]


def commune_state(
    data: ind.Datasets, registry: Registry, on: date, operating: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Coverage and operating models per 2025 commune at ``on`` (``operating``: the models operating then, if known).

    Returns
    -------
    pandas.DataFrame
        Indexed by commune code (all 69): ``residential_areas`` (NaN without a
        list in force), ``with_mediation_team``, ``with_security_team``,
        ``covered_<kind>`` and ``covered_any`` (NaN without a list), and
        ``models|<kind>|<rating>`` counts of operating models.
    """
    codes = pd.Index(registry.communes.index.astype(str), dtype=object)
    out = pd.DataFrame(index=codes)
    by_commune = ac.coverage_by_commune(ac.area_coverage(data.residential_areas, data.models, on)).reindex(codes)
    out["residential_areas"] = by_commune["residential_areas"].astype(float)
    out["with_mediation_team"] = by_commune["with_mediation_team"].astype(float)
    out["with_security_team"] = by_commune["with_security_team"].astype(float)
    for kind in (*domain.MODEL_KINDS_CORE, ac.ANY):
        out[f"covered_{kind}"] = by_commune[kind].astype(float)
    operating = ac.operating_models(data.models, on) if operating is None else operating
    columns = pd.MultiIndex.from_tuples(_kind_rating_columns())
    if len(operating):
        keys = [operating["commune_code"], operating["kind"].astype(object), operating["rating"].astype(object)]
        counts = operating.groupby(keys).size().unstack([1, 2]).reindex(index=codes, columns=columns)
    else:
        counts = pd.DataFrame(index=codes, columns=columns, dtype=float)
    values = counts.fillna(0).to_numpy(dtype=np.int64)
    for position, (kind, rating) in enumerate(columns):
        out[f"models|{kind}|{rating}"] = values[:, position]
    return out


def area_recognitions(recognitions: pd.DataFrame, year: int | None, codes: pd.Index) -> pd.Series:
    """Residential areas recognised "An toàn về ANTT" in ``year`` per commune (NaN when none assessed)."""
    if year is None or recognitions.empty:
        return pd.Series(np.nan, index=codes)
    rows = recognitions[
        (recognitions["year"] == year).to_numpy()
        & (recognitions["unit_type"] == domain.RECOGNITION_UNIT_TYPES[0]).to_numpy()
    ]
    assessed = rows.groupby(rows["commune_code"].astype(str)).size().reindex(codes)
    passed = rows[(rows["result"] == domain.RESULT_PASSED).to_numpy()]
    met = passed.groupby(passed["commune_code"].astype(str)).size().reindex(codes).fillna(0)
    return met.where(assessed.notna()).astype(float)


def _sum_or_none(values: np.ndarray) -> int | None:
    return int(np.nansum(values)) if (~np.isnan(values)).any() else None


class CommuneColumns:
    """The per-commune frame as one float array per column, for fast sums over any group of communes."""

    def __init__(self, communes: pd.DataFrame) -> None:
        self.frame = communes
        self.index = pd.Index(communes.index, dtype=object)
        self.columns = {
            c: communes[c].to_numpy(dtype=float)
            for c in communes.columns
            if pd.api.types.is_numeric_dtype(communes[c]) or pd.api.types.is_bool_dtype(communes[c])
        }
        #: Each commune's population source in words (:func:`analysis.residential.population_source_label`).
        self.labels = [
            residential.population_source_label(source, year)
            for source, year in zip(communes["population_source"], communes["population_year"])
        ]
        self.positions = {code: position for position, code in enumerate(self.index)}

    def rows(self, codes: list[str]) -> np.ndarray:
        """Positions of ``codes``' rows."""
        return np.fromiter((self.positions[c] for c in codes), dtype=np.int64, count=len(codes))

    def take(self, codes: list[str]) -> dict[str, np.ndarray]:
        """The columns of ``codes``' rows."""
        rows = self.rows(codes)
        return {c: v[rows] for c, v in self.columns.items()}


def _population_source(columns: CommuneColumns, codes: list[str]) -> str:
    labels = {columns.labels[i] for i in columns.rows(codes)}
    if len(labels) == 1:
        return labels.pop()
    return residential.population_note(columns.frame.loc[codes, ["population_source", "population_year"]])


def population_source_text(communes: pd.DataFrame, codes: list[str], lang: str = "vi") -> str:
    """Which population the rates of ``codes`` use, in words of ``lang``: one source, or how many of each.

    The same text as the figures' ``population_source`` (which is Vietnamese), for documents in ``lang``.
    """
    frame = communes.loc[codes, ["population_source", "population_year"]]
    labels = {residential.population_source_label(s, y, lang) for s, y in zip(frame.iloc[:, 0], frame.iloc[:, 1])}
    if len(labels) == 1:
        return labels.pop()
    return residential.population_note(frame, lang)


def _annual_rate(incidents: int | None, exposed: np.ndarray, period: Period) -> float | None:
    """Incidents per 10,000 residents per year: over the population of the reported months, per 365.25 days."""
    people = float(np.nansum(exposed))
    if incidents is None or people <= 0:
        return None
    days = (period.end - period.start).days + 1
    return round(incidents / people * ind.PER * _YEAR_DAYS / days, 2)


def unit_figures(
    columns: CommuneColumns, codes: list[str], period: Period, compare: Period, *, single: bool
) -> dict[str, object]:
    """The JSON figures of a group of communes (the issue's ``UNIT``).

    ``single`` gives a commune's ``recognised``; otherwise ``communes_recognised`` and ``communes_total``.
    """
    part = columns.take(codes)
    areas = _sum_or_none(part["residential_areas"])
    with_list = ~np.isnan(part["residential_areas"])
    covered = (
        None
        if areas is None
        else {k: int(part[f"covered_{k}"][with_list].sum()) for k in (ac.ANY, *domain.MODEL_KINDS_CORE)}
    )
    models = {kind: {r: int(part[f"models|{kind}|{r}"].sum()) for r in ac.RATINGS} for kind in domain.MODEL_KINDS}
    population = float(np.nansum(part["population"]))
    incidents = _sum_or_none(part["incidents"])
    incidents_compare = _sum_or_none(part["incidents_prev"])
    rate = _annual_rate(incidents, part["population_reported"], period)
    rate_compare = _annual_rate(incidents_compare, part["population_reported_compare"], compare)
    comparable = part["comparable"] > 0 if "comparable" in part else ~np.isnan(part["incidents"])
    # The change pairs the months reported in both periods: this period's count over those months.
    paired_now = part["incidents_compared"] if "incidents_compared" in part else part["incidents"]
    now, before = np.nansum(paired_now[comparable]), np.nansum(part["incidents_prev"][comparable])
    security_teams = period.end >= domain.SECURITY_TEAMS_DATE
    out: dict[str, object] = {
        "residential_areas": areas,
        "residential_areas_covered": covered,
        "residential_areas_with_mediation_team": None if areas is None else int(np.nansum(part["with_mediation_team"])),
        "residential_areas_with_security_team": (
            None if areas is None or not security_teams else int(np.nansum(part["with_security_team"]))
        ),
        "residential_areas_recognised": _sum_or_none(part["areas_recognised"]),
        "models": models,
        "incidents": incidents,
        "incidents_compare": incidents_compare,
        "incidents_change": float((now - before) / before) if before > 0 else None,
        "incidents_per_10k_per_year": rate,
        "incidents_compare_per_10k_per_year": rate_compare,
        "months_reported": int(part["months_reported"].sum()) if "months_reported" in part else None,
        "months_total": int(part["months_total"].sum()) if "months_total" in part else None,
        "population": round(population),
        "population_source": _population_source(columns, codes),
    }
    recognised = part["recognised"]
    if single:
        out["recognised"] = None if np.isnan(recognised[0]) else bool(recognised[0])
    else:
        assessed = (~np.isnan(recognised)).any()
        out["communes_recognised"] = int((recognised == 1).sum()) if assessed else None
        out["communes_total"] = len(codes)
    return out


def exposure(
    communes: pd.DataFrame, data: ind.Datasets, registry: Registry, period: Period, prefix: str = "incidents"
) -> np.ndarray:
    """Residents behind each commune's incidents of ``period``: its population × the share of months it reported.

    Without reporting records (``data.reports`` is ``None``), a commune with incidents counts whole.
    """
    population = communes["population"].to_numpy(dtype=float)
    if data.reports is None:
        return np.where(communes[prefix].notna().to_numpy(), population, 0.0)
    status = reporting.reporting_status(
        data.reports, registry, pd.Index(communes.index, dtype=object), period.start, period.end, domain.VINTAGE_2025
    )
    return population * np.nan_to_num(status["reporting_share"].to_numpy(dtype=float))


def build_figures(data: ind.Datasets, registry: Registry, request: ReportRequest, *, demo: bool = False) -> Report:
    """The report's figures for ``request`` (without its tables).

    Parameters
    ----------
    data : Datasets
        The stored datasets (residential areas and reported months included).
    registry : Registry
        The communes, former districts, population and focus areas.
    request : ReportRequest
        Period, comparison, unit (:func:`parse_unit`), hot spots and the rules' thresholds.
    demo : bool
        Whether the data shown is the generated demo data (the documents say so).

    Raises
    ------
    ValueError
        For an unknown unit (:func:`parse_unit`).
    """
    unit = parse_unit(request.unit, registry)
    period, compare = request.period, request.compare_period()
    filters = request.filters()
    indicators = ind.compute_indicators(data, registry, filters)
    operating = ac.operating_models(data.models, period.end)
    state = commune_state(data, registry, period.end, operating)
    # The indicators count thôn/TDP by the same rule; the state's own columns are kept.
    communes = state.join(indicators.drop(columns=state.columns.intersection(indicators.columns)), how="left")
    if "population_reported" not in communes:  # the indicators weigh it when reporting is recorded
        communes["population_reported"] = exposure(communes, data, registry, period)
    communes["population_reported_compare"] = exposure(communes, data, registry, compare, prefix="incidents_prev")
    year = ind.recognition_year(data.recognitions, period.end)
    communes["areas_recognised"] = area_recognitions(data.recognitions, year, communes.index)
    communes_compare = commune_state(data, registry, compare.end)
    codes = list(unit.communes)
    figures: dict[str, object] = {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "compare": {"from": compare.start.isoformat(), "to": compare.end.isoformat(), "rule": request.compare},
        "demo": bool(demo),
        "recognition_year": year,
        "unit": {"kind": unit.kind, "code": unit.code, "name": unit.name},
    }
    columns = CommuneColumns(communes)
    figures["province"] = unit_figures(columns, list(communes.index), period, compare, single=False)
    if unit.kind != UNIT_PROVINCE:
        figures["unit"].update(unit_figures(columns, codes, period, compare, single=unit.kind == UNIT_COMMUNE))
    figures["communes"] = [
        {
            "code": code,
            "name": str(communes.at[code, "name"]),
            **unit_figures(columns, [code], period, compare, single=True),
        }
        for code in codes
    ]
    named = [c for c in ("commune_code", "kind", "model_name") if c in operating]
    return Report(
        request,
        unit,
        demo,
        communes,
        figures,
        communes_compare=communes_compare,
        recognition_year=year,
        operating=operating[named].reset_index(drop=True),
    )
