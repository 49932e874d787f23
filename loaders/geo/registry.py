"""The commune registry: Hà Tĩnh's units in both vintages and how they relate.

:class:`Registry` holds the tables every other module reads about units: the
69 communes of 2025, the 209 legacy communes in 12 former districts, the
pre-2020 names, the legacy -> 2025 crosswalk and the focus-area flags. It
answers lookups (a commune's name, its legacy members, the communes of a
focus area) and resolves references through :class:`loaders.geo.resolve.Resolver`.

The fixed facts (file names, code form, CRS, relations) live in
:mod:`loaders.geo.schema`, the date rule in :mod:`loaders.geo.vintages`, and
:func:`loaders.geo.loading.load_registry` builds a registry from its sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

import pandas as pd

from loaders.core import domain
from loaders.geo.resolve import Resolution, Resolver
from loaders.geo.schema import RELATION_POPULATION_ONLY, normalise_code


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
            rows.append(
                {
                    "id": site["id"],
                    "name": site["name"],
                    "kind": site["kind"],
                    "lat": lat,
                    "lon": lon,
                    "source": site["source"],
                    "communes_2025": tuple(codes),
                }
            )
        return pd.DataFrame(rows, columns=["id", "name", "kind", "lat", "lon", "source", "communes_2025"])

    # --------------------------------------------------------------- resolution
    @cached_property
    def _resolver(self) -> Resolver:
        return Resolver(self.communes, self.legacy, self.pre2020, self.aliases)

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

        Parameters and result as :meth:`loaders.geo.resolve.Resolver.resolve`.
        """
        return self._resolver.resolve(query, code=code, name=name, district=district, on=on, vintage=vintage)

    def resolve_frame(
        self,
        codes: Sequence[object] | None,
        names: Sequence[object] | None,
        districts: Sequence[object] | None,
        on: Sequence[object] | None = None,
        vintage: str | Sequence[str | None] | None = None,
    ) -> pd.DataFrame:
        """Resolve many references at once; each distinct combination is resolved once.

        Parameters and result as :meth:`loaders.geo.resolve.Resolver.resolve_frame`.
        """
        return self._resolver.resolve_frame(codes, names, districts, on, vintage)
