"""The one thin caching layer: the only non-page module that touches ``st.cache_*``.

* ``cache_resource`` holds read-only shared objects: the registry, the engine and
  the display geometry (simplified once, at first use).
* ``cache_data`` holds query results and derived tables. Every key includes the
  store's data version, so an import or rollback shows on every page at the
  next rerun with no restart.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from threading import Lock

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st
from sqlalchemy.engine import Engine

from analysis import attention, comparisons, district_profile, priority, report, reporting, series
from analysis import indicators as ind
from analysis.formatting import format_indicator
from loaders.core import clock, domain, settings
from loaders.core.i18n import format_date, translate
from loaders.focus import hot_spots
from loaders.geo import boundaries
from loaders.geo import registry as reg
from loaders.geo.loading import load_registry
from loaders.geo.schema import boundaries_installed
from loaders.store import db, reads
from maps import builders, offline, printable
from maps import views as mapview
from maps.elements import points_fill_script, points_payload, restyle_script
from maps.options import Background, PointsLabels
from maps.palette import palette_for
from maps.styles import FOCUS_OVERLAYS
from ui import map_component

_DISPLAY_ROLES = ("communes_2025", "communes_legacy", "districts_legacy", "border_laos", "coastline", "economic_zones")


@st.cache_resource(show_spinner=False)
def get_registry() -> reg.Registry:
    """The commune registry (from geodata/, or the package fallback)."""
    return load_registry()


@st.cache_resource(show_spinner=False)
def get_engine(url: str | None = None) -> Engine:
    """The migrated engine for the configured database."""
    return db.get_engine(url or settings.database_url())


def data_version() -> int:
    """Current data version: one cheap query per rerun, deliberately not cached."""
    return db.data_version(get_engine())


@st.cache_resource(show_spinner=False)
def get_display_layers() -> dict[str, gpd.GeoDataFrame] | None:
    """Simplified display layers, or ``None`` when the boundary files are not installed."""
    if not boundaries_installed():
        return None
    return {role: boundaries.load_display_geometry(role) for role in _DISPLAY_ROLES}


@st.cache_resource(show_spinner=False)
def get_province_polygon() -> shapely.Geometry | None:
    """The province outline (full precision) for coordinate checks, or ``None``."""
    return boundaries.load_province_polygon()


class _LatestDatasets:
    """The most recently read datasets, which the next version's read starts from."""

    def __init__(self) -> None:
        self.lock = Lock()
        self.by_store: dict[str, dict[str, reads.LoadedDataset]] = {}


@st.cache_resource(show_spinner=False)
def _latest_datasets() -> _LatestDatasets:
    return _LatestDatasets()


@st.cache_resource(max_entries=2, show_spinner=False)
def get_datasets(version: int) -> ind.Datasets:
    """The visible datasets at ``version``.

    A resource, not cache_data: copying the rows out of the cache on every
    rerun (pickling) does not fit the page budget. The frames are
    read-only by convention; the version in the key makes stale data unreachable.

    A new version starts from the frames last read (``reads.refresh_dataset``):
    only the rows of imports that became visible are read and those of
    rolled-back or hidden imports dropped, so the rerun after an import or a
    rollback stays fast with a million incidents stored.
    """
    engine = get_engine()
    latest = _latest_datasets()
    url = settings.database_url()
    with latest.lock:
        previous = dict(latest.by_store.get(url, {}))
    loaded = reads.refresh_datasets(engine, previous)
    with latest.lock:
        latest.by_store[url] = loaded
    # The reported communes × months are read whole: small whatever the number of incidents.
    return ind.Datasets.from_store(loaded, reads.load_reports(engine))


def refresh_after_change() -> None:
    """Read the datasets of the current data version now.

    Called by the run that imported, rolled back or changed demo data, which
    already shows its progress: the next rerun of any page then finds the
    datasets ready and only recomputes its own figures.
    """
    get_datasets(data_version())


@st.cache_data(max_entries=4, show_spinner=False)
def get_store_flags(version: int) -> dict[str, bool]:
    """Whether demo data is shown (badge), and whether real data was ever committed, at ``version``."""
    with get_engine().connect() as conn:
        return {
            "demo_shown": reads.has_demo(conn) and reads.demo_only(conn),
            "real_data_committed": reads.real_data_committed(conn),
        }


def get_indicators(version: int, filters: ind.Filters, level: str = domain.VINTAGE_2025) -> pd.DataFrame:
    """Per-unit indicators for the filters at ``version``."""
    # Always pass every argument positionally: cache keys are built from the
    # arguments given, so a defaulted level would be a second entry.
    return _indicators(version, filters, level)


@st.cache_data(max_entries=128, show_spinner=False)
def _indicators(version: int, filters: ind.Filters, level: str) -> pd.DataFrame:
    return ind.compute_indicators(get_datasets(version), get_registry(), filters, level)


def get_summary(version: int, filters: ind.Filters, level: str = domain.VINTAGE_2025) -> dict[str, float]:
    """Province-level key figures for the filters at ``version``."""
    return _summary(version, filters, level)


@st.cache_data(max_entries=128, show_spinner=False)
def _summary(version: int, filters: ind.Filters, level: str) -> dict[str, float]:
    return ind.summarise(get_indicators(version, filters, level), get_datasets(version), filters, level)


# --------------------------------------------------------------------------
# Analyst pages (focus areas, incidents, profiles, priority list).

#: Filters are hashed by their repr (every field, plain values), which is
#: cheaper than Streamlit's generic hashing of the frozen dataclass.
_FAST_HASH = {ind.Filters: repr}


def province_filters(filters: ind.Filters) -> ind.Filters:
    """The same period, kinds and rule over the whole province (for medians and district figures)."""
    return replace(filters, districts=(), focus=domain.FOCUS_ALL)


@st.cache_resource(show_spinner=False)
def _registry_focus_tables() -> tuple[pd.Series, pd.DataFrame]:
    registry = get_registry()
    return registry.focus_class(), comparisons.focus_membership(registry)


@st.cache_resource(max_entries=16, show_spinner=False)
def get_focus_tables(hot_spots: tuple[tuple[str, str], ...] = ()) -> tuple[pd.Series, pd.DataFrame]:
    """Focus class and focus-area membership of every 2025 commune, with a year's hot spots (``Filters.hot_spots``)."""
    classes, membership = _registry_focus_tables()
    return comparisons.with_hot_spots(get_registry(), classes, membership, hot_spots)


@st.cache_data(max_entries=4, show_spinner=False)
def get_hot_spot_lists(version: int) -> pd.DataFrame:
    """The admin's hot-spot list in force for every year (``loaders.focus.hot_spots.load_lists``)."""
    return hot_spots.load_lists(get_engine())


def _focus_groups(units: pd.Index, by: str, spots: tuple[tuple[str, str], ...]) -> dict[str, pd.Index]:
    classes, membership = get_focus_tables(spots)
    return comparisons.focus_groups(get_registry(), units, by, classes=classes, membership=membership)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=_FAST_HASH)
def get_priority(version: int, filters: ind.Filters, weights: tuple[tuple[str, float], ...]) -> pd.DataFrame:
    """Priority scores of the filtered 2025 communes, those without data listed apart (``analysis.priority``)."""
    return priority.priority_scores(
        get_indicators(version, filters),
        get_datasets(version),
        get_registry(),
        filters,
        dict(weights),
        classes=get_focus_tables(filters.hot_spots)[0],
    )


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=_FAST_HASH)
def get_focus_comparison(version: int, filters: ind.Filters, by: str) -> pd.DataFrame:
    """Key figures per focus class (``by="class"``) or focus area (``by="membership"``)."""
    indicators = get_indicators(version, filters)
    groups = _focus_groups(indicators.index, by, filters.hot_spots)
    return comparisons.compare_groups(indicators, get_datasets(version), filters, groups)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=_FAST_HASH)
def get_focus_trends(version: int, filters: ind.Filters, by: str, step: str) -> dict[str, pd.DataFrame]:
    """Monthly or quarterly series per focus group (``analysis.comparisons.group_trends``)."""
    units = ind.selected_units(get_registry(), filters)
    return comparisons.group_trends(
        get_datasets(version), get_registry(), filters, _focus_groups(units, by, filters.hot_spots), step
    )


def get_attention(version: int, filters: ind.Filters) -> list[attention.AttentionLine]:
    """Communes that need attention for the filters (``analysis.attention``), most important first."""
    return _attention(version, filters, clock.vietnam_today())


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=_FAST_HASH)
def _attention(version: int, filters: ind.Filters, today: date) -> list[attention.AttentionLine]:
    data = get_datasets(version)
    current = get_indicators(version, filters)
    year_ago = filters.with_period(filters.period.same_period_last_year())
    not_reported = None
    due = attention.last_due_day(filters.period.end, today)
    if data.reports is not None and due >= filters.period.start:
        status = reporting.reporting_status(
            data.reports, get_registry(), current.index, filters.period.start, due, domain.VINTAGE_2025
        )
        not_reported = attention.months_not_reported(status)
    # The comparison reads only the model columns: computed alone, with the same values.
    end = filters.period.end
    return attention.attention_lines(
        current,
        ind.model_indicators(data, get_registry(), year_ago),
        get_focus_tables(filters.hot_spots)[1],
        not_reported=not_reported,
        residential_gaps=data.derived(
            ("residential_gaps", end), lambda: attention.residential_gaps(data.residential_areas, end)
        ),
    )


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs={report.ReportRequest: repr})
def get_report(version: int, request: report.ReportRequest) -> report.Report:
    """The periodic report (``analysis.report``) of ``request`` at ``version``, demo notice included."""
    demo = get_store_flags(version)["demo_shown"]
    return report.build_report(get_datasets(version), get_registry(), request, demo=demo)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=_FAST_HASH)
def get_missing_kinds(version: int, filters: ind.Filters) -> pd.DataFrame:
    """Focus-area communes missing a core model kind."""
    return comparisons.missing_kinds_table(
        get_indicators(version, filters), get_registry(), membership=get_focus_tables(filters.hot_spots)[1]
    )


@st.cache_resource(max_entries=8, show_spinner=False, hash_funcs=_FAST_HASH)
def get_incident_rows(version: int, filters: ind.Filters, level: str = domain.VINTAGE_2025) -> pd.DataFrame:
    """Incidents of the period in the filtered units (all stored columns).

    A resource (read-only by convention): a year of incidents is thousands of rows,
    too many to copy out of ``cache_data`` on every rerun.
    """
    units = ind.selected_units(get_registry(), filters, level)
    return ind.incident_rows(get_datasets(version).incidents, units, filters.period, level)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=_FAST_HASH)
def get_incident_series(version: int, filters: ind.Filters, by: str | None) -> pd.DataFrame:
    """Monthly incident counts of the filtered communes, optionally split by ``field`` or ``severity``."""
    # The period's rows of the filtered communes, already selected once for the page.
    return series.monthly_counts(get_incident_rows(version, filters, domain.VINTAGE_2025), filters.period, by)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=_FAST_HASH)
def get_change_table(version: int, filters: ind.Filters, level: str) -> pd.DataFrame:
    """This period against the previous one per unit (``analysis.comparisons.change_table``)."""
    return comparisons.change_table(get_indicators(version, filters, level))


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=_FAST_HASH)
def get_district_table(version: int, filters: ind.Filters) -> pd.DataFrame:
    """Key figures of the 12 former districts (whole province, the filter's period and kinds)."""
    whole = province_filters(filters)
    return district_profile.district_table(get_indicators(version, whole), get_datasets(version), get_registry(), whole)


@st.cache_data(max_entries=256, show_spinner=False, hash_funcs=_FAST_HASH)
def get_priority_restyle(
    version: int,
    filters: ind.Filters,
    weights: tuple[tuple[str, float], ...],
    lang: str,
    highlight: tuple[str, ...] = (),
) -> tuple[str, list[tuple[str, str]]]:
    """Recolouring script and legend of the 2025 commune map by priority score (0–100)."""
    no_data = translate("common.no_data", lang)
    ranked = get_priority(version, filters, weights)
    codes = tuple(ind.unit_table(get_registry(), domain.VINTAGE_2025).index)
    styles, texts, legend = mapview.build_value_restyle(
        ranked["score"] * 100,
        translate("priority.score", lang),
        lambda v: format_indicator("priority_score", v, lang, no_data),
        no_data,
        codes,
        highlight,
        palette=palette_for("priority_score"),
    )
    return restyle_script(styles, texts), legend


@st.cache_resource(max_entries=8, show_spinner=False)
def get_points_base_map(level: str, basemap: str, lang: str) -> map_component.PreparedMap:
    """The incident points map without points (outlines, empty cluster and heat layers), drawn once."""
    offline.use_local_assets()
    layers = get_display_layers()
    outlines = None
    if layers is not None:
        outlines = layers["communes_2025" if level == domain.VINTAGE_2025 else "communes_legacy"]
    labels = ind.unit_table(get_registry(), level)[["label_lat", "label_lon"]].astype(float)
    bounds = (
        labels["label_lon"].min(),
        labels["label_lat"].min(),
        labels["label_lon"].max(),
        labels["label_lat"].max(),
    )
    labels = PointsLabels(
        points=translate("incidents.points_layer", lang),
        heat=translate("incidents.heat_layer", lang),
        boundaries=translate("map.overlay.choropleth", lang),
    )
    m = builders.build_points_map(
        None, labels=labels, boundaries=outlines, background=Background(basemap=basemap), bounds=bounds
    )
    return map_component.prepare_map(m)


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=_FAST_HASH)
def get_points_script(
    version: int, filters: ind.Filters, lang: str, level: str = domain.VINTAGE_2025
) -> tuple[str, int]:
    """Script that puts every located incident of the period on :func:`get_points_base_map`.

    Only the date, field and severity go into the popups: descriptions stay in the
    detail table for roles that may read them.

    Returns
    -------
    (str, int)
        The script and the number of points (0: nothing to draw).
    """
    located = get_incident_rows(version, filters, level).dropna(subset=["lat", "lon"])
    fields = {
        f: {v: translate(f"enum.{f}.{v}", lang) for v in located[f].dropna().unique()} for f in ("field", "severity")
    }
    points = pd.DataFrame(
        {
            "lat": located["lat"],
            "lon": located["lon"],
            "date": [format_date(d, lang) for d in located["occurred_on"]],
            "field": located["field"].map(fields["field"]),
            "severity": located["severity"].map(fields["severity"]),
        }
    )
    payload = points_payload(
        points, ("date", "field", "severity"), [translate(k, lang) for k in ("col.date", "col.field", "col.severity")]
    )
    return points_fill_script(payload), len(points)


# --------------------------------------------------------------------------- printable exports


@st.cache_resource(show_spinner=False)
def get_print_layers() -> dict[str, gpd.GeoDataFrame | None] | None:
    """The display layers reprojected once to EPSG:3405 for printed maps; ``None`` without boundary files."""
    layers = get_display_layers()
    return None if layers is None else printable.project_layers(layers)


#: Kinds of commune map, by the overlays they open with (``None``: the defaults).
MAP_KINDS: dict[str, dict[str, bool] | None] = {"coverage": None, "focus": FOCUS_OVERLAYS}


@st.cache_resource(max_entries=16, show_spinner=False)
def get_base_map(
    level: str, basemap: str, lang: str, kind: str = "coverage"
) -> tuple[map_component.PreparedMap, bool, tuple[str, ...]]:
    """The commune map drawn once per level, basemap, language and kind (:data:`MAP_KINDS`).

    Returns the prepared map, whether it shows points only, and the codes drawn.
    """
    registry = get_registry()
    settings = mapview.ViewSettings(
        lang=lang, level=level, background=Background(basemap=basemap), overlay_shown=MAP_KINDS[kind] or {}
    )
    m, points_only = mapview.build_base_map(settings, get_display_layers(), registry)
    codes = tuple(ind.unit_table(registry, level).index)
    return map_component.prepare_map(m), points_only, codes


@st.cache_data(max_entries=256, show_spinner=False, hash_funcs=_FAST_HASH)
def get_map_restyle(
    version: int,
    filters: ind.Filters,
    indicator: str,
    lang: str,
    level: str = domain.VINTAGE_2025,
    highlight: tuple[str, ...] = (),
) -> tuple[str, list[tuple[str, str]]]:
    """The recolouring script and legend of one indicator for the filters at ``version``."""
    codes = tuple(ind.unit_table(get_registry(), level).index)
    indicators = get_indicators(version, filters, level)
    silent = reporting.not_reported_units(indicators, indicator)
    styles, texts, legend = mapview.build_restyle(indicators, indicator, lang, codes, highlight, silent)
    return restyle_script(styles, texts), legend


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=_FAST_HASH)
def get_completeness(version: int, filters: ind.Filters) -> pd.DataFrame:
    """Reporting completeness of each former district and of the filtered communes (``analysis.reporting``)."""
    registry = get_registry()
    groups = {code: registry.communes_in_districts([code]) for code in registry.districts.index}
    return reporting.completeness_table(get_indicators(version, filters), groups)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=_FAST_HASH)
def get_monthly_reporting(version: int, filters: ind.Filters) -> pd.DataFrame:
    """Per month of the period, how many filtered communes reported (``analysis.reporting``)."""
    registry = get_registry()
    reports = get_datasets(version).reports
    units = ind.selected_units(registry, filters)
    period = filters.period
    return reporting.monthly_reporting(
        reports if reports is not None else pd.DataFrame(columns=["month", "commune_code"]),
        registry,
        units,
        period.start,
        period.end,
        domain.VINTAGE_2025,
    )
