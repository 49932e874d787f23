"""The fixed facts of Hà Tĩnh's units and of the files that describe them.

This module owns what every other geo module agrees on: the boundary file
names and their columns, the CRS, the form of a GSO code (a 5-digit string),
the number of units in each vintage, the relations of the legacy -> 2025
crosswalk, and whether the boundary files are installed. Nothing else
hard-codes a file name, a code form or a relation.

It reads no file and imports no geometry library, so the command line can
resolve names without loading geopandas.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from loaders.core import settings

#: Installed boundary files, by role. Paths are relative to settings.geodata_dir().
LAYER_FILES: dict[str, str] = {
    "communes_2025": "ha_tinh_communes_2025.geojson",
    "communes_legacy": "ha_tinh_communes_legacy.geojson",
    "districts_legacy": "ha_tinh_districts_legacy.geojson",
    "districts_2019": "ha_tinh_districts_2019_gischinhphu.geojson",
    "province": "ha_tinh_province.geojson",
    "border_laos": "ha_tinh_border_vn_laos.geojson",
    "coastline": "ha_tinh_coastline.geojson",
    "economic_zones": "ha_tinh_economic_zones.geojson",
    "legacy_to_2025": "ha_tinh_legacy_to_2025.csv",
    "pre2020_to_legacy": "ha_tinh_pre2020_to_legacy.csv",
}
#: SOURCES.md travels with the layers: it states their origin and licence.
SOURCES_FILE = "SOURCES.md"
#: The project's own definitions (committed): focus areas, major projects, editable flag lists.
FOCUS_AREAS_FILE = "focus_areas.json"
CRS_WGS84 = "EPSG:4326"
#: VN-2000 / UTM 48N, the metric CRS the source layers were simplified and measured in.
CRS_METRIC = "EPSG:3405"

PROVINCE_CODE = "42"
COUNT_2025 = 69
COUNT_LEGACY = 209
COUNT_DISTRICTS = 12

# Relations in ha_tinh_legacy_to_2025.csv. Only "whole" converts without doubt.
RELATION_WHOLE = "whole"
RELATION_AREA_PART = "area_part"
RELATION_WHOLE_AREA_POP_SPLIT = "whole_area_population_split"
RELATION_POPULATION_ONLY = "population_only"


class BoundaryDataError(Exception):
    """A boundary file is missing or does not match the expected schema."""


def normalise_code(value: object) -> str | None:
    """Return a GSO commune code as a 5-digit string, or ``None`` if it is not one.

    Spreadsheets turn "08" into 8 and codes into floats, so "18073.0" and
    18073 both give "18073".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    if not text.isdigit() or len(text) > 5:
        return None
    return text.zfill(5)


def boundaries_installed(geodata_dir: Path | None = None) -> bool:
    """Whether every boundary file of :data:`LAYER_FILES` is installed.

    The registry is built from the layers only when this holds, and the map
    draws polygons only when it holds, so both always agree.

    Parameters
    ----------
    geodata_dir : Path, optional
        Folder to look in; default :func:`loaders.core.settings.geodata_dir`.

    Returns
    -------
    bool
        ``False`` if any file is missing (the app then shows communes as points).
    """
    base = Path(geodata_dir) if geodata_dir is not None else settings.geodata_dir()
    return all((base / name).is_file() for name in LAYER_FILES.values())


@dataclass(frozen=True)
class LayerSchema:
    """What a boundary layer must contain.

    Attributes
    ----------
    columns : tuple of str
        Required attribute columns.
    geometry : {"polygon", "line"}
        Polygonal (Polygon/MultiPolygon) or lineal (LineString/MultiLineString).
    key : str or None
        Column whose values must be unique codes of ``key_digits`` digits.
    key_digits : int
        Length of the code in ``key``.
    """

    columns: tuple[str, ...]
    geometry: str
    key: str | None = None
    key_digits: int = 5


# The columns the app reads from each layer (SOURCES.md lists all of them).
LAYER_SCHEMAS: dict[str, LayerSchema] = {
    "communes_2025": LayerSchema(
        columns=(
            "gso_code",
            "name",
            "name_short",
            "type",
            "population_sapnhap",
            "legacy_codes",
            "borders_laos",
            "coastal",
            "label_lon",
            "label_lat",
        ),
        geometry="polygon",
        key="gso_code",
        key_digits=5,
    ),
    "communes_legacy": LayerSchema(
        columns=(
            "gso_code",
            "name",
            "name_short",
            "type",
            "district_code",
            "district_name",
            "new_codes",
            "borders_laos",
            "coastal",
            "label_lon",
            "label_lat",
        ),
        geometry="polygon",
        key="gso_code",
        key_digits=5,
    ),
    "districts_legacy": LayerSchema(
        columns=("district_code", "district_name", "district_type", "label_lon", "label_lat"),
        geometry="polygon",
        key="district_code",
        key_digits=3,
    ),
    "districts_2019": LayerSchema(
        columns=("district_code", "district_name"), geometry="polygon", key="district_code", key_digits=3
    ),
    "province": LayerSchema(columns=("province_code", "name"), geometry="polygon", key="province_code", key_digits=2),
    "border_laos": LayerSchema(columns=("kind", "length_km"), geometry="line"),
    "coastline": LayerSchema(columns=("kind", "length_km"), geometry="line"),
    "economic_zones": LayerSchema(columns=("zone", "zone_en", "member_codes"), geometry="polygon"),
}

#: Tables (CSV crosswalks): required columns and the code columns read as 5-digit strings.
TABLE_SCHEMAS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "legacy_to_2025": (
        ("legacy_code", "legacy_name", "district_code", "new_code", "new_name", "relation"),
        ("legacy_code", "new_code"),
    ),
    "pre2020_to_legacy": (
        ("pre2020_gso_code", "pre2020_name", "legacy_code", "legacy_name", "new_codes"),
        ("pre2020_gso_code", "legacy_code"),
    ),
}
