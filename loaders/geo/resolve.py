"""Name resolution: which commune a reference in a report means.

A reference is a code, a name, or a name with its former district, written
in any of the vintages people still use: the 2025 communes, the legacy
communes (with their 2020-2024 former names) and the pre-2020 communes. The
:class:`Resolver` indexes every way to name a unit once, then resolves each
reference to its 2025 commune and, for a legacy reference, its legacy unit.
It never guesses between different 2025 communes: such a reference is
reported as ambiguous, with its candidates.

A name goes through stages, each only for what the previous ones leave
unresolved, and the result says which one matched (``STAGE_*``): the name as
written, the name split off its former district when one cell holds both
("Xã Sơn Lâm - Huyện Hương Sơn"), the name under the type its unit had before
("Xã Đồng Môn" for Phường Đồng Môn), and last the address parser of
``vietnamadminunits`` (:mod:`loaders.geo.library`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from functools import cached_property
from typing import Any

import pandas as pd

from loaders.core import domain
from loaders.core.textnorm import DISTRICT_PREFIXES, key, split_unit_prefix
from loaders.geo.library import read_with_package
from loaders.geo.name_index import TIER_ALIAS, NameEntry, build_name_index
from loaders.geo.names import (
    district_matches,
    exact_name,
    is_present,
    parse_district,
    parse_query,
    split_joined,
    strip_unit_prefix,
)
from loaders.geo.resolution import (
    FLAT_COLUMNS,
    STAGE_CODE,
    STAGE_JOINED,
    STAGE_LIBRARY,
    STAGE_NAME,
    STAGE_OLD_TYPE,
    STATUS_AMBIGUOUS,
    STATUS_NOT_FOUND,
    STATUS_RESOLVED,
    Resolution,
    describe_candidate,
    flat,
    join_notes,
    least_sure,
)
from loaders.geo.schema import normalise_code
from loaders.geo.vintages import vintage_for_date, vintages_for_dates

# Re-exported: callers read the statuses and the result type from here.
__all__ = [
    "STAGE_CODE",
    "STAGE_JOINED",
    "STAGE_LIBRARY",
    "STAGE_NAME",
    "STAGE_OLD_TYPE",
    "STATUS_AMBIGUOUS",
    "STATUS_NOT_FOUND",
    "STATUS_RESOLVED",
    "Resolution",
    "Resolver",
]


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
    def _entries(self) -> dict[str, list[NameEntry]]:
        return build_name_index(self.communes, self.legacy, self.pre2020, self.aliases)

    @cached_property
    def _district_keys(self) -> frozenset[str]:
        return frozenset(k for entries in self._entries.values() for e in entries for _, k in e.districts if k)

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
                return replace(by_code, stage=STAGE_CODE)
        if not is_present(name):
            if norm_code is not None or is_present(code):
                return Resolution(
                    label, STATUS_NOT_FOUND, message=f"Mã xã '{code}' không có trong danh mục của tỉnh Hà Tĩnh"
                )
            return Resolution(label, STATUS_NOT_FOUND, message="Thiếu mã xã và tên xã")
        # The parser of the last stage reads the whole text: a query may hold
        # more than a name and a district ("Thôn 3, Xã Sơn Lâm, Huyện Hương Sơn").
        if query is not None:
            written: tuple[str, object] = (query, None)
        else:
            written = (", ".join(str(v).strip() for v in (name, district) if is_present(v)), district)
        return self._resolve_by_stages(str(name), district, wanted, label, written)

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
            memo[k] = flat(res)
        return pd.DataFrame([memo[k] for k in keys], columns=FLAT_COLUMNS)

    def _resolve_by_stages(
        self, name: str, district: object, wanted: str | None, label: str, written: tuple[str, object]
    ) -> Resolution:
        """The name through the stages in order; the first stage that finds the unit answers.

        ``written`` is the whole text for the package's parser and the district
        column its answer must agree with (``None`` for free text).
        """
        res = self._resolve_written(name, district, wanted, label)
        if res.status != STATUS_NOT_FOUND:
            return res
        joined = self._resolve_joined(name, district, wanted, label)
        if joined is not None:
            return joined
        return self._resolve_with_package(*written, label) or res

    def _resolve_written(self, name: str, district: object, wanted: str | None, label: str) -> Resolution:
        """The name (and former district) as written, then under an outdated unit type."""
        res = self._resolve_name(name, district, wanted, label)
        if res.status != STATUS_NOT_FOUND:
            return replace(res, stage=STAGE_NAME)
        return self._resolve_old_type(name, district, label) or res

    def _resolve_joined(self, name: str, district: object, wanted: str | None, label: str) -> Resolution | None:
        """A cell that holds the commune and its former district, read as :func:`split_joined` reads it."""
        for reading in split_joined(name):
            found: list[Resolution] = []
            for commune, inner in reading:
                if split_unit_prefix(commune)[0] in DISTRICT_PREFIXES:  # "Huyện Hương Sơn - Xã Sơn Lâm"
                    commune, inner = inner, commune
                res = self._resolve_written(commune, inner or district, wanted, label)
                if inner and is_present(district) and res.status == STATUS_RESOLVED:
                    # A district column as well: both must name the same unit.
                    also = self._resolve_written(commune, district, wanted, label)
                    if (also.status, also.code, also.legacy_code) != (res.status, res.code, res.legacy_code):
                        continue
                if len(reading) == 1 and res.status != STATUS_NOT_FOUND:
                    return replace(res, stage=least_sure(res.stage, STAGE_JOINED))
                if res.status == STATUS_RESOLVED:
                    found.append(res)
            # Every split between two words: only an answer they all agree on counts.
            if found and len({(r.code, r.legacy_code) for r in found}) == 1:
                return replace(found[0], stage=least_sure(found[0].stage, STAGE_JOINED))
        return None

    def _resolve_old_type(self, name: str, district: object, label: str) -> Resolution | None:
        """A unit written with the type it had before (e.g. "Xã Đồng Môn" for Phường Đồng Môn).

        Only for units of the legacy list (and before) whose type ranks above
        the one written (xã, then thị trấn, then phường: units are raised, not
        lowered), and only when the name is unique in the former district
        written with it (in the province when none is written).
        """
        prefix, name_key = split_unit_prefix(name)
        if prefix not in _TYPE_RANK:
            return None
        entries = [
            e
            for e in self._entries.get(name_key, [])
            if e.tier != domain.VINTAGE_2025 and _TYPE_RANK.get(e.prefix, -1) > _TYPE_RANK[prefix]
        ]
        if is_present(district):
            given = parse_district(district)
            entries = [e for e in entries if district_matches(given, e.districts)]
        exact = exact_name(strip_unit_prefix(name))
        if any(e.exact == exact for e in entries):
            entries = [e for e in entries if e.exact == exact]
        units = {e.legacy_code for e in entries}
        if len(units) != 1:
            return None
        res = self._legacy_resolution(units.pop(), label, domain.VINTAGE_LEGACY)
        note = f"«{name}» ghi theo loại đơn vị đã thay đổi; đơn vị đúng là {res.legacy_name} ({res.district_name})."
        return replace(res, stage=STAGE_OLD_TYPE, message=join_notes(note, res.message))

    def _resolve_with_package(self, text: str, district: object, label: str) -> Resolution | None:
        """The reading of ``vietnamadminunits``, kept only when it agrees with what the text says."""
        reading = read_with_package(text)
        if reading is None or reading.legacy_code not in self.legacy.index:
            return None
        ward_key = key(reading.ward_short)
        own = [e for e in self._entries.get(ward_key, []) if e.legacy_code == reading.legacy_code]
        if is_present(district) and not any(district_matches(parse_district(district), e.districts) for e in own):
            return None
        # The package may place the name in another former district than the
        # one the text writes after it ("Tổ 1 Thạch Hà Thạch Hà" read in Thành phố Hà Tĩnh).
        rest = key(text).replace(ward_key, "", 1).replace("tinhhatinh", "")
        own_districts = {k for e in own for _, k in e.districts}
        if not any(k in rest for k in own_districts) and any(k in rest for k in self._district_keys):
            return None
        # The package folds diacritics away ("Thạch Hà" read as Thạch Hạ): a text
        # that spells another unit's exact name means that unit, not the package's.
        written, theirs = exact_name(text), exact_name(reading.ward_short)
        if theirs not in written:
            others = {e.exact for e in self._entries.get(key(reading.ward_short), []) if e.exact not in ("", theirs)}
            if any(o in written for o in others):
                return None
        res = self._legacy_resolution(reading.legacy_code, label, domain.VINTAGE_LEGACY)
        note = f"Đọc bằng gói vietnamadminunits: {', '.join(p for p in (reading.ward, reading.district) if p)}."
        return replace(res, stage=STAGE_LIBRARY, message=join_notes(note, res.message))

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
        described = "; ".join(describe_candidate(c) for c in candidates)
        return Resolution(
            label,
            STATUS_AMBIGUOUS,
            candidates=candidates,
            message=f"Tên '{name}' không rõ ràng, có thể là: {described}. "
            "Hãy ghi mã xã, huyện cũ hoặc ngày để phân biệt.",
        )


#: Commune types from the lowest: a unit's type changes upwards (xã -> thị trấn or phường).
_TYPE_RANK = {"x": 0, "tt": 1, "p": 2}


def _as_column(values: Sequence[object] | None, n: int) -> list[object]:
    if values is None:
        return [None] * n
    return list(values)


def _tier_order(wanted: str | None) -> list[set[str]]:
    if wanted == domain.VINTAGE_2025:
        return [{domain.VINTAGE_2025}, {domain.VINTAGE_LEGACY, TIER_ALIAS}, {domain.VINTAGE_PRE2020}]
    if wanted in (domain.VINTAGE_LEGACY, domain.VINTAGE_PRE2020):
        return [{domain.VINTAGE_LEGACY}, {TIER_ALIAS}, {domain.VINTAGE_PRE2020}, {domain.VINTAGE_2025}]
    # Nothing says which vintage: both current readings compete, so a name used
    # in both for different communes is reported as ambiguous.
    return [{domain.VINTAGE_2025, domain.VINTAGE_LEGACY}, {TIER_ALIAS}, {domain.VINTAGE_PRE2020}]
