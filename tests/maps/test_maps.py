"""Map builders, display encoding and offline assets, on tiny in-memory layers."""

from __future__ import annotations

import json
import math

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, box

from loaders.core import settings
from loaders.core.i18n import translate
from maps import builders, elements, geometry, offline, options, palette, views
from maps.assets import ASSET_PATHS, VENDOR_FILES, installed_paths
from maps.elements import add_layer_control
from maps.styles import FOCUS_OVERLAYS, HIGHLIGHT_COLOUR

XSS = "<img src=x onerror=alert(1)>"
WGS84 = "EPSG:4326"
#: No tiles: the maps under test never reach the network.
NO_TILES = options.Background(basemap="none")


@pytest.fixture
def restore_folium_assets():
    """Undo use_local_assets after the test: it changes folium class attributes process-wide."""
    saved = {cls: (cls.default_js, cls.default_css) for cls in offline.localised_classes()}
    yield
    for cls, (js, css) in saved.items():
        cls.default_js, cls.default_css = js, css


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    """Three adjacent communes in a row (0.1 degree squares in Hà Tĩnh)."""
    return gpd.GeoDataFrame(
        {"gso_code": ["18001", "18002", "18003"], "name": ["Xã Một", "Xã Hai", "Phường Ba"]},
        geometry=[box(105.0 + 0.1 * i, 18.0, 105.1 + 0.1 * i, 18.1) for i in range(3)],
        crs=WGS84,
    )


@pytest.fixture
def values() -> pd.Series:
    """No data for the first commune, zero for the second, a count for the third."""
    return pd.Series([np.nan, 0.0, 5.0], index=["18001", "18002", "18003"])


def _commune_layer(m: folium.Map) -> elements.CompactTopoJson:
    layers = [e for e in _walk(m) if isinstance(e, elements.CompactTopoJson) and "communes" in e.data["objects"]]
    assert len(layers) == 1
    return layers[0]


def _walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _feature_groups(m: folium.Map) -> dict[str, folium.FeatureGroup]:
    return {e.layer_name: e for e in _walk(m) if isinstance(e, folium.FeatureGroup)}


# --------------------------------------------------------------------------- colour scale and legend


def test_colour_scale_quantile_classes_cover_all_values():
    scale = palette.build_colour_scale(pd.Series(range(10), dtype=float), n_classes=5)
    assert len(scale.colours) == 5
    assert scale.breaks[0] == 0 and scale.breaks[-1] == 9
    assert scale.class_of(0) == 0
    assert scale.class_of(9) == 4


def test_colour_scale_merges_repeated_edges():
    scale = palette.build_colour_scale(pd.Series([0, 0, 0, 0, 0, 0, 1, 2]), n_classes=5)
    assert len(scale.breaks) == len(set(scale.breaks))
    assert len(scale.colours) == len(scale.breaks) - 1 < 5


@pytest.mark.parametrize("data", [[np.nan, np.nan], []])
def test_colour_scale_without_finite_values_has_no_classes(data):
    scale = palette.build_colour_scale(pd.Series(data, dtype=float))
    assert scale.colours == ()
    assert scale.colour_for(1.0) == palette.NO_DATA_COLOUR


def test_colour_scale_reverse_swaps_ends():
    forward = palette.build_colour_scale(pd.Series([1, 2, 3, 4]), n_classes=3)
    backward = palette.build_colour_scale(pd.Series([1, 2, 3, 4]), n_classes=3, reverse=True)
    assert forward.colours == tuple(reversed(backward.colours))


def test_colour_scale_no_data_colour_is_not_a_class_colour():
    scale = palette.build_colour_scale(pd.Series([0, 1, 2, 3, 4, 5]), n_classes=5)
    assert scale.colour_for(np.nan) == palette.NO_DATA_COLOUR
    assert palette.NO_DATA_COLOUR not in scale.colours
    assert scale.colour_for(0) == scale.colours[0]


@pytest.mark.parametrize(("kwargs", "message"), [({"n_classes": 0}, "n_classes"), ({"method": "jenks"}, "method")])
def test_colour_scale_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        palette.build_colour_scale(pd.Series([1.0, 2.0]), **kwargs)


def test_legend_lists_classes_then_no_data_with_counts(values):
    scale = palette.build_colour_scale(values, n_classes=2)
    legend = palette.build_legend(values, scale, no_data_label="Chưa có số liệu")
    assert legend[-1] == palette.LegendEntry(palette.NO_DATA_COLOUR, "Chưa có số liệu", 1)
    assert [entry.colour for entry in legend[:-1]] == list(scale.colours)
    assert sum(entry.count for entry in legend) == len(values)


def test_default_format_trims_float_noise():
    assert palette.default_format(35.000000001) == "35"
    assert palette.default_format(1234.56) == "1,234.6"


# --------------------------------------------------------------------------- coverage map


def test_coverage_map_has_one_feature_per_commune_with_code(communes, values):
    m = builders.build_coverage_map(communes, values, options.ValueStyle(value_label="Models"), background=NO_TILES)
    topo = _commune_layer(m).data
    features = topo["objects"]["communes"]["geometries"]
    assert len(features) == 3
    assert [f["properties"]["gso_code"] for f in features] == ["18001", "18002", "18003"]


def test_coverage_map_stores_shared_edges_once(communes, values):
    m = builders.build_coverage_map(communes, values, options.ValueStyle(value_label="Models"), background=NO_TILES)
    topo = _commune_layer(m).data
    refs = [
        ref if ref >= 0 else ~ref
        for f in topo["objects"]["communes"]["geometries"]
        for ring in f["arcs"]
        for ref in ring
    ]
    # Three squares in a row: the two shared edges are each one arc used by both neighbours;
    # the outer path of each end square and the top and bottom of the middle one make four more.
    assert len(topo["arcs"]) == 6
    assert sorted(refs.count(arc) for arc in set(refs)) == [1, 1, 1, 1, 2, 2]


def test_no_data_and_zero_get_different_fills(communes, values):
    m = builders.build_coverage_map(communes, values, options.ValueStyle(value_label="Models"), background=NO_TILES)
    styles = {
        f["properties"]["gso_code"]: f["properties"]["style"]
        for f in _commune_layer(m).data["objects"]["communes"]["geometries"]
    }
    assert styles["18001"]["fillColor"] == palette.NO_DATA_COLOUR
    assert styles["18002"]["fillColor"] != palette.NO_DATA_COLOUR
    assert styles["18001"]["fillColor"] != styles["18002"]["fillColor"]
    assert styles["18001"]["dashArray"] and styles["18002"].get("dashArray") is None


def test_missing_code_in_values_counts_as_no_data(communes):
    m = builders.build_coverage_map(
        communes,
        pd.Series({"18003": 2.0}),
        options.ValueStyle(value_label="x"),
        background=NO_TILES,
    )
    features = _commune_layer(m).data["objects"]["communes"]["geometries"]
    assert features[0]["properties"]["style"]["fillColor"] == palette.NO_DATA_COLOUR
    assert features[0]["properties"]["value"] == "No data"


def test_tooltip_text_is_html_escaped(communes, values):
    communes.loc[0, "name"] = XSS
    m = builders.build_coverage_map(communes, values, options.ValueStyle(value_label=XSS), background=NO_TILES)
    html = m.get_root().render()
    assert "&lt;img" in html
    assert "<img src=x" not in html
    # The browser inserts the property as HTML, so the property itself must be escaped.
    assert _commune_layer(m).data["objects"]["communes"]["geometries"][0]["properties"]["name"] == html_escaped(XSS)


def html_escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_tooltip_shows_formatted_value(communes, values):
    m = builders.build_coverage_map(
        communes,
        values,
        options.ValueStyle(value_label="Models", format_value=lambda v: f"{v:.2f} per 10k"),
        background=NO_TILES,
    )
    features = _commune_layer(m).data["objects"]["communes"]["geometries"]
    assert features[2]["properties"]["value"] == "5.00 per 10k"


def test_highlighted_commune_gets_red_outline(communes, values):
    m = builders.build_coverage_map(
        communes,
        values,
        options.ValueStyle(value_label="x", highlight_codes={"18002"}),
        background=NO_TILES,
    )
    styles = [f["properties"]["style"] for f in _commune_layer(m).data["objects"]["communes"]["geometries"]]
    assert styles[1]["color"] == HIGHLIGHT_COLOUR
    assert styles[0]["color"] != HIGHLIGHT_COLOUR


def test_overlays_become_named_feature_groups(communes, values):
    districts = gpd.GeoDataFrame(
        {"district_name": ["H1", "H2"]},
        geometry=[box(105.0, 18.0, 105.15, 18.1), box(105.15, 18.0, 105.3, 18.1)],
        crs=WGS84,
    )
    border = gpd.GeoDataFrame({"kind": ["b"]}, geometry=[LineString([(105.0, 18.0), (105.0, 18.1)])], crs=WGS84)
    zones = gpd.GeoDataFrame({"zone": [XSS]}, geometry=[box(105.2, 18.0, 105.3, 18.05)], crs=WGS84)
    projects = gpd.GeoDataFrame({"name": ["Cảng Sơn Dương"]}, geometry=gpd.points_from_xy([105.05], [18.05]), crs=WGS84)
    labels = {
        "districts": "Huyện, thị xã, thành phố (cũ)",
        "border": "Biên giới",
        "economic_zones": "Khu kinh tế",
        "major_projects": "Dự án",
    }
    m = builders.build_coverage_map(
        communes,
        values,
        options.ValueStyle(value_label="x"),
        overlays=options.Overlays(
            layers={
                "districts": districts,
                "border": border,
                "coast": None,
                "economic_zones": zones,
                "major_projects": projects,
            },
            labels=labels,
        ),
        background=NO_TILES,
    )
    groups = _feature_groups(m)
    assert set(labels.values()) <= set(groups)
    assert groups["Huyện, thị xã, thành phố (cũ)"].show is True
    assert groups["Dự án"].show is False
    assert any(isinstance(e, folium.LayerControl) for e in m._children.values())
    html = m.get_root().render()
    assert "<img src=x" not in html
    zone_layer = next(
        e for e in _walk(m) if isinstance(e, elements.CompactTopoJson) and "economic_zones" in e.data["objects"]
    )
    assert zone_layer.data["objects"]["economic_zones"]["geometries"][0]["properties"]["zone"] == html_escaped(XSS)


def test_district_overlay_sends_only_inner_lines(communes, values):
    districts = gpd.GeoDataFrame(geometry=[box(105.0, 18.0, 105.15, 18.1), box(105.15, 18.0, 105.3, 18.1)], crs=WGS84)
    m = builders.build_coverage_map(
        communes,
        values,
        options.ValueStyle(value_label="x"),
        overlays=options.Overlays(layers={"districts": districts}),
        background=NO_TILES,
    )
    layer = next(e for e in _walk(m) if isinstance(e, elements.CompactTopoJson) and "districts" in e.data["objects"])
    lines = geometry.topology_to_geoseries(layer.data, "districts")
    assert len(lines) == 1
    assert lines.iloc[0].length == pytest.approx(0.1, abs=1e-4)


def test_unknown_overlay_is_rejected(communes, values):
    with pytest.raises(ValueError, match="rivers"):
        builders.build_coverage_map(
            communes,
            values,
            options.ValueStyle(value_label="x"),
            overlays=options.Overlays(layers={"rivers": communes}),
            background=NO_TILES,
        )


def test_coverage_map_requires_code_and_name(communes, values):
    with pytest.raises(ValueError, match="gso_code"):
        builders.build_coverage_map(
            communes.drop(columns="gso_code"),
            values,
            options.ValueStyle(value_label="x"),
            background=NO_TILES,
        )


def test_coverage_map_draws_no_legend(communes, values):
    import branca.colormap

    m = builders.build_coverage_map(communes, values, options.ValueStyle(value_label="x"), background=NO_TILES)
    assert not any(isinstance(e, branca.colormap.ColorMap) for e in _walk(m))
    assert "legend" not in m.get_root().render().lower()


# --------------------------------------------------------------------------- basemap


def test_basemap_none_has_no_tile_layer(communes, values):
    m = builders.build_coverage_map(communes, values, options.ValueStyle(value_label="x"), background=NO_TILES)
    assert not any(isinstance(e, folium.TileLayer) for e in _walk(m))


def test_basemap_osm_has_one_tile_layer(communes, values):
    m = builders.build_coverage_map(
        communes,
        values,
        options.ValueStyle(value_label="x"),
        background=options.Background(basemap="osm"),
    )
    tiles = [e for e in _walk(m) if isinstance(e, folium.TileLayer)]
    assert len(tiles) == 1
    assert "openstreetmap.org" in tiles[0].tiles


def test_basemap_local_reads_env(monkeypatch):
    monkeypatch.setenv(settings.TILE_URL_ENV, "http://127.0.0.1:8081/{z}/{x}/{y}.png")
    layer = offline.tile_layer("local")
    assert layer.tiles == "http://127.0.0.1:8081/{z}/{x}/{y}.png"
    assert offline.tile_layer("local", "/tiles/{z}/{x}/{y}.png").tiles == "/tiles/{z}/{x}/{y}.png"


def test_basemap_local_without_url_fails(monkeypatch):
    monkeypatch.delenv(settings.TILE_URL_ENV, raising=False)
    with pytest.raises(ValueError, match=settings.TILE_URL_ENV):
        offline.tile_layer("local")


def test_unknown_basemap_fails():
    with pytest.raises(ValueError, match="satellite"):
        offline.tile_layer("satellite")


# --------------------------------------------------------------------------- offline assets


def test_external_asset_urls_finds_cdn_links(communes, values, restore_folium_assets):
    m = builders.build_coverage_map(communes, values, options.ValueStyle(value_label="x"), background=NO_TILES)
    for cls in offline.localised_classes():
        cls.default_js = [(name, f"https://cdn.example.org/{name}.js") for name, _ in cls.default_js]
    assert "https://cdn.example.org/leaflet.js" in offline.external_asset_urls(m)


def test_no_external_urls_after_use_local_assets(communes, values, restore_folium_assets):
    offline.use_local_assets("/app/static/vendor")
    coverage = builders.build_coverage_map(
        communes,
        values,
        options.ValueStyle(value_label="x"),
        background=options.Background(basemap="osm"),
    )
    points = builders.build_points_map(pd.DataFrame({"lat": [18.05], "lon": [105.05]}), background=NO_TILES)
    assert offline.external_asset_urls(coverage) == []
    assert offline.external_asset_urls(points) == []
    assert '<script src="/app/static/vendor/leaflet/leaflet.js">' in coverage.get_root().render()


def test_external_asset_urls_reports_unlocalised_plugin(communes, values, restore_folium_assets):
    offline.use_local_assets()
    m = builders.build_coverage_map(communes, values, options.ValueStyle(value_label="x"), background=NO_TILES)
    folium.plugins.Fullscreen().add_to(m)
    assert any("fullscreen" in url.lower() for url in offline.external_asset_urls(m))


def test_streamlit_folium_payload_links_are_local(communes, values, restore_folium_assets, monkeypatch):
    import streamlit_folium

    offline.use_local_assets("/app/static/vendor")
    captured = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: captured.update(kwargs))
    m = builders.build_coverage_map(communes, values, options.ValueStyle(value_label="x"), background=NO_TILES)
    streamlit_folium.st_folium(m, key="test_map", returned_objects=[])
    links = captured["js_links"] + captured["css_links"]
    assert links and all(link.startswith("/app/static/vendor/") for link in links)
    assert "18001" in captured["script"]
    assert "https://" not in captured["header"]


def test_every_folium_resource_has_an_installed_file():
    installed = set(installed_paths())
    assert set(ASSET_PATHS.values()) <= installed
    assert len({f.target for f in VENDOR_FILES}) == len(VENDOR_FILES)


def test_use_local_assets_rejects_unknown_resource(monkeypatch, restore_folium_assets):
    monkeypatch.setattr(folium.TopoJson, "default_js", [("mystery", "https://cdn.example.org/m.js")])
    with pytest.raises(offline.OfflineAssetError, match="mystery"):
        offline.use_local_assets()


# --------------------------------------------------------------------------- points maps


def test_points_map_has_cluster_heat_and_literal_popups():
    points = pd.DataFrame({"lat": [18.05, 18.06, np.nan], "lon": [105.05, 105.06, 105.0], "note": [XSS, "ok", "x"]})
    m = builders.build_points_map(points, background=NO_TILES, popup_fields=["note"], popup_labels=["Ghi chú"])
    layers = [e for e in _walk(m) if isinstance(e, elements.PointsLayer)]
    assert len(layers) == 1
    assert {"Incidents", "Heat map"} <= set(_feature_groups(m))
    payload = json.loads(layers[0].payload_json)
    assert len(payload["rows"]) == 2  # the row without coordinates is skipped
    assert payload["labels"] == ["Ghi chú"]
    assert payload["values"][0][payload["rows"][0][2]] == XSS  # carried as data ...
    html = m.get_root().render()
    assert "<img src=x" not in html  # ... never as markup in the page
    assert "markerClusterGroup" in html and "heatLayer" in html


def test_points_popups_are_text_nodes_never_html():
    # The browser builds popups from the payload; the text must go through textContent.
    assert "textContent" in elements.POINTS_FILL_JS
    assert "innerHTML" not in elements.POINTS_FILL_JS
    assert "bindPopup(popup(row)" in elements.POINTS_FILL_JS


def test_points_payload_is_compact_and_dictionary_encoded():
    points = pd.DataFrame(
        {
            "lat": [18.123456789, 18.2, 18.3],
            "lon": [105.1, 105.2, 105.3],
            "field": ["Ma túy", "Ma túy", None],
            "date": ["01/01/2025", "02/01/2025", "03/01/2025"],
        }
    )
    payload = elements.points_payload(points, ["field", "date"], ["Lĩnh vực", "Ngày"])
    assert payload["values"][0] == ["Ma túy", ""]
    assert [row[2] for row in payload["rows"]] == [0, 0, 1]
    assert payload["rows"][0][:2] == [18.12346, 105.1]
    with pytest.raises(ValueError, match="labels"):
        elements.points_payload(points, ["field"], ["a", "b"])


def test_points_fill_script_cannot_close_the_script():
    payload = elements.points_payload(pd.DataFrame({"lat": [18.0], "lon": [105.0], "n": ["</script><b>"]}), ["n"])
    script = elements.points_fill_script(payload)
    assert "</script>" not in script and "<b>" not in script
    assert script.startswith("(function(){if(window.htFillPoints)")


def test_maps_without_tiles_still_have_a_max_zoom(communes):
    # Leaflet.markercluster throws "Map has no maxZoom specified" on a map without one.
    m = builders.build_points_map(None, background=NO_TILES, boundaries=communes)
    assert m.options["maxZoom"] == 19
    assert '"maxZoom": 19' in m.get_root().render()


def test_empty_points_map_is_a_frame_to_fill(communes):
    m = builders.build_points_map(None, background=NO_TILES, boundaries=communes)
    layer = next(e for e in _walk(m) if isinstance(e, elements.PointsLayer))
    assert layer.payload_json == ""
    html = m.get_root().render()
    assert "window.htFillPoints = function" in html
    with pytest.raises(ValueError, match="bounds"):
        builders.build_points_map(None, background=NO_TILES)


def test_many_points_are_one_payload_not_many_elements():
    # 5,000 points are one payload, not 5,000 folium elements.
    rng = np.random.default_rng(1)
    points = pd.DataFrame(
        {"lat": rng.uniform(18, 18.5, 5000), "lon": rng.uniform(105, 106, 5000), "note": rng.choice(["a", "b"], 5000)}
    )
    m = builders.build_points_map(points, background=NO_TILES, popup_fields=["note"])
    assert sum(1 for _ in _walk(m)) < 20


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"lat": [18.0]}), "lon"),
        (pd.DataFrame({"lat": [np.nan], "lon": [np.nan]}), "no point"),
    ],
)
def test_points_map_rejects_unusable_points(frame, message):
    with pytest.raises(ValueError, match=message):
        builders.build_points_map(frame, background=NO_TILES)


def test_commune_points_fallback_colours_like_the_choropleth(values):
    points = pd.DataFrame(
        {
            "gso_code": ["18001", "18002", "18003"],
            "name": [XSS, "Xã Hai", "Phường Ba"],
            "lat": [18.05, 18.05, 18.05],
            "lon": [105.05, 105.15, 105.25],
        }
    )
    scale = palette.build_colour_scale(values)
    m = builders.build_commune_points_map(
        points,
        values,
        options.ValueStyle(value_label="x", scale=scale),
        background=NO_TILES,
    )
    layer = next(e for e in _walk(m) if isinstance(e, folium.GeoJson))
    features = layer.data["features"]
    assert [f["properties"]["gso_code"] for f in features] == ["18001", "18002", "18003"]
    assert features[0]["properties"]["style"]["fillColor"] == palette.NO_DATA_COLOUR
    assert features[1]["properties"]["style"]["fillColor"] == scale.colour_for(0.0)
    assert features[0]["properties"]["name"] == html_escaped(XSS)
    assert "<img src=x" not in m.get_root().render()


def test_commune_points_fallback_needs_coordinates(values):
    with pytest.raises(ValueError, match="lat"):
        builders.build_commune_points_map(
            pd.DataFrame({"gso_code": ["18001"], "name": ["a"]}),
            values,
            options.ValueStyle(value_label="x"),
        )


# --------------------------------------------------------------------------- views (restyle)


def test_value_restyle_colours_escapes_and_highlights():
    values = pd.Series({"18001": 10.0, "18002": np.nan, "99999": 3.0})  # 18003 filtered out, 99999 not drawn
    styles, texts, legend = views.build_value_restyle(
        values, "<b>Điểm</b>", lambda v: f"{v:.0f}", "Chưa có", ["18001", "18002", "18003"], highlight=["18001"]
    )
    assert set(styles) == set(texts) == {"18001", "18002", "18003"}
    assert styles["18001"]["color"] == HIGHLIGHT_COLOUR and styles["18001"]["weight"] == 3
    assert styles["18002"]["fillColor"] == styles["18003"]["fillColor"] == palette.NO_DATA_COLOUR
    assert styles["18002"]["color"] != HIGHLIGHT_COLOUR
    assert texts["18001"] == "&lt;b&gt;Điểm&lt;/b&gt;: 10"
    assert texts["18003"].endswith("Chưa có")
    assert legend[-1][1] == "Chưa có"


def test_indicator_restyle_wraps_the_value_restyle():
    frame = pd.DataFrame({"weak_share": [0.1, 0.5]}, index=["18001", "18002"])
    styles, texts, _legend = views.build_restyle(frame, "weak_share", "vi", ["18001", "18002"])
    assert texts["18002"].endswith("50%")
    assert styles["18002"]["fillColor"] in palette.build_colour_scale([0.1, 0.5], palette="OrRd").colours


def test_map_view_opens_the_overlays_asked_for(communes, values, registry):
    layers = {
        "communes_2025": communes,
        "coastline": gpd.GeoDataFrame(geometry=[LineString([(105.0, 18.0), (105.3, 18.0)])], crs=WGS84),
    }
    coast = translate("map.overlay.coast", "vi")
    settings = views.ViewSettings(lang="vi", level="2025", background=NO_TILES)
    focus_settings = views.ViewSettings(lang="vi", level="2025", background=NO_TILES, overlay_shown=FOCUS_OVERLAYS)
    default = views.build_map_view(values.rename("x").to_frame(), "x", settings, layers, registry)
    focus = views.build_map_view(values.rename("x").to_frame(), "x", focus_settings, layers, registry)
    assert coast in _feature_groups(default.map)
    assert _feature_groups(default.map)[coast].show is False
    assert _feature_groups(focus.map)[coast].show is True


# --------------------------------------------------------------------------- geometry encoding


def test_topology_round_trip_keeps_geometry_within_precision(communes):
    holed = communes.copy()
    holed.loc[1, "geometry"] = box(105.1, 18.0, 105.2, 18.1).difference(box(105.13, 18.03, 105.17, 18.07))
    topo = geometry.build_topology(holed, "c", ["gso_code"])
    decoded = geometry.topology_to_geoseries(topo, "c")
    distances = geometry.hausdorff_by_feature(decoded, holed.geometry, "EPSG:3405")
    assert distances.max() < 2.0
    assert decoded.iloc[1].interiors and len(decoded.iloc[1].interiors) == 1


def test_topology_encodes_lines():
    lines = gpd.GeoDataFrame(geometry=[LineString([(105.0, 18.0), (105.1, 18.1), (105.2, 18.0)])], crs=WGS84)
    decoded = geometry.topology_to_geoseries(geometry.build_topology(lines, "l"), "l")
    assert decoded.iloc[0].equals_exact(lines.geometry.iloc[0], tolerance=1e-5)


def test_topology_matches_enclave_ring_with_its_hole():
    outer = box(105.0, 18.0, 105.3, 18.3).difference(box(105.1, 18.1, 105.2, 18.2))
    frame = gpd.GeoDataFrame(geometry=[outer, box(105.1, 18.1, 105.2, 18.2)], crs=WGS84)
    topo = geometry.build_topology(frame, "x")
    # Outer ring, and the hole shared with the enclave: two arcs, not three.
    assert len(topo["arcs"]) == 2


@pytest.mark.parametrize("crs", [None, "EPSG:3405"])
def test_topology_requires_wgs84(communes, crs):
    frame = communes.set_crs(None, allow_override=True) if crs is None else communes.to_crs(crs)
    with pytest.raises(geometry.TopologyError, match="EPSG:4326"):
        geometry.build_topology(frame, "c")


def test_topology_rejects_missing_property_column(communes):
    with pytest.raises(geometry.TopologyError, match="population"):
        geometry.build_topology(communes, "c", ["population"])


def test_script_safe_json_cannot_close_the_script():
    text = geometry.script_safe_json({"name": "</script><script>alert(1)</script>", "v": "Hà Tĩnh"})
    assert "</script>" not in text
    assert "Hà Tĩnh" in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"


def test_shared_boundaries_returns_only_common_edges(communes):
    lines = geometry.shared_boundaries(communes)
    assert len(lines) == 1
    assert lines.geometry.iloc[0].length == pytest.approx(0.2, abs=1e-4)


def test_shared_boundaries_of_separate_polygons_is_empty():
    apart = gpd.GeoDataFrame(geometry=[box(105.0, 18.0, 105.1, 18.1), box(105.5, 18.0, 105.6, 18.1)], crs=WGS84)
    assert geometry.shared_boundaries(apart).empty


def test_hausdorff_by_feature_measures_metres(communes):
    shifted = communes.geometry.translate(xoff=0.001)  # about 106 m at 18 degrees north
    distances = geometry.hausdorff_by_feature(shifted, communes.geometry, "EPSG:3405")
    assert all(90 < d < 120 for d in distances)
    with pytest.raises(ValueError, match="2 displayed"):
        geometry.hausdorff_by_feature(shifted.iloc[:2], communes.geometry, "EPSG:3405")


def test_topology_skips_rings_that_collapse():
    tiny = shapely.Polygon([(105.0, 18.0), (105.000001, 18.0), (105.000001, 18.000001)])
    frame = gpd.GeoDataFrame(geometry=[box(105.0, 18.0, 105.1, 18.1), tiny], crs=WGS84)
    topo = geometry.build_topology(frame, "x")
    assert topo["objects"]["x"]["geometries"][1]["type"] is None
    assert not math.isnan(topo["transform"]["translate"][0])


# --------------------------------------------------------------------------- asset installer


def test_glyphicons_css_keeps_only_glyph_rules():
    from scripts.install_assets import glyphicons_css

    glyphs = "".join(f".glyphicon-g{i}:before {{ content: '{i}'; }}\n" for i in range(120))
    css = (
        '@font-face { font-family: "Glyphicons Halflings"; src: url("../fonts/g.woff"); }\n'
        ".glyphicon { font-family: 'Glyphicons Halflings'; }\n" + glyphs + "body { margin: 0; }\n.btn { color: red; }\n"
    )
    out = glyphicons_css(css)
    assert "Glyphicons Halflings" in out and ".glyphicon-g119:before" in out
    assert "body" not in out and ".btn" not in out


def test_glyphicons_css_fails_on_unexpected_layout():
    from scripts.install_assets import AssetInstallError, glyphicons_css

    with pytest.raises(AssetInstallError, match="Glyphicons"):
        glyphicons_css("body { margin: 0; }")


def test_asset_install_record_must_match_lock_and_files(tmp_path):
    from scripts.install_assets import INSTALL_RECORD, is_installed

    vendor = tmp_path / "vendor"
    assert not is_installed(vendor, "abc")
    for path in installed_paths():
        (vendor / path).parent.mkdir(parents=True, exist_ok=True)
        (vendor / path).write_text("x")
    (vendor / INSTALL_RECORD).write_text(json.dumps({"lock_sha256": "abc"}))
    assert is_installed(vendor, "abc")
    assert not is_installed(vendor, "def")
    (vendor / ASSET_PATHS["leaflet"]).unlink()
    assert not is_installed(vendor, "abc")


def test_map_frame_loads_only_leaflet_and_the_plugins_it_uses(communes, values, restore_folium_assets):
    offline.use_local_assets("/app/static/vendor")
    m = builders.build_coverage_map(communes, values, options.ValueStyle(value_label="x"), background=NO_TILES)
    html = m.get_root().render()
    for unused in ("jquery", "bootstrap", "glyphicons", "fontawesome", "awesome-markers"):
        assert unused not in html, unused
    assert '<script src="/app/static/vendor/leaflet/leaflet.js">' in html
    assert "/app/static/vendor/leaflet/leaflet.css" in html


def test_the_layer_list_folds_on_a_narrow_map_and_stays_open_on_a_wide_one() -> None:
    m = folium.Map()
    control = add_layer_control(m)
    html = m.get_root().render()
    assert '"collapsed": false' in html.replace("'", '"') or "collapsed: false" in html
    assert f"if ({m.get_name()}.getSize().x < 500)" in html
    assert f"{control.get_name()}.collapse();" in html


def test_coverage_of_areas_is_cool_in_percent_and_names_communes_without_a_list():
    from maps.palette import DEFAULT_PALETTE, no_data_label_key, palette_for
    from maps.views import build_restyle

    assert palette_for("area_coverage") == DEFAULT_PALETTE  # higher is better
    assert no_data_label_key("area_coverage") == "indicator.area_coverage.no_list"
    assert no_data_label_key("kinds_present") == "common.no_data"
    indicators = pd.DataFrame({"area_coverage": [0.5, 1.0, float("nan")]}, index=["a", "b", "c"])
    styles, texts, legend = build_restyle(indicators, "area_coverage", "vi", ["a", "b", "c"])
    assert texts["c"] == "Tỷ lệ thôn, tổ dân phố có mô hình: Chưa có danh sách thôn, tổ dân phố"
    assert texts["a"].endswith(": 50%")
    assert legend[-1] == (styles["c"]["fillColor"], "Chưa có danh sách thôn, tổ dân phố")
    assert legend[0][1].startswith("50% – ") and legend[-2][1].endswith(" – 100%")  # classes in percent
