"""The one thin caching layer: the only non-page module that touches ``st.cache_*``.

* ``cache_resource`` holds read-only shared objects: the registry, the engine and
  the display geometry (simplified once, at first use).
* ``cache_data`` holds query results and derived tables. Every key includes the
  store's data version, so an import or rollback shows on every page at the
  next rerun with no restart.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from analysis import indicators as ind
from loaders import boundaries, registry as reg, settings, store
from maps import views as mapview

_DISPLAY_ROLES = ("communes_2025", "communes_legacy", "districts_legacy", "border_laos", "coastline", "economic_zones")


@st.cache_resource(show_spinner=False)
def get_registry() -> reg.Registry:
    """The commune registry (from geodata/, or the package fallback)."""
    return reg.load_registry()


@st.cache_resource(show_spinner=False)
def get_engine(url: str | None = None) -> Engine:
    """The migrated engine for the configured database."""
    return store.get_engine(url or settings.database_url())


def data_version() -> int:
    """Current data version: one cheap query per rerun, deliberately not cached."""
    return store.data_version(get_engine())


@st.cache_resource(show_spinner=False)
def get_display_layers() -> dict[str, gpd.GeoDataFrame] | None:
    """Simplified display layers, or ``None`` when the boundary files are not installed."""
    if not boundaries.boundaries_installed():
        return None
    return {role: boundaries.load_display_geometry(role) for role in _DISPLAY_ROLES}


@st.cache_resource(show_spinner=False)
def get_province_polygon():
    """The province outline (full precision) for coordinate checks, or ``None``."""
    if not boundaries.boundaries_installed():
        return None
    return boundaries.load_layer("province").geometry.union_all()


@st.cache_data(max_entries=4, show_spinner=False)
def get_datasets(version: int) -> ind.Datasets:
    """The three visible datasets at ``version``."""
    engine = get_engine()
    return ind.Datasets(
        models=store.load_dataset(engine, store.DATASET_MODELS),
        incidents=store.load_dataset(engine, store.DATASET_INCIDENTS),
        recognitions=store.load_dataset(engine, store.DATASET_RECOGNITIONS),
    )


@st.cache_data(max_entries=4, show_spinner=False)
def get_store_flags(version: int) -> dict[str, bool]:
    """Whether demo data is shown (badge) and whether any data exists, at ``version``."""
    with get_engine().connect() as conn:
        return {"demo_shown": store.has_demo(conn) and store.demo_only(conn)}


@st.cache_data(max_entries=128, show_spinner=False)
def get_indicators(version: int, filters: ind.Filters, level: str = ind.LEVEL_2025) -> pd.DataFrame:
    """Per-unit indicators for the filters at ``version``."""
    return ind.compute_indicators(get_datasets(version), get_registry(), filters, level)


@st.cache_data(max_entries=128, show_spinner=False)
def get_summary(version: int, filters: ind.Filters, level: str = ind.LEVEL_2025) -> dict[str, float]:
    """Province-level key figures for the filters at ``version``."""
    return ind.summarise(get_indicators(version, filters, level), get_datasets(version), filters, level)


def clear_all() -> None:
    """Drop cached query results (after a write in this session, for instance)."""
    st.cache_data.clear()


@st.cache_resource(max_entries=64, show_spinner=False)
def get_coverage_map(version: int, filters: ind.Filters, indicator: str, lang: str, basemap: str,
                     level: str = ind.LEVEL_2025, highlight: tuple[str, ...] = ()) -> mapview.MapView:
    """The home map and its legend for one combination of inputs.

    Cached as a resource: the same folium object is handed to ``st_folium`` on
    every rerun with these inputs, and nobody mutates it.
    """
    return mapview.build_map_view(
        get_indicators(version, filters, level), indicator, lang, basemap, level,
        get_display_layers(), get_registry(), highlight,
    )
