"""Fast folium maps in Streamlit: render the heavy map once, restyle it per rerun.

``st_folium`` renders the whole folium map (templates, bounds, the TopoJSON
payload) on every rerun, which is slow for the 69-commune layer, and
any change to the map remounts it in the browser. Here the expensive part is
done once per base map (:func:`prepare_map`, cached by the caller) and each
rerun only sends a small script through streamlit-folium's dynamic
``feature_group`` channel that recolours the communes already drawn
(:func:`render_map`). The map stays mounted, so filter changes do not flicker.

This mirrors ``streamlit_folium.st_folium`` 0.27.4 (pinned in
requirements.txt) and calls its component with the same arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import branca
import folium
import streamlit as st
import streamlit_folium as stf


@dataclass(frozen=True)
class PreparedMap:
    """Everything streamlit-folium's component needs that does not change per rerun."""

    script: str
    header: str
    html: str
    map_id: str
    bounds: list[list[float]]
    zoom: Any
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]


def _links(m: folium.Map) -> tuple[tuple[str, ...], tuple[str, ...]]:
    css: list[str] = []
    js: list[str] = []

    def walk(element: Any) -> Iterator[Any]:
        if isinstance(element, (folium.elements.JSCSSMixin, branca.colormap.ColorMap)):
            yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    for element in walk(m):
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))


def prepare_map(m: folium.Map) -> PreparedMap:
    """Do streamlit-folium's per-render work once.

    The map object is altered (ids renamed) as ``st_folium`` would; do not
    reuse it afterwards.
    """
    m.get_root().render()
    m.render()
    html = stf._get_html(m)
    header = stf._get_header(m)
    script = stf._get_map_string(m)
    map_id = stf.get_full_id(m)
    try:
        bounds = m.get_bounds()
    except AttributeError:
        bounds = [[None, None], [None, None]]
    css, js = _links(m)
    return PreparedMap(script, header, html, map_id, bounds, m.options.get("zoom"), css, js)


def map_event(key: str) -> dict[str, Any] | None:
    """The interaction data a map returned before this run (its latest click), or ``None``.

    :func:`render_map` stores it under ``key`` from the component's ``on_change``,
    which Streamlit calls before the script runs. Reading it here lets a page act
    on a click (select, highlight, centre) before drawing the map, instead of one
    rerun late.
    """
    return st.session_state.get(key)


def _bounds_dict(bounds: list[list[float]]) -> dict[str, dict[str, float]]:
    southwest, northeast = bounds
    return {
        "_southWest": {"lat": southwest[0], "lng": southwest[1]},
        "_northEast": {"lat": northeast[0], "lng": northeast[1]},
    }


def render_map(
    prepared: PreparedMap,
    *,
    key: str,
    height: int = 560,
    returned_objects: Iterable[str] = ("last_active_drawing",),
    restyle: str | None = None,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
) -> dict[str, Any] | None:
    """Show a prepared map; ``restyle`` (see :func:`maps.elements.restyle_script`) runs without remounting it.

    Returns
    -------
    dict or None
        The interaction data of ``returned_objects`` (as ``st_folium`` returns it).
    """
    returned = list(returned_objects)
    defaults_all: dict[str, Any] = {
        "last_clicked": None,
        "last_object_clicked": None,
        "last_object_clicked_tooltip": None,
        "last_active_drawing": None,
        "bounds": _bounds_dict(prepared.bounds),
        "zoom": prepared.zoom,
    }
    defaults = {k: v for k, v in defaults_all.items() if k in returned}
    hash_key = stf.generate_js_hash(prepared.script, key, False)

    def _on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    return stf._component_func(
        script=prepared.script,
        header=prepared.header,
        html=prepared.html,
        id=prepared.map_id,
        key=hash_key,
        height=height,
        width=None,
        returned_objects=returned,
        default=defaults,
        zoom=zoom,
        center=center,
        feature_group=restyle,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(prepared.css_links),
        js_links=list(prepared.js_links),
        on_change=_on_change,
        wrap_longitude=False,
    )
