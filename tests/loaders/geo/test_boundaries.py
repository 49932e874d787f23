"""Boundary loading, validation, display simplification and installation."""

from __future__ import annotations

import json
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Polygon, box

from loaders.cli import main as cli
from loaders.core import settings
from loaders.geo import boundaries
from loaders.geo.schema import CRS_METRIC, LAYER_FILES, SOURCES_FILE, BoundaryDataError, boundaries_installed
from maps.geometry import build_topology, hausdorff_by_feature, script_safe_json

WGS84 = "EPSG:4326"


def _communes(**overrides) -> gpd.GeoDataFrame:
    """Three valid 2025 communes (0.1 degree squares), with every required column."""
    data = {
        "gso_code": ["18001", "18002", "18003"],
        "name": ["Xã Một", "Xã Hai", "Phường Ba"],
        "name_short": ["Một", "Hai", "Ba"],
        "type": ["Xã", "Xã", "Phường"],
        "population_sapnhap": [1000, 2000, 3000],
        "legacy_codes": ["18001", "18002", "18003"],
        "borders_laos": [True, False, False],
        "coastal": [False, False, True],
        "label_lon": [105.05, 105.15, 105.25],
        "label_lat": [18.05, 18.05, 18.05],
    }
    data.update(overrides)
    geometry = [box(105.0 + 0.1 * i, 18.0, 105.1 + 0.1 * i, 18.1) for i in range(3)]
    return gpd.GeoDataFrame(data, geometry=geometry, crs=WGS84)


def _write(frame: gpd.GeoDataFrame, folder: Path, role: str = "communes_2025") -> Path:
    path = folder / LAYER_FILES[role]
    frame.to_file(path, driver="GeoJSON")
    return path


# --------------------------------------------------------------------------- load and validate


def test_load_layer_reads_valid_layer(tmp_path):
    _write(_communes(), tmp_path)
    layer = boundaries.load_layer("communes_2025", tmp_path)
    assert len(layer) == 3
    assert layer.crs.to_epsg() == 4326
    assert layer["gso_code"].tolist() == ["18001", "18002", "18003"]


def test_load_layer_names_the_missing_column(tmp_path):
    _write(_communes().drop(columns="population_sapnhap"), tmp_path)
    with pytest.raises(BoundaryDataError, match=r"ha_tinh_communes_2025\.geojson.*population_sapnhap"):
        boundaries.load_layer("communes_2025", tmp_path)


def test_load_layer_names_a_duplicate_code(tmp_path):
    _write(_communes(gso_code=["18001", "18002", "18002"]), tmp_path)
    with pytest.raises(BoundaryDataError, match=r"gso_code.*duplicate code '18002'.*rows 1, 2"):
        boundaries.load_layer("communes_2025", tmp_path)


@pytest.mark.parametrize("bad", ["1800", "180011", "18O01", None])
def test_load_layer_rejects_malformed_codes(tmp_path, bad):
    _write(_communes(gso_code=["18001", bad, "18003"]), tmp_path)
    with pytest.raises(BoundaryDataError, match=r"'gso_code' row 1.*5-digit"):
        boundaries.load_layer("communes_2025", tmp_path)


def test_validate_accepts_integer_codes_of_the_right_length():
    layer = boundaries.validate_layer(_communes(gso_code=[18001, 18002, 18003]), "communes_2025")
    assert layer["gso_code"].tolist() == ["18001", "18002", "18003"]


def test_load_layer_rejects_empty_geometry(tmp_path):
    frame = _communes()
    frame.loc[2, "geometry"] = Polygon()
    _write(frame, tmp_path)
    with pytest.raises(BoundaryDataError, match="row 2 has an empty geometry"):
        boundaries.load_layer("communes_2025", tmp_path)


def test_validate_rejects_missing_geometry():
    frame = _communes()
    frame.loc[0, "geometry"] = None
    with pytest.raises(BoundaryDataError, match="row 0 has an empty geometry"):
        boundaries.validate_layer(frame, "communes_2025")


def test_validate_rejects_missing_crs():
    frame = _communes().set_crs(None, allow_override=True)
    with pytest.raises(BoundaryDataError, match="no CRS is set"):
        boundaries.validate_layer(frame, "communes_2025")


def test_load_layer_rejects_projected_crs(tmp_path):
    _write(_communes().to_crs(CRS_METRIC), tmp_path)
    with pytest.raises(BoundaryDataError, match="CRS is EPSG:3405, expected EPSG:4326"):
        boundaries.load_layer("communes_2025", tmp_path)


def test_validate_rejects_wrong_geometry_type():
    frame = _communes()
    frame.loc[1, "geometry"] = LineString([(105.0, 18.0), (105.1, 18.1)])
    with pytest.raises(BoundaryDataError, match="row 1 has a LineString geometry, expected polygon"):
        boundaries.validate_layer(frame, "communes_2025")


def test_validate_checks_district_codes_with_three_digits():
    districts = gpd.GeoDataFrame(
        {
            "district_code": ["436", "4370"],
            "district_name": ["a", "b"],
            "district_type": ["x", "y"],
            "label_lon": [105.0, 105.1],
            "label_lat": [18.0, 18.0],
        },
        geometry=[box(105.0, 18.0, 105.1, 18.1), box(105.1, 18.0, 105.2, 18.1)],
        crs=WGS84,
    )
    with pytest.raises(BoundaryDataError, match=r"'district_code' row 1 has '4370', expected a 3-digit"):
        boundaries.validate_layer(districts, "districts_legacy")


def test_load_layer_missing_file_says_how_to_install(tmp_path):
    with pytest.raises(BoundaryDataError, match=r"ha_tinh_communes_2025\.geojson is missing.*HT_GEODATA_SOURCE"):
        boundaries.load_layer("communes_2025", tmp_path)


@pytest.mark.parametrize(("role", "message"), [("rivers", "Unknown boundary role"), ("legacy_to_2025", "load_table")])
def test_load_layer_rejects_roles_that_are_not_layers(tmp_path, role, message):
    with pytest.raises(BoundaryDataError, match=message):
        boundaries.load_layer(role, tmp_path)


def test_load_layer_uses_configured_geodata_dir(tmp_path, monkeypatch):
    _write(_communes(), tmp_path)
    monkeypatch.setenv("HT_GEODATA_DIR", str(tmp_path))
    assert settings.geodata_dir() == tmp_path
    assert len(boundaries.load_layer("communes_2025")) == 3


def test_load_table_keeps_codes_as_text(tmp_path):
    table = pd.DataFrame(
        {
            "legacy_code": ["08001"],
            "legacy_name": ["a"],
            "district_code": ["436"],
            "new_code": ["18073"],
            "new_name": ["b"],
            "relation": ["whole"],
        }
    )
    table.to_csv(tmp_path / LAYER_FILES["legacy_to_2025"], index=False)
    assert boundaries.load_table("legacy_to_2025", tmp_path)["legacy_code"].tolist() == ["08001"]


def test_load_table_rejects_bad_code(tmp_path):
    table = pd.DataFrame(
        {
            "legacy_code": ["8001"],
            "legacy_name": ["a"],
            "district_code": ["436"],
            "new_code": ["18073"],
            "new_name": ["b"],
            "relation": ["whole"],
        }
    )
    table.to_csv(tmp_path / LAYER_FILES["legacy_to_2025"], index=False)
    with pytest.raises(BoundaryDataError, match=r"'legacy_code' row 0 has '8001'"):
        boundaries.load_table("legacy_to_2025", tmp_path)


# --------------------------------------------------------------------------- display simplification


def _wiggly_neighbours() -> gpd.GeoDataFrame:
    """Two communes sharing a boundary with many small zig-zags (about 5 m) to simplify away."""
    steps = 200
    shared = [(105.1 + (0.00005 if i % 2 else 0.0), 18.0 + 0.1 * i / steps) for i in range(steps + 1)]
    left = Polygon([(105.0, 18.0), *shared, (105.0, 18.1)])
    right = Polygon([*shared, (105.2, 18.1), (105.2, 18.0)])
    return gpd.GeoDataFrame({"gso_code": ["18001", "18002"]}, geometry=[left, right], crs=WGS84)


def test_simplify_for_display_keeps_neighbours_gap_free():
    source = _wiggly_neighbours()
    shown = boundaries.simplify_for_display(source, tolerance_m=20)
    left, right = shown.geometry
    assert (
        shapely.get_num_coordinates(shown.geometry.values).sum()
        < shapely.get_num_coordinates(source.geometry.values).sum() / 4
    )
    assert left.intersection(right).area == pytest.approx(0, abs=1e-12)
    assert left.union(right).area == pytest.approx(box(105.0, 18.0, 105.2, 18.1).area, rel=1e-6)
    assert hausdorff_by_feature(shown.geometry, source.geometry, CRS_METRIC).max() < 20
    assert shown.crs.to_epsg() == 4326


def test_simplify_for_display_rounds_coordinates():
    shown = boundaries.simplify_for_display(_wiggly_neighbours(), tolerance_m=1, precision_deg=1e-4)
    coords = shapely.get_coordinates(shown.geometry.values)
    assert ((coords * 1e4) - (coords * 1e4).round()).__abs__().max() < 1e-6


def test_simplify_for_display_handles_lines():
    line = gpd.GeoDataFrame(
        geometry=[LineString([(105.0 + i * 0.001, 18.0 + (0.00001 if i % 2 else 0)) for i in range(100)])], crs=WGS84
    )
    shown = boundaries.simplify_for_display(line, tolerance_m=10)
    assert len(shown.geometry.iloc[0].coords) == 2


@pytest.mark.parametrize("kind", ["no_crs", "mixed"])
def test_simplify_for_display_rejects_unusable_layers(kind):
    frame = gpd.GeoDataFrame(geometry=[box(105.0, 18.0, 105.1, 18.1), LineString([(105, 18), (105.1, 18)])], crs=WGS84)
    if kind == "no_crs":
        frame = frame.iloc[:1].set_crs(None, allow_override=True)
    with pytest.raises(BoundaryDataError, match="CRS" if kind == "no_crs" else "mixing"):
        boundaries.simplify_for_display(frame)


def test_load_display_geometry_simplifies_installed_layer(tmp_path):
    _write(_communes(), tmp_path)
    shown = boundaries.load_display_geometry("communes_2025", geodata_dir=tmp_path)
    assert shown["gso_code"].tolist() == ["18001", "18002", "18003"]
    assert shown.crs.to_epsg() == 4326


# --------------------------------------------------------------------------- install


def _fake_source(folder: Path) -> Path:
    folder.mkdir()
    for name in boundaries.expected_files():
        (folder / name).write_text(f"content of {name}", encoding="utf-8")
        (folder / name).chmod(0o444)  # the shared folder is read-only
    return folder


def test_install_boundaries_copies_every_file(tmp_path):
    source = _fake_source(tmp_path / "shared")
    target = tmp_path / "geodata"
    installed = boundaries.install_boundaries(source, target)
    assert [p.name for p in installed] == [*LAYER_FILES.values(), SOURCES_FILE]
    for path in installed:
        assert path.read_text(encoding="utf-8") == f"content of {path.name}"
        assert os.access(path, os.W_OK)
    assert sorted(p.name for p in target.iterdir()) == sorted([*boundaries.expected_files(), ".installed"])
    assert json.loads((target / ".installed").read_text())["source"] == str(source)
    assert boundaries_installed(target)


def test_install_boundaries_replaces_an_older_install(tmp_path):
    source = _fake_source(tmp_path / "shared")
    target = tmp_path / "geodata"
    boundaries.install_boundaries(source, target)
    (source / SOURCES_FILE).chmod(0o644)
    (source / SOURCES_FILE).write_text("new", encoding="utf-8")
    boundaries.install_boundaries(source, target)
    assert (target / SOURCES_FILE).read_text(encoding="utf-8") == "new"


def test_install_boundaries_names_missing_file_and_env_var(tmp_path):
    source = _fake_source(tmp_path / "shared")
    (source / LAYER_FILES["coastline"]).unlink()
    target = tmp_path / "geodata"
    with pytest.raises(BoundaryDataError, match=r"ha_tinh_coastline\.geojson.*HT_GEODATA_SOURCE"):
        boundaries.install_boundaries(source, target)
    assert not target.exists() or not any(target.iterdir())
    assert not boundaries_installed(target)


def test_install_command_line(tmp_path, capsys):
    source = _fake_source(tmp_path / "shared")
    target = tmp_path / "geodata"
    assert cli.main(["boundaries", "install", "--source", str(source), "--target", str(target)]) == 0
    assert "installed 11 boundary files" in capsys.readouterr().out
    assert cli.main(["boundaries", "install", "--source", str(tmp_path / "nowhere"), "--target", str(target)]) == 1
    assert "HT_GEODATA_SOURCE" in capsys.readouterr().err


def test_boundaries_installed_is_false_when_a_file_is_missing(tmp_path):
    assert not boundaries_installed(tmp_path)


# --------------------------------------------------------------------------- the real layers


@pytest.fixture(scope="module")
def real_geodata(tmp_path_factory) -> Path:
    """The shared layers installed into a temporary folder from $HT_GEODATA_SOURCE."""
    source = settings.geodata_source_dir()
    if not all((source / name).is_file() for name in boundaries.expected_files()):
        pytest.skip(f"boundary source folder {source} is not available (set HT_GEODATA_SOURCE)")
    target = tmp_path_factory.mktemp("geodata")
    boundaries.install_boundaries(source, target)
    return target


def test_real_layers_validate_with_expected_counts(real_geodata):
    counts = {
        role: len(boundaries.load_layer(role, real_geodata))
        for role in (
            "communes_2025",
            "communes_legacy",
            "districts_legacy",
            "border_laos",
            "coastline",
            "economic_zones",
        )
    }
    assert counts == {
        "communes_2025": 69,
        "communes_legacy": 209,
        "districts_legacy": 12,
        "border_laos": 1,
        "coastline": 1,
        "economic_zones": 2,
    }
    assert len(boundaries.load_table("legacy_to_2025", real_geodata)) == 212


def test_real_communes_display_within_budget(real_geodata):
    """The 69-commune display layer: within 50 m of the source and far below the 400 KB payload budget."""
    source = boundaries.load_layer("communes_2025", real_geodata)
    shown = boundaries.load_display_geometry("communes_2025", geodata_dir=real_geodata)
    assert hausdorff_by_feature(shown.geometry, source.geometry, CRS_METRIC).max() <= 50
    encoded = script_safe_json(build_topology(shown, "communes", ["gso_code", "name"]))
    assert len(encoded.encode("utf-8")) < 300_000
