"""Custom folium elements and the browser scripts of the maps.

Owns everything that ends up as JavaScript in the page: the compact TopoJSON
layer, the client-side points layer and its fill script, and the restyle script
that recolours communes already drawn. Every text that reaches the browser is
escaped here: folium's tooltip templates insert property values as raw HTML, and
the points popups are built with ``textContent``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd
from jinja2 import Template

from maps.geometry import build_topology, script_safe_json


class FocusWithoutScroll(folium.MacroElement):
    """The map takes the keyboard focus on the first mousedown without scrolling the page.

    Leaflet's keyboard handler calls ``container.focus()``, which scrolls every
    scrollable ancestor (Streamlit's main column, through the component's iframe)
    until the whole map is in view. On a map only partly in view that moves the
    map between mousedown and mouseup, so the first click on a commune was lost.
    The map still takes the focus, only with ``preventScroll``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function (keyboard) {
                if (!keyboard || !keyboard.enabled()) return;
                keyboard.disable();
                keyboard._onMouseDown = function () {
                    if (!this._focused) this._map.getContainer().focus({preventScroll: true});
                };
                keyboard.enable();
            })({{ this._parent.get_name() }}.keyboard);
        {% endmacro %}
        """
    )


class FoldedLayersWhenNarrow(folium.MacroElement):
    """The layer list starts folded into its icon on a narrow map (a phone).

    Unfolded, its labels cover about half of a 390 px wide map; on a wider map
    it stays open so that the layers can be read at a glance.

    Parameters
    ----------
    control : folium.LayerControl
        The map's layer control, added to the map before this element.
    max_width_px : int
        Maps narrower than this start with the list folded.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            if ({{ this._parent.get_name() }}.getSize().x < {{ this.max_width_px }}) {
                {{ this.control.get_name() }}.collapse();
            }
        {% endmacro %}
        """
    )

    def __init__(self, control: folium.LayerControl, max_width_px: int = 500) -> None:
        super().__init__()
        self._name = "FoldedLayersWhenNarrow"
        self.control = control
        self.max_width_px = int(max_width_px)


def add_layer_control(m: folium.Map) -> folium.LayerControl:
    """The map's layer list: open on a wide map, folded on a narrow one (:class:`FoldedLayersWhenNarrow`)."""
    control = folium.LayerControl(collapsed=False).add_to(m)
    FoldedLayersWhenNarrow(control).add_to(m)
    return control


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

    def __init__(self, data: dict[str, Any], object_path: str, *, interactive: bool = True, **kwargs: Any) -> None:
        super().__init__(data, object_path, **kwargs)
        self.interactive = interactive

    @property
    def json_text(self) -> str:
        """The topology as script-safe compact JSON."""
        return script_safe_json(self.data)


def escape_html(value: Any) -> str:
    """``value`` as text safe to insert into HTML (quotes escaped too)."""
    return html.escape(str(value), quote=True)


def topo_layer(
    frame: gpd.GeoDataFrame,
    object_name: str,
    properties: dict[str, list[Any]],
    styles: list[dict[str, Any]],
    *,
    interactive: bool,
    tooltip: folium.GeoJsonTooltip | None = None,
) -> CompactTopoJson:
    """A :class:`CompactTopoJson` of ``frame``'s geometry with one Leaflet style per feature.

    Parameters
    ----------
    frame : GeoDataFrame
        Geometry in EPSG:4326, in the order of ``styles``.
    object_name : str
        Name of the TopoJSON object.
    properties : dict
        Feature properties by name, one value per row (already HTML-escaped).
    styles : list of dict
        Leaflet path style per feature.
    interactive : bool
        Whether the layer answers the pointer (non-interactive layers let clicks through).
    tooltip : folium.GeoJsonTooltip, optional
        Tooltip over ``properties``.

    Returns
    -------
    CompactTopoJson
    """
    encoded = gpd.GeoDataFrame(properties, geometry=frame.geometry.values, crs=frame.crs)
    topology = build_topology(encoded, object_name, list(properties))
    for geometry, style in zip(topology["objects"][object_name]["geometries"], styles):
        geometry["properties"]["style"] = style
    return CompactTopoJson(topology, f"objects.{object_name}", interactive=interactive, tooltip=tooltip)


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

    Unlike folium's ``MarkerCluster`` with one ``CircleMarker`` and ``Popup`` per
    point, whose cost grows with every point built in Python, the points travel as
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
    default_js: ClassVar[list[tuple[str, str]]] = [
        *folium.plugins.MarkerCluster.default_js,
        *folium.plugins.HeatMap.default_js,
    ]
    default_css: ClassVar[list[tuple[str, str]]] = list(folium.plugins.MarkerCluster.default_css)

    def __init__(
        self,
        points_group: folium.FeatureGroup,
        heat_group: folium.FeatureGroup,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
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


def restyle_script(styles: Mapping[str, Mapping[str, Any]], texts: Mapping[str, str]) -> str:
    """JavaScript that recolours every drawn commune and updates its tooltip value.

    Communes are found by the ``gso_code`` property each feature carries, so the
    script does not depend on folium's generated variable names. ``texts`` must
    already be HTML-escaped (folium tooltips insert properties as HTML).

    Parameters
    ----------
    styles : mapping
        Leaflet path style by commune code.
    texts : mapping
        Escaped tooltip value by commune code.

    Returns
    -------
    str
        A script for streamlit-folium's ``feature_group`` channel.
    """
    payload = script_safe_json({"s": dict(styles), "t": dict(texts)})
    return (
        "(function(){var d=" + payload + ";"
        "window.map.eachLayer(function(l){var f=l.feature;"
        "if(!f||!f.properties||!f.properties.gso_code||!l.setStyle)return;"
        "var c=f.properties.gso_code;if(d.s[c]){l.setStyle(d.s[c]);}"
        "if(c in d.t){f.properties.value=d.t[c];}});})();\n"
        "window.feature_group=window.feature_group||[];\n"
    )
