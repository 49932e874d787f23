"""Compact display encoding of boundary layers (TopoJSON) and its accuracy check.

A commune boundary shared by two neighbours is stored twice in GeoJSON. TopoJSON
stores each shared boundary once as an "arc", with integer, delta-encoded
coordinates, which is how the 69-commune map fits the browser payload budget.
The input must be a coverage whose neighbours share identical vertices (as
``shapely.coverage_simplify`` produces); arcs are then found exactly.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon

Point = tuple[int, int]

#: Grid step of the encoded coordinates, in degrees: 1e-5 deg is about 1.1 m at Hà Tĩnh's latitude.
DEFAULT_PRECISION_DEG = 1e-5


class TopologyError(ValueError):
    """A layer cannot be encoded (wrong CRS, unsupported geometry type, missing column)."""


def script_safe_json(value: Any) -> str:
    """Compact JSON that is safe to place inside an HTML ``<script>`` element.

    ``<`` and ``>`` are escaped so that no text value can close the script
    element; U+2028/U+2029 are escaped because older JavaScript engines treat
    them as line ends. Non-ASCII letters stay as UTF-8, which is shorter than
    ``\\uXXXX`` escapes for Vietnamese names.

    Parameters
    ----------
    value : Any
        JSON-serialisable value.

    Returns
    -------
    str
        JSON text without spaces.
    """
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def _json_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _quantize(coords: np.ndarray, origin: np.ndarray, step: float) -> list[Point]:
    grid = np.rint((np.asarray(coords)[:, :2] - origin) / step).astype(np.int64)
    # Rounding can put consecutive vertices on the same grid point; keep one.
    keep = np.ones(len(grid), dtype=bool)
    keep[1:] = np.any(grid[1:] != grid[:-1], axis=1)
    return [(int(x), int(y)) for x, y in grid[keep]]


def _polygon_parts(geometry: Any) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    raise TopologyError(f"expected Polygon or MultiPolygon, got {geometry.geom_type}")


def _line_parts(geometry: Any) -> list[LineString]:
    if isinstance(geometry, LineString):
        return [geometry]
    if isinstance(geometry, MultiLineString):
        return list(geometry.geoms)
    raise TopologyError(f"expected LineString or MultiLineString, got {geometry.geom_type}")


class _ArcBuilder:
    """Finds junctions across all rings and lines, then cuts and de-duplicates arcs."""

    def __init__(self) -> None:
        self._neighbours: dict[Point, tuple[Point, Point]] = {}
        self._junctions: set[Point] = set()
        self._arc_index: dict[tuple[Point, ...], int] = {}
        self.arcs: list[list[Point]] = []

    def _note(self, point: Point, before: Point, after: Point) -> None:
        pair = (before, after) if before <= after else (after, before)
        seen = self._neighbours.setdefault(point, pair)
        # A vertex where the neighbouring vertices differ between two paths is where they part.
        if seen != pair:
            self._junctions.add(point)

    def scan_ring(self, ring: list[Point]) -> None:
        n = len(ring)
        for i, point in enumerate(ring):
            self._note(point, ring[i - 1], ring[(i + 1) % n])

    def scan_line(self, line: list[Point]) -> None:
        self._junctions.add(line[0])
        self._junctions.add(line[-1])
        for i in range(1, len(line) - 1):
            self._note(line[i], line[i - 1], line[i + 1])

    def _add_arc(self, arc: list[Point]) -> int:
        key = tuple(arc)
        if key in self._arc_index:
            return self._arc_index[key]
        reverse = key[::-1]
        if reverse in self._arc_index:
            return ~self._arc_index[reverse]
        self._arc_index[key] = len(self.arcs)
        self.arcs.append(arc)
        return self._arc_index[key]

    def _cut(self, points: list[Point]) -> list[int]:
        refs, start = [], 0
        for i in range(1, len(points)):
            if points[i] in self._junctions or i == len(points) - 1:
                refs.append(self._add_arc(points[start : i + 1]))
                start = i
        return refs

    def ring_arcs(self, ring: list[Point]) -> list[int]:
        cuts = [i for i, p in enumerate(ring) if p in self._junctions]
        if not cuts:
            # A ring that meets nothing (an island, or an enclave and its hole) is one
            # closed arc; starting it at its smallest vertex lets the twin ring match it.
            first = min(range(len(ring)), key=ring.__getitem__)
            rotated = ring[first:] + ring[:first]
            return [self._add_arc([*rotated, rotated[0]])]
        rotated = ring[cuts[0] :] + ring[: cuts[0]]
        return self._cut([*rotated, rotated[0]])

    def line_arcs(self, line: list[Point]) -> list[int]:
        return self._cut(line)


def _open_ring(coords: np.ndarray, origin: np.ndarray, step: float) -> list[Point] | None:
    points = _quantize(coords, origin, step)
    if points[0] == points[-1]:
        points = points[:-1]
    # Fewer than three distinct vertices cannot enclose area at this precision.
    return points if len(set(points)) >= 3 else None


def build_topology(
    frame: gpd.GeoDataFrame,
    object_name: str,
    properties: Sequence[str] = (),
    *,
    precision_deg: float = DEFAULT_PRECISION_DEG,
) -> dict[str, Any]:
    """Encode one layer as a quantized TopoJSON topology with shared arcs.

    Parameters
    ----------
    frame : GeoDataFrame
        EPSG:4326 polygons/multipolygons, or lines/multilines (not mixed).
        Neighbouring polygons must share identical vertices along their common
        boundary; otherwise the boundary is simply stored twice.
    object_name : str
        Name of the object in ``topology["objects"]``.
    properties : sequence of str
        Columns copied into each geometry's ``properties`` (NaN becomes ``null``).
    precision_deg : float
        Grid step in degrees. The encoding moves each vertex by at most half a
        step diagonally (about 0.8 m for the default).

    Returns
    -------
    dict
        A TopoJSON ``Topology`` with ``transform``, delta-encoded ``arcs`` and one
        ``GeometryCollection`` object, one geometry per row in row order. A row
        whose geometry collapses at this precision gets a ``null`` geometry type.

    Raises
    ------
    TopologyError
        If the CRS is not EPSG:4326, a column is missing or a geometry type is unsupported.
    """
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise TopologyError(f"layer '{object_name}' must be in EPSG:4326, not {frame.crs}")
    missing = [c for c in properties if c not in frame.columns]
    if missing:
        raise TopologyError(f"layer '{object_name}' has no column(s) {', '.join(missing)}")
    geometries = list(frame.geometry.values)
    bounds = shapely.total_bounds(np.asarray(geometries, dtype=object))
    origin = np.array([bounds[0], bounds[1]]) if np.all(np.isfinite(bounds)) else np.zeros(2)

    # Pass 1: quantize every ring and line, and let the builder see all of them
    # before cutting, because a junction can be created by any later feature.
    builder = _ArcBuilder()
    encoded: list[tuple[str, list[Any]]] = []
    for geometry in geometries:
        if geometry is None or geometry.is_empty:
            encoded.append(("", []))
        elif geometry.geom_type in ("Polygon", "MultiPolygon"):
            parts = []
            for polygon in _polygon_parts(geometry):
                rings = [_open_ring(np.asarray(polygon.exterior.coords), origin, precision_deg)]
                if rings[0] is None:
                    continue
                holes = (_open_ring(np.asarray(h.coords), origin, precision_deg) for h in polygon.interiors)
                rings += [h for h in holes if h is not None]
                for ring in rings:
                    builder.scan_ring(ring)
                parts.append(rings)
            encoded.append(("polygon", parts))
        else:
            lines = [_quantize(np.asarray(line.coords), origin, precision_deg) for line in _line_parts(geometry)]
            lines = [line for line in lines if len(line) >= 2]
            for line in lines:
                builder.scan_line(line)
            encoded.append(("line", lines))

    # Pass 2: cut at the junctions and refer to shared arcs by index (~i = reversed).
    records = frame[list(properties)].to_dict("records") if properties else [{} for _ in geometries]
    topo_geometries: list[dict[str, Any]] = []
    for (kind, parts), record in zip(encoded, records):
        props = {key: _json_value(value) for key, value in record.items()}
        if kind == "polygon" and parts:
            arcs = [[builder.ring_arcs(ring) for ring in rings] for rings in parts]
            if len(arcs) == 1:
                geometry = {"type": "Polygon", "arcs": arcs[0]}
            else:
                geometry = {"type": "MultiPolygon", "arcs": arcs}
        elif kind == "line" and parts:
            arcs = [builder.line_arcs(line) for line in parts]
            if len(arcs) == 1:
                geometry = {"type": "LineString", "arcs": arcs[0]}
            else:
                geometry = {"type": "MultiLineString", "arcs": arcs}
        else:
            geometry = {"type": None}
        geometry["properties"] = props
        topo_geometries.append(geometry)

    delta_arcs = []
    for arc in builder.arcs:
        points = np.asarray(arc, dtype=np.int64)
        deltas = np.vstack([points[:1], np.diff(points, axis=0)])
        delta_arcs.append(deltas.tolist())
    return {
        "type": "Topology",
        "transform": {"scale": [precision_deg, precision_deg], "translate": [float(origin[0]), float(origin[1])]},
        "bbox": [float(b) for b in bounds] if np.all(np.isfinite(bounds)) else None,
        "objects": {object_name: {"type": "GeometryCollection", "geometries": topo_geometries}},
        "arcs": delta_arcs,
    }


def _decoded_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    scale = np.asarray(topology["transform"]["scale"], dtype=float)
    translate = np.asarray(topology["transform"]["translate"], dtype=float)
    return [np.cumsum(np.asarray(arc, dtype=np.int64), axis=0) * scale + translate for arc in topology["arcs"]]


def _path(arcs: list[np.ndarray], refs: Iterable[int]) -> np.ndarray:
    pieces = []
    for n, ref in enumerate(refs):
        coords = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        # Consecutive arcs share their meeting vertex; keep it once.
        pieces.append(coords if n == 0 else coords[1:])
    return np.vstack(pieces)


def topology_to_geoseries(topology: dict[str, Any], object_name: str) -> gpd.GeoSeries:
    """Decode one object of a topology from :func:`build_topology` back to shapely geometries.

    Parameters
    ----------
    topology : dict
        A quantized TopoJSON topology.
    object_name : str
        Key in ``topology["objects"]``.

    Returns
    -------
    GeoSeries
        One geometry per TopoJSON geometry (``None`` for null ones), EPSG:4326.

    Raises
    ------
    KeyError
        If the object is not in the topology.
    """
    arcs = _decoded_arcs(topology)
    out: list[Any] = []
    for geometry in topology["objects"][object_name]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            rings = [_path(arcs, ring) for ring in geometry["arcs"]]
            out.append(Polygon(rings[0], rings[1:]))
        elif kind == "MultiPolygon":
            polygons = []
            for part in geometry["arcs"]:
                rings = [_path(arcs, ring) for ring in part]
                polygons.append(Polygon(rings[0], rings[1:]))
            out.append(MultiPolygon(polygons))
        elif kind == "LineString":
            out.append(LineString(_path(arcs, geometry["arcs"])))
        elif kind == "MultiLineString":
            out.append(MultiLineString([_path(arcs, line) for line in geometry["arcs"]]))
        else:
            out.append(None)
    return gpd.GeoSeries(out, crs="EPSG:4326")


def hausdorff_by_feature(displayed: gpd.GeoSeries, source: gpd.GeoSeries, metric_crs: str) -> pd.Series:
    """Hausdorff distance in metres between each displayed geometry and its source geometry.

    Parameters
    ----------
    displayed, source : GeoSeries
        Aligned by position (same length and order), any CRS set.
    metric_crs : str
        Projected CRS in metres, e.g. ``"EPSG:3405"``.

    Returns
    -------
    pandas.Series
        Float metres, indexed like ``source``; NaN where a displayed geometry is missing.

    Raises
    ------
    ValueError
        If the two series differ in length.
    """
    if len(displayed) != len(source):
        raise ValueError(f"{len(displayed)} displayed geometries for {len(source)} source geometries")
    shown = displayed.to_crs(metric_crs).values
    original = source.to_crs(metric_crs).values
    return pd.Series(shapely.hausdorff_distance(shown, original), index=source.index, dtype=float)


def shared_boundaries(frame: gpd.GeoDataFrame, *, precision_deg: float = DEFAULT_PRECISION_DEG) -> gpd.GeoDataFrame:
    """The boundaries between neighbouring polygons of a coverage, as lines.

    Used for the former-district lines: the outer edge of the province is
    already drawn by the communes, so sending it again only adds payload.

    Parameters
    ----------
    frame : GeoDataFrame
        Polygon coverage in EPSG:4326 whose neighbours share identical vertices.
    precision_deg : float
        Grid step used to match shared vertices (see :func:`build_topology`).

    Returns
    -------
    GeoDataFrame
        One row whose geometry is a (Multi)LineString of every edge shared by two
        polygons, EPSG:4326; an empty GeoDataFrame if no polygons touch.

    Raises
    ------
    TopologyError
        As :func:`build_topology`.
    """
    outlines = gpd.GeoDataFrame(geometry=frame.geometry.values, crs=frame.crs)
    topology = build_topology(outlines, "polygons", precision_deg=precision_deg)
    uses: dict[int, int] = {}

    def count(refs: Any) -> None:
        if isinstance(refs, int):
            arc = refs if refs >= 0 else ~refs
            uses[arc] = uses.get(arc, 0) + 1
        else:
            for ref in refs:
                count(ref)

    for geometry in topology["objects"]["polygons"]["geometries"]:
        count(geometry.get("arcs", []))
    arcs = _decoded_arcs(topology)
    shared = [LineString(arcs[i]) for i in sorted(uses) if uses[i] > 1]
    if not shared:
        return gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    return gpd.GeoDataFrame(geometry=[shapely.line_merge(MultiLineString(shared))], crs="EPSG:4326")
