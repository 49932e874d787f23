"""Name resolution: which commune a reference in a report means.

A reference is a code, a name, or a name with its former district, written
in any of the vintages people still use: the 2025 communes, the legacy
communes (with their 2020-2024 former names) and the pre-2020 communes. The
:class:`Resolver` indexes every way to name a unit once, then resolves each
reference to its 2025 commune and, for a legacy reference, its legacy unit.
It never guesses between different 2025 communes: such a reference is
reported as ambiguous, with its candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

import pandas as pd

from loaders.core import domain
from loaders.core.textnorm import DISTRICT_PREFIXES, key, split_unit_prefix
from loaders.geo.names import (
    TYPE_PREFIX,
    District,
    district_matches,
    exact_name,
    is_present,
    parse_district,
    parse_query,
    strip_unit_prefix,
)
from loaders.geo.schema import normalise_code
from loaders.geo.vintages import vintage_for_date, vintages_for_dates

STATUS_RESOLVED = "resolved"
STATUS_AMBIGUOUS = "ambiguous"
STATUS_NOT_FOUND = "not_found"

#: The tier of a 2020-2024 former name of a legacy unit (the other tiers are vintages).
_TIER_ALIAS = "alias"


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
    districts: frozenset[District]  # (prefix, key) of the former district(s)
    label: str
    exact: str = ""  # the name with its diacritics, to tell "Thạch Hạ" from "Thạch Hà"


class Resolver:
    """Resolves commune references against the registry's tables.

    Parameters
    ----------
    communes, legacy, pre2020, aliases : pd.DataFrame
        The tables of :class:`loaders.geo.registry.Registry` of the same names.
    """

    def __init__(
        self, communes: pd.DataFrame, legacy: pd.DataFrame, pre2020: pd.DataFrame, aliases: pd.DataFrame
    ) -> None:
        self.communes = communes
        self.legacy = legacy
        self.pre2020 = pre2020
        self.aliases = aliases

    def _commune_name(self, code: str) -> str:
        return str(self.communes.at[code, "name"])

    @cached_property
    def _entries(self) -> dict[str, list[_Entry]]:
        index: dict[str, list[_Entry]] = {}

        def add(entry: _Entry) -> None:
            index.setdefault(entry.name_key, []).append(entry)

        legacy_districts: dict[str, set[District]] = {}
        for code, row in self.legacy.iterrows():
            d_prefix = TYPE_PREFIX.get(row["district_type"])
            d_key = key(row["district_name_short"])
            legacy_districts.setdefault(code, set()).add((d_prefix, d_key))
        # Pre-2020 district names (e.g. Lộc Hà, merged into Thạch Hà in 2025) still
        # appear in old reports, so they also select the legacy units they became.
        for _, row in self.pre2020.iterrows():
            legacy_districts.setdefault(row["legacy_code"], set()).add(parse_district(row["pre2020_district"]))

        for code, row in self.communes.iterrows():
            districts = frozenset(d for lc in row["legacy_codes"] for d in legacy_districts.get(lc, ()))
            add(
                _Entry(
                    key(row["name_short"]),
                    TYPE_PREFIX.get(row["type"]),
                    domain.VINTAGE_2025,
                    code,
                    None,
                    districts,
                    row["name"],
                    exact_name(row["name_short"]),
                )
            )
        for code, row in self.legacy.iterrows():
            add(
                _Entry(
                    key(row["name_short"]),
                    TYPE_PREFIX.get(row["type"]),
                    domain.VINTAGE_LEGACY,
                    None,
                    code,
                    frozenset(legacy_districts.get(code, ())),
                    row["name"],
                    exact_name(row["name_short"]),
                )
            )
        for _, row in self.aliases.iterrows():
            add(
                _Entry(
                    row["alias_key"],
                    row["alias_prefix"],
                    _TIER_ALIAS,
                    None,
                    row["legacy_code"],
                    frozenset(legacy_districts.get(row["legacy_code"], ())),
                    row["alias_label"],
                )
            )
        for _, row in self.pre2020.iterrows():
            districts = frozenset(
                legacy_districts.get(row["legacy_code"], set()) | {parse_district(row["pre2020_district"])}
            )
            add(
                _Entry(
                    key(row["pre2020_name"]),
                    None,
                    domain.VINTAGE_PRE2020,
                    None,
                    row["legacy_code"],
                    districts,
                    f"{row['pre2020_name']} ({row['pre2020_district']}, trước 2020)",
                    exact_name(row["pre2020_name"]),
                )
            )
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
        label = query if query is not None else ", ".join(str(v) for v in (code, name, district) if is_present(v))
        if query is not None and code is None and name is None:
            code, name, district = parse_query(query)
        wanted = vintage or vintage_for_date(on)
        norm_code = normalise_code(code)
        if norm_code is not None:
            by_code = self._resolve_code(norm_code, wanted, label)
            if by_code is not None:
                return by_code
        if not is_present(name):
            if norm_code is not None or is_present(code):
                return Resolution(
                    label, STATUS_NOT_FOUND, message=f"Mã xã '{code}' không có trong danh mục của tỉnh Hà Tĩnh"
                )
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
            return Resolution(
                label,
                STATUS_RESOLVED,
                domain.VINTAGE_2025,
                code=code,
                name=row["name"],
                candidates=({"code": code, "name": row["name"], "vintage": domain.VINTAGE_2025},),
            )
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
            {"code": c, "name": self._commune_name(c), "vintage": domain.VINTAGE_2025} for c in row["new_codes"]
        )
        message = None
        if split:
            message = (
                f"{row['name']} ({row['district_name']}) được chia cho nhiều xã mới: "
                + ", ".join(c["name"] for c in candidates)
                + f"; mặc định theo diện tích: {self._commune_name(new_code)}. Dùng tọa độ để xác định chính xác."
            )
        return Resolution(
            label,
            STATUS_RESOLVED,
            vintage,
            legacy_code=legacy_code,
            legacy_name=row["name"],
            district_code=row["district_code"],
            district_name=row["district_name"],
            code=new_code,
            name=self._commune_name(new_code),
            candidates=candidates,
            split=split,
            message=message,
        )

    def _resolve_name(self, name: str, district: object, wanted: str | None, label: str) -> Resolution:
        prefix, name_key = split_unit_prefix(name)
        if prefix in DISTRICT_PREFIXES:
            return Resolution(label, STATUS_NOT_FOUND, message=f"'{name}' là tên huyện, không phải tên xã/phường")
        entries = [e for e in self._entries.get(name_key, []) if prefix is None or e.prefix in (None, prefix)]
        if is_present(district):
            d = parse_district(district)
            in_district = [e for e in entries if district_matches(d, e.districts)]
            if not in_district:
                return Resolution(
                    label, STATUS_NOT_FOUND, message=f"Không tìm thấy xã/phường '{name}' thuộc huyện cũ '{district}'"
                )
            entries = in_district
            # A former district alongside the name is how legacy reports write
            # addresses, so prefer legacy readings when no date says otherwise.
            wanted = wanted or domain.VINTAGE_LEGACY
        if not entries:
            return Resolution(label, STATUS_NOT_FOUND, message=f"Không tìm thấy xã/phường '{name}' ở tỉnh Hà Tĩnh")
        # Folding drops tone marks, which merges a few distinct names (Thạch Hạ /
        # Thạch Hà); a name written with its exact diacritics picks its own unit.
        exact = exact_name(strip_unit_prefix(name))
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
                resolutions.append(
                    Resolution(label, STATUS_RESOLVED, domain.VINTAGE_2025, code=e.code_2025, name=row["name"])
                )
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
        return Resolution(
            label,
            STATUS_AMBIGUOUS,
            candidates=candidates,
            message=f"Tên '{name}' không rõ ràng, có thể là: {described}. "
            "Hãy ghi mã xã, huyện cũ hoặc ngày để phân biệt.",
        )


_FLAT_COLUMNS = [
    "status",
    "vintage",
    "code",
    "name",
    "legacy_code",
    "legacy_name",
    "district_code",
    "district_name",
    "split",
    "candidates",
    "message",
]


def _flat(res: Resolution) -> dict[str, Any]:
    out = {k: getattr(res, k) for k in _FLAT_COLUMNS if k != "candidates"}
    out["candidates"] = (
        "; ".join(_describe(c) for c in res.candidates) if res.status == STATUS_AMBIGUOUS or res.split else ""
    )
    return out


def _describe(c: dict[str, Any]) -> str:
    if c.get("legacy_code"):
        return f"{c['legacy_name']} ({c.get('district_name')}, mã {c['legacy_code']}) → {c['name']} (mã {c['code']})"
    return f"{c['name']} (mã {c['code']}, đơn vị từ 01/07/2025)"


def _as_column(values: Sequence[object] | None, n: int) -> list[object]:
    if values is None:
        return [None] * n
    return list(values)


def _tier_order(wanted: str | None) -> list[set[str]]:
    if wanted == domain.VINTAGE_2025:
        return [{domain.VINTAGE_2025}, {domain.VINTAGE_LEGACY, _TIER_ALIAS}, {domain.VINTAGE_PRE2020}]
    if wanted in (domain.VINTAGE_LEGACY, domain.VINTAGE_PRE2020):
        return [{domain.VINTAGE_LEGACY}, {_TIER_ALIAS}, {domain.VINTAGE_PRE2020}, {domain.VINTAGE_2025}]
    # Nothing says which vintage: both current readings compete, so a name used
    # in both for different communes is reported as ambiguous.
    return [{domain.VINTAGE_2025, domain.VINTAGE_LEGACY}, {_TIER_ALIAS}, {domain.VINTAGE_PRE2020}]
