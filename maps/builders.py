"""Pure builders of the dashboard's folium maps, their colour scales and legends.

Every ``build_*_map`` returns a ``folium.Map`` and never touches streamlit; the
page renders it with ``st_folium`` and draws the legend from :func:`build_legend`
outside the map. All text that reaches a tooltip or popup is HTML-escaped here,
because folium's tooltip templates insert property values as raw HTML.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import branca.utilities
import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
from jinja2 import Template

from maps.geometry import build_topology, script_safe_json, shared_boundaries
from maps.offline import BASEMAP_OSM, tile_layer

#: Fill of communes without data: neutral grey, dashed outline, never a class colour.
NO_DATA_COLOUR = "#c8c8c8"
DEFAULT_PALETTE = "YlGnBu"
HIGHLIGHT_COLOUR = "#d7191c"

#: Overlay keys understood by :func:`build_coverage_map`, in drawing order.
OVERLAY_KEYS: tuple[str, ...] = ("districts", "economic_zones", "coast", "border", "major_projects")
#: Overlays shown when the map opens; the others are one click away in the layer control.
DEFAULT_SHOWN: dict[str, bool] = {
    "districts": True,
    "border": True,
    "coast": False,
    "economic_zones": True,
    "major_projects": False,
}
_OVERLAY_STYLES: dict[str, dict[str, Any]] = {
    "districts": {"color": "#222222", "weight": 2.2, "opacity": 0.9, "fill": False},
    "economic_zones": {"color": "#6a3d9a", "weight": 2.5, "opacity": 0.9, "dashArray": "8 4", "fill": False},
    "coast": {"color": "#1f78b4", "weight": 3, "opacity": 0.8},
    "border": {"color": "#e31a1c", "weight": 3.5, "opacity": 0.9, "dashArray": "10 5"},
    "major_projects": {"color": "#ff7f00", "weight": 2, "opacity": 0.9, "fillColor": "#ff7f00", "fillOpacity": 0.5},
}
# Columns that may name an overlay feature in its tooltip, first match wins.
_OVERLAY_NAME_COLUMNS = ("name", "zone", "district_name", "kind")


def default_format(value: float) -> str:
    """Format a number with thousands separators and at most one decimal."""
    rounded = round(float(value), 1)
    if rounded.is_integer():
        return f"{rounded:,.0f}"
    return f"{rounded:,.1f}"


# --------------------------------------------------------------------------- colour scale


@dataclass(frozen=True)
class ColourScale:
    """Classes of an indicator and their fill colours.

    Attributes
    ----------
    breaks : tuple of float
        Ascending class edges, one more than ``colours``. Class ``i`` holds values
        in ``[breaks[i], breaks[i + 1])``; the last class includes its upper edge.
    colours : tuple of str
        Hex colour per class, light to dark unless reversed.
    no_data_colour : str
        Fill for missing values (NaN), distinct from every class colour.
    """

    breaks: tuple[float, ...]
    colours: tuple[str, ...]
    no_data_colour: str = NO_DATA_COLOUR

    def class_of(self, value: float | None) -> int | None:
        """Index of the class holding ``value``; ``None`` for missing or non-finite values."""
        if value is None or not math.isfinite(float(value)) or not self.colours:
            return None
        inner = np.asarray(self.breaks[1:-1], dtype=float)
        return int(np.searchsorted(inner, float(value), side="right"))

    def colour_for(self, value: float | None) -> str:
        """Fill colour of ``value``; the no-data colour for NaN/None."""
        index = self.class_of(value)
        return self.no_data_colour if index is None else self.colours[index]


def build_colour_scale(
    values: pd.Series | Sequence[float],
    n_classes: int = 5,
    reverse: bool = False,
    method: str = "quantile",
    palette: str = DEFAULT_PALETTE,
) -> ColourScale:
    """Class breaks and colours for an indicator.

    Parameters
    ----------
    values : Series or sequence of float
        Indicator values; NaN (no data) is ignored when computing breaks.
    n_classes : int
        Wanted number of classes (at least 1). Fewer result when values repeat,
        e.g. many zeros: quantile edges that coincide are merged.
    reverse : bool
        Dark colours for low values (when low is bad, e.g. coverage).
    method : {"quantile", "equal"}
        Quantile classes (equal counts) or equal-width classes.
    palette : str
        A ColorBrewer sequential scheme name known to branca, e.g. ``"YlGnBu"``, ``"OrRd"``.

    Returns
    -------
    ColourScale
        With no classes when there is no finite value.

    Raises
    ------
    ValueError
        For ``n_classes < 1`` or an unknown ``method``.
    """
    if n_classes < 1:
        raise ValueError(f"n_classes must be at least 1, got {n_classes}")
    if method not in ("quantile", "equal"):
        raise ValueError(f"method must be 'quantile' or 'equal', got {method!r}")
    finite = pd.to_numeric(pd.Series(values, dtype="float64"), errors="coerce")
    finite = finite[np.isfinite(finite)]
    if finite.empty:
        return ColourScale(breaks=(), colours=())
    low, high = float(finite.min()), float(finite.max())
    if low == high:
        edges = [low, high]
    elif method == "quantile":
        edges = sorted(set(np.quantile(finite, np.linspace(0, 1, n_classes + 1)).tolist()))
    else:
        edges = np.linspace(low, high, n_classes + 1).tolist()
    count = len(edges) - 1
    # ColorBrewer sequential schemes start at 3 colours; take evenly spaced ones for fewer.
    ramp = branca.utilities.color_brewer(palette, n=max(count, 3))
    if count < 3:
        ramp = [ramp[round(float(i))] for i in np.linspace(0, len(ramp) - 1, count)]
    colours = tuple(reversed(ramp)) if reverse else tuple(ramp)
    return ColourScale(breaks=tuple(float(e) for e in edges), colours=colours)


class LegendEntry(NamedTuple):
    """One row of a legend drawn outside the map."""

    colour: str
    label: str
    count: int


def build_legend(
    values: pd.Series | Sequence[float],
    scale: ColourScale,
    format_value: Callable[[float], str] = default_format,
    no_data_label: str = "No data",
) -> list[LegendEntry]:
    """Legend rows for a choropleth: one per class, then the no-data entry.

    Parameters
    ----------
    values : Series or sequence of float
        The mapped values (NaN = no data), used for the counts.
    scale : ColourScale
        The scale the map was built with.
    format_value : callable
        Formats a class edge.
    no_data_label : str
        Label of the no-data row (always present, so users learn the grey means "no report").

    Returns
    -------
    list of LegendEntry
        ``(colour, label, count)``; labels read ``"a – b"``, or ``"a"`` for a one-value class.
    """
    series = pd.to_numeric(pd.Series(values, dtype="float64"), errors="coerce")
    classes = [scale.class_of(v) for v in series]
    entries = []
    for index, colour in enumerate(scale.colours):
        low, high = scale.breaks[index], scale.breaks[index + 1]
        label = format_value(low) if low == high else f"{format_value(low)} – {format_value(high)}"
        entries.append(LegendEntry(colour, label, sum(1 for c in classes if c == index)))
    entries.append(LegendEntry(scale.no_data_colour, no_data_label, sum(1 for c in classes if c is None)))
    return entries


# --------------------------------------------------------------------------- layers


class CompactTopoJson(folium.TopoJson):
    """``folium.TopoJson`` that embeds compact JSON and can be made non-interactive.

    folium's own template serialises with spaces after every separator; on the
    69-commune layer that is tens of kilobytes of the browser payload. Non-
    interactive outline overlays let clicks through to the communes below.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }}_data = {{ this.json_text }};
            var {{ this.get_name() }} = L.geoJson(
                topojson.feature(
                    {{ this.get_name() }}_data,
                    {{ this.get_name() }}_data{{ this._safe_object_path }}
                ),
                {
                    interactive: {{ this.interactive|tojson }},
                    style: function(feature) { return feature.properties.style; },
                }
            ).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any], object_path: str, *, interactive: bool = True, **kwargs: Any):
        super().__init__(data, object_path, **kwargs)
        self.interactive = interactive

    @property
    def json_text(self) -> str:
        """The topology as script-safe compact JSON."""
        return script_safe_json(self.data)


def _escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _topo_layer(
    frame: gpd.GeoDataFrame,
    object_name: str,
    properties: dict[str, list[Any]],
    styles: list[dict[str, Any]],
    *,
    interactive: bool,
    tooltip: folium.GeoJsonTooltip | None = None,
) -> CompactTopoJson:
    encoded = gpd.GeoDataFrame(properties, geometry=frame.geometry.values, crs=frame.crs)
    topology = build_topology(encoded, object_name, list(properties))
    for geometry, style in zip(topology["objects"][object_name]["geometries"], styles):
        geometry["properties"]["style"] = style
    return CompactTopoJson(topology, f"objects.{object_name}", interactive=interactive, tooltip=tooltip)


def _overlay_name(frame: gpd.GeoDataFrame) -> str | None:
    return next((c for c in _OVERLAY_NAME_COLUMNS if c in frame.columns), None)


def _overlay_layer(key: str, frame: gpd.GeoDataFrame) -> folium.Element:
    style = _OVERLAY_STYLES.get(key, _OVERLAY_STYLES["districts"])
    name_column = _overlay_name(frame)
    kinds = set(frame.geom_type)
    if kinds & {"Point", "MultiPoint"} or key == "major_projects":
        data = frame[[name_column]].copy() if name_column else gpd.GeoDataFrame(geometry=frame.geometry)
        if name_column:
            data[name_column] = data[name_column].map(_escape)
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
    properties = {name_column: [_escape(v) for v in frame[name_column]]} if interactive else {}
    tooltip = folium.GeoJsonTooltip(fields=[name_column], labels=False, sticky=True) if interactive else None
    return _topo_layer(frame, key, properties, [style] * len(frame), interactive=interactive, tooltip=tooltip)


def _base_map(bounds: Sequence[float], basemap: str, tile_url: str | None) -> folium.Map:
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
    tiles = tile_layer(basemap, tile_url)
    if tiles is not None:
        tiles.add_to(m)
    m.fit_bounds([[min_y, min_x], [max_y, max_x]])
    return m


def _add_overlays(
    m: folium.Map,
    overlays: Mapping[str, gpd.GeoDataFrame | None] | None,
    overlay_labels: Mapping[str, str] | None,
    overlay_shown: Mapping[str, bool] | None,
) -> None:
    overlays = overlays or {}
    labels = dict(overlay_labels or {})
    shown = {**DEFAULT_SHOWN, **(overlay_shown or {})}
    unknown = set(overlays) - set(OVERLAY_KEYS)
    if unknown:
        raise ValueError(f"Unknown overlay(s) {', '.join(sorted(unknown))}; known: {', '.join(OVERLAY_KEYS)}.")
    for key in OVERLAY_KEYS:
        frame = overlays.get(key)
        if frame is None or frame.empty:
            continue
        group = folium.FeatureGroup(name=labels.get(key, key), show=shown.get(key, False))
        _overlay_layer(key, frame.to_crs("EPSG:4326")).add_to(group)
        group.add_to(m)


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
    map builder and by pages that restyle an already drawn map.
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


def build_coverage_map(
    communes: gpd.GeoDataFrame,
    values: pd.Series,
    *,
    value_label: str,
    format_value: Callable[[float], str] = default_format,
    scale: ColourScale | None = None,
    no_data_label: str = "No data",
    name_label: str = "Commune",
    commune_layer_label: str = "Communes",
    overlays: Mapping[str, gpd.GeoDataFrame | None] | None = None,
    overlay_labels: Mapping[str, str] | None = None,
    overlay_shown: Mapping[str, bool] | None = None,
    basemap: str = BASEMAP_OSM,
    tile_url: str | None = None,
    highlight_codes: set[str] | None = None,
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
    value_label : str
        Label of the value in the tooltip.
    format_value : callable
        Formats a value for the tooltip.
    scale : ColourScale, optional
        Default :func:`build_colour_scale` of ``values``. Pass the same scale to
        :func:`build_legend`.
    no_data_label : str
        Tooltip text for communes without data.
    name_label, commune_layer_label : str
        Tooltip label of the commune name; name of the commune layer.
    overlays : mapping, optional
        GeoDataFrames keyed by ``"districts"``, ``"border"``, ``"coast"``,
        ``"economic_zones"``, ``"major_projects"`` (points or polygons); ``None``
        entries are skipped. Each becomes a FeatureGroup in the layer control.
    overlay_labels : mapping, optional
        Layer-control names by overlay key (default: the key).
    overlay_shown : mapping, optional
        Overrides :data:`DEFAULT_SHOWN` (district lines, border and economic zones on).
    basemap : {"osm", "local", "none"}
        Background tiles; see :func:`maps.offline.tile_layer`.
    tile_url : str, optional
        Tile URL template for ``basemap="local"``.
    highlight_codes : set of str, optional
        Communes outlined in red, e.g. the selected commune or a focus list.

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
    scale = scale or build_colour_scale(aligned)
    highlight = {str(c) for c in (highlight_codes or set())}

    styles, texts = commune_styles(codes, aligned, scale, format_value, no_data_label, highlight)

    properties = {
        "gso_code": [_escape(c) for c in codes],
        "name": [_escape(n) for n in communes["name"]],
        "value": [_escape(t) for t in texts],
    }
    tooltip = folium.GeoJsonTooltip(
        fields=["name", "value"], aliases=[_escape(name_label), _escape(value_label)], sticky=True
    )
    m = _base_map(communes.total_bounds, basemap, tile_url)
    # The commune layer cannot be switched off: the map means nothing without it.
    commune_group = folium.FeatureGroup(name=commune_layer_label, control=False)
    _topo_layer(communes, "communes", properties, styles, interactive=True, tooltip=tooltip).add_to(commune_group)
    commune_group.add_to(m)
    _add_overlays(m, overlays, overlay_labels, overlay_shown)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def build_commune_points_map(
    communes: pd.DataFrame,
    values: pd.Series,
    *,
    value_label: str,
    format_value: Callable[[float], str] = default_format,
    scale: ColourScale | None = None,
    no_data_label: str = "No data",
    name_label: str = "Commune",
    basemap: str = BASEMAP_OSM,
    tile_url: str | None = None,
    highlight_codes: set[str] | None = None,
) -> folium.Map:
    """Fallback choropleth when the boundary files are not installed: one circle per commune.

    Parameters
    ----------
    communes : DataFrame
        Columns ``gso_code``, ``name``, ``lat``, ``lon`` (a point inside each commune).
    values, value_label, format_value, scale, no_data_label, name_label, basemap, tile_url, highlight_codes
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
    scale = scale or build_colour_scale(aligned)
    highlight = {str(c) for c in (highlight_codes or set())}
    features = []
    for code, name, lat, lon, value in zip(codes, located["name"], located["lat"], located["lon"], aligned):
        no_data = not math.isfinite(value)
        style = {
            "fillColor": scale.colour_for(None if no_data else value),
            "fillOpacity": 0.6 if no_data else 0.9,
            "color": HIGHLIGHT_COLOUR if code in highlight else "#555555",
            "weight": 3 if code in highlight else 1,
        }
        if no_data:
            style["dashArray"] = "2 2"
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
                "properties": {
                    "gso_code": _escape(code),
                    "name": _escape(name),
                    "value": _escape(no_data_label if no_data else format_value(float(value))),
                    "style": style,
                },
            }
        )
    lons, lats = located["lon"].astype(float), located["lat"].astype(float)
    m = _base_map((lons.min(), lats.min(), lons.max(), lats.max()), basemap, tile_url)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        marker=folium.CircleMarker(radius=8),
        style_function=lambda feature: feature["properties"]["style"],
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "value"], aliases=[_escape(name_label), _escape(value_label)], sticky=True
        ),
    ).add_to(m)
    return m


#: Browser function that fills the points map's layers from a :func:`points_payload`.
#: Popups are built with ``textContent`` (never as HTML), so any text in the data
#: shows literally; a marker's popup is built only when it is opened.
POINTS_FILL_JS = """function(d) {
  var layers = window.htPointLayers;
  layers.points.clearLayers();
  layers.heat.clearLayers();
  if (!d.rows.length) { return; }
  var style = {radius: 6, color: "#b30000", weight: 1, fill: true, fillColor: "#e34a33", fillOpacity: 0.9};
  function popup(row) {
    return function() {
      var table = document.createElement("table");
      for (var j = 0; j < d.labels.length; j++) {
        var tr = table.insertRow();
        var th = document.createElement("th");
        th.textContent = d.labels[j];
        tr.appendChild(th);
        tr.insertCell().textContent = d.values[j][row[2 + j]];
      }
      return table;
    };
  }
  var markers = [], heat = [];
  for (var i = 0; i < d.rows.length; i++) {
    var row = d.rows[i];
    var marker = L.circleMarker([row[0], row[1]], style);
    if (d.labels.length) { marker.bindPopup(popup(row), {maxWidth: 320}); }
    markers.push(marker);
    heat.push([row[0], row[1]]);
  }
  var cluster = L.markerClusterGroup({chunkedLoading: true});
  cluster.addLayers(markers);
  layers.points.addLayer(cluster);
  layers.heat.addLayer(L.heatLayer(heat, {radius: 18, blur: 22}));
}"""


class PointsLayer(folium.elements.JSCSSMixin, folium.MacroElement):
    """Client-side clustered points and heat map, filled from a compact payload.

    folium's ``MarkerCluster`` with one ``CircleMarker`` and ``Popup`` per point
    costs about 5 ms per point to build and render; here the points travel as
    one JSON payload (:func:`points_payload`) and the browser builds the markers
    (Leaflet.markercluster) and the heat layer (Leaflet.heat). The element
    registers ``window.htFillPoints`` so a page can refill the same map with
    other points (:func:`points_fill_script`) without rebuilding it.

    Parameters
    ----------
    points_group, heat_group : folium.FeatureGroup
        Groups (already on the map, in the layer control) that receive the
        clustered markers and the heat layer.
    payload : dict, optional
        Points drawn when the map opens.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            window.htPointLayers = {
                points: {{ this.points_group.get_name() }},
                heat: {{ this.heat_group.get_name() }}
            };
            window.htFillPoints = {{ this.fill_js }};
            {%- if this.payload_json %}
            window.htFillPoints({{ this.payload_json }});
            {%- endif %}
        {% endmacro %}
        """
    )
    # The same resources as folium's MarkerCluster and HeatMap; maps.offline serves them locally.
    default_js = [*folium.plugins.MarkerCluster.default_js, *folium.plugins.HeatMap.default_js]
    default_css = list(folium.plugins.MarkerCluster.default_css)

    def __init__(self, points_group: folium.FeatureGroup, heat_group: folium.FeatureGroup,
                 payload: Mapping[str, Any] | None = None):
        super().__init__()
        self._name = "PointsLayer"
        self.points_group = points_group
        self.heat_group = heat_group
        self.fill_js = POINTS_FILL_JS
        self.payload_json = script_safe_json(dict(payload)) if payload is not None else ""


def points_payload(
    points: pd.DataFrame,
    popup_fields: Sequence[str] = (),
    popup_labels: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The points of a :class:`PointsLayer` as compact JSON-ready data.

    Parameters
    ----------
    points : DataFrame
        Columns ``lat``, ``lon`` and the ``popup_fields``; rows without coordinates are skipped.
    popup_fields : sequence of str
        Columns shown in each point's popup (as plain text; missing values as "").
    popup_labels : sequence of str, optional
        Labels of ``popup_fields`` (default: the field names).

    Returns
    -------
    dict
        ``labels`` (one per field), ``values`` (per field, its distinct texts)
        and ``rows`` (``[lat, lon, i0, i1, ...]`` with ``i`` indexing ``values``),
        coordinates rounded to 5 decimals (about 1 m).

    Raises
    ------
    ValueError
        If ``lat``/``lon`` or a popup field is missing, or the label count differs.
    """
    labels = [str(label) for label in (popup_labels if popup_labels is not None else popup_fields)]
    if len(labels) != len(popup_fields):
        raise ValueError(f"{len(popup_fields)} popup fields but {len(labels)} labels")
    missing = [c for c in ("lat", "lon", *popup_fields) if c not in points.columns]
    if missing:
        raise ValueError(f"points lack column(s) {', '.join(missing)}")
    located = points.dropna(subset=["lat", "lon"])
    columns = [located["lat"].astype(float).round(5).tolist(), located["lon"].astype(float).round(5).tolist()]
    values = []
    for field in popup_fields:
        texts = located[field].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
        codes, uniques = pd.factorize(texts)
        columns.append(codes.tolist())
        values.append([str(u) for u in uniques])
    return {"labels": labels, "values": values, "rows": [list(row) for row in zip(*columns)]}


def points_fill_script(payload: Mapping[str, Any]) -> str:
    """JavaScript that refills a drawn :class:`PointsLayer` map with other points."""
    return (
        "(function(){if(window.htFillPoints){window.htFillPoints(" + script_safe_json(dict(payload)) + ");}})();\n"
        "window.feature_group=window.feature_group||[];\n"
    )


def build_points_map(
    points: pd.DataFrame | None,
    *,
    popup_fields: Sequence[str] = (),
    popup_labels: Sequence[str] | None = None,
    points_label: str = "Incidents",
    heat_label: str = "Heat map",
    boundaries: gpd.GeoDataFrame | None = None,
    boundaries_label: str = "Communes",
    show_heat: bool = False,
    basemap: str = BASEMAP_OSM,
    tile_url: str | None = None,
    bounds: Sequence[float] | None = None,
) -> folium.Map:
    """Exact incident points as a clustered layer and a heat map layer.

    Exact locations are sensitive: the page calls this only for roles allowed to
    see them. The markers are built in the browser (:class:`PointsLayer`), so
    thousands of points cost milliseconds here.

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
    points_label, heat_label : str
        Layer-control names of the clustered points and the heat map.
    boundaries : GeoDataFrame, optional
        Commune outlines drawn under the points (display geometry, ``gso_code`` not required).
    boundaries_label : str
        Layer-control name of the outlines.
    show_heat : bool
        Whether the heat map is on when the map opens (the clusters always are).
    basemap, tile_url
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
    m = _base_map(bounds, basemap, tile_url)
    if has_outlines:
        outline_group = folium.FeatureGroup(name=boundaries_label, show=True)
        outline_style = {"color": "#555555", "weight": 1, "fill": False}
        _topo_layer(
            boundaries.to_crs("EPSG:4326"), "communes", {}, [outline_style] * len(boundaries), interactive=False
        ).add_to(outline_group)
        outline_group.add_to(m)
    point_group = folium.FeatureGroup(name=points_label, show=True).add_to(m)
    heat_group = folium.FeatureGroup(name=heat_label, show=show_heat).add_to(m)
    PointsLayer(point_group, heat_group, payload).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m
