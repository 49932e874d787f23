"""Building the commune registry from its sources.

:func:`load_registry` builds the :class:`loaders.geo.registry.Registry` from the
installed boundary layers (``geodata/``). When they are not installed
(:func:`loaders.geo.schema.boundaries_installed`) it falls back to the national
registry shipped in the PyPI package ``vietnamadminunits`` (MIT), so that the
app still starts and can show communes as points. Either way the result is
checked once here: 69 / 209 / 12 units, every legacy commune mapped to a 2025
commune.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd

from loaders.core import domain, settings
from loaders.geo.registry import Registry
from loaders.geo.schema import (
    COUNT_2025,
    COUNT_DISTRICTS,
    COUNT_LEGACY,
    FOCUS_AREAS_FILE,
    LAYER_FILES,
    PROVINCE_CODE,
    RELATION_AREA_PART,
    RELATION_POPULATION_ONLY,
    RELATION_WHOLE,
    boundaries_installed,
    normalise_code,
)

#: How vietnamadminunits spells the unit type at the start of a former name.
_ALIAS_PREFIXES = (("thitran", "tt"), ("phuong", "p"), ("xa", "x"))

#: The six tables a source yields: communes, legacy, districts, crosswalk, pre2020, aliases.
_Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]


class RegistryError(Exception):
    """The registry's sources are missing or inconsistent."""


def _read_features(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [f["properties"] for f in json.load(fh)["features"]]


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
    if boundaries_installed(base):
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


def _from_geodata(base: Path) -> _Tables:
    props_2025 = pd.DataFrame(_read_features(base / LAYER_FILES["communes_2025"]))
    props_legacy = pd.DataFrame(_read_features(base / LAYER_FILES["communes_legacy"]))
    cross = pd.read_csv(base / LAYER_FILES["legacy_to_2025"], dtype=str, keep_default_na=False)
    pre = pd.read_csv(base / LAYER_FILES["pre2020_to_legacy"], dtype=str, keep_default_na=False)

    crosswalk = pd.DataFrame(
        {
            "legacy_code": cross["legacy_code"].map(normalise_code),
            "new_code": cross["new_code"].map(normalise_code),
            "relation": cross["relation"],
            "area_share": pd.to_numeric(cross["legacy_area_share"], errors="coerce"),
        }
    )
    legacy = pd.DataFrame(
        {
            "code": props_legacy["gso_code"].map(normalise_code),
            "name": props_legacy["name"],
            "name_short": props_legacy["name_short"],
            "type": props_legacy["type"],
            "district_code": props_legacy["district_code"].astype(str),
            "district_name": props_legacy["district_name"],
            "district_type": props_legacy["district_type"],
            "label_lat": props_legacy["label_lat"].astype(float),
            "label_lon": props_legacy["label_lon"].astype(float),
        }
    ).set_index("code")
    legacy["district_name_short"] = [
        n[len(t) :].strip() for n, t in zip(legacy["district_name"], legacy["district_type"])
    ]
    _attach_crosswalk(legacy, crosswalk)

    communes = pd.DataFrame(
        {
            "code": props_2025["gso_code"].map(normalise_code),
            "name": props_2025["name"],
            "name_short": props_2025["name_short"],
            "type": props_2025["type"],
            "population": pd.to_numeric(props_2025["population_sapnhap"], errors="coerce"),
            "area_km2": props_2025["area_km2"].astype(float),
            "label_lat": props_2025["label_lat"].astype(float),
            "label_lon": props_2025["label_lon"].astype(float),
        }
    ).set_index("code")
    _attach_members(communes, legacy, crosswalk)

    districts = _districts_from(legacy)
    pre2020 = pd.DataFrame(
        {
            "pre2020_code": pre["pre2020_gso_code"].map(normalise_code),
            "pre2020_name": pre["pre2020_name"],
            "pre2020_district": pre["pre2020_district"],
            "legacy_code": pre["legacy_code"].map(normalise_code),
        }
    )
    return communes, legacy, districts, crosswalk, pre2020, _aliases_from_package()


def _package_db() -> Path:
    # Locate the package's data without importing it: its import loads parsers
    # and data the registry does not use, which would slow every command-line start.
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RegistryError("Thiếu gói vietnamadminunits (cài bằng requirements.txt)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


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
                        rows.append(
                            {
                                "legacy_code": normalise_code(ward_code),
                                "alias_key": alias[len(long_prefix) :],
                                "alias_prefix": short,
                                "alias_label": alias,
                            }
                        )
                        break
    return pd.DataFrame(rows, columns=["legacy_code", "alias_key", "alias_prefix", "alias_label"])


def _from_package() -> _Tables:
    """Fallback registry from vietnamadminunits (no population, points only)."""
    with sqlite3.connect(_package_db() / "dataset.db") as con:
        new = pd.read_sql_query(
            "select wardCode, ward, wardShort, wardType, wardLat, wardLon, wardAreaKm2, wardKey "
            "from admin_units where provinceCode=?",
            con,
            params=(PROVINCE_CODE,),
        )
        old = pd.read_sql_query(
            "select wardCode, ward, wardShort, wardType, wardLat, wardLon, districtCode, district, districtShort, "
            "districtType, wardKey, districtKey from admin_units_legacy where provinceCode=?",
            con,
            params=(PROVINCE_CODE,),
        )
    conv = json.loads((_package_db() / "converter_2025.json").read_text(encoding="utf-8"))
    key_to_new = dict(zip(new["wardKey"], new["wardCode"].map(normalise_code)))
    old_key = {
        f"tinhhatinh_{d}_{w}": normalise_code(c) for d, w, c in zip(old["districtKey"], old["wardKey"], old["wardCode"])
    }
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
    legacy = pd.DataFrame(
        {
            "code": old["wardCode"].map(normalise_code),
            "name": old["ward"],
            "name_short": old["wardShort"],
            "type": old["wardType"],
            "district_code": old["districtCode"].astype(str),
            "district_name": old["district"],
            "district_type": old["districtType"],
            "label_lat": old["wardLat"],
            "label_lon": old["wardLon"],
            # The package writes "Kỳ Anh (Huyện)" to tell the district from the town.
            "district_name_short": old["districtShort"].str.replace(r"\s*\(.*\)$", "", regex=True),
        }
    ).set_index("code")
    _attach_crosswalk(legacy, crosswalk)
    communes = pd.DataFrame(
        {
            "code": new["wardCode"].map(normalise_code),
            "name": new["ward"],
            "name_short": new["wardShort"],
            "type": new["wardType"],
            "population": float("nan"),
            "area_km2": new["wardAreaKm2"],
            "label_lat": new["wardLat"],
            "label_lon": new["wardLon"],
        }
    ).set_index("code")
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
    return pd.DataFrame(
        {"name": d["district_name"], "name_short": d["district_name_short"], "type": d["district_type"]}
    ).sort_index()


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
