"""Every way to name a unit, indexed by its name key, for :class:`loaders.geo.resolve.Resolver`.

A unit is named in four tiers: its 2025 name, its legacy name, its 2020-2024
former names (aliases) and its pre-2020 name. Each entry keeps the former
districts a reference may give with it and the name with its diacritics.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from loaders.core import domain
from loaders.core.textnorm import key
from loaders.geo.names import TYPE_PREFIX, District, exact_name, parse_district

#: The tier of a 2020-2024 former name of a legacy unit (the other tiers are vintages).
TIER_ALIAS = "alias"


@dataclass(frozen=True)
class NameEntry:
    """One way to name a unit: a name key in a vintage, pointing at a legacy or 2025 unit."""

    name_key: str
    prefix: str | None
    tier: str  # "2025", "legacy", "alias" (2020-2024 former names), "pre2020"
    code_2025: str | None  # set for 2025 entries
    legacy_code: str | None  # set for legacy/alias/pre2020 entries
    districts: frozenset[District]  # (prefix, key) of the former district(s)
    label: str
    exact: str = ""  # the name with its diacritics, to tell "Thạch Hạ" from "Thạch Hà"


def build_name_index(
    communes: pd.DataFrame, legacy: pd.DataFrame, pre2020: pd.DataFrame, aliases: pd.DataFrame
) -> dict[str, list[NameEntry]]:
    """Entries by name key, from the registry's tables of the same names.

    Returns
    -------
    dict of str to list of NameEntry
        Every entry whose :func:`loaders.core.textnorm.key` is the dict key.
    """
    index: dict[str, list[NameEntry]] = {}

    def add(entry: NameEntry) -> None:
        index.setdefault(entry.name_key, []).append(entry)

    legacy_districts: dict[str, set[District]] = {}
    for code, row in legacy.iterrows():
        d_prefix = TYPE_PREFIX.get(row["district_type"])
        d_key = key(row["district_name_short"])
        legacy_districts.setdefault(code, set()).add((d_prefix, d_key))
    # Pre-2020 district names (e.g. Lộc Hà, merged into Thạch Hà in 2025) still
    # appear in old reports, so they also select the legacy units they became.
    for _, row in pre2020.iterrows():
        legacy_districts.setdefault(row["legacy_code"], set()).add(parse_district(row["pre2020_district"]))

    for code, row in communes.iterrows():
        districts = frozenset(d for lc in row["legacy_codes"] for d in legacy_districts.get(lc, ()))
        add(
            NameEntry(
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
    for code, row in legacy.iterrows():
        add(
            NameEntry(
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
    for _, row in aliases.iterrows():
        add(
            NameEntry(
                row["alias_key"],
                row["alias_prefix"],
                TIER_ALIAS,
                None,
                row["legacy_code"],
                frozenset(legacy_districts.get(row["legacy_code"], ())),
                row["alias_label"],
            )
        )
    for _, row in pre2020.iterrows():
        districts = frozenset(
            legacy_districts.get(row["legacy_code"], set()) | {parse_district(row["pre2020_district"])}
        )
        add(
            NameEntry(
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
