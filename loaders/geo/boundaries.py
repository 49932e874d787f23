"""Read, validate, simplify and install the Hà Tĩnh boundary layers.

Every boundary layer the app shows is read through :func:`load_layer`, which
validates it once: CRS, required columns, unique well-formed codes, no empty
geometry. :func:`load_display_geometry` simplifies a layer once for the browser
(the cache layer keeps the result). :func:`install_boundaries` copies the layers
from the shared source folder into ``geodata/``; they are never committed
(see ``geodata/SOURCES.md`` for their licences).

On the command line (the Makefile runs the first at setup)::

    python -m loaders boundaries install [--source DIR] [--target DIR]
    python -m loaders boundaries check [--target DIR]
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from loaders.core import settings
from loaders.geo.schema import (
    CRS_METRIC,
    CRS_WGS84,
    LAYER_FILES,
    LAYER_SCHEMAS,
    SOURCES_FILE,
    TABLE_SCHEMAS,
    BoundaryDataError,
    boundaries_installed,
)

#: Written last by :func:`install_boundaries`; lists the installed files.
INSTALL_MARKER = ".installed"

#: Simplification tolerance for display, metres in EPSG:3405: it keeps every commune within
#: the 50 m budget of its source while the map payload stays under 400 KB
#: (bench/map_payload.py measures both).
DISPLAY_TOLERANCE_M = 20.0
#: Coordinates of display geometry are rounded to this step (1e-5 deg, about 1.1 m).
DISPLAY_PRECISION_DEG = 1e-5

_GEOMETRY_TYPES = {"polygon": {"Polygon", "MultiPolygon"}, "line": {"LineString", "MultiLineString"}}


def _base(geodata_dir: Path | None) -> Path:
    return Path(geodata_dir) if geodata_dir is not None else settings.geodata_dir()


def _layer_path(role: str, geodata_dir: Path | None) -> Path:
    if role not in LAYER_FILES:
        raise BoundaryDataError(f"Unknown boundary role '{role}'; known: {', '.join(LAYER_FILES)}.")
    path = _base(geodata_dir) / LAYER_FILES[role]
    if not path.is_file():
        raise BoundaryDataError(
            f"Boundary file {path} is missing. Install the layers with "
            f"`python -m loaders boundaries install` (source folder: ${settings.GEODATA_SOURCE_ENV})."
        )
    return path


def _check_codes(values: pd.Series, digits: int, source: str, column: str) -> pd.Series:
    """Codes as strings of exactly ``digits`` digits; integers from a sloppy export are accepted."""

    def as_text(value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    texts = values.map(as_text)
    pattern = re.compile(rf"\d{{{digits}}}")
    for index, value in texts.items():
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise BoundaryDataError(
                f"{source}: column '{column}' row {index} has {value!r}, expected a {digits}-digit code string."
            )
    duplicated = texts[texts.duplicated(keep=False)]
    if not duplicated.empty:
        value = duplicated.iloc[0]
        rows = ", ".join(str(i) for i in duplicated[duplicated == value].index)
        raise BoundaryDataError(f"{source}: column '{column}' has duplicate code '{value}' (rows {rows}).")
    return texts.astype(str)


def validate_layer(frame: gpd.GeoDataFrame, role: str, source: str = "") -> gpd.GeoDataFrame:
    """Check a boundary layer against its schema and normalise its key codes.

    Parameters
    ----------
    frame : GeoDataFrame
        The layer as read.
    role : str
        A key of :data:`LAYER_SCHEMAS` (e.g. ``"communes_2025"``).
    source : str
        File name used in error messages; defaults to the role's file name.

    Returns
    -------
    GeoDataFrame
        The same rows, EPSG:4326, with the key column as strings.

    Raises
    ------
    BoundaryDataError
        Naming the file, column and value: CRS missing or not EPSG:4326, a required
        column missing, a malformed or duplicate code, an empty, missing or
        wrongly typed geometry.
    """
    if role not in LAYER_SCHEMAS:
        raise BoundaryDataError(f"Unknown boundary role '{role}'; known: {', '.join(LAYER_SCHEMAS)}.")
    schema = LAYER_SCHEMAS[role]
    source = source or LAYER_FILES.get(role, role)
    if not isinstance(frame, gpd.GeoDataFrame):
        raise BoundaryDataError(f"{source}: expected a GeoDataFrame, got {type(frame).__name__}.")
    if frame.crs is None:
        raise BoundaryDataError(f"{source}: no CRS is set; expected {CRS_WGS84}.")
    if not frame.crs.equals(CRS_WGS84):
        raise BoundaryDataError(f"{source}: CRS is {frame.crs.to_string()}, expected {CRS_WGS84}.")
    missing = [c for c in schema.columns if c not in frame.columns]
    if missing:
        raise BoundaryDataError(f"{source}: required column(s) missing: {', '.join(missing)}.")
    if frame.empty:
        raise BoundaryDataError(f"{source}: the layer has no features.")
    geometry = frame.geometry
    for index, geom in geometry.items():
        if geom is None or geom.is_empty:
            raise BoundaryDataError(f"{source}: row {index} has an empty geometry (column 'geometry').")
        if geom.geom_type not in _GEOMETRY_TYPES[schema.geometry]:
            raise BoundaryDataError(
                f"{source}: row {index} has a {geom.geom_type} geometry, expected {schema.geometry} geometry."
            )
    out = frame.copy()
    if schema.key is not None:
        out[schema.key] = _check_codes(out[schema.key], schema.key_digits, source, schema.key)
    return out


def load_layer(role: str, geodata_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Read and validate one installed boundary layer.

    Parameters
    ----------
    role : str
        A key of :data:`loaders.geo.schema.LAYER_FILES` that names a GeoJSON layer,
        e.g. ``"communes_2025"``, ``"districts_legacy"``, ``"border_laos"``.
    geodata_dir : Path, optional
        Folder holding the layers; default :func:`loaders.core.settings.geodata_dir`.

    Returns
    -------
    GeoDataFrame
        All attributes of the file, EPSG:4326; code columns as strings.

    Raises
    ------
    BoundaryDataError
        If the role is unknown or tabular, the file is missing or unreadable, or
        the layer fails :func:`validate_layer`.
    """
    if role in TABLE_SCHEMAS:
        raise BoundaryDataError(f"'{role}' is a table; read it with load_table('{role}').")
    path = _layer_path(role, geodata_dir)
    try:
        frame = gpd.read_file(path)
    except Exception as error:  # pyogrio raises several types for unreadable files
        raise BoundaryDataError(f"{path.name}: cannot be read as GeoJSON ({error}).") from error
    return validate_layer(frame, role, path.name)


def load_table(role: str, geodata_dir: Path | None = None) -> pd.DataFrame:
    """Read and validate one installed crosswalk table (CSV).

    Parameters
    ----------
    role : {"legacy_to_2025", "pre2020_to_legacy"}
    geodata_dir : Path, optional
        Folder holding the files; default :func:`loaders.core.settings.geodata_dir`.

    Returns
    -------
    pandas.DataFrame
        All columns as strings (codes keep their leading digits).

    Raises
    ------
    BoundaryDataError
        If the file is missing, a required column is missing or a code is not 5 digits.
    """
    if role not in TABLE_SCHEMAS:
        raise BoundaryDataError(f"'{role}' is not a table; known tables: {', '.join(TABLE_SCHEMAS)}.")
    path = _layer_path(role, geodata_dir)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    columns, code_columns = TABLE_SCHEMAS[role]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise BoundaryDataError(f"{path.name}: required column(s) missing: {', '.join(missing)}.")
    for column in code_columns:
        bad = frame[~frame[column].str.fullmatch(r"\d{5}")]
        if not bad.empty:
            raise BoundaryDataError(
                f"{path.name}: column '{column}' row {bad.index[0]} has {bad[column].iloc[0]!r}, "
                "expected a 5-digit code string."
            )
    return frame


def load_province_polygon(geodata_dir: Path | None = None) -> shapely.Geometry | None:
    """The province outline (WGS84 shapely geometry), or ``None`` when boundaries are not installed.

    The importer rejects coordinates outside it; the cache layer keeps one copy for the pages.
    """
    if not boundaries_installed(geodata_dir):
        return None
    return load_layer("province", geodata_dir).geometry.union_all()


def simplify_for_display(
    frame: gpd.GeoDataFrame,
    tolerance_m: float = DISPLAY_TOLERANCE_M,
    precision_deg: float = DISPLAY_PRECISION_DEG,
) -> gpd.GeoDataFrame:
    """Simplify a layer for the browser, keeping shared boundaries shared.

    Polygons are simplified together as one coverage (``shapely.coverage_simplify``),
    so neighbours keep an identical common edge with no gaps or overlaps; lines
    are simplified one by one. Both happen in EPSG:3405 metres. The result is
    returned in EPSG:4326 with coordinates rounded to ``precision_deg``.

    Parameters
    ----------
    frame : GeoDataFrame
        Polygonal or lineal layer with a CRS.
    tolerance_m : float
        Simplification tolerance in metres. For polygons it is the
        Visvalingam-Whyatt tolerance of GEOS, so boundaries can move somewhat
        more than this; bench/map_payload.py measures the actual distance.
    precision_deg : float
        Coordinate rounding step in degrees.

    Returns
    -------
    GeoDataFrame
        Same rows and attributes, simplified geometry, EPSG:4326.

    Raises
    ------
    BoundaryDataError
        If the frame has no CRS or mixes polygons and lines.
    """
    if frame.crs is None:
        raise BoundaryDataError("cannot simplify a layer without a CRS")
    metric = frame.geometry.to_crs(CRS_METRIC)
    kinds = set(metric.geom_type)
    if kinds <= _GEOMETRY_TYPES["polygon"]:
        simplified = shapely.coverage_simplify(metric.values, tolerance_m)
    elif kinds <= _GEOMETRY_TYPES["line"]:
        simplified = shapely.simplify(metric.values, tolerance_m, preserve_topology=True)
    else:
        raise BoundaryDataError(f"cannot simplify a layer mixing {', '.join(sorted(kinds))}")
    wgs84 = gpd.GeoSeries(simplified, crs=CRS_METRIC, index=frame.index).to_crs(CRS_WGS84)
    # Pointwise rounding maps identical vertices to identical vertices, so shared edges stay shared.
    rounded = shapely.set_precision(wgs84.values, precision_deg, mode="pointwise")
    return frame.set_geometry(gpd.GeoSeries(rounded, crs=CRS_WGS84, index=frame.index))


def load_display_geometry(
    role: str,
    tolerance_m: float = DISPLAY_TOLERANCE_M,
    geodata_dir: Path | None = None,
) -> gpd.GeoDataFrame:
    """Load a layer and simplify it once for display.

    Meant to be cached (``st.cache_resource`` in the cache layer), never called per rerun.

    Parameters
    ----------
    role : str
        A GeoJSON role of :data:`loaders.geo.schema.LAYER_FILES`: ``"communes_2025"``,
        ``"communes_legacy"``, ``"districts_legacy"``, ``"border_laos"``,
        ``"coastline"``, ``"economic_zones"``, ...
    tolerance_m : float
        See :func:`simplify_for_display`.
    geodata_dir : Path, optional
        Folder holding the layers; default :func:`loaders.core.settings.geodata_dir`.

    Returns
    -------
    GeoDataFrame
        Validated attributes, simplified geometry, EPSG:4326.

    Raises
    ------
    BoundaryDataError
        As :func:`load_layer`.
    """
    return simplify_for_display(load_layer(role, geodata_dir), tolerance_m)


def expected_files() -> list[str]:
    """File names that :func:`install_boundaries` copies: every layer plus SOURCES.md."""
    return [*LAYER_FILES.values(), SOURCES_FILE]


def install_boundaries(source_dir: Path, target_dir: Path) -> list[Path]:
    """Copy the boundary layers and SOURCES.md from ``source_dir`` into ``target_dir``.

    Every expected file is checked before anything is copied. Each file is
    written to a temporary name in ``target_dir`` and renamed into place, so a
    reader never sees a half-written layer. The marker file ``.installed`` is
    written last.

    Parameters
    ----------
    source_dir : Path
        Folder with the shared layers (``$HT_GEODATA_SOURCE``, default
        :func:`loaders.core.settings.geodata_source_dir`).
    target_dir : Path
        The project's ``geodata/`` folder; created if missing.

    Returns
    -------
    list of Path
        The installed files, in :func:`expected_files` order.

    Raises
    ------
    BoundaryDataError
        Naming each missing source file and the variable ``HT_GEODATA_SOURCE``.
    """
    source_dir, target_dir = Path(source_dir), Path(target_dir)
    missing = [name for name in expected_files() if not (source_dir / name).is_file()]
    if missing:
        raise BoundaryDataError(
            f"Boundary source folder {source_dir} lacks {', '.join(missing)}. "
            f"Set {settings.GEODATA_SOURCE_ENV} to the folder that holds the Hà Tĩnh layers."
        )
    target_dir.mkdir(parents=True, exist_ok=True)
    installed = []
    for name in expected_files():
        handle, temp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=target_dir)
        os.close(handle)
        temp = Path(temp_name)
        try:
            # copyfile, not copy2: the shared files are read-only and the copies must be replaceable.
            shutil.copyfile(source_dir / name, temp)
            temp.chmod(0o644)
            os.replace(temp, target_dir / name)
        finally:
            temp.unlink(missing_ok=True)
        installed.append(target_dir / name)
    marker = {"source": str(source_dir), "files": {p.name: p.stat().st_size for p in installed}}
    (target_dir / INSTALL_MARKER).write_text(json.dumps(marker, indent=1), encoding="utf-8")
    return installed
