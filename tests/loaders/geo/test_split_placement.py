"""Records of split legacy communes (Đại Nài, Kỳ Lợi) are placed in a 2025 commune by their point."""

from __future__ import annotations

import pytest
import shapely

from loaders.geo import boundaries, placement
from loaders.geo.boundaries import load_province_polygon
from loaders.geo.loading import load_registry
from loaders.ingest.preview import ImportRequest, preview_import
from loaders.store import db


@pytest.fixture(scope="module")
def dai_nai_points():
    """A point of Đại Nài inside Hà Huy Tập and one inside Thành Sen."""
    legacy = boundaries.load_layer("communes_legacy").set_index("gso_code")
    new = boundaries.load_layer("communes_2025").set_index("gso_code")
    dai_nai = legacy.geometry["18082"]
    points = {}
    for code in ("18652", "18073"):
        piece = dai_nai.intersection(new.geometry[code]).buffer(-0.0002)
        assert not piece.is_empty, f"no interior part of Đại Nài in {code}"
        points[code] = shapely.get_coordinates(piece.representative_point())[0]
    return points


def _incidents_csv(rows: list[tuple[str, str, str]]) -> bytes:
    header = "ma_vu_viec,ngay,ten_xa,huyen_cu,linh_vuc,muc_do,vi_do,kinh_do\n"
    body = "".join(
        f"{i},15/03/2024,Phường Đại Nài,TP Hà Tĩnh,hình sự,nghiêm trọng,{lat},{lon}\n" for i, lat, lon in rows
    )
    return (header + body).encode("utf-8")


def test_locator_places_points_only_among_the_legacy_communes_targets(dai_nai_points):
    locator = placement.load_split_locator()
    lon, lat = dai_nai_points["18652"]
    assert locator.locate(["18082"], [lon], [lat]) == ["18652"]
    lon2, lat2 = dai_nai_points["18073"]
    assert locator.locate(["18082", "18082"], [lon2, None], [lat2, None]) == ["18073", None]
    # A point in a commune the legacy unit never fed is not used.
    assert locator.locate(["18796"], [lon], [lat]) == [None]
    assert locator.locate(["18073"], [lon], [lat]) == [None]  # not a split commune


def test_import_places_split_rows_by_point_and_flags_the_rest(dai_nai_points):
    engine = db.get_engine()
    (lon_h, lat_h), (lon_t, lat_t) = dai_nai_points["18652"], dai_nai_points["18073"]
    data = _incidents_csv([("DN-1", lat_h, lon_h), ("DN-2", lat_t, lon_t), ("DN-3", "", "")])
    request = ImportRequest(dataset="incidents", data=data, file_name="dai_nai.csv", user="test")
    preview = preview_import(engine, request, registry=load_registry(), province_polygon=load_province_polygon())
    assert preview.errors.empty
    placed = dict(zip(preview.accepted["ma_vu_viec"], preview.accepted["commune_code"]))
    assert placed == {"DN-1": "18652", "DN-2": "18073", "DN-3": "18073"}
    assert preview.warnings["code"].tolist() == ["commune_split"]
    assert preview.warnings["row"].tolist() == [4]
