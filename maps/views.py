"""Assemble the dashboard's map views from indicators, layers and the registry (pure).

A view is the folium map plus the legend rows the page draws outside it. The
page passes the language; labels come from the catalogues.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from analysis.formatting import format_indicator
from analysis.indicators import LEVEL_2025
from loaders.i18n import translate
from loaders.registry import CRS_WGS84, Registry
from maps import builders, offline

#: Indicators where a high value is bad: they get a warm palette.
_HIGH_IS_BAD = frozenset({"weak_share", "incidents_per_10k", "incidents_change", "incidents"})
_OVERLAY_ROLES = {"districts": "districts_legacy", "border": "border_laos", "coast": "coastline",
                  "economic_zones": "economic_zones"}


@dataclass
class MapView:
    """A map ready for ``st_folium`` and the legend to draw beside it."""

    map: folium.Map
    legend: list[tuple[str, str]]
    points_only: bool


def major_projects_layer(registry: Registry) -> gpd.GeoDataFrame:
    """Major-project and economic-zone sites as points (WGS84), named for tooltips."""
    sites = registry.major_project_sites().dropna(subset=["lat", "lon"])
    return gpd.GeoDataFrame(
        {"name": sites["name"].tolist()},
        geometry=gpd.points_from_xy(sites["lon"], sites["lat"]),
        crs=CRS_WGS84,
    )


def build_map_view(
    indicators: pd.DataFrame,
    indicator: str,
    lang: str,
    basemap: str,
    level: str,
    layers: Mapping[str, gpd.GeoDataFrame] | None,
    registry: Registry,
    highlight: tuple[str, ...] = (),
    tile_url: str | None = None,
    value_label: str | None = None,
) -> MapView:
    """Choropleth (or points, without boundary files) of one indicator.

    Parameters
    ----------
    indicators : pd.DataFrame
        From :func:`analysis.indicators.compute_indicators`, indexed by unit code.
        Units not in it (filtered out) are drawn as no data.
    indicator : str
        Column to colour by.
    lang : str
        Catalogue language.
    basemap : {"osm", "local", "none"}
        Background tiles.
    level : {"2025", "legacy"}
        69 communes or 209 legacy communes.
    layers : mapping or None
        Display layers by role; ``None`` when the boundary files are missing.
    registry : Registry
        For label points and project sites.
    highlight : tuple of str
        Codes outlined in red.
    """
    offline.use_local_assets()
    no_data = translate("common.no_data", lang)

    def fmt(value: float) -> str:
        return format_indicator(indicator, value, lang, no_data)

    values = indicators[indicator].astype(float)
    palette = "OrRd" if indicator in _HIGH_IS_BAD else builders.DEFAULT_PALETTE
    scale = builders.build_colour_scale(values, palette=palette)
    legend = [(e.colour, e.label) for e in builders.build_legend(values, scale, fmt, no_data)]
    value_label = value_label or translate(f"indicator.{indicator}", lang)
    common: dict[str, Any] = dict(
        value_label=value_label, format_value=fmt, scale=scale, no_data_label=no_data,
        name_label=translate("col.commune", lang), basemap=basemap, tile_url=tile_url,
    )
    if layers is None:
        table = registry.communes if level == LEVEL_2025 else registry.legacy
        points = pd.DataFrame({"gso_code": table.index, "name": table["name"].values,
                               "lat": table["label_lat"].values, "lon": table["label_lon"].values})
        m = builders.build_commune_points_map(points, values, **common)
        return MapView(m, legend, points_only=True)
    communes = layers["communes_2025" if level == LEVEL_2025 else "communes_legacy"]
    overlays: dict[str, gpd.GeoDataFrame | None] = {k: layers.get(role) for k, role in _OVERLAY_ROLES.items()}
    overlays["major_projects"] = major_projects_layer(registry)
    labels = {k: translate(f"map.overlay.{k}", lang) for k in builders.OVERLAY_KEYS}
    m = builders.build_coverage_map(
        communes, values, commune_layer_label=translate("map.overlay.choropleth", lang),
        overlays=overlays, overlay_labels=labels, highlight_codes=set(highlight), **common,
    )
    return MapView(m, legend, points_only=False)


def build_base_map(
    level: str,
    basemap: str,
    lang: str,
    layers: Mapping[str, gpd.GeoDataFrame] | None,
    registry: Registry,
    tile_url: str | None = None,
) -> tuple[folium.Map, bool]:
    """The static part of a commune map: geometry, overlays and tooltips, all grey.

    Pages draw it once and colour it per rerun with :func:`build_restyle`.

    Returns
    -------
    (folium.Map, bool)
        The map, and whether it shows points only (no boundary files).
    """
    empty = pd.Series(dtype=float)
    value_label = translate("map.tooltip_value", lang)
    view = build_map_view(pd.DataFrame({"_": empty}), "_", lang, basemap, level, layers, registry,
                          tile_url=tile_url, value_label=value_label)
    return view.map, view.points_only


def build_restyle(
    indicators: pd.DataFrame,
    indicator: str,
    lang: str,
    codes: Sequence[str],
    highlight: Sequence[str] = (),
) -> tuple[dict[str, dict[str, Any]], dict[str, str], list[tuple[str, str]]]:
    """Colours, tooltip texts and legend of one indicator for the drawn communes.

    Parameters
    ----------
    indicators : pd.DataFrame
        Per-unit indicators; codes missing from it (filtered out) show as no data.
    indicator : str
        Column to colour by.
    lang : str
        Catalogue language.
    codes : sequence of str
        Every unit code drawn on the base map.
    highlight : sequence of str
        Units outlined in red.

    Returns
    -------
    (dict, dict, list)
        Style per code, escaped tooltip text per code ("label: value"), legend rows.
    """
    no_data = translate("common.no_data", lang)
    label = translate(f"indicator.{indicator}", lang)

    def fmt(value: float) -> str:
        return format_indicator(indicator, value, lang, no_data)

    values = indicators[indicator].astype(float).reindex(list(codes))
    palette = "OrRd" if indicator in _HIGH_IS_BAD else builders.DEFAULT_PALETTE
    scale = builders.build_colour_scale(values, palette=palette)
    styles, texts = builders.commune_styles(list(codes), values.tolist(), scale, fmt, no_data, set(highlight))
    legend = [(e.colour, e.label) for e in builders.build_legend(values, scale, fmt, no_data)]
    return (
        dict(zip(codes, styles)),
        {c: html.escape(f"{label}: {text}") for c, text in zip(codes, texts)},
        legend,
    )


def clicked_code(event: Mapping[str, Any] | None) -> str | None:
    """The commune code a ``st_folium`` click returned, if any."""
    if not event:
        return None
    drawing = event.get("last_active_drawing") or {}
    props = drawing.get("properties") or {}
    code = props.get("gso_code")
    return str(code) if code else None
