"""Every line and fill style of the maps, on screen and on paper, and which overlays exist.

One module owns the overlay keys, the layer role each overlay is drawn from,
which overlays are on when a map opens, and their styles: Leaflet styles for the
screen and matplotlib styles for the printed map, side by side so they keep
matching. It also owns the commune style rule of the choropleth
(:func:`commune_styles`): no data is grey and dashed, a highlight is a thick outline.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from maps.palette import NOT_REPORTED_COLOUR, ColourScale

#: Outline of highlighted communes on screen.
HIGHLIGHT_COLOUR = "#d7191c"
#: Outline of highlighted communes on paper: not the screen's red, because on
#: paper the Laos border is the red (dashed) line.
PRINT_HIGHLIGHT_COLOUR = "#d01c8b"
#: Hatch and edge of no-data communes on paper, where a grey fill alone may not print apart.
PRINT_NO_DATA_HATCH = "////"
PRINT_NO_DATA_EDGE = "#8c8c8c"
#: Hatch and edge of "chưa báo cáo" communes on paper: dots, apart from the no-data lines.
PRINT_NOT_REPORTED_HATCH = "..."
PRINT_NOT_REPORTED_EDGE = "#54278f"

#: Overlay keys understood by :func:`maps.builders.build_coverage_map`, in drawing order.
OVERLAY_KEYS: tuple[str, ...] = ("districts", "economic_zones", "coast", "border", "major_projects")
#: Overlays shown when the map opens; the others are one click away in the layer control.
DEFAULT_SHOWN: dict[str, bool] = {
    "districts": True,
    "border": True,
    "coast": False,
    "economic_zones": True,
    "major_projects": False,
}
#: Overlays the focus-area map opens with, on top of :data:`DEFAULT_SHOWN`.
FOCUS_OVERLAYS: dict[str, bool] = {"border": True, "coast": True, "economic_zones": True, "major_projects": True}
#: Display-layer role (``loaders.geo.boundaries`` roles) each overlay is drawn from;
#: ``major_projects`` comes from the registry's project sites instead.
OVERLAY_ROLES: dict[str, str] = {
    "districts": "districts_legacy",
    "border": "border_laos",
    "coast": "coastline",
    "economic_zones": "economic_zones",
}
#: Leaflet style of each overlay on screen.
OVERLAY_STYLES: dict[str, dict[str, Any]] = {
    "districts": {"color": "#222222", "weight": 2.2, "opacity": 0.9, "fill": False},
    "economic_zones": {"color": "#6a3d9a", "weight": 2.5, "opacity": 0.9, "dashArray": "8 4", "fill": False},
    "coast": {"color": "#1f78b4", "weight": 3, "opacity": 0.8},
    "border": {"color": "#e31a1c", "weight": 3.5, "opacity": 0.9, "dashArray": "10 5"},
    "major_projects": {"color": "#ff7f00", "weight": 2, "opacity": 0.9, "fillColor": "#ff7f00", "fillOpacity": 0.5},
}
#: Columns that may name an overlay feature in its tooltip, first match wins.
OVERLAY_NAME_COLUMNS = ("name", "zone", "district_name", "kind")

#: Overlays the printed map can draw, in drawing order (polygon layers are drawn as outlines).
PRINT_OVERLAY_KEYS: tuple[str, ...] = ("districts", "economic_zones", "coast", "border")
#: matplotlib line style of each overlay on paper, matching :data:`OVERLAY_STYLES`.
PRINT_OVERLAY_STYLES: dict[str, dict[str, object]] = {
    "districts": {"color": "#222222", "linewidth": 1.1, "linestyle": "-"},
    "economic_zones": {"color": "#6a3d9a", "linewidth": 1.4, "linestyle": (0, (6, 3))},
    "coast": {"color": "#1f78b4", "linewidth": 1.6, "linestyle": "-"},
    "border": {"color": "#e31a1c", "linewidth": 2.0, "linestyle": (0, (7, 3))},
}


def commune_styles(
    codes: Sequence[str],
    values: Sequence[float],
    scale: ColourScale,
    format_value: Callable[[float], str],
    no_data_label: str,
    highlight: set[str] | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Leaflet path style and tooltip text of each commune, in ``codes`` order.

    No data is grey with a dashed outline, never a class colour, so it reads
    apart from zero; highlighted communes get a thick red outline. Shared by the
    map builder and by the restyle of an already drawn map (:mod:`maps.views`).

    Parameters
    ----------
    codes : sequence of str
        Commune codes, in drawing order.
    values : sequence of float
        Value per commune (NaN/None = no data).
    scale : ColourScale
        Classes and colours of the map.
    format_value : callable
        Formats a value for the tooltip.
    no_data_label : str
        Tooltip text of communes without data.
    highlight : set of str, optional
        Codes outlined in :data:`HIGHLIGHT_COLOUR`.

    Returns
    -------
    (list of dict, list of str)
        Style and (unescaped) tooltip text per commune.
    """
    highlight = highlight or set()
    styles, texts = [], []
    for code, value in zip(codes, values):
        no_data = value is None or not math.isfinite(value)
        style = {
            "fillColor": scale.colour_for(None if no_data else value),
            "fillOpacity": 0.55 if no_data else 0.8,
            "color": "#666666",
            "weight": 0.8,
            "opacity": 0.9,
            "dashArray": "3 3" if no_data else None,
        }
        if code in highlight:
            style.update(color=HIGHLIGHT_COLOUR, weight=3, opacity=1)
        styles.append(style)
        texts.append(no_data_label if no_data else format_value(float(value)))
    return styles, texts


def not_reported_style(style: dict[str, Any]) -> dict[str, Any]:
    """A commune style redrawn as "chưa báo cáo": its own fill and a dotted outline, apart from zero and no data.

    A highlight outline (:data:`HIGHLIGHT_COLOUR`) is kept.
    """
    out = {**style, "fillColor": NOT_REPORTED_COLOUR, "fillOpacity": 0.75, "dashArray": "1 4"}
    if style.get("color") != HIGHLIGHT_COLOUR:
        out.update(color="#54278f", weight=1.2)
    return out
