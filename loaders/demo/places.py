"""Where the demo's records happen: the communes, their members and points inside them.

:func:`build_context` gathers what the generator needs about each 2025
commune (its reporting unit, flags, population and legacy members) from the
registry. :func:`place_points` gives records coordinates: uniformly inside
the commune polygon (for pre-reform records, inside both the legacy polygon
and the 2025 polygon) away from its edge when the boundary layers are
installed, else jittered around the registry's label point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import shapely

from loaders.geo.boundaries import load_layer
from loaders.geo.registry import Registry
from loaders.geo.schema import RELATION_POPULATION_ONLY, BoundaryDataError

#: Margin kept from a polygon's edge when sampling points, in degrees (about 45 m).
EDGE_MARGIN_DEG = 0.0004
#: Radius of the jitter around a label point when no polygons are installed, metres.
JITTER_RADIUS_M = 250.0


#: Huyện Lộc Hà was merged into Huyện Thạch Hà (and Xã Hộ Độ moved to Thành phố Hà Tĩnh)
#: by NQ 1281/NQ-UBTVQH15, in force from this day (geodata/SOURCES.md).
LOC_HA_MERGED: date = date(2025, 1, 1)
#: The district its communes wrote before :data:`LOC_HA_MERGED`; the pre-2020 table
#: (``Registry.pre2020``) names it "Lộc Hà" for every predecessor of those communes.
LOC_HA_DISTRICT = "Huyện Lộc Hà"
_LOC_HA_SHORT = "Lộc Hà"


@dataclass
class Unit:
    """A reporting unit: a legacy commune or a 2025 commune, as written in a record.

    ``border`` and ``coastal`` are the project's focus-area flags for the unit's
    own vintage (``geodata/focus_areas.json``). ``district_before`` is the
    district written on records dated before :data:`LOC_HA_MERGED` when it
    differs from ``district`` (the communes of the former Huyện Lộc Hà).
    """

    code: str
    name: str
    short: str
    type: str
    district: str
    border: bool = False
    coastal: bool = False
    district_before: str = ""

    def district_on(self, day: date) -> str:
        """The district a record dated ``day`` writes for this unit."""
        return self.district_before if self.district_before and day < LOC_HA_MERGED else self.district


@dataclass
class Commune:
    """One 2025 commune with what the generator needs about it."""

    idx: int
    code: str
    unit: Unit
    population: float
    urban: bool
    ez: bool
    border: bool
    coastal: bool
    label: tuple[float, float]
    #: Legacy members (code, weight) usable for pre-reform records with points.
    members: list[tuple[str, float]] = field(default_factory=list)
    #: Legacy members usable without a point (wholly or mainly in this commune).
    members_plain: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class Context:
    """What one run of the generator knows about the province.

    ``geoms_2025`` and ``geoms_legacy`` map codes to prepared full-resolution
    polygons; both are ``None`` when the boundary layers are not installed.
    """

    registry: Registry
    communes: list[Commune]
    legacy: dict[str, Unit]
    legacy_split: set[str]
    legacy_label: dict[str, tuple[float, float]]
    geoms_2025: dict[str, Any] | None
    geoms_legacy: dict[str, Any] | None


def _load_polygons(registry: Registry) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The full-resolution commune polygons of both vintages, or ``(None, None)`` without them."""
    if not registry.has_boundaries:
        return None, None
    try:
        out = []
        for role in ("communes_2025", "communes_legacy"):
            layer = load_layer(role)
            geoms = dict(zip(layer["gso_code"].astype(str), layer.geometry.values))
            for g in geoms.values():
                shapely.prepare(g)
            out.append(geoms)
        return out[0], out[1]
    except BoundaryDataError:  # a missing or invalid layer: points fall back to label jitter
        return None, None


# The polygons of the last registry seen, read and prepared once: a session
# (or a test module) generates many demos from the same registry.
_POLYGON_CACHE: dict[int, tuple[Any, Any]] = {}


def build_context(registry: Registry) -> Context:
    """The generator's view of ``registry``: units, members, flags and polygons."""
    cache_key = id(registry)
    if cache_key not in _POLYGON_CACHE or _POLYGON_CACHE[cache_key][0] is not registry:
        _POLYGON_CACHE.clear()
        _POLYGON_CACHE[cache_key] = (registry, _load_polygons(registry))
    geoms_2025, geoms_legacy = _POLYGON_CACHE[cache_key][1]
    have_polygons = geoms_2025 is not None and geoms_legacy is not None

    legacy: dict[str, Unit] = {}
    labels: dict[str, tuple[float, float]] = {}
    split: set[str] = set()
    pre = registry.pre2020
    loc_ha = set(pre["legacy_code"][pre["pre2020_district"] == _LOC_HA_SHORT]) - set(
        pre["legacy_code"][pre["pre2020_district"] != _LOC_HA_SHORT]
    )
    for code, row in registry.legacy.iterrows():
        legacy[code] = Unit(
            code,
            row["name"],
            row["name_short"],
            row["type"],
            row["district_name"],
            border=bool(row["borders_laos"]),
            coastal=bool(row["coastal"]),
            district_before=LOC_HA_DISTRICT if code in loc_ha else "",
        )
        labels[code] = (float(row["label_lat"]), float(row["label_lon"]))
        if bool(row["split"]):
            split.add(code)

    cw = registry.crosswalk
    cw = cw[cw["relation"] != RELATION_POPULATION_ONLY]
    shares: dict[str, list[tuple[str, float]]] = {}
    for lc, nc, share in zip(cw["legacy_code"], cw["new_code"], cw["area_share"]):
        share = 1.0 if pd.isna(share) else float(share)
        shares.setdefault(nc, []).append((lc, max(share, 0.1)))

    communes: list[Commune] = []
    for i, (code, row) in enumerate(registry.communes.sort_index().iterrows()):
        district = registry.districts.at[row["district_codes"][0], "name"] if row["district_codes"] else ""
        unit = Unit(
            code,
            row["name"],
            row["name_short"],
            row["type"],
            str(district),
            border=bool(row["borders_laos"]),
            coastal=bool(row["coastal"]),
        )
        c = Commune(
            idx=i,
            code=code,
            unit=unit,
            population=float(row["population"]),
            urban=row["type"] == "Phường",
            ez=bool(row["economic_zones"]) or bool(row["major_project"]),
            border=bool(row["borders_laos"]),
            coastal=bool(row["coastal"]),
            label=(float(row["label_lat"]), float(row["label_lon"])),
        )
        primary = [(lc, 1.0) for lc in registry.legacy.index[registry.legacy["new_code"] == code]]
        c.members_plain = primary or [(lc, w) for lc, w in shares.get(code, [])]
        c.members = sorted(shares.get(code, []) if have_polygons else c.members_plain)
        c.members_plain = sorted(c.members_plain)
        communes.append(c)
    return Context(registry, communes, legacy, split, labels, geoms_2025, geoms_legacy)


def _sample_in(geoms: list[Any], n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniformly inside the intersection of ``geoms``, away from their edges.

    Candidates are drawn in the common bounding box and rounded to 6 decimals
    (about 0.1 m) *before* the test, so the returned points pass it exactly. A
    candidate is kept when it and its four neighbours at :data:`EDGE_MARGIN_DEG`
    lie inside every polygon. A part thinner than the margin is retried with a
    smaller margin, then none.
    """
    minx, miny, maxx, maxy = geoms[0].bounds
    for g in geoms[1:]:
        bx0, by0, bx1, by1 = g.bounds
        minx, miny, maxx, maxy = max(minx, bx0), max(miny, by0), min(maxx, bx1), min(maxy, by1)
    bbox = max((maxx - minx) * (maxy - miny), 1e-12)
    lats: list[np.ndarray] = []
    lons: list[np.ndarray] = []
    have = 0
    for margin in (EDGE_MARGIN_DEG, EDGE_MARGIN_DEG / 4, 0.0):
        offsets = (
            ((0.0, 0.0),) if margin == 0 else ((0.0, 0.0), (margin, 0.0), (-margin, 0.0), (0.0, margin), (0.0, -margin))
        )
        accept = min(max(min(g.area for g in geoms) / bbox, 0.01), 1.0)
        for _ in range(40):
            need = n - have
            if need <= 0:
                break
            m = min(int(need / accept * 1.3) + 16, 500_000)
            xs = np.round(rng.uniform(minx, maxx, m), 6)
            ys = np.round(rng.uniform(miny, maxy, m), 6)
            keep = np.arange(m)
            for dx, dy in offsets:  # each test only on the candidates that passed the previous ones
                for g in geoms:
                    keep = keep[shapely.contains_xy(g, xs[keep] + dx, ys[keep] + dy)]
            lats.append(ys[keep])
            lons.append(xs[keep])
            have += len(keep)
            accept = max(len(keep) / m, 1e-4)
        if have >= n:
            break
    if have < n:
        raise RuntimeError("cannot sample points inside the polygon")
    return np.concatenate(lats)[:n], np.concatenate(lons)[:n]


def _jitter(label: tuple[float, float], n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    r = JITTER_RADIUS_M * np.sqrt(rng.random(n))
    a = rng.uniform(0.0, 2 * math.pi, n)
    lat = label[0] + r * np.sin(a) / 111_320.0
    lon = label[1] + r * np.cos(a) / (111_320.0 * math.cos(math.radians(label[0])))
    return np.round(lat, 6), np.round(lon, 6)


def place_points(
    ctx: Context, keys: list[tuple[int, str | None]], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Points for records keyed (2025 commune idx, legacy code or ``None`` after the reform)."""
    n = len(keys)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    groups: dict[tuple[int, str | None], list[int]] = {}
    for pos, k in enumerate(keys):
        groups.setdefault(k, []).append(pos)
    for (ci, lc), positions in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        c = ctx.communes[ci]
        idx = np.asarray(positions)
        if ctx.geoms_2025 is not None and ctx.geoms_legacy is not None:
            geoms = [ctx.geoms_2025[c.code]] if lc is None else [ctx.geoms_legacy[lc], ctx.geoms_2025[c.code]]
            la, lo = _sample_in(geoms, len(idx), rng)
        else:
            la, lo = _jitter(c.label if lc is None else ctx.legacy_label[lc], len(idx), rng)
        lat[idx], lon[idx] = la, lo
    return lat, lon


def pick_member(c: Commune, rng: np.random.Generator, plain: bool = False, among: set[str] | None = None) -> str:
    """A legacy member of ``c``, weighted by area share.

    ``plain``: only those usable without a point; ``among``: only these legacy
    codes (when ``c`` has any of them).
    """
    members = c.members_plain if plain else c.members
    if among is not None and any(m[0] in among for m in members):
        members = [m for m in members if m[0] in among]
    w = np.array([m[1] for m in members])
    return members[int(rng.choice(len(members), p=w / w.sum()))][0]
