"""The commune registry: the one module that knows Hà Tĩnh's units.

It owns the boundary file names, their columns, GSO code normalisation, the CRS,
both vintages (69 communes since 2025-07-01; 209 legacy communes in 12 former
districts), the pre-2020 names, the crosswalks in both directions, the strategic
flags and name resolution. Nothing else hard-codes a code, a name or a column.

The registry is built from the installed boundary layers (``geodata/``). When
they are missing it falls back to the national registry shipped in the PyPI
package ``vietnamadminunits`` (MIT), so that the app still starts and can show
communes as points.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from loaders.core import domain
from loaders.core import settings
from loaders.core.textnorm import COMMUNE_PREFIXES, DISTRICT_PREFIXES, fold, key, split_unit_prefix

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

STATUS_RESOLVED = "resolved"
STATUS_AMBIGUOUS = "ambiguous"
STATUS_NOT_FOUND = "not_found"

# Relations in ha_tinh_legacy_to_2025.csv. Only "whole" converts without doubt.
RELATION_WHOLE = "whole"
RELATION_AREA_PART = "area_part"
RELATION_WHOLE_AREA_POP_SPLIT = "whole_area_population_split"
RELATION_POPULATION_ONLY = "population_only"

_TYPE_PREFIX = {"Xã": "x", "Phường": "p", "Thị trấn": "tt", "Huyện": "h", "Thị xã": "tx", "Thành phố": "tp"}
_ALIAS_PREFIXES = (("thitran", "tt"), ("phuong", "p"), ("xa", "x"))


class RegistryError(Exception):
    """The registry's sources are missing or inconsistent."""


def normalise_code(value: object) -> str | None:
    """Return a GSO commune code as a 5-digit string, or ``None`` if it is not one.

    Spreadsheets turn "08" into 8 and codes into floats, so "18073.0" and
    18073 both give "18073".
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    if not text.isdigit() or len(text) > 5:
        return None
    return text.zfill(5)


def vintage_for_date(on: date | datetime | None) -> str | None:
    """The vintage a record dated ``on`` uses: legacy before 2025-07-01, else 2025."""
    if on is None or (isinstance(on, float) and on != on) or pd.isna(on):
        return None
    if isinstance(on, datetime):
        on = on.date()
    return domain.VINTAGE_LEGACY if on < domain.REFORM_DATE else domain.VINTAGE_2025


def vintage_codes_for_dates(dates: pd.Series) -> np.ndarray:
    """:func:`vintage_for_date` for a whole column, as codes into :data:`VINTAGE_BY_CODE`.

    Returns
    -------
    np.ndarray
        0 for no (or an unreadable) date, 1 for legacy, 2 for the 2025 units.
    """
    when = pd.to_datetime(dates, errors="coerce")
    legacy = (when < pd.Timestamp(domain.REFORM_DATE)).to_numpy()
    return np.where(when.isna().to_numpy(), 0, np.where(legacy, 1, 2))


#: The vintage of each code of :func:`vintage_codes_for_dates`.
VINTAGE_BY_CODE: tuple[str | None, ...] = (None, domain.VINTAGE_LEGACY, domain.VINTAGE_2025)


def vintages_for_dates(dates: pd.Series) -> pd.Series:
    """:func:`vintage_for_date` for a whole column: legacy, 2025, or missing (``None``) for no date.

    Parameters
    ----------
    dates : pd.Series
        Dates, datetimes or text pandas can read as dates (unreadable values count as missing).
    """
    codes = vintage_codes_for_dates(dates)
    return pd.Series(np.array(VINTAGE_BY_CODE, dtype=object)[codes], index=dates.index, dtype=object)


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one commune reference.

    ``code``/``name`` are the 2025 commune; ``legacy_*`` the legacy unit when the
    reference used legacy (or pre-2020) units. ``split`` marks a legacy commune
    whose area or population went to several 2025 communes: ``code`` is then
    the commune that took (most of) its area and ``candidates`` lists all.
    """

    input: str
    status: str
    vintage: str | None = None
    legacy_code: str | None = None
    legacy_name: str | None = None
    district_code: str | None = None
    district_name: str | None = None
    code: str | None = None
    name: str | None = None
    candidates: tuple[dict[str, Any], ...] = ()
    split: bool = False
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output (candidates as a list of dicts)."""
        return {
            "input": self.input,
            "status": self.status,
            "vintage": self.vintage,
            "legacy_code": self.legacy_code,
            "legacy_name": self.legacy_name,
            "district_code": self.district_code,
            "district_name": self.district_name,
            "code": self.code,
            "name": self.name,
            "split": self.split,
            "candidates": [dict(c) for c in self.candidates],
            "message": self.message,
        }


@dataclass(frozen=True)
class _Entry:
    """One way to name a unit: a name key in a vintage, pointing at a legacy or 2025 unit."""

    name_key: str
    prefix: str | None
    tier: str  # "2025", "legacy", "alias" (2020-2024 former names), "pre2020"
    code_2025: str | None  # set for 2025 entries
    legacy_code: str | None  # set for legacy/alias/pre2020 entries
    districts: frozenset[tuple[str | None, str]]  # (prefix, key) of the former district(s)
    label: str
    exact: str = ""  # the name with its diacritics, to tell "Thạch Hạ" from "Thạch Hà"


@dataclass
class Registry:
    """Both vintages of Hà Tĩnh's communes, the crosswalks and the focus-area flags.

    Attributes
    ----------
    communes : pd.DataFrame
        69 rows indexed by ``code`` (2025): ``name, name_short, type, population,
        area_km2, label_lat, label_lon, legacy_codes (tuple), district_codes (tuple
        of former districts), borders_laos, coastal, economic_zones (tuple of zone
        ids), major_project (bool)``.
    legacy : pd.DataFrame
        209 rows indexed by ``code``: ``name, name_short, type, district_code,
        district_name, new_code`` (the 2025 commune taking its area),
        ``new_codes`` (tuple, all related), ``split`` (bool), ``label_lat,
        label_lon, borders_laos, coastal, economic_zones``.
    districts : pd.DataFrame
        12 rows indexed by ``district_code``: ``name, name_short, type``.
    crosswalk : pd.DataFrame
        One row per (legacy, 2025) pair: ``legacy_code, new_code, relation, area_share``.
    pre2020 : pd.DataFrame
        ``pre2020_code, pre2020_name, pre2020_district, legacy_code`` (empty without geodata).
    focus : dict
        The parsed focus-area file (economic zones, major projects, editable lists).
    has_boundaries : bool
        Whether the boundary layers are installed (else communes are points only).
    """

    communes: pd.DataFrame
    legacy: pd.DataFrame
    districts: pd.DataFrame
    crosswalk: pd.DataFrame
    pre2020: pd.DataFrame
    focus: dict[str, Any]
    has_boundaries: bool
    aliases: pd.DataFrame = field(default_factory=pd.DataFrame)

    # ------------------------------------------------------------------ lookups
    def commune_name(self, code: str) -> str:
        """Full name of a 2025 commune."""
        return str(self.communes.at[code, "name"])

    def to_2025(self, legacy_code: str) -> str | None:
        """The 2025 commune that took the legacy commune's area, or ``None`` if unknown."""
        code = normalise_code(legacy_code)
        if code is None or code not in self.legacy.index:
            return None
        return str(self.legacy.at[code, "new_code"])

    def legacy_members(self, code_2025: str) -> list[str]:
        """Legacy communes whose area lies (wholly or partly) in a 2025 commune."""
        rows = self.crosswalk[
            (self.crosswalk["new_code"] == code_2025) & (self.crosswalk["relation"] != RELATION_POPULATION_ONLY)
        ]
        return rows["legacy_code"].tolist()

    def communes_in_districts(self, district_codes: Iterable[str]) -> list[str]:
        """2025 communes formed from the given former districts' legacy communes."""
        wanted = set(district_codes)
        mask = self.communes["district_codes"].map(lambda ds: bool(wanted.intersection(ds)))
        return self.communes.index[mask].tolist()

    def focus_codes(self, area: str, vintage: str = domain.VINTAGE_2025) -> set[str]:
        """Codes of the communes in a focus area (``domain.FOCUS_*``) for a vintage."""
        table = self.communes if vintage == domain.VINTAGE_2025 else self.legacy
        if area == domain.FOCUS_ALL:
            return set(table.index)
        if area == domain.FOCUS_BORDER:
            return set(table.index[table["borders_laos"]])
        if area == domain.FOCUS_COASTAL:
            return set(table.index[table["coastal"]])
        if area == domain.FOCUS_ECONOMIC_ZONE:
            return set(table.index[table["economic_zones"].map(bool)])
        if area == domain.FOCUS_MAJOR_PROJECT:
            return set(table.index[table["major_project"]])
        raise ValueError(f"unknown focus area {area!r}")

    def focus_class(self) -> pd.Series:
        """One focus class per 2025 commune for side-by-side comparisons.

        A commune in several areas counts in the first that applies, in the
        order border, economic zone / major project, coastal, other, so that
        the classes partition the province.
        """
        c = self.communes
        out = pd.Series("other", index=c.index, name="focus_class")
        out[c["coastal"]] = domain.FOCUS_COASTAL
        out[c["economic_zones"].map(bool) | c["major_project"]] = domain.FOCUS_ECONOMIC_ZONE
        out[c["borders_laos"]] = domain.FOCUS_BORDER
        return out

    def major_project_sites(self) -> pd.DataFrame:
        """Economic zones and major projects as points, for map markers.

        Returns
        -------
        pd.DataFrame
            ``id, name, kind, lat, lon, source, communes_2025``. Sites without
            verified coordinates are placed at their first commune's label point.
        """
        rows = []
        for site in [*self.focus["economic_zones"], *self.focus["major_projects"]]:
            codes = list(site["communes_2025"])
            lat, lon = site.get("lat"), site.get("lon")
            if (lat is None or lon is None) and codes:
                lat, lon = self.communes.at[codes[0], "label_lat"], self.communes.at[codes[0], "label_lon"]
            rows.append({"id": site["id"], "name": site["name"], "kind": site["kind"], "lat": lat, "lon": lon,
                         "source": site["source"], "communes_2025": tuple(codes)})
        return pd.DataFrame(rows, columns=["id", "name", "kind", "lat", "lon", "source", "communes_2025"])

    # --------------------------------------------------------------- resolution
    @cached_property
    def _entries(self) -> dict[str, list[_Entry]]:
        index: dict[str, list[_Entry]] = {}

        def add(entry: _Entry) -> None:
            index.setdefault(entry.name_key, []).append(entry)

        legacy_districts: dict[str, set[tuple[str | None, str]]] = {}
        for code, row in self.legacy.iterrows():
            d_prefix = _TYPE_PREFIX.get(row["district_type"])
            d_key = key(row["district_name_short"])
            legacy_districts.setdefault(code, set()).add((d_prefix, d_key))
        # Pre-2020 district names (e.g. Lộc Hà, merged into Thạch Hà in 2025) still
        # appear in old reports, so they also select the legacy units they became.
        for _, row in self.pre2020.iterrows():
            legacy_districts.setdefault(row["legacy_code"], set()).add(_parse_district(row["pre2020_district"]))

        for code, row in self.communes.iterrows():
            districts = frozenset(
                d for lc in row["legacy_codes"] for d in legacy_districts.get(lc, ())
            )
            add(_Entry(key(row["name_short"]), _TYPE_PREFIX.get(row["type"]), domain.VINTAGE_2025,
                       code, None, districts, row["name"], _exact(row["name_short"])))
        for code, row in self.legacy.iterrows():
            add(_Entry(key(row["name_short"]), _TYPE_PREFIX.get(row["type"]), domain.VINTAGE_LEGACY,
                       None, code, frozenset(legacy_districts.get(code, ())), row["name"], _exact(row["name_short"])))
        for _, row in self.aliases.iterrows():
            add(_Entry(row["alias_key"], row["alias_prefix"], "alias", None, row["legacy_code"],
                       frozenset(legacy_districts.get(row["legacy_code"], ())), row["alias_label"]))
        for _, row in self.pre2020.iterrows():
            districts = frozenset(legacy_districts.get(row["legacy_code"], set()) | {_parse_district(row["pre2020_district"])})
            add(_Entry(key(row["pre2020_name"]), None, domain.VINTAGE_PRE2020, None, row["legacy_code"],
                       districts, f"{row['pre2020_name']} ({row['pre2020_district']}, trước 2020)",
                       _exact(row["pre2020_name"])))
        return index

    def resolve(
        self,
        query: str | None = None,
        *,
        code: object = None,
        name: object = None,
        district: object = None,
        on: date | datetime | None = None,
        vintage: str | None = None,
    ) -> Resolution:
        """Resolve a commune reference to its 2025 commune (and legacy unit).

        Parameters
        ----------
        query : str, optional
            Free text: a code, a name, or "name, district" (e.g. "Xã Kỳ Tân,
            Huyện Kỳ Anh"). Used when ``code``/``name`` are not given.
        code, name, district : object, optional
            Structured fields as they appear in a report. A valid code wins over
            the name.
        on : date, optional
            The record's date; before 2025-07-01 the record uses legacy units.
        vintage : {"2025", "legacy"}, optional
            An explicit vintage; overrides ``on``.

        Returns
        -------
        Resolution
            ``status`` is "resolved", "ambiguous" (with ``candidates``) or
            "not_found". It never guesses between different 2025 communes.
        """
        label = query if query is not None else ", ".join(str(v) for v in (code, name, district) if _present(v))
        if query is not None and code is None and name is None:
            code, name, district = _parse_query(query)
        wanted = vintage or vintage_for_date(on)
        norm_code = normalise_code(code)
        if norm_code is not None:
            by_code = self._resolve_code(norm_code, wanted, label)
            if by_code is not None:
                return by_code
        if not _present(name):
            if norm_code is not None or _present(code):
                return Resolution(label, STATUS_NOT_FOUND, message=f"Mã xã '{code}' không có trong danh mục của tỉnh Hà Tĩnh")
            return Resolution(label, STATUS_NOT_FOUND, message="Thiếu mã xã và tên xã")
        return self._resolve_name(str(name), district, wanted, label)

    def resolve_frame(
        self,
        codes: Sequence[object] | None,
        names: Sequence[object] | None,
        districts: Sequence[object] | None,
        on: Sequence[object] | None = None,
        vintage: str | Sequence[str | None] | None = None,
    ) -> pd.DataFrame:
        """Resolve many references at once; each distinct combination is resolved once.

        Parameters
        ----------
        codes, names, districts : sequence or None
            Aligned columns (``None`` for a column the file lacks).
        on : sequence of dates, optional
            Per-row dates deciding the vintage.
        vintage : str or sequence, optional
            One vintage for all rows or one per row; overrides ``on``.

        Returns
        -------
        pd.DataFrame
            Same length and order as the input: ``status, vintage, code, name,
            legacy_code, legacy_name, district_code, district_name, split,
            candidates`` ("; "-joined labels), ``message``.
        """
        lengths = [len(s) for s in (codes, names, districts, on) if s is not None]
        n = lengths[0] if lengths else 0
        frame = pd.DataFrame(
            {
                "code": _as_column(codes, n),
                "name": _as_column(names, n),
                "district": _as_column(districts, n),
            }
        )
        if isinstance(vintage, str) or vintage is None:
            if vintage is None and on is not None:
                frame["vintage"] = vintages_for_dates(pd.Series(list(on), index=frame.index)).to_numpy()
            else:
                frame["vintage"] = vintage
        else:
            frame["vintage"] = list(vintage)
        frame = frame.astype(object).where(frame.notna(), None)
        keys = list(zip(frame["code"], frame["name"], frame["district"], frame["vintage"]))
        memo: dict[tuple, dict[str, Any]] = {}
        for k in set(keys):
            res = self.resolve(code=k[0], name=k[1], district=k[2], vintage=k[3])
            memo[k] = _flat(res)
        return pd.DataFrame([memo[k] for k in keys], columns=_FLAT_COLUMNS)

    def _resolve_code(self, code: str, wanted: str | None, label: str) -> Resolution | None:
        in_2025 = code in self.communes.index
        in_legacy = code in self.legacy.index
        # Codes are reused: every 2025 commune kept a predecessor's code, so on a
        # record of the 2025 vintage (or without a date) the code means the new
        # commune; only a legacy-dated record means the old unit.
        if in_2025 and wanted != domain.VINTAGE_LEGACY:
            row = self.communes.loc[code]
            return Resolution(label, STATUS_RESOLVED, domain.VINTAGE_2025, code=code, name=row["name"],
                              candidates=({"code": code, "name": row["name"], "vintage": domain.VINTAGE_2025},))
        if in_legacy:
            return self._legacy_resolution(code, label, domain.VINTAGE_LEGACY)
        pre = self.pre2020[self.pre2020["pre2020_code"] == code]
        if len(pre):
            return self._legacy_resolution(str(pre.iloc[0]["legacy_code"]), label, domain.VINTAGE_PRE2020)
        return None

    def _legacy_resolution(self, legacy_code: str, label: str, vintage: str) -> Resolution:
        row = self.legacy.loc[legacy_code]
        new_code = str(row["new_code"])
        split = bool(row["split"])
        candidates = tuple(
            {"code": c, "name": self.commune_name(c), "vintage": domain.VINTAGE_2025} for c in row["new_codes"]
        )
        message = None
        if split:
            message = (f"{row['name']} ({row['district_name']}) được chia cho nhiều xã mới: "
                       + ", ".join(c["name"] for c in candidates)
                       + f"; mặc định theo diện tích: {self.commune_name(new_code)}. Dùng tọa độ để xác định chính xác.")
        return Resolution(
            label, STATUS_RESOLVED, vintage, legacy_code=legacy_code, legacy_name=row["name"],
            district_code=row["district_code"], district_name=row["district_name"],
            code=new_code, name=self.commune_name(new_code), candidates=candidates, split=split, message=message,
        )

    def _resolve_name(self, name: str, district: object, wanted: str | None, label: str) -> Resolution:
        prefix, name_key = split_unit_prefix(name)
        if prefix in DISTRICT_PREFIXES:
            return Resolution(label, STATUS_NOT_FOUND,
                              message=f"'{name}' là tên huyện, không phải tên xã/phường")
        entries = [e for e in self._entries.get(name_key, []) if prefix is None or e.prefix in (None, prefix)]
        if _present(district):
            d = _parse_district(district)
            in_district = [e for e in entries if _district_matches(d, e.districts)]
            if not in_district:
                return Resolution(label, STATUS_NOT_FOUND,
                                  message=f"Không tìm thấy xã/phường '{name}' thuộc huyện cũ '{district}'")
            entries = in_district
            # A former district alongside the name is how legacy reports write
            # addresses, so prefer legacy readings when no date says otherwise.
            wanted = wanted or domain.VINTAGE_LEGACY
        if not entries:
            return Resolution(label, STATUS_NOT_FOUND, message=f"Không tìm thấy xã/phường '{name}' ở tỉnh Hà Tĩnh")
        # Folding drops tone marks, which merges a few distinct names (Thạch Hạ /
        # Thạch Hà); a name written with its exact diacritics picks its own unit.
        exact = _exact(_strip_prefix(name))
        if any(e.exact == exact for e in entries):
            entries = [e for e in entries if e.exact == exact]
        for tier in _tier_order(wanted):
            chosen = [e for e in entries if e.tier in tier]
            if chosen:
                break
        resolutions = []
        for e in chosen:
            if e.code_2025 is not None:
                row = self.communes.loc[e.code_2025]
                resolutions.append(Resolution(label, STATUS_RESOLVED, domain.VINTAGE_2025, code=e.code_2025,
                                              name=row["name"]))
            else:
                vint = domain.VINTAGE_PRE2020 if e.tier == domain.VINTAGE_PRE2020 else domain.VINTAGE_LEGACY
                resolutions.append(self._legacy_resolution(e.legacy_code, label, vint))
        targets = {r.code for r in resolutions}
        if len(targets) == 1:
            # Same 2025 commune whichever reading is meant (e.g. Sơn Kim 1 in both
            # vintages: prefer the reading in the wanted vintage (the current one when
            # nothing says), so that the legacy view places legacy-dated records.
            legacy_reading = [r for r in resolutions if r.legacy_code]
            current_reading = [r for r in resolutions if r.vintage == domain.VINTAGE_2025]
            if wanted in (domain.VINTAGE_LEGACY, domain.VINTAGE_PRE2020) and legacy_reading:
                return legacy_reading[0]
            return (current_reading or resolutions)[0]
        candidates = tuple(
            {
                "vintage": r.vintage,
                "legacy_code": r.legacy_code,
                "legacy_name": r.legacy_name,
                "district_name": r.district_name,
                "code": r.code,
                "name": r.name,
            }
            for r in resolutions
        )
        described = "; ".join(_describe(c) for c in candidates)
        return Resolution(label, STATUS_AMBIGUOUS, candidates=candidates,
                          message=f"Tên '{name}' không rõ ràng, có thể là: {described}. "
                                  "Hãy ghi mã xã, huyện cũ hoặc ngày để phân biệt.")


# ---------------------------------------------------------------------- helpers
_FLAT_COLUMNS = ["status", "vintage", "code", "name", "legacy_code", "legacy_name", "district_code",
                 "district_name", "split", "candidates", "message"]


def _flat(res: Resolution) -> dict[str, Any]:
    out = {k: getattr(res, k) for k in _FLAT_COLUMNS if k != "candidates"}
    out["candidates"] = "; ".join(_describe(c) for c in res.candidates) if res.status == STATUS_AMBIGUOUS or res.split else ""
    return out


def _describe(c: dict[str, Any]) -> str:
    if c.get("legacy_code"):
        return f"{c['legacy_name']} ({c.get('district_name')}, mã {c['legacy_code']}) → {c['name']} (mã {c['code']})"
    return f"{c['name']} (mã {c['code']}, đơn vị từ 01/07/2025)"


def _exact(text: object) -> str:
    return unicodedata.normalize("NFC", " ".join(str(text).split())).lower()


def _strip_prefix(name: str) -> str:
    words = re.sub(r"[.\-_,;:/()]+", " ", str(name)).split()
    prefix, _ = split_unit_prefix(name)
    if prefix is None:
        return " ".join(words)
    n_words = {"x": 1, "p": 1, "tt": 2, "h": 1, "tx": 2, "tp": 2}[prefix]
    first = fold(words[0])
    # Abbreviated prefixes ("X.", "TT", "TP") are one word.
    if first in {"x", "p", "tt", "tx", "tp", "h"}:
        n_words = 1
    return " ".join(words[n_words:])


def _as_column(values: Sequence[object] | None, n: int) -> list[object]:
    if values is None:
        return [None] * n
    return list(values)


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and value != value:
        return False
    try:
        if pd.isna(value):
            return False
    except (TypeError, ValueError):
        pass
    return bool(str(value).strip())


def _tier_order(wanted: str | None) -> list[set[str]]:
    if wanted == domain.VINTAGE_2025:
        return [{domain.VINTAGE_2025}, {domain.VINTAGE_LEGACY, "alias"}, {domain.VINTAGE_PRE2020}]
    if wanted in (domain.VINTAGE_LEGACY, domain.VINTAGE_PRE2020):
        return [{domain.VINTAGE_LEGACY}, {"alias"}, {domain.VINTAGE_PRE2020}, {domain.VINTAGE_2025}]
    # Nothing says which vintage: both current readings compete, so a name used
    # in both for different communes is reported as ambiguous.
    return [{domain.VINTAGE_2025, domain.VINTAGE_LEGACY}, {"alias"}, {domain.VINTAGE_PRE2020}]


def _parse_district(value: object) -> tuple[str | None, str]:
    text = fold(value)
    # The pre-2020 list writes "Kỳ Anh(Thịxã)" for the town.
    m = re.fullmatch(r"(.*?)\s*\((thi ?xa|huyen|thanh ?pho)\)", text)
    if m:
        kind = {"thixa": "tx", "huyen": "h", "thanhpho": "tp"}[m.group(2).replace(" ", "")]
        return kind, key(m.group(1))
    prefix, rest = split_unit_prefix(text)
    if prefix in COMMUNE_PREFIXES:  # "Xã Can Lộc" is never a district
        return None, key(text)
    return prefix, rest


def _district_matches(given: tuple[str | None, str], candidates: frozenset[tuple[str | None, str]]) -> bool:
    g_prefix, g_key = given
    for prefix, k in candidates:
        if k == g_key and (g_prefix is None or prefix is None or prefix == g_prefix):
            return True
    return False


def _parse_query(query: str) -> tuple[str | None, str | None, str | None]:
    parts = [p.strip() for p in str(query).split(",") if p.strip()]
    # Drop the province part users append ("..., tỉnh Hà Tĩnh").
    parts = [p for p in parts if not fold(p).startswith("tinh ")]
    if not parts:
        return None, None, None
    if len(parts) == 1 and normalise_code(parts[0]) is not None:
        return parts[0], None, None
    return None, parts[0], (parts[1] if len(parts) > 1 else None)


# ----------------------------------------------------------------------- loading
def _read_features(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [f["properties"] for f in json.load(fh)["features"]]


def _codes(text: object) -> tuple[str, ...]:
    if not _present(text):
        return ()
    return tuple(c for c in (normalise_code(p) for p in str(text).split(";")) if c)


def load_focus_areas(geodata_dir: Path | None = None) -> dict[str, Any]:
    """Read the project's own focus-area definitions (``geodata/focus_areas.json``).

    Returns
    -------
    dict
        Keys ``border_laos`` and ``coastal`` (``{"2025": [codes], "legacy": [codes]}``),
        ``economic_zones`` and ``major_projects`` (lists of dicts with ``id, name,
        kind, communes_2025, legacy_communes, lat, lon, source``).
    """
    path = (geodata_dir or settings.geodata_dir()) / FOCUS_AREAS_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RegistryError(f"Thiếu tệp định nghĩa địa bàn trọng điểm: {path}") from exc


def boundaries_present(geodata_dir: Path | None = None) -> bool:
    """Whether every installed boundary file the registry reads exists."""
    base = geodata_dir or settings.geodata_dir()
    return all((base / LAYER_FILES[r]).exists() for r in ("communes_2025", "communes_legacy", "legacy_to_2025", "pre2020_to_legacy"))


def load_registry(geodata_dir: Path | None = None) -> Registry:
    """Build the registry from the installed layers, or from ``vietnamadminunits`` without them.

    Parameters
    ----------
    geodata_dir : Path, optional
        Defaults to :func:`loaders.core.settings.geodata_dir`.

    Raises
    ------
    RegistryError
        When the sources do not give 69 / 209 / 12 units or the focus file is missing.
    """
    base = geodata_dir or settings.geodata_dir()
    focus = load_focus_areas(base)
    if boundaries_present(base):
        parts = _from_geodata(base)
        has_boundaries = True
    else:
        parts = _from_package()
        has_boundaries = False
    communes, legacy, districts, crosswalk, pre2020, aliases = parts
    _apply_focus(communes, legacy, focus)
    registry = Registry(communes, legacy, districts, crosswalk, pre2020, focus, has_boundaries, aliases)
    _check_counts(registry)
    return registry


def _from_geodata(base: Path):
    props_2025 = pd.DataFrame(_read_features(base / LAYER_FILES["communes_2025"]))
    props_legacy = pd.DataFrame(_read_features(base / LAYER_FILES["communes_legacy"]))
    cross = pd.read_csv(base / LAYER_FILES["legacy_to_2025"], dtype=str, keep_default_na=False)
    pre = pd.read_csv(base / LAYER_FILES["pre2020_to_legacy"], dtype=str, keep_default_na=False)

    crosswalk = pd.DataFrame({
        "legacy_code": cross["legacy_code"].map(normalise_code),
        "new_code": cross["new_code"].map(normalise_code),
        "relation": cross["relation"],
        "area_share": pd.to_numeric(cross["legacy_area_share"], errors="coerce"),
    })
    legacy = pd.DataFrame({
        "code": props_legacy["gso_code"].map(normalise_code),
        "name": props_legacy["name"],
        "name_short": props_legacy["name_short"],
        "type": props_legacy["type"],
        "district_code": props_legacy["district_code"].astype(str),
        "district_name": props_legacy["district_name"],
        "district_type": props_legacy["district_type"],
        "label_lat": props_legacy["label_lat"].astype(float),
        "label_lon": props_legacy["label_lon"].astype(float),
    }).set_index("code")
    legacy["district_name_short"] = [
        n[len(t):].strip() for n, t in zip(legacy["district_name"], legacy["district_type"])
    ]
    _attach_crosswalk(legacy, crosswalk)

    communes = pd.DataFrame({
        "code": props_2025["gso_code"].map(normalise_code),
        "name": props_2025["name"],
        "name_short": props_2025["name_short"],
        "type": props_2025["type"],
        "population": pd.to_numeric(props_2025["population_sapnhap"], errors="coerce"),
        "area_km2": props_2025["area_km2"].astype(float),
        "label_lat": props_2025["label_lat"].astype(float),
        "label_lon": props_2025["label_lon"].astype(float),
    }).set_index("code")
    _attach_members(communes, legacy, crosswalk)

    districts = _districts_from(legacy)
    pre2020 = pd.DataFrame({
        "pre2020_code": pre["pre2020_gso_code"].map(normalise_code),
        "pre2020_name": pre["pre2020_name"],
        "pre2020_district": pre["pre2020_district"],
        "legacy_code": pre["legacy_code"].map(normalise_code),
    })
    return communes, legacy, districts, crosswalk, pre2020, _aliases_from_package()


def _package_db() -> Path:
    # Locate the package's data without importing it: its import loads parsers
    # and data we do not use (over a second at every CLI start).
    import importlib.util

    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RegistryError("Thiếu gói vietnamadminunits (cài bằng requirements.txt)")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def _aliases_from_package() -> pd.DataFrame:
    """Former names of 2020-2024 (``wardAlias``) for the legacy units, from vietnamadminunits."""
    rows = []
    with sqlite3.connect(_package_db() / "dataset.db") as con:
        for ward_code, alias_json in con.execute(
            "select wardCode, wardAlias from admin_units_legacy where provinceCode=? and wardAlias is not null",
            (PROVINCE_CODE,),
        ):
            for alias in json.loads(alias_json):
                for long_prefix, short in _ALIAS_PREFIXES:
                    if alias.startswith(long_prefix) and len(alias) > len(long_prefix):
                        rows.append({"legacy_code": normalise_code(ward_code), "alias_key": alias[len(long_prefix):],
                                     "alias_prefix": short, "alias_label": alias})
                        break
    return pd.DataFrame(rows, columns=["legacy_code", "alias_key", "alias_prefix", "alias_label"])


def _from_package():
    """Fallback registry from vietnamadminunits (no population, points only)."""
    with sqlite3.connect(_package_db() / "dataset.db") as con:
        new = pd.read_sql_query(
            "select wardCode, ward, wardShort, wardType, wardLat, wardLon, wardAreaKm2, wardKey "
            "from admin_units where provinceCode=?", con, params=(PROVINCE_CODE,))
        old = pd.read_sql_query(
            "select wardCode, ward, wardShort, wardType, wardLat, wardLon, districtCode, district, districtShort, "
            "districtType, wardKey, districtKey from admin_units_legacy where provinceCode=?", con,
            params=(PROVINCE_CODE,))
    conv = json.loads((_package_db() / "converter_2025.json").read_text(encoding="utf-8"))
    key_to_new = dict(zip(new["wardKey"], new["wardCode"].map(normalise_code)))
    old_key = {f"tinhhatinh_{d}_{w}": normalise_code(c) for d, w, c in zip(old["districtKey"], old["wardKey"], old["wardCode"])}
    rows = []
    for new_key, olds in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].get("tinhhatinh", {}).items():
        for ok in olds:
            if ok in old_key:
                rows.append((old_key[ok], key_to_new[new_key], RELATION_WHOLE, 1.0))
    for ok, news in conv["DICT_PROVINCE_WARD_DIVIDED"].get("tinhhatinh", {}).items():
        for n in news:
            rel = RELATION_AREA_PART if n["isDefaultNewWard"] else RELATION_POPULATION_ONLY
            rows.append((old_key[ok], key_to_new[n["newWardKey"]], rel, 1.0 if n["isDefaultNewWard"] else 0.0))
    crosswalk = pd.DataFrame(rows, columns=["legacy_code", "new_code", "relation", "area_share"])
    legacy = pd.DataFrame({
        "code": old["wardCode"].map(normalise_code), "name": old["ward"], "name_short": old["wardShort"],
        "type": old["wardType"], "district_code": old["districtCode"].astype(str), "district_name": old["district"],
        "district_type": old["districtType"], "label_lat": old["wardLat"], "label_lon": old["wardLon"],
        # The package writes "Kỳ Anh (Huyện)" to tell the district from the town.
        "district_name_short": old["districtShort"].str.replace(r"\s*\(.*\)$", "", regex=True),
    }).set_index("code")
    _attach_crosswalk(legacy, crosswalk)
    communes = pd.DataFrame({
        "code": new["wardCode"].map(normalise_code), "name": new["ward"], "name_short": new["wardShort"],
        "type": new["wardType"], "population": float("nan"), "area_km2": new["wardAreaKm2"],
        "label_lat": new["wardLat"], "label_lon": new["wardLon"],
    }).set_index("code")
    _attach_members(communes, legacy, crosswalk)
    pre2020 = pd.DataFrame(columns=["pre2020_code", "pre2020_name", "pre2020_district", "legacy_code"])
    return communes, legacy, _districts_from(legacy), crosswalk, pre2020, _aliases_from_package()


def _attach_crosswalk(legacy: pd.DataFrame, crosswalk: pd.DataFrame) -> None:
    area = crosswalk[crosswalk["relation"] != RELATION_POPULATION_ONLY].sort_values("area_share", ascending=False)
    primary = area.drop_duplicates("legacy_code").set_index("legacy_code")["new_code"]
    legacy["new_code"] = primary.reindex(legacy.index)
    groups = crosswalk.groupby("legacy_code")["new_code"].agg(lambda s: tuple(sorted(set(s))))
    legacy["new_codes"] = groups.reindex(legacy.index)
    split = crosswalk.groupby("legacy_code")["relation"].agg(lambda s: any(r != RELATION_WHOLE for r in s))
    legacy["split"] = split.reindex(legacy.index).fillna(False).astype(bool)
    if legacy["new_code"].isna().any():
        missing = legacy.index[legacy["new_code"].isna()].tolist()
        raise RegistryError(f"Xã cũ không có xã mới tương ứng trong bảng chuyển đổi: {missing}")


def _attach_members(communes: pd.DataFrame, legacy: pd.DataFrame, crosswalk: pd.DataFrame) -> None:
    area = crosswalk[crosswalk["relation"] != RELATION_POPULATION_ONLY]
    members = area.groupby("new_code")["legacy_code"].agg(tuple)
    communes["legacy_codes"] = members.reindex(communes.index).map(lambda v: v if isinstance(v, tuple) else ())
    district_of = legacy["district_code"]
    communes["district_codes"] = communes["legacy_codes"].map(
        lambda codes: tuple(sorted({district_of[c] for c in codes if c in district_of.index}))
    )


def _districts_from(legacy: pd.DataFrame) -> pd.DataFrame:
    d = legacy.drop_duplicates("district_code").set_index("district_code")
    return pd.DataFrame({"name": d["district_name"], "name_short": d["district_name_short"],
                         "type": d["district_type"]}).sort_index()


def _apply_focus(communes: pd.DataFrame, legacy: pd.DataFrame, focus: dict[str, Any]) -> None:
    for table, vintage in ((communes, domain.VINTAGE_2025), (legacy, domain.VINTAGE_LEGACY)):
        table["borders_laos"] = table.index.isin(set(focus["border_laos"][vintage]))
        table["coastal"] = table.index.isin(set(focus["coastal"][vintage]))
        zone_members: dict[str, list[str]] = {}
        project_codes: set[str] = set()
        for zone in focus["economic_zones"]:
            members = zone["communes_2025"] if vintage == domain.VINTAGE_2025 else zone["legacy_communes"]
            for c in members:
                zone_members.setdefault(c, []).append(zone["id"])
        for project in focus["major_projects"]:
            members = project["communes_2025"] if vintage == domain.VINTAGE_2025 else project["legacy_communes"]
            project_codes.update(members)
        table["economic_zones"] = [tuple(zone_members.get(c, ())) for c in table.index]
        table["major_project"] = table.index.isin(project_codes) | table["economic_zones"].map(bool)


def _check_counts(registry: Registry) -> None:
    counts = (len(registry.communes), len(registry.legacy), len(registry.districts))
    if counts != (COUNT_2025, COUNT_LEGACY, COUNT_DISTRICTS):
        raise RegistryError(
            f"Danh mục đơn vị hành chính không đúng: {counts[0]} xã mới (cần {COUNT_2025}), "
            f"{counts[1]} xã cũ (cần {COUNT_LEGACY}), {counts[2]} huyện cũ (cần {COUNT_DISTRICTS})"
        )
