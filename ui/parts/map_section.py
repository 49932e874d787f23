"""The commune map of a page: level switch, highlight, legend, clicks and the shared selection.

Every commune map goes through the fast path of :mod:`ui.map_component`: the
base map is drawn once (``cache.get_base_map``) and recoloured per rerun. A
click or a select box writes one session key, :data:`SELECTED_COMMUNE_KEY`,
and the rest of the page reads it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import streamlit as st

from analysis import indicators as ind
from loaders.core import domain, settings
from ui import cache
from ui.i18n import current_language, option_labels, t
from ui.map_component import render_map

SELECTED_COMMUNE_KEY = "selected_commune"

LEVEL_KEY = "map_level"

LEVELS: tuple[str, ...] = (domain.VINTAGE_2025, domain.VINTAGE_LEGACY)


def render_level_switch(filters: ind.Filters, key_suffix: str = "") -> str:
    """The 2025 / legacy switch for maps, shown only for periods ending before the reform.

    Returns the level to draw; after the reform it is always ``"2025"``.
    """
    if filters.period.end >= domain.REFORM_DATE:
        if st.session_state.get(LEVEL_KEY) != domain.VINTAGE_2025:
            st.session_state[LEVEL_KEY] = domain.VINTAGE_2025
        return domain.VINTAGE_2025
    if st.session_state.get(LEVEL_KEY) not in LEVELS:
        st.session_state[LEVEL_KEY] = domain.VINTAGE_2025
    level = st.segmented_control(
        t("level.label"),
        LEVELS,
        key=LEVEL_KEY,
        required=True,
        format_func=option_labels("level."),
        help=t("level.help"),
        persist_state="session",
    )
    return level or domain.VINTAGE_2025


#: Rates a legacy unit has only where the lists of thôn/TDP place it whole (``analysis.residential``),
#: and the count each one falls back to where no legacy unit has it.
LEGACY_FALLBACKS: dict[str, str] = {
    "models_per_10k": "models_covering",
    "incidents_per_10k": "incidents",
    "area_coverage": "models_covering",
}


def map_indicator_for(level: str, preferred: str, filters: ind.Filters | None = None) -> str:
    """The indicator a map shows at ``level``: ``preferred``, or a count where no legacy unit has the rate.

    Legacy units have a population and a coverage of thôn/TDP only where the lists
    place them whole. With ``filters``, the legacy map keeps a rate when at least
    one selected unit has it (the others are grey); without, or when none has it,
    it shows the count of :data:`LEGACY_FALLBACKS`.
    """
    fallback = LEGACY_FALLBACKS.get(preferred)
    if level != domain.VINTAGE_LEGACY or fallback is None:
        return preferred
    if filters is not None:
        values = cache.get_indicators(cache.data_version(), filters, level)[preferred]
        if values.notna().any():
            return preferred
    return fallback


def center_of(codes: list[str]) -> tuple[float, float] | None:
    """Mean label point of some 2025 communes (for ``render_map(center=...)``)."""
    communes = cache.get_registry().communes
    known = [c for c in codes if c in communes.index]
    if not known:
        return None
    rows = communes.loc[known, ["label_lat", "label_lon"]].astype(float).dropna()
    if rows.empty:
        return None
    return float(rows["label_lat"].mean()), float(rows["label_lon"].mean())


def highlight_codes(codes: list[str], level: str) -> tuple[str, ...]:
    """Units to outline for some 2025 communes: themselves, or their legacy predecessors in the legacy view."""
    registry = cache.get_registry()
    known = [c for c in codes if c in registry.communes.index]
    if level == domain.VINTAGE_2025:
        return tuple(sorted(known))
    return tuple(sorted({m for c in known for m in registry.legacy_members(c)}))


def focus_highlight(level: str, spots: tuple[tuple[str, str], ...] = ()) -> tuple[str, ...]:
    """Every unit in a focus area (border, coast, economic zone, major project, the year's hot spots) at ``level``."""
    registry = cache.get_registry()
    codes: set[str] = set()
    for area in domain.FOCUS_AREAS[1:]:
        codes |= ind.focus_codes(registry, area, level, spots)
    return tuple(sorted(codes))


def render_legend(entries: list[tuple[str, str]], title: str) -> None:
    """Draw a colour legend outside the map. Labels are escaped: they may hold formatted numbers only,
    but escaping costs nothing and keeps this helper safe for any text."""
    swatches = "".join(
        f'<span style="display:inline-flex;align-items:center;margin-right:12px">'
        f'<span style="display:inline-block;width:14px;height:14px;background:{html.escape(colour)};'
        f'border:1px solid #666;margin-right:4px"></span>{html.escape(label)}</span>'
        for colour, label in entries
    )
    st.markdown(f"**{html.escape(title)}**<br>{swatches}", unsafe_allow_html=True)


@dataclass(frozen=True)
class Colouring:
    """How a drawn commune map is coloured this rerun, and the legend drawn beside it.

    Attributes
    ----------
    script : str
        Recolouring script, from ``cache.get_map_restyle`` or ``cache.get_priority_restyle``.
    legend : list of (str, str)
        Legend rows ``(colour, label)`` from the same call.
    title : str
        Legend title: the name of the value shown.
    """

    script: str
    legend: list[tuple[str, str]]
    title: str


def render_commune_map(
    key: str,
    level: str,
    colouring: Colouring,
    *,
    kind: str = "coverage",
    height: int = 480,
    returned_objects: tuple[str, ...] = ("last_active_drawing",),
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
) -> dict | None:
    """A commune map through the fast path: the base map drawn once, recoloured by ``colouring``.

    Parameters
    ----------
    key : str
        Widget key of the map (page-prefixed).
    level : {"2025", "legacy"}
        Units drawn.
    colouring : Colouring
        The recolouring script and the legend.
    kind : str
        Base-map kind (``cache.MAP_KINDS``): which overlays open with it.
    center, zoom
        Move the view without rebuilding or remounting the map.

    Returns
    -------
    dict or None
        The map's interaction data (``returned_objects``).
    """
    prepared, points_only, _codes = cache.get_base_map(level, settings.default_basemap(), current_language(), kind)
    if points_only:
        st.warning(t("map.no_boundaries"))
    render_legend(colouring.legend, colouring.title)
    return render_map(
        prepared,
        key=key,
        height=height,
        returned_objects=returned_objects,
        restyle=colouring.script,
        center=center,
        zoom=zoom,
    )


def new_click(code: str | None, memory_key: str) -> str | None:
    """The clicked code if it differs from the last click this page handled.

    The map component keeps returning the last clicked feature on every rerun; acting
    only on a change lets the select box override an older click.
    """
    if not code or st.session_state.get(memory_key) == code:
        return None
    st.session_state[memory_key] = code
    return code


def sync_selection(widget_key: str) -> None:
    """``on_change`` of a page's commune select box: copy its value to the shared selection."""
    st.session_state[SELECTED_COMMUNE_KEY] = st.session_state.get(widget_key) or ""
