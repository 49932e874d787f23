"""Seeded, deterministic demo operational data for Hà Tĩnh (models, incidents, recognitions).

:func:`generate_demo` returns the three datasets as *canonical frames*: the
columns of :data:`loaders.ingest.datasets.DATASETS`, in that order, exactly as a
commune report would give them, so that they can go through the same
validation and import path as an uploaded file.

How the records are written (DOMAIN.md, issue 2 section 4)
----------------------------------------------------------
* A record dated before 2025-07-01 names its **legacy** unit: ``ma_xa`` is the
  legacy GSO code, ``ten_xa`` its full name ("Xã Kỳ Tân") and ``huyen_cu`` its
  district ("Thị xã Kỳ Anh"). A later record names the **2025** commune, with
  ``huyen_cu`` the former district it lies in (the first of its districts).
* A model is written as reported when it was founded (``ngay_thanh_lap``). Its
  business key is (resolved 2025 commune, name), and names are unique per 2025
  commune ("Tổ tự quản về an ninh, trật tự thôn 3").
* Recognitions are decided at year end: years up to 2024 name legacy units,
  2025 onwards the 2025 communes. Only completed years are generated.
* The split legacy communes (Phường Đại Nài, area split between Thành Sen and
  Hà Huy Tập; Xã Kỳ Lợi, whose area all went to Vũng Áng) carry coordinates
  on every pre-reform model and incident, inside the part of the legacy
  commune that lies in the intended 2025 commune, so that an importer places
  them by point. Recognitions have no coordinates, so they name a split
  commune only when it lies wholly in the intended commune (Kỳ Lợi ->
  Vũng Áng, Đại Nài -> Thành Sen).

Plausibility
------------
Volumes scale with population and are higher in wards (Phường) and in the
economic-zone / major-project communes. Border communes have more drug and
smuggling incidents and "tổ tự quản đường biên, cột mốc" groups; coastal
communes have "tổ tàu thuyền đoàn kết" fleets; economic-zone communes have
"doanh nghiệp an toàn về an ninh, trật tự". Foundings grow year by year and
peak in August, before the festival of 19 August (Ngày hội toàn dân bảo vệ an
ninh Tổ quốc). Some communes lack one or two of the four model kinds, some
have many weak models, two or three have no model at all (so "no data" shows),
a few did not report incidents for some months, and a few show rising
incidents in the last months.

Points
------
About 70 % of incidents and 60 % of models carry a point. With the boundary
layers installed (:func:`loaders.geo.boundaries.load_layer`), points are sampled
uniformly inside the commune polygon (for pre-reform records: inside both the
legacy polygon and the 2025 polygon) at least about 45 m from its edge, by a
vectorised rejection sampler. Without the layers, points are jittered less
than 300 m around the registry's label point.

The random stream is a :class:`numpy.random.Generator` seeded with ``seed``:
the same ``(seed, until, scale)`` and registry give identical frames.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from loaders.core import domain
from loaders.geo.registry import Registry, load_registry
from loaders.core.textnorm import key

START_DATE: date = date(2020, 1, 1)
#: The yearly festival (Ngày hội toàn dân bảo vệ an ninh Tổ quốc), 19 August.
FESTIVAL_MONTH, FESTIVAL_DAY = 8, 19

MODEL_COLUMNS: tuple[str, ...] = (
    "ma_xa", "ten_xa", "huyen_cu", "ten_mo_hinh", "loai_mo_hinh", "noi_trien_khai", "ngay_thanh_lap",
    "trang_thai", "ngay_giai_the", "danh_gia", "so_thanh_vien", "vi_do", "kinh_do", "ghi_chu",
)
INCIDENT_COLUMNS: tuple[str, ...] = (
    "ma_vu_viec", "ngay", "ma_xa", "ten_xa", "huyen_cu", "linh_vuc", "muc_do", "vi_do", "kinh_do", "mo_ta",
)
RECOGNITION_COLUMNS: tuple[str, ...] = (
    "nam", "ma_xa", "ten_xa", "huyen_cu", "loai_don_vi", "ten_don_vi", "ket_qua",
)
#: Canonical columns per dataset name, in order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "models": MODEL_COLUMNS,
    "incidents": INCIDENT_COLUMNS,
    "recognitions": RECOGNITION_COLUMNS,
}

#: Province-wide incidents per month at scale 1 before trends (about 30,000 for 2020-2026).
INCIDENTS_PER_MONTH = 360.0
#: Models per 10,000 residents founded over 2020-2026 in an ordinary commune, at scale 1.
MODELS_PER_10K = 4.5
#: Share of incidents / models that carry a point.
INCIDENT_POINT_SHARE = 0.7
MODEL_POINT_SHARE = 0.6
#: Margin kept from a polygon's edge when sampling points, in degrees (about 45 m).
EDGE_MARGIN_DEG = 0.0004
#: Radius of the jitter around a label point when no polygons are installed, metres.
JITTER_RADIUS_M = 250.0

_FIELDS = domain.INCIDENT_FIELDS
_SEVERITIES = domain.INCIDENT_SEVERITIES
_F = {name: i for i, name in enumerate(_FIELDS)}

# Base shares of incident fields (province average before area effects).
_FIELD_BASE = {
    "an ninh": 0.04, "hình sự": 0.15, "ma túy": 0.07, "kinh tế, buôn lậu": 0.06, "môi trường": 0.05,
    "tệ nạn xã hội": 0.11, "trật tự an toàn giao thông": 0.38, "cháy, nổ": 0.05, "khác": 0.09,
}
# Multipliers on those shares by kind of area.
_FIELD_EFFECT = {
    "border": {"ma túy": 4.0, "kinh tế, buôn lậu": 2.5, "trật tự an toàn giao thông": 0.7},
    "coastal": {"môi trường": 1.8, "kinh tế, buôn lậu": 1.3},
    "ez": {"an ninh": 2.2, "kinh tế, buôn lậu": 1.5, "môi trường": 1.5, "hình sự": 1.2},
    "urban": {"hình sự": 1.4, "tệ nạn xã hội": 1.3, "trật tự an toàn giao thông": 1.2, "cháy, nổ": 1.2},
}
# Severity shares per field, in the order of domain.INCIDENT_SEVERITIES.
_SEVERITY_BY_FIELD = {
    "an ninh": (0.80, 0.12, 0.06, 0.015, 0.005),
    "hình sự": (0.25, 0.40, 0.24, 0.08, 0.03),
    "ma túy": (0.30, 0.28, 0.25, 0.12, 0.05),
    "kinh tế, buôn lậu": (0.60, 0.22, 0.13, 0.04, 0.01),
    "môi trường": (0.85, 0.10, 0.04, 0.01, 0.0),
    "tệ nạn xã hội": (0.82, 0.12, 0.05, 0.01, 0.0),
    "trật tự an toàn giao thông": (0.90, 0.05, 0.035, 0.012, 0.003),
    "cháy, nổ": (0.75, 0.13, 0.08, 0.03, 0.01),
    "khác": (0.92, 0.06, 0.02, 0.0, 0.0),
}
_INCIDENT_TEXT = {
    "an ninh": (
        "Tụ tập đông người khiếu kiện về đền bù giải phóng mặt bằng",
        "Phát hiện tờ rơi có nội dung xấu, độc",
        "Đăng tải thông tin sai sự thật trên mạng xã hội",
        "Tranh chấp đất đai có nguy cơ thành điểm nóng",
        "Người nước ngoài tạm trú không khai báo",
    ),
    "hình sự": (
        "Trộm cắp tài sản (xe máy) tại nhà dân",
        "Cố ý gây thương tích do mâu thuẫn cá nhân",
        "Lừa đảo chiếm đoạt tài sản qua mạng",
        "Cướp giật tài sản trên đường",
        "Trộm cắp tài sản tại cửa hàng",
        "Đánh bạc dưới hình thức ghi lô đề",
    ),
    "ma túy": (
        "Bắt quả tang đối tượng tàng trữ trái phép chất ma túy",
        "Phát hiện nhóm đối tượng sử dụng trái phép chất ma túy",
        "Mua bán trái phép chất ma túy",
        "Vận chuyển trái phép chất ma túy",
    ),
    "kinh tế, buôn lậu": (
        "Vận chuyển hàng hóa nhập lậu không có hóa đơn",
        "Kinh doanh hàng giả, hàng kém chất lượng",
        "Buôn bán thuốc lá điếu nhập lậu",
        "Kinh doanh xăng dầu không đảm bảo điều kiện",
    ),
    "môi trường": (
        "Khai thác cát trái phép",
        "Xả thải chưa qua xử lý ra môi trường",
        "Khai thác thủy sản bằng kích điện",
        "Vận chuyển, chôn lấp chất thải trái phép",
        "Khai thác, vận chuyển lâm sản trái phép",
    ),
    "tệ nạn xã hội": (
        "Đánh bạc được thua bằng tiền",
        "Tổ chức đánh bạc tại nhà riêng",
        "Mua bán dâm tại cơ sở lưu trú",
        "Cho vay lãi nặng, đòi nợ có dấu hiệu khủng bố tinh thần",
    ),
    "trật tự an toàn giao thông": (
        "Điều khiển xe mô tô vượt quá nồng độ cồn",
        "Va chạm giao thông giữa xe mô tô và ô tô",
        "Tai nạn giao thông làm một người bị thương",
        "Đua xe, lạng lách trái phép",
        "Lấn chiếm lòng đường, vỉa hè để kinh doanh",
        "Điều khiển xe không có giấy phép lái xe",
    ),
    "cháy, nổ": (
        "Cháy nhà dân do chập điện",
        "Cháy rừng trồng keo",
        "Cháy kho xưởng",
        "Tàng trữ, sử dụng pháo nổ trái phép",
    ),
    "khác": (
        "Mâu thuẫn gia đình dẫn đến xô xát",
        "Gây rối trật tự công cộng",
        "Tranh chấp ranh giới đất giữa hai hộ",
        "Người mất tích được tìm thấy",
    ),
}
_BORDER_INCIDENT_TEXT = {
    "ma túy": ("Vận chuyển trái phép chất ma túy qua biên giới Việt – Lào",
               "Phát hiện đối tượng mang ma túy tổng hợp từ Lào về"),
    "kinh tế, buôn lậu": ("Vận chuyển hàng lậu qua đường mòn biên giới",
                          "Buôn lậu gỗ, động vật hoang dã qua biên giới"),
}
_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phan", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Đinh", "Thái")
# Parts of residential-area names ("thôn Trung Sơn", "tổ dân phố Tân Hòa").
_VILLAGE_FIRST = ("Trung", "Đông", "Tây", "Nam", "Bắc", "Tân", "Phú", "Hòa", "Yên", "Thượng", "Hạ", "Xuân",
                  "Thanh", "Minh", "Quang", "Đức", "Hưng", "Vĩnh", "Kim", "Ngọc", "Hồng", "Trường", "Mỹ",
                  "Bình", "Thái", "Lạc", "Phúc", "Liên")
_VILLAGE_SECOND = ("Sơn", "Hà", "Lộc", "Phú", "Thịnh", "Tiến", "Long", "Hải", "Bình", "An", "Mỹ", "Lĩnh",
                   "Thủy", "Lâm", "Giang", "Phong", "Hòa", "Thành", "Tân", "Châu", "Quý", "Vinh", "Hưng",
                   "Đình", "Trung", "Yên")
_SECTORS = ("Xây lắp", "Vận tải biển", "Cơ khí", "Logistics", "Thương mại dịch vụ", "Vật liệu xây dựng",
            "Chế biến gỗ", "Điện cơ", "Thép", "May mặc", "Chế biến thủy sản", "Cơ điện lạnh", "Môi trường")


# ----------------------------------------------------------------------------- context
@dataclass
class _Unit:
    """A reporting unit: a legacy commune or a 2025 commune, as written in a record."""

    code: str
    name: str
    short: str
    type: str
    district: str


@dataclass
class _Commune:
    """One 2025 commune with what the generator needs about it."""

    idx: int
    code: str
    unit: _Unit
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
class _Context:
    registry: Registry
    communes: list[_Commune]
    legacy: dict[str, _Unit]
    legacy_split: set[str]
    legacy_label: dict[str, tuple[float, float]]
    geoms_2025: dict[str, Any] | None
    geoms_legacy: dict[str, Any] | None


def _unit_lower(unit: _Unit) -> str:
    return f"{unit.type[:1].lower()}{unit.type[1:]} {unit.short}"


def _kdc(unit_type: str, name: str) -> str:
    """A residential area inside a name: "thôn Trung Sơn" in a xã, "tổ dân phố Trung Sơn" elsewhere."""
    return f"thôn {name}" if unit_type == "Xã" else f"tổ dân phố {name}"


def _kdc_unit(unit_type: str, name: str) -> str:
    """A residential area as a recognised unit: "Thôn Trung Sơn", "Tổ dân phố Trung Sơn"."""
    label = _kdc(unit_type, name)
    return label[:1].upper() + label[1:]


def _load_polygons(registry: Registry) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The full-resolution commune polygons of both vintages, or ``(None, None)`` without them."""
    if not registry.has_boundaries:
        return None, None
    try:
        import shapely

        from loaders.geo.boundaries import load_layer

        out = []
        for role in ("communes_2025", "communes_legacy"):
            layer = load_layer(role)
            geoms = dict(zip(layer["gso_code"].astype(str), layer.geometry.values))
            for g in geoms.values():
                shapely.prepare(g)
            out.append(geoms)
        return out[0], out[1]
    except Exception:  # noqa: BLE001 - points fall back to label jitter
        return None, None


_POLYGON_CACHE: dict[int, tuple[Any, Any]] = {}


def _build_context(registry: Registry) -> _Context:
    cache_key = id(registry)
    if cache_key not in _POLYGON_CACHE or _POLYGON_CACHE[cache_key][0] is not registry:
        _POLYGON_CACHE.clear()
        _POLYGON_CACHE[cache_key] = (registry, _load_polygons(registry))
    geoms_2025, geoms_legacy = _POLYGON_CACHE[cache_key][1]
    have_polygons = geoms_2025 is not None and geoms_legacy is not None

    legacy: dict[str, _Unit] = {}
    labels: dict[str, tuple[float, float]] = {}
    split: set[str] = set()
    for code, row in registry.legacy.iterrows():
        legacy[code] = _Unit(code, row["name"], row["name_short"], row["type"], row["district_name"])
        labels[code] = (float(row["label_lat"]), float(row["label_lon"]))
        if bool(row["split"]):
            split.add(code)

    cw = registry.crosswalk
    cw = cw[cw["relation"] != "population_only"]
    shares: dict[str, list[tuple[str, float]]] = {}
    for lc, nc, share in zip(cw["legacy_code"], cw["new_code"], cw["area_share"]):
        share = 1.0 if pd.isna(share) else float(share)
        shares.setdefault(nc, []).append((lc, max(share, 0.1)))

    communes: list[_Commune] = []
    for i, (code, row) in enumerate(registry.communes.sort_index().iterrows()):
        district = registry.districts.at[row["district_codes"][0], "name"] if row["district_codes"] else ""
        unit = _Unit(code, row["name"], row["name_short"], row["type"], str(district))
        c = _Commune(
            idx=i, code=code, unit=unit, population=float(row["population"]),
            urban=row["type"] == "Phường", ez=bool(row["economic_zones"]) or bool(row["major_project"]),
            border=bool(row["borders_laos"]), coastal=bool(row["coastal"]),
            label=(float(row["label_lat"]), float(row["label_lon"])),
        )
        primary = [(lc, 1.0) for lc in registry.legacy.index[registry.legacy["new_code"] == code]]
        c.members_plain = primary or [(lc, w) for lc, w in shares.get(code, [])]
        c.members = sorted(shares.get(code, []) if have_polygons else c.members_plain)
        c.members_plain = sorted(c.members_plain)
        communes.append(c)
    return _Context(registry, communes, legacy, split, labels, geoms_2025, geoms_legacy)


# ----------------------------------------------------------------------------- points
def _sample_in(geoms: list[Any], n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniformly inside the intersection of ``geoms``, away from their edges.

    Candidates are drawn in the common bounding box and rounded to 6 decimals
    (about 0.1 m) *before* the test, so the returned points pass it exactly. A
    candidate is kept when it and its four neighbours at :data:`EDGE_MARGIN_DEG`
    lie inside every polygon. A part thinner than the margin is retried with a
    smaller margin, then none.
    """
    import shapely

    minx, miny, maxx, maxy = geoms[0].bounds
    for g in geoms[1:]:
        bx0, by0, bx1, by1 = g.bounds
        minx, miny, maxx, maxy = max(minx, bx0), max(miny, by0), min(maxx, bx1), min(maxy, by1)
    bbox = max((maxx - minx) * (maxy - miny), 1e-12)
    lats: list[np.ndarray] = []
    lons: list[np.ndarray] = []
    have = 0
    for margin in (EDGE_MARGIN_DEG, EDGE_MARGIN_DEG / 4, 0.0):
        offsets = ((0.0, 0.0),) if margin == 0 else ((0.0, 0.0), (margin, 0.0), (-margin, 0.0), (0.0, margin), (0.0, -margin))
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


def _place_points(
    ctx: _Context, keys: list[tuple[int, str | None]], rng: np.random.Generator
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


# ----------------------------------------------------------------------------- calendar
def _resolve_until(until: date | datetime | str | None) -> date:
    today = date.today()
    if until is None:
        until = date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    elif isinstance(until, str):
        until = date.fromisoformat(until)
    elif isinstance(until, datetime):
        until = until.date()
    until = min(until, today)
    if until < START_DATE:
        raise ValueError(f"until must be on or after {START_DATE.isoformat()}, got {until.isoformat()}")
    return until


@dataclass
class _Months:
    year: np.ndarray
    month: np.ndarray
    start: np.ndarray  # ordinal of the first day
    days: np.ndarray  # days available (the last month stops at ``until``)
    full_days: np.ndarray

    @property
    def fraction(self) -> np.ndarray:
        return self.days / self.full_days


def _months(until: date) -> _Months:
    ys, ms, st, ds, fd = [], [], [], [], []
    y, m = START_DATE.year, START_DATE.month
    while (y, m) <= (until.year, until.month):
        full = calendar.monthrange(y, m)[1]
        ys.append(y)
        ms.append(m)
        st.append(date(y, m, 1).toordinal())
        ds.append(until.day if (y, m) == (until.year, until.month) else full)
        fd.append(full)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return _Months(*(np.asarray(a) for a in (ys, ms, st, ds, fd)))


def _iso(ordinals: np.ndarray) -> list[str]:
    return [date.fromordinal(int(o)).isoformat() for o in ordinals]


# ----------------------------------------------------------------------------- profiles
@dataclass
class _Profiles:
    activity: np.ndarray  # incident intensity multiplier
    weak: np.ndarray  # share of weak models
    missing: list[set[str]]  # core kinds a commune does not have
    no_models: set[int]
    rising: set[int]
    gaps: dict[int, tuple[int, int]]  # commune -> (first month index, last month index) without reports
    villages_legacy: dict[str, list[str]]  # residential areas (thôn, tổ dân phố) per legacy commune
    villages_2025: list[list[str]]  # per 2025 commune: those of its legacy communes, which keep their names

    def villages(self, commune: int, legacy_code: str | None) -> list[str]:
        """Names of the residential areas of a reporting unit."""
        return self.villages_2025[commune] if not legacy_code else self.villages_legacy[legacy_code]


def _profiles(ctx: _Context, rng: np.random.Generator, n_months: int) -> _Profiles:
    n = len(ctx.communes)
    activity = np.array([
        (1.7 if c.urban else 1.0) * (1.5 if c.ez else 1.0) * (1.15 if c.border else 1.0) for c in ctx.communes
    ]) * rng.lognormal(0.0, 0.25, n)
    weak = np.where(rng.random(n) < 0.2, rng.uniform(0.25, 0.45, n), rng.uniform(0.04, 0.12, n))

    plain = [c.idx for c in ctx.communes if not (c.urban or c.ez or c.border or c.coastal)]
    no_models = {int(i) for i in rng.choice(plain, size=int(rng.integers(2, 4)), replace=False)}

    missing: list[set[str]] = []
    for c in ctx.communes:
        keep = {"tự quản"} if (c.border or c.coastal) else set()
        if c.ez:
            keep.add("tự bảo vệ")
        droppable = [k for k in domain.MODEL_KINDS_CORE if k not in keep]
        u = rng.random()
        n_drop = 2 if u < 0.08 else 1 if u < 0.3 else 0
        missing.append({str(k) for k in rng.choice(droppable, size=n_drop, replace=False)} if n_drop else set())

    candidates = [c.idx for c in ctx.communes if c.idx not in no_models]
    # Rising incidents: favour communes with a baseline that is not tiny.
    weights = np.array([ctx.communes[i].population * activity[i] for i in candidates])
    rising = {int(i) for i in rng.choice(candidates, size=min(7, len(candidates)), replace=False,
                                         p=weights / weights.sum())}
    gaps: dict[int, tuple[int, int]] = {}
    others = [i for i in range(n) if i not in rising]
    if n_months > 12:
        for i in rng.choice(others, size=3, replace=False):
            length = int(rng.integers(3, 7))
            first = int(rng.integers(0, max(1, n_months - length - 3)))
            gaps[int(i)] = (first, first + length - 1)
    # Residential areas have names that are unique (ignoring case and diacritics) within
    # their 2025 commune, so that unit names and model names never collide after resolution.
    villages_legacy: dict[str, list[str]] = {}
    villages_2025: list[list[str]] = []
    for c in ctx.communes:
        total = max(6, int(c.population / (700 if c.urban else 1000)))
        w = np.array([m[1] for m in c.members_plain])
        used: set[str] = set()
        pool: list[str] = []
        for (lc, _), share in zip(c.members_plain, w / w.sum()):
            names: list[str] = []
            for _ in range(max(3, int(round(total * share * rng.uniform(0.8, 1.2))))):
                for _attempt in range(50):
                    first = _VILLAGE_FIRST[int(rng.integers(len(_VILLAGE_FIRST)))]
                    second = _VILLAGE_SECOND[int(rng.integers(len(_VILLAGE_SECOND)))]
                    name, k = f"{first} {second}", key(f"{first} {second}")
                    if k not in used and key(first) != key(second):
                        used.add(k)
                        names.append(name)
                        break
            villages_legacy.setdefault(lc, names)
            pool += names
        villages_2025.append(pool)
    return _Profiles(activity, weak, missing, no_models, rising, gaps, villages_legacy, villages_2025)


def _pick_member(c: _Commune, rng: np.random.Generator, plain: bool = False) -> str:
    members = c.members_plain if plain else c.members
    w = np.array([m[1] for m in members])
    return members[int(rng.choice(len(members), p=w / w.sum()))][0]


# ----------------------------------------------------------------------------- models
# (kind, setting, template, weight, condition). Template fields: {kdc}, {short}, {n}, {surname}, {company}.
_MODEL_TEMPLATES: tuple[tuple[str, str, str, float, str], ...] = (
    ("tự quản", "khu dân cư", "Tổ tự quản về an ninh, trật tự {kdc}", 3.0, ""),
    ("tự quản", "khu dân cư", "Tổ liên gia tự quản {kdc}", 2.0, ""),
    ("tự quản", "khu dân cư", "Khu dân cư tự quản {kdc}", 1.2, ""),
    ("tự quản", "chợ", "Tổ tự quản an ninh, trật tự chợ {short}", 0.4, ""),
    ("tự phòng", "khu dân cư", "Camera an ninh {kdc}", 2.0, ""),
    ("tự phòng", "khu dân cư", "Câu lạc bộ phòng, chống ma túy {kdc}", 0.8, ""),
    ("tự phòng", "cơ sở giáo dục", "Cổng trường an toàn giao thông Trường Tiểu học {short}", 0.4, ""),
    ("tự phòng", "cơ sở giáo dục", "Cổng trường an toàn giao thông Trường THCS {short}", 0.4, ""),
    ("tự phòng", "khu dân cư", "Dòng họ {surname} {kdc} không có tội phạm và tệ nạn xã hội", 1.0, ""),
    ("tự bảo vệ", "khu dân cư", "Tổ an ninh xung kích {kdc}", 1.8, ""),
    ("tự bảo vệ", "cơ quan", "Tổ tự bảo vệ Trạm Y tế {lower}", 0.3, ""),
    ("tự bảo vệ", "cơ quan", "Cơ quan an toàn về an ninh, trật tự – Trường THCS {short}", 0.3, ""),
    ("tự bảo vệ", "doanh nghiệp", "Doanh nghiệp an toàn về an ninh, trật tự – {company}", 0.25, ""),
    ("tự bảo vệ", "khu du lịch", "Tổ bảo vệ an ninh, trật tự khu du lịch biển {short}", 0.6, "coastal"),
    ("tự hòa giải", "khu dân cư", "Tổ hòa giải ở cơ sở {kdc}", 3.0, ""),
    ("tự hòa giải", "khu dân cư", "Câu lạc bộ hòa giải viên giỏi {kdc}", 0.5, ""),
    ("khác", "cơ sở tôn giáo", "Giáo xứ bình yên – giáo họ {kdc}", 0.5, ""),
    ("khác", "khu dân cư", "Mô hình «Thắp sáng đường quê» {kdc}", 0.4, ""),
    ("khác", "khu dân cư", "Nhóm Zalo an ninh {kdc}", 0.4, ""),
)
_BORDER_TEMPLATES = (
    ("tự quản", "khu dân cư", "Tổ tự quản đường biên, cột mốc {kdc}"),
    ("tự quản", "cửa khẩu", "Tổ tự quản đường biên, cột mốc số {n} khu vực cửa khẩu"),
)
_COASTAL_TEMPLATES = (
    ("tự quản", "khu dân cư", "Tổ tàu thuyền đoàn kết số {n}, {kdc}"),
    ("tự quản", "cảng biển", "Tổ tàu thuyền đoàn kết số {n} cảng cá {short}"),
)
_EZ_TEMPLATE = ("tự bảo vệ", "doanh nghiệp", "Doanh nghiệp an toàn về an ninh, trật tự – {company}")
_MEMBERS_RANGE = {
    "khu dân cư": (7, 30), "cơ quan": (5, 15), "doanh nghiệp": (8, 45), "cơ sở giáo dục": (6, 20),
    "chợ": (5, 14), "khu du lịch": (6, 18), "cảng biển": (10, 40), "cửa khẩu": (6, 15),
    "cơ sở tôn giáo": (8, 30), "khác": (5, 20),
}


def _company(rng: np.random.Generator, place: str) -> str:
    form = ("Công ty TNHH", "Công ty CP")[int(rng.integers(0, 2))]
    return f"{form} {_SECTORS[int(rng.integers(0, len(_SECTORS)))]} {place}"


def _founding_ordinals(months: _Months, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` founding dates: more each year, and a peak in August before the festival."""
    yw = 1.0 + 0.2 * (months.year - START_DATE.year)
    mw = np.select([months.month == 8, np.isin(months.month, (1, 2)), months.month == 3],
                   [3.2, 0.6, 1.3], 1.0)
    w = yw * mw * months.fraction
    mi = rng.choice(len(w), size=n, p=w / w.sum())
    days = months.days[mi]
    day = rng.integers(0, days) + 1
    # In August most foundings fall in the fortnight before the 19th.
    aug = (months.month[mi] == FESTIVAL_MONTH) & (rng.random(n) < 0.65)
    day = np.where(aug, np.minimum(rng.integers(5, FESTIVAL_DAY + 1, n), days), day)
    return months.start[mi] + day - 1


def _generate_models(
    ctx: _Context, prof: _Profiles, months: _Months, until: date, scale: float, rng: np.random.Generator
) -> pd.DataFrame:
    until_ord = until.toordinal()
    # Names already used, per 2025 commune (folded keys). A record of a split legacy
    # commune also reserves its name in the commune taking most of the legacy area,
    # so that it stays unique even where an importer ignores the point.
    used_in: dict[str, set[str]] = {c.code: set() for c in ctx.communes}
    primary = ctx.registry.legacy["new_code"].to_dict()
    rows: list[dict[str, Any]] = []
    point_keys: list[tuple[int, str | None]] = []
    point_rows: list[int] = []
    for c in ctx.communes:
        if c.idx in prof.no_models:
            continue
        mult = (1.4 if c.urban else 1.0) * (1.5 if c.ez else 1.0)
        n_generic = int(rng.poisson(scale * MODELS_PER_10K * c.population / 1e4 * mult))
        specials: list[tuple[str, str, str]] = []
        if c.border:
            k = int(rng.poisson(3 * scale)) + (1 if scale >= 0.5 else 0)
            specials += [_BORDER_TEMPLATES[int(rng.random() < 0.3)] for _ in range(k)]
        if c.coastal:
            k = int(rng.poisson(4 * scale)) + (1 if scale >= 0.5 else 0)
            specials += [_COASTAL_TEMPLATES[int(rng.random() < 0.4)] for _ in range(k)]
        if c.ez:
            specials += [_EZ_TEMPLATE] * (int(rng.poisson(5 * scale)) + (1 if scale >= 0.5 else 0))
        allowed = [t for t in _MODEL_TEMPLATES
                   if t[0] not in prof.missing[c.idx] and (not t[4] or (t[4] == "coastal" and c.coastal))]
        w = np.array([t[3] * (2.0 if (c.urban and "Camera" in t[2]) else 1.0)
                      * (3.0 if (c.border and "ma túy" in t[2]) else 1.0) for t in allowed])
        picks = rng.choice(len(allowed), size=n_generic, p=w / w.sum()) if n_generic else []
        chosen = specials + [allowed[int(p)][:3] for p in picks]
        # Every kind the commune is meant to have appears at least once, so that the
        # kinds it lacks are exactly the ones in ``prof.missing``.
        for kind in domain.MODEL_KINDS_CORE:
            if kind not in prof.missing[c.idx] and all(t[0] != kind for t in chosen):
                options = [t for t in allowed if t[0] == kind]
                ow = np.array([t[3] for t in options])
                chosen.append(options[int(rng.choice(len(options), p=ow / ow.sum()))][:3])
        if not chosen:
            continue
        founded = _founding_ordinals(months, len(chosen), rng)
        order = np.argsort(founded, kind="stable")
        for j in order:
            kind, setting, template = chosen[int(j)]
            f_ord = int(founded[j])
            legacy_code = None
            unit = c.unit
            if date.fromordinal(f_ord) < domain.REFORM_DATE:
                legacy_code = _pick_member(c, rng)
                unit = ctx.legacy[legacy_code]
            villages = prof.villages(c.idx, legacy_code)
            scopes = [used_in[c.code]]
            if legacy_code is not None and primary[legacy_code] != c.code:
                scopes.append(used_in[primary[legacy_code]])
            name = ""
            for attempt in range(30):
                name = template.format(
                    kdc=_kdc(unit.type, villages[int(rng.integers(len(villages)))]), short=unit.short, lower=_unit_lower(unit),
                    n=int(rng.integers(1, 10 + attempt)), surname=_SURNAMES[int(rng.integers(0, len(_SURNAMES)))],
                    company=_company(rng, unit.short),
                )
                if all(key(name) not in used for used in scopes):
                    break
            base, k = name, 2
            while any(key(name) in used for used in scopes):
                name = f"{base} (số {k})"
                k += 1
            for used in scopes:
                used.add(key(name))

            status, dissolved, note = domain.STATUS_ACTIVE, None, None
            p_weak = prof.weak[c.idx]
            u = rng.random()
            if u < 0.05 and f_ord + 120 <= until_ord:
                status = domain.STATUS_DISSOLVED
                dissolved = date.fromordinal(int(rng.integers(f_ord + 120, until_ord + 1))).isoformat()
                note = ("Giải thể, sáp nhập vào tổ bảo vệ an ninh, trật tự ở cơ sở", "Giải thể do không còn duy trì sinh hoạt")[int(rng.integers(0, 2))]
                p_weak = min(0.8, p_weak * 3)
            elif u < 0.13:
                status = domain.STATUS_SUSPENDED
                note = ("Tạm dừng do thiếu kinh phí duy trì", "Tạm dừng để kiện toàn nhân sự")[int(rng.integers(0, 2))]
                p_weak = min(0.7, p_weak * 2.5)
            v = rng.random()
            if f_ord > until_ord - 60:
                assessment = None  # too recent to be assessed
            elif v < p_weak:
                assessment = domain.ASSESSMENT_WEAK
            elif v < p_weak + (1 - p_weak) * 0.6:
                assessment = domain.ASSESSMENT_EFFECTIVE
            else:
                assessment = domain.ASSESSMENT_AVERAGE
            f_date = date.fromordinal(f_ord)
            if note is None and f_date.month == FESTIVAL_MONTH and f_date.day <= FESTIVAL_DAY and rng.random() < 0.6:
                note = "Ra mắt dịp Ngày hội toàn dân bảo vệ an ninh Tổ quốc 19/8"
            lo, hi = _MEMBERS_RANGE[setting]
            rows.append({
                "ma_xa": unit.code, "ten_xa": unit.name, "huyen_cu": unit.district, "ten_mo_hinh": name,
                "loai_mo_hinh": kind, "noi_trien_khai": setting, "ngay_thanh_lap": f_date.isoformat(),
                "trang_thai": status, "ngay_giai_the": dissolved, "danh_gia": assessment,
                "so_thanh_vien": int(rng.integers(lo, hi + 1)), "vi_do": np.nan, "kinh_do": np.nan, "ghi_chu": note,
            })
            if (legacy_code is not None and legacy_code in ctx.legacy_split) or rng.random() < MODEL_POINT_SHARE:
                point_rows.append(len(rows) - 1)
                point_keys.append((c.idx, legacy_code))
    frame = pd.DataFrame(rows, columns=list(MODEL_COLUMNS))
    if point_rows:
        lat, lon = _place_points(ctx, point_keys, rng)
        frame.loc[point_rows, "vi_do"] = lat
        frame.loc[point_rows, "kinh_do"] = lon
    frame["so_thanh_vien"] = frame["so_thanh_vien"].astype("int64")
    frame["vi_do"] = frame["vi_do"].astype(float)
    frame["kinh_do"] = frame["kinh_do"].astype(float)
    frame = frame.sort_values(["ngay_thanh_lap", "ma_xa", "ten_mo_hinh"], kind="stable").reset_index(drop=True)
    return frame


# ----------------------------------------------------------------------------- incidents
def _field_probs(c: _Commune) -> np.ndarray:
    p = np.array([_FIELD_BASE[f] for f in _FIELDS])
    for flag, effect in (("border", c.border), ("coastal", c.coastal), ("ez", c.ez), ("urban", c.urban)):
        if effect:
            for f, m in _FIELD_EFFECT[flag].items():
                p[_F[f]] *= m
    return p / p.sum()


def _generate_incidents(
    ctx: _Context, prof: _Profiles, months: _Months, scale: float, rng: np.random.Generator
) -> pd.DataFrame:
    n_c, n_m = len(ctx.communes), len(months.year)
    pop = np.array([c.population for c in ctx.communes])
    base = pop / 1e4 * prof.activity
    base = base / base.sum() * INCIDENTS_PER_MONTH * scale

    t = (months.year - START_DATE.year) + (months.month - 1) / 12.0
    year_effect = {2020: 0.95, 2021: 0.9, 2022: 1.0, 2023: 1.05, 2024: 1.1, 2025: 1.05}
    trend = np.array([year_effect.get(int(y), 1.1) for y in months.year])
    trend = np.where((months.year == 2020) & (months.month == 4), 0.7, trend)  # April 2020 social distancing
    season = np.select([np.isin(months.month, (1, 2)), np.isin(months.month, (7, 8))], [1.15, 1.05], 1.0)
    slope = rng.normal(0.0, 0.12, n_c)
    lam = base[:, None] * trend[None, :] * season[None, :] * np.exp(slope[:, None] * (t[None, :] - t.mean()) / 3.5)
    lam = lam * months.fraction[None, :]
    for i in prof.rising:
        k = min(3, n_m)
        lam[i, n_m - k:] *= rng.uniform(1.8, 2.6)
    for i, (a, b) in prof.gaps.items():
        lam[i, a:b + 1] = 0.0
    counts = rng.poisson(lam)

    ci = np.repeat(np.repeat(np.arange(n_c), n_m), counts.ravel())
    mi = np.repeat(np.tile(np.arange(n_m), n_c), counts.ravel())
    n = len(ci)
    day = (rng.random(n) * months.days[mi]).astype(int)
    ords = months.start[mi] + day
    order = np.lexsort((ci, ords))
    ci, mi, ords = ci[order], mi[order], ords[order]
    pre = ords < domain.REFORM_DATE.toordinal()

    # Field and severity, by cumulative shares.
    fprobs = np.stack([_field_probs(c) for c in ctx.communes])
    fcum = np.cumsum(fprobs, axis=1)[ci]
    fi = np.minimum((rng.random(n)[:, None] > fcum).sum(axis=1), len(_FIELDS) - 1)
    scum = np.cumsum(np.array([_SEVERITY_BY_FIELD[f] for f in _FIELDS]), axis=1)[fi]
    si = np.minimum((rng.random(n)[:, None] > scum).sum(axis=1), len(_SEVERITIES) - 1)

    # Reporting unit: the legacy member before the reform, else the 2025 commune.
    legacy_of = np.full(n, "", dtype=object)
    for c in ctx.communes:
        sel = np.flatnonzero(pre & (ci == c.idx))
        if len(sel):
            w = np.array([m[1] for m in c.members])
            pick = rng.choice(len(c.members), size=len(sel), p=w / w.sum())
            legacy_of[sel] = np.array([m[0] for m in c.members], dtype=object)[pick]
    split = np.array([lc in ctx.legacy_split for lc in legacy_of])
    has_point = (rng.random(n) < INCIDENT_POINT_SHARE) | split
    pts = np.flatnonzero(has_point)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    if len(pts):
        keys = [(int(ci[p]), legacy_of[p] or None) for p in pts]
        lat[pts], lon[pts] = _place_points(ctx, keys, rng)

    # Descriptions, with a residential area for about half of them.
    tpick = rng.random(n)
    where = rng.random(n) < 0.5
    village = rng.random(n)
    codes, names, districts, texts = [], [], [], []
    for r in range(n):
        c = ctx.communes[ci[r]]
        unit = ctx.legacy[legacy_of[r]] if pre[r] else c.unit
        codes.append(unit.code)
        names.append(unit.name)
        districts.append(unit.district)
        f = _FIELDS[fi[r]]
        options = _INCIDENT_TEXT[f]
        if c.border and f in _BORDER_INCIDENT_TEXT:
            options = options + _BORDER_INCIDENT_TEXT[f] * 2
        text = options[int(tpick[r] * len(options))]
        if where[r]:
            pool = prof.villages(int(ci[r]), legacy_of[r] if pre[r] else None)
            text = f"{text}, {_kdc(unit.type, pool[int(village[r] * len(pool))])}"
        texts.append(text)

    years = np.array([date.fromordinal(int(o)).year for o in ords]) if n else np.empty(0, dtype=int)
    ids: list[str] = []
    seq: dict[int, int] = {}
    for y in years:
        seq[int(y)] = seq.get(int(y), 0) + 1
        ids.append(f"VV-{int(y)}-{seq[int(y)]:06d}")
    return pd.DataFrame({
        "ma_vu_viec": ids, "ngay": _iso(ords), "ma_xa": codes, "ten_xa": names, "huyen_cu": districts,
        "linh_vuc": [_FIELDS[i] for i in fi], "muc_do": [_SEVERITIES[i] for i in si],
        "vi_do": lat, "kinh_do": lon, "mo_ta": texts,
    }, columns=list(INCIDENT_COLUMNS))


# ----------------------------------------------------------------------------- recognitions
def _generate_recognitions(
    ctx: _Context, prof: _Profiles, until: date, rng: np.random.Generator
) -> pd.DataFrame:
    last_year = until.year if until >= date(until.year, 12, 31) else until.year - 1
    years = list(range(START_DATE.year, last_year + 1))
    if not years:
        return pd.DataFrame(columns=list(RECOGNITION_COLUMNS)).astype({"nam": "int64"})

    # A stable pool of enterprises per 2025 commune, each recognised from its first year on.
    enterprises: dict[int, list[tuple[str, str, int]]] = {}
    for c in ctx.communes:
        n_ent = int(rng.integers(5, 11)) if c.ez else int(rng.integers(2, 5)) if c.urban else int(rng.integers(0, 3))
        ents, seen = [], set()
        for _ in range(n_ent):
            lc = _pick_member(c, rng, plain=True)
            name = _company(rng, ctx.legacy[lc].short)
            if key(name) in seen:
                continue
            seen.add(key(name))
            ents.append((name, lc, int(rng.integers(START_DATE.year, START_DATE.year + 6))))
        enterprises[c.idx] = ents

    rows: list[tuple[Any, ...]] = []
    for y in years:
        legacy_year = y < domain.FIRST_RECOGNITION_YEAR_2025
        improve = 0.012 * (y - START_DATE.year)
        for c in ctx.communes:
            p_base = 0.86 + improve - 0.35 * (prof.weak[c.idx] - 0.08) - (0.05 if c.idx in prof.rising else 0.0)
            units: list[tuple[_Unit, str, str]] = []  # (reporting unit, type, name)
            if legacy_year:
                for lc, _ in c.members_plain:
                    u = ctx.legacy[lc]
                    units.append((u, "xã, phường, thị trấn", u.name))
                    units += [(u, "khu dân cư", _kdc_unit(u.type, v)) for v in prof.villages_legacy[lc]]
                    units.append((u, "cơ quan", f"Trạm Y tế {_unit_lower(u)}"))
                    units += [(u, "cơ sở giáo dục", f"Trường {s} {u.short}") for s in ("Mầm non", "Tiểu học", "THCS")]
                for name, lc, start in enterprises[c.idx]:
                    if y >= start:
                        units.append((ctx.legacy[lc], "doanh nghiệp", name))
            else:
                u = c.unit
                units.append((u, "xã, phường, thị trấn", u.name))
                units += [(u, "khu dân cư", _kdc_unit(u.type, v)) for v in prof.villages_2025[c.idx]]
                units.append((u, "cơ quan", f"Trạm Y tế {_unit_lower(u)}"))
                units.append((u, "cơ quan", f"Trung tâm Phục vụ hành chính công {_unit_lower(u)}"))
                for lc, _ in c.members_plain:
                    short = ctx.legacy[lc].short
                    units += [(u, "cơ sở giáo dục", f"Trường {s} {short}") for s in ("Mầm non", "Tiểu học", "THCS")]
                units += [(u, "doanh nghiệp", name) for name, _, start in enterprises[c.idx] if y >= start]
            passed = rng.random(len(units))
            for (u, kind, name), p in zip(units, passed):
                limit = p_base - (0.06 if kind == "xã, phường, thị trấn" else 0.0)
                result = domain.RESULT_PASSED if p < min(0.97, max(0.55, limit)) else domain.RESULT_FAILED
                rows.append((y, u.code, u.name, u.district, kind, name, result))
    frame = pd.DataFrame(rows, columns=list(RECOGNITION_COLUMNS))
    frame["nam"] = frame["nam"].astype("int64")
    return frame


# ----------------------------------------------------------------------------- entry point
def generate_demo(
    seed: int = 42,
    until: date | None = None,
    registry: Registry | None = None,
    scale: float = 1.0,
) -> dict[str, pd.DataFrame]:
    """Generate the demo datasets as canonical frames.

    Parameters
    ----------
    seed : int
        Seed of the random generator; the same seed (with the same ``until``,
        ``scale`` and registry) gives identical frames.
    until : date, optional
        Last day covered (records run from 2020-01-01). Default: the end of the
        current month, capped at today, so that no record is in the future. A
        later date is capped at today too.
    registry : Registry, optional
        Default :func:`loaders.geo.registry.load_registry`.
    scale : float
        Multiplies the number of models and incidents (1.0 gives about 1,000
        models and 30,000 incidents for 2020-2026). Recognitions do not scale:
        every unit is assessed every year.

    Returns
    -------
    dict of str to DataFrame
        ``"models"``, ``"incidents"`` and ``"recognitions"``, each with exactly
        the columns of :data:`COLUMNS`. Dates are ISO ``YYYY-MM-DD`` strings,
        codes 5-digit strings, counts integers, coordinates floats (NaN when
        absent), optional text ``None``.

    Raises
    ------
    ValueError
        If ``until`` is before 2020-01-01 or ``scale`` is negative.
    """
    if scale < 0:
        raise ValueError("scale must not be negative")
    until = _resolve_until(until)
    registry = registry or load_registry()
    ctx = _build_context(registry)
    rng = np.random.default_rng(seed)
    months = _months(until)
    prof = _profiles(ctx, rng, len(months.year))
    models = _generate_models(ctx, prof, months, until, scale, rng)
    incidents = _generate_incidents(ctx, prof, months, scale, rng)
    recognitions = _generate_recognitions(ctx, prof, until, rng)
    return {"models": models, "incidents": incidents, "recognitions": recognitions}


def demo_until(today: date | None = None) -> date:
    """The ``until`` that :func:`generate_demo` uses by default (today; never a future date)."""
    today = today or date.today()
    return min(today, date(today.year, today.month, calendar.monthrange(today.year, today.month)[1]))


__all__ = ["COLUMNS", "MODEL_COLUMNS", "INCIDENT_COLUMNS", "RECOGNITION_COLUMNS", "START_DATE",
           "generate_demo", "demo_until"]

