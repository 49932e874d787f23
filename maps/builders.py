"""Pure builders of the dashboard's folium maps: ``build_*_map(...) -> folium.Map``.

Every builder returns a ``folium.Map`` and never touches streamlit; the choices
around the data come as the small contexts of :mod:`maps.options`; the legend
is drawn outside the map from :func:`maps.palette.build_legend`. Colours come
from :mod:`maps.palette`, styles from :mod:`maps.styles`, and the custom layers
and scripts from :mod:`maps.elements`, which escapes every text that reaches a
tooltip or popup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import folium
import geopandas as gpd
import pandas as pd

from maps.elements import FocusWithoutScroll, PointsLayer, add_layer_control, escape_html, points_payload, topo_layer
from maps.geometry import shared_boundaries
from maps.offline import tile_layer
from maps.options import Background, Overlays, PointsLabels, ValueStyle
from maps.palette import build_colour_scale
from maps.styles import (
    DEFAULT_SHOWN,
    HIGHLIGHT_COLOUR,
    OVERLAY_KEYS,
    OVERLAY_NAME_COLUMNS,
    OVERLAY_STYLES,
    commune_styles,
)


def _overlay_name(frame: gpd.GeoDataFrame) -> str | None:
    return next((c for c in OVERLAY_NAME_COLUMNS if c in frame.columns), None)


def _overlay_layer(key: str, frame: gpd.GeoDataFrame) -> folium.Element:
    style = OVERLAY_STYLES.get(key, OVERLAY_STYLES["districts"])
    name_column = _overlay_name(frame)
    kinds = set(frame.geom_type)
    if kinds & {"Point", "MultiPoint"} or key == "major_projects":
        data = frame[[name_column]].copy() if name_column else gpd.GeoDataFrame(geometry=frame.geometry)
        if name_column:
            data[name_column] = data[name_column].map(escape_html)
        data = data.set_geometry(frame.geometry.values, crs=frame.crs)
        tooltip = folium.GeoJsonTooltip(fields=[name_column], labels=False) if name_column else None
        return folium.GeoJson(
            data.__geo_interface__,
            style_function=lambda _feature: style,
            marker=folium.CircleMarker(radius=7),
            tooltip=tooltip,
        )
    if key == "districts" and kinds <= {"Polygon", "MultiPolygon"}:
        # Only the lines between districts: the province edge is already drawn by the communes.
        frame = shared_boundaries(frame)
        if frame.empty:
            return folium.FeatureGroup(name="empty", control=False)
    # Outlines and lines are drawn on top of the communes: only the economic zones
    # answer the pointer (on their outline), so commune clicks pass through the rest.
    interactive = key == "economic_zones" and name_column is not None
    properties = {name_column: [escape_html(v) for v in frame[name_column]]} if interactive else {}
    tooltip = folium.GeoJsonTooltip(fields=[name_column], labels=False, sticky=True) if interactive else None
    return topo_layer(frame, key, properties, [style] * len(frame), interactive=interactive, tooltip=tooltip)


def _base_map(bounds: Sequence[float], background: Background) -> folium.Map:
    min_x, min_y, max_x, max_y = bounds
    # A map without tiles has no zoom limit of its own, and Leaflet.markercluster
    # refuses to cluster on such a map: set Leaflet's maxZoom (folium's max_zoom
    # only reaches tile layers); 19 is the deepest OSM zoom.
    m = folium.Map(
        location=[(min_y + max_y) / 2, (min_x + max_x) / 2],
        zoom_start=9,
        tiles=None,
        control_scale=True,
        maxZoom=19,
    )
    tiles = tile_layer(background.basemap, background.tile_url)
    if tiles is not None:
        tiles.add_to(m)
    m.fit_bounds([[min_y, min_x], [max_y, max_x]])
    FocusWithoutScroll().add_to(m)
    return m


def _add_overlays(m: folium.Map, overlays: Overlays) -> None:
    layers, labels = overlays.layers, overlays.labels
    shown = {**DEFAULT_SHOWN, **overlays.shown}
    unknown = set(layers) - set(OVERLAY_KEYS)
    if unknown:
        raise ValueError(f"Unknown overlay(s) {', '.join(sorted(unknown))}; known: {', '.join(OVERLAY_KEYS)}.")
    for key in OVERLAY_KEYS:
        frame = layers.get(key)
        if frame is None or frame.empty:
            continue
        group = folium.FeatureGroup(name=labels.get(key, key), show=shown.get(key, False))
        _overlay_layer(key, frame.to_crs("EPSG:4326")).add_to(group)
        group.add_to(m)


def build_coverage_map(
    communes: gpd.GeoDataFrame,
    values: pd.Series,
    style: ValueStyle,
    *,
    overlays: Overlays | None = None,
    background: Background | None = None,
    commune_layer_label: str = "Communes",
) -> folium.Map:
    """Choropleth of one indicator per commune, with toggleable context overlays.

    Works for the 69 communes (2025) and the 209 legacy communes alike; pass the
    12 legacy districts as the ``"districts"`` overlay in both views.

    Parameters
    ----------
    communes : GeoDataFrame
        Display geometry (see ``loaders.geo.boundaries.load_display_geometry``), EPSG:4326
        or any CRS, with columns ``gso_code`` (5-digit string) and ``name``.
    values : Series
        Indicator indexed by ``gso_code``. NaN or a missing code means "no data"
        and is drawn grey with a dashed outline, apart from zero.
    style : ValueStyle
        Colours, tooltip labels, number format and the communes outlined in red.
    overlays : Overlays, optional
        Context layers; each becomes a FeatureGroup in the layer control. Default: none.
    background : Background, optional
        Tiles under the map. Default: OpenStreetMap.
    commune_layer_label : str
        Name of the commune layer.

    Returns
    -------
    folium.Map
        Each commune feature carries ``gso_code`` in its properties, so a click
        (``last_active_drawing``) identifies it. No legend is drawn in the map.

    Raises
    ------
    ValueError
        If ``communes`` lacks ``gso_code``/``name``, an overlay key is unknown or
        the basemap is invalid.
    """
    missing = [c for c in ("gso_code", "name") if c not in communes.columns]
    if missing:
        raise ValueError(f"communes layer lacks column(s) {', '.join(missing)}")
    communes = communes.to_crs("EPSG:4326")
    codes = communes["gso_code"].astype(str)
    aligned = pd.to_numeric(values, errors="coerce").reindex(codes.values)
    scale = style.scale or build_colour_scale(aligned)
    highlight = {str(c) for c in style.highlight_codes}

    styles, texts = commune_styles(codes, aligned, scale, style.format_value, style.no_data_label, highlight)

    properties = {
        "gso_code": [escape_html(c) for c in codes],
        "name": [escape_html(n) for n in communes["name"]],
        "value": [escape_html(t) for t in texts],
    }
    tooltip = folium.GeoJsonTooltip(
        fields=["name", "value"],
        aliases=[escape_html(style.name_label), escape_html(style.value_label)],
        sticky=True,
    )
    m = _base_map(communes.total_bounds, background or Background())
    # The commune layer cannot be switched off: the map means nothing without it.
    commune_group = folium.FeatureGroup(name=commune_layer_label, control=False)
    topo_layer(communes, "communes", properties, styles, interactive=True, tooltip=tooltip).add_to(commune_group)
    commune_group.add_to(m)
    _add_overlays(m, overlays or Overlays())
    add_layer_control(m)
    return m


def build_commune_points_map(
    communes: pd.DataFrame,
    values: pd.Series,
    style: ValueStyle,
    *,
    background: Background | None = None,
) -> folium.Map:
    """Fallback choropleth when the boundary files are not installed: one circle per commune.

    Parameters
    ----------
    communes : DataFrame
        Columns ``gso_code``, ``name``, ``lat``, ``lon`` (a point inside each commune).
    values, style, background
        As in :func:`build_coverage_map`; the same colours and no-data style.

    Returns
    -------
    folium.Map
        Circle markers as GeoJSON points carrying ``gso_code``, so clicks identify communes.

    Raises
    ------
    ValueError
        If a required column is missing or no commune has coordinates.
    """
    missing = [c for c in ("gso_code", "name", "lat", "lon") if c not in communes.columns]
    if missing:
        raise ValueError(f"commune points lack column(s) {', '.join(missing)}")
    located = communes.dropna(subset=["lat", "lon"])
    if located.empty:
        raise ValueError("no commune has coordinates")
    codes = located["gso_code"].astype(str)
    aligned = pd.to_numeric(values, errors="coerce").reindex(codes.values)
    scale = style.scale or build_colour_scale(aligned)
    highlight = {str(c) for c in style.highlight_codes}
    features = []
    for code, name, lat, lon, value in zip(codes, located["name"], located["lat"], located["lon"], aligned):
        no_data = not math.isfinite(value)
        point_style = {
            "fillColor": scale.colour_for(None if no_data else value),
            "fillOpacity": 0.6 if no_data else 0.9,
            "color": HIGHLIGHT_COLOUR if code in highlight else "#555555",
            "weight": 3 if code in highlight else 1,
        }
        if no_data:
            point_style["dashArray"] = "2 2"
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
                "properties": {
                    "gso_code": escape_html(code),
                    "name": escape_html(name),
                    "value": escape_html(style.no_data_label if no_data else style.format_value(float(value))),
                    "style": point_style,
                },
            }
        )
    lons, lats = located["lon"].astype(float), located["lat"].astype(float)
    m = _base_map((lons.min(), lats.min(), lons.max(), lats.max()), background or Background())
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        marker=folium.CircleMarker(radius=8),
        style_function=lambda feature: feature["properties"]["style"],
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "value"],
            aliases=[escape_html(style.name_label), escape_html(style.value_label)],
            sticky=True,
        ),
    ).add_to(m)
    return m


def build_points_map(
    points: pd.DataFrame | None,
    *,
    popup_fields: Sequence[str] = (),
    popup_labels: Sequence[str] | None = None,
    labels: PointsLabels | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    show_heat: bool = False,
    background: Background | None = None,
    bounds: Sequence[float] | None = None,
) -> folium.Map:
    """Exact incident points as a clustered layer and a heat map layer.

    Exact locations are sensitive: the page calls this only for roles allowed to
    see them. The markers are built in the browser (:class:`PointsLayer`), so
    the Python cost does not grow with every point.

    Parameters
    ----------
    points : DataFrame or None
        Columns ``lat``, ``lon`` and the ``popup_fields``. Rows without coordinates
        are skipped. ``None`` draws an empty map to fill later with
        :func:`points_fill_script` (then ``boundaries`` or ``bounds`` must be given).
    popup_fields : sequence of str
        Columns shown in each point's popup (as plain text, never HTML).
    popup_labels : sequence of str, optional
        Labels of ``popup_fields`` (default: the field names).
    labels : PointsLabels, optional
        Layer-control names of the clustered points, the heat map and the outlines.
    boundaries : GeoDataFrame, optional
        Commune outlines drawn under the points (display geometry, ``gso_code`` not required).
    show_heat : bool
        Whether the heat map is on when the map opens (the clusters always are).
    background : Background, optional
        As in :func:`build_coverage_map`.
    bounds : sequence of float, optional
        ``(min_lon, min_lat, max_lon, max_lat)`` to fit when there are no boundaries.

    Returns
    -------
    folium.Map
        FeatureGroups: points (clusters), heat map, optional outlines; one :class:`PointsLayer`.

    Raises
    ------
    ValueError
        If ``lat``/``lon`` or a popup field is missing, the label counts differ,
        no row has coordinates, or nothing gives the map's extent.
    """
    payload = None
    if points is not None:
        payload = points_payload(points, popup_fields, popup_labels)
        if not payload["rows"]:
            raise ValueError("no point has coordinates")
    has_outlines = boundaries is not None and not boundaries.empty
    if has_outlines:
        bounds = boundaries.to_crs("EPSG:4326").total_bounds
    elif payload is not None:
        lats = [row[0] for row in payload["rows"]]
        lons = [row[1] for row in payload["rows"]]
        bounds = (min(lons), min(lats), max(lons), max(lats))
    elif bounds is None:
        raise ValueError("an empty points map needs boundaries or bounds")
    labels = labels or PointsLabels()
    m = _base_map(bounds, background or Background())
    if has_outlines:
        outline_group = folium.FeatureGroup(name=labels.boundaries, show=True)
        outline_style = {"color": "#555555", "weight": 1, "fill": False}
        topo_layer(
            boundaries.to_crs("EPSG:4326"), "communes", {}, [outline_style] * len(boundaries), interactive=False
        ).add_to(outline_group)
        outline_group.add_to(m)
    point_group = folium.FeatureGroup(name=labels.points, show=True).add_to(m)
    heat_group = folium.FeatureGroup(name=labels.heat, show=show_heat).add_to(m)
    PointsLayer(point_group, heat_group, payload).add_to(m)
    add_layer_control(m)
    return m
