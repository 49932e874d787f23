"""Assemble the dashboard's map views from indicators, layers and the registry (pure).

A view is the folium map plus the legend rows the page draws outside it. The
page passes the language; labels come from the catalogues.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from analysis.formatting import format_indicator
from loaders.core import domain
from loaders.core.i18n import translate
from loaders.geo.registry import Registry
from loaders.geo.schema import CRS_WGS84
from maps import builders, offline
from maps.options import Background, Overlays, ValueStyle
from maps.palette import (
    DEFAULT_PALETTE,
    NOT_REPORTED_COLOUR,
    build_colour_scale,
    build_legend,
    no_data_label_key,
    palette_for,
)
from maps.styles import OVERLAY_KEYS, OVERLAY_ROLES, commune_styles, not_reported_style


@dataclass(frozen=True, kw_only=True)
class ViewSettings:
    """The reader's choices that shape a commune map before any data is coloured.

    Parameters
    ----------
    lang : str
        Catalogue language.
    level : {"2025", "legacy"}
        69 communes or 209 legacy communes.
    background : Background
        Tiles under the map.
    overlay_shown : mapping
        Overlays on or off when the map opens, by key (see
        :data:`maps.styles.DEFAULT_SHOWN`); e.g. :data:`maps.styles.FOCUS_OVERLAYS`.
    """

    lang: str
    level: str
    background: Background = field(default_factory=Background)
    overlay_shown: Mapping[str, bool] = field(default_factory=dict)


@dataclass
class MapView:
    """A map ready for :func:`ui.map_component.prepare_map` and the legend to draw beside it."""

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
    settings: ViewSettings,
    layers: Mapping[str, gpd.GeoDataFrame] | None,
    registry: Registry,
    *,
    highlight: tuple[str, ...] = (),
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
    settings : ViewSettings
        Language, unit level, tiles and the overlays shown.
    layers : mapping or None
        Display layers by role; ``None`` when the boundary files are missing.
    registry : Registry
        For label points and project sites.
    highlight : tuple of str
        Codes outlined in red.
    value_label : str, optional
        Tooltip label of the value (default: the indicator's name).
    """
    offline.use_local_assets()
    lang, level = settings.lang, settings.level
    no_data = translate("common.no_data", lang)

    def fmt(value: float) -> str:
        return format_indicator(indicator, value, lang, no_data)

    values = indicators[indicator].astype(float)
    scale = build_colour_scale(values, palette=palette_for(indicator))
    legend = [(e.colour, e.label) for e in build_legend(values, scale, fmt, no_data)]
    value_label = value_label or translate(f"indicator.{indicator}", lang)
    style = ValueStyle(
        value_label=value_label,
        format_value=fmt,
        scale=scale,
        no_data_label=no_data,
        name_label=translate("col.commune", lang),
        highlight_codes=frozenset(highlight),
    )
    if layers is None:
        table = registry.communes if level == domain.VINTAGE_2025 else registry.legacy
        points = pd.DataFrame(
            {
                "gso_code": table.index,
                "name": table["name"].values,
                "lat": table["label_lat"].values,
                "lon": table["label_lon"].values,
            }
        )
        m = builders.build_commune_points_map(points, values, style, background=settings.background)
        return MapView(m, legend, points_only=True)
    communes = layers["communes_2025" if level == domain.VINTAGE_2025 else "communes_legacy"]
    overlays: dict[str, gpd.GeoDataFrame | None] = {k: layers.get(role) for k, role in OVERLAY_ROLES.items()}
    overlays["major_projects"] = major_projects_layer(registry)
    labels = {k: translate(f"map.overlay.{k}", lang) for k in OVERLAY_KEYS}
    m = builders.build_coverage_map(
        communes,
        values,
        style,
        overlays=Overlays(layers=overlays, labels=labels, shown=settings.overlay_shown),
        background=settings.background,
        commune_layer_label=translate("map.overlay.choropleth", lang),
    )
    return MapView(m, legend, points_only=False)


def build_base_map(
    settings: ViewSettings,
    layers: Mapping[str, gpd.GeoDataFrame] | None,
    registry: Registry,
) -> tuple[folium.Map, bool]:
    """The static part of a commune map: geometry, overlays and tooltips, all grey.

    Pages draw it once and colour it per rerun with :func:`build_restyle` or
    :func:`build_value_restyle`. The arguments are as in :func:`build_map_view`.

    Returns
    -------
    (folium.Map, bool)
        The map, and whether it shows points only (no boundary files).
    """
    empty = pd.Series(dtype=float)
    value_label = translate("map.tooltip_value", settings.lang)
    view = build_map_view(pd.DataFrame({"_": empty}), "_", settings, layers, registry, value_label=value_label)
    return view.map, view.points_only


def build_value_restyle(
    values: pd.Series,
    label: str,
    format_value: Callable[[float], str],
    no_data: str,
    codes: Sequence[str],
    highlight: Sequence[str] = (),
    palette: str = DEFAULT_PALETTE,
    not_reported: Sequence[str] = (),
    not_reported_label: str = "",
) -> tuple[dict[str, dict[str, Any]], dict[str, str], list[tuple[str, str]]]:
    """Colours, tooltip texts and legend of any value per unit, for the drawn units.

    Parameters
    ----------
    values : pd.Series
        Value per unit code; codes missing from it (filtered out) or NaN show as no data.
    label : str
        Name of the value in the tooltip ("label: value").
    format_value : callable
        Formats a value for tooltips and legend edges.
    no_data : str
        Text for units without a value.
    codes : sequence of str
        Every unit code drawn on the base map.
    highlight : sequence of str
        Units outlined in red.
    palette : str
        ColorBrewer sequential scheme.
    not_reported : sequence of str
        Units that reported no month of the period: drawn "chưa báo cáo"
        (:func:`maps.styles.not_reported_style`), with ``not_reported_label`` in
        the tooltip and a legend row of their own.

    Returns
    -------
    (dict, dict, list)
        Style per code, escaped tooltip text per code, legend rows ``(colour, label)``.
    """
    aligned = pd.to_numeric(values, errors="coerce").astype(float).reindex(list(codes))
    silent = set(not_reported)
    # Not-reported units take no part in the classes or in the no-data row.
    aligned[aligned.index.isin(list(silent))] = float("nan")
    scale = build_colour_scale(aligned, palette=palette)
    styles, texts = commune_styles(list(codes), aligned.tolist(), scale, format_value, no_data, set(highlight))
    legend = [(e.colour, e.label) for e in build_legend(aligned, scale, format_value, no_data)]
    if silent:
        for i, code in enumerate(codes):
            if code in silent:
                styles[i], texts[i] = not_reported_style(styles[i]), not_reported_label
        legend.append((NOT_REPORTED_COLOUR, not_reported_label))
    return (
        dict(zip(codes, styles)),
        {c: html.escape(f"{label}: {text}") for c, text in zip(codes, texts)},
        legend,
    )


def build_restyle(
    indicators: pd.DataFrame,
    indicator: str,
    lang: str,
    codes: Sequence[str],
    highlight: Sequence[str] = (),
    not_reported: Sequence[str] = (),
) -> tuple[dict[str, dict[str, Any]], dict[str, str], list[tuple[str, str]]]:
    """Colours, tooltip texts and legend of one indicator for the drawn communes.

    A thin wrapper of :func:`build_value_restyle`: the indicator's catalogue
    label, its number format and its palette (warm where high is bad).

    Parameters
    ----------
    indicators : pd.DataFrame
        Per-unit indicators; codes missing from it (filtered out) show as no data.
    indicator : str
        Column to colour by.
    lang : str
        Catalogue language.
    codes, highlight
        As in :func:`build_value_restyle`.
    not_reported : sequence of str
        Units shown "chưa báo cáo" (for the incident indicators, ``analysis.reporting``).
    """
    no_data = translate(no_data_label_key(indicator), lang)

    def fmt(value: float) -> str:
        return format_indicator(indicator, value, lang, no_data)

    return build_value_restyle(
        indicators[indicator],
        translate(f"indicator.{indicator}", lang),
        fmt,
        no_data,
        codes,
        highlight,
        palette_for(indicator),
        not_reported,
        translate("reporting.not_reported", lang),
    )


def clicked_code(event: Mapping[str, Any] | None) -> str | None:
    """The commune code a map click returned (``last_active_drawing``), if any."""
    if not event:
        return None
    drawing = event.get("last_active_drawing") or {}
    props = drawing.get("properties") or {}
    code = props.get("gso_code")
    return str(code) if code else None
