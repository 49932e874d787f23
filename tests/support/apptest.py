"""Shared set-up of the page AppTests: one demo store per module, fresh data caches per test.

Why not ``st.cache_resource.clear()`` before every test: the base maps
(``ui.cache.get_base_map``, ``get_points_base_map``) take seconds to draw
each (TopoJSON encoding and streamlit-folium's rendering), and on a loaded
machine a test's first run then came close to its AppTest timeout; runs timed
out at random in full-suite runs. They depend on the boundary files, the
language and the code only, never on the store, so they may survive from test
to test. Everything else cached in ``ui.cache`` (the engine, whose URL is read
when it is created; the datasets, keyed by a data version that repeats across
stores; every ``cache_data`` result) is dropped, so no test sees another's data.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.caching.cache_utils import CachedFunc

from loaders.demo.loading import load_demo
from loaders.store import db

#: ``ui.cache`` resources that depend only on the geodata and the code.
STATIC_RESOURCES: frozenset[str] = frozenset(
    {
        "get_registry",
        "get_display_layers",
        "get_province_polygon",
        "get_print_layers",
        "get_base_map",
        "get_points_base_map",
        "get_focus_tables",
    }
)


def clear_data_caches() -> list[str]:
    """Clear every cache of ``ui.cache`` except :data:`STATIC_RESOURCES`, and all ``cache_data``.

    Returns
    -------
    list of str
        The names of the cleared ``ui.cache`` functions (a new cached function
        is cleared by default, so a data-dependent resource cannot be missed).
    """
    from ui import cache

    st.cache_data.clear()
    cleared = []
    for name, value in vars(cache).items():
        if isinstance(value, CachedFunc) and name not in STATIC_RESOURCES:
            value.clear()
            cleared.append(name)
    return cleared


def build_demo_store(path: Path) -> Path:
    """Generate the demo data once into a SQLite file at ``path`` (for a module-scoped fixture)."""
    engine = db.get_engine(f"sqlite:///{path}")
    load_demo(engine, user="test")
    db.dispose_engines()
    return path


def use_demo_store(demo_db: Path, data_dir: Path) -> None:
    """Copy the demo store into a test's isolated data folder and drop the data caches."""
    shutil.copy(demo_db, data_dir / "hatinh.sqlite3")
    clear_data_caches()


def table_with(at, column: str) -> pd.DataFrame:
    """The first displayed table that has the column ``column`` (its shown label).

    AppTest keeps no key on a plain ``st.dataframe``, so tables are found by their headers, never by index.
    """
    matches = [d.value for d in at.dataframe if column in d.value.columns]
    assert matches, f"no table with column {column!r}"
    return matches[0]
