"""Residential areas (thôn, tổ dân phố) by year, and the population rates use (pure pandas).

Rules, stated here once (docs/domain.md explains them):

* **The list in force.** A commune's list of a year is complete for that
  commune. The figures of a year use, per commune, the list with the greatest
  year not after it (:func:`areas_at`); a commune with no such list has no areas
  on record for that year.
* **Population.** A commune's population for a year is the sum of Số nhân khẩu
  of the areas in its list in force when that list is complete, that is every
  area of it has a population; otherwise it is the figure shipped with the app
  (:func:`commune_population`). Every rate says which one it used and, for a
  list, its year (:func:`population_source_label`).
* **Legacy communes.** A legacy commune's areas are the areas of the lists in
  force whose legacy commune (``legacy_code``, from "Xã cũ" or the crosswalk)
  is that one. They are known whole (*placed*) only when every 2025 commune
  that holds part of it has a list in force and none of those lists has an
  area without a legacy commune; otherwise the legacy commune's area figures
  are unknown. Its population is the sum of Số nhân khẩu of its areas when it
  is placed and those lists are complete; otherwise it has none (no
  population is shipped for legacy communes: :data:`SOURCE_NONE`).
  :func:`legacy_population` applies it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from loaders.core import domain
from loaders.core.i18n import translate
from loaders.geo.registry import Registry
from loaders.store.reads import READ_COLUMNS

#: The columns of a residential-areas frame: those ``loaders.store.reads`` reads.
AREA_COLUMNS: tuple[str, ...] = tuple(READ_COLUMNS[domain.DATASET_RESIDENTIAL_AREAS])

#: Where a commune's population comes from: the sum over its list of areas, or the shipped figure.
SOURCE_AREAS = "areas"
SOURCE_SHIPPED = "shipped"
#: A legacy commune whose areas are not all placed: no population, so no rate.
SOURCE_NONE = "none"


def empty_areas() -> pd.DataFrame:
    """A residential-areas frame with no rows (a store that holds no list)."""
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in AREA_COLUMNS})
    for c in ("id", "import_id", "year"):
        frame[c] = frame[c].astype("int64")
    for c in ("commune_code", "legacy_code", "vintage", "area_name", "area_key", "area_kind"):
        frame[c] = frame[c].astype("str")
    return frame


def list_years(areas: pd.DataFrame, year: int) -> pd.Series:
    """Per commune, the year of its list in force in ``year`` (greatest not after it).

    Returns
    -------
    pandas.Series
        Indexed by ``commune_code`` (plain strings), integer years; communes with
        no list up to ``year`` are absent.
    """
    years = areas["year"].to_numpy()
    keep = years <= year
    if not keep.any():
        return pd.Series(dtype="int64", index=pd.Index([], dtype=object, name="commune_code"))
    codes = areas["commune_code"].to_numpy(dtype=object)[keep]
    out = pd.Series(years[keep], index=pd.Index(codes, dtype=object)).groupby(level=0).max()
    out.index.name = "commune_code"
    return out.astype("int64")


def areas_at(areas: pd.DataFrame, year: int) -> pd.DataFrame:
    """The areas in force in ``year``: per commune, the rows of its latest list not after it.

    Parameters
    ----------
    areas : pandas.DataFrame
        Columns of :data:`AREA_COLUMNS` (at least ``year`` and ``commune_code``).
    year : int

    Returns
    -------
    pandas.DataFrame
        The rows of those lists, in their order, with a fresh index.
    """
    latest = list_years(areas, year)
    if latest.empty:
        return areas.iloc[0:0].reset_index(drop=True)
    codes = areas["commune_code"].astype("object")
    wanted = codes.map(latest)
    keep = (areas["year"] == wanted).to_numpy(dtype=bool)
    return areas[keep].reset_index(drop=True)


def commune_population(areas: pd.DataFrame, shipped: pd.Series, year: int) -> pd.DataFrame:
    """Each commune's population for ``year``, with its source.

    Parameters
    ----------
    areas : pandas.DataFrame
        Residential areas (:data:`AREA_COLUMNS`).
    shipped : pandas.Series
        The population shipped with the app, indexed by 2025 commune code.
    year : int
        The year of the figures (a period's end year).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``shipped``: ``population`` (float), ``population_source``
        (:data:`SOURCE_AREAS` or :data:`SOURCE_SHIPPED`) and ``population_year``
        (the list's year for a sum of areas, NA for the shipped figure).
    """
    out = pd.DataFrame(index=shipped.index)
    out["population"] = shipped.astype(float).to_numpy()
    out["population_source"] = SOURCE_SHIPPED
    out["population_year"] = pd.array([pd.NA] * len(out), dtype="Int64")
    current = areas_at(areas, year)
    if current.empty:
        return out
    codes = current["commune_code"].astype("object")
    people = pd.to_numeric(current["population"], errors="coerce")
    grouped = pd.DataFrame({"code": codes, "people": people, "year": current["year"]}).groupby("code")
    complete = grouped["people"].count() == grouped["people"].size()
    sums = grouped["people"].sum()[complete]
    years = grouped["year"].max()[complete]
    hit = out.index.isin(sums.index)
    if hit.any():
        codes_hit = out.index[hit]
        out.loc[hit, "population"] = sums.reindex(codes_hit).to_numpy(dtype=float)
        out.loc[hit, "population_source"] = SOURCE_AREAS
        out.loc[hit, "population_year"] = years.reindex(codes_hit).to_numpy(dtype=np.int64)
    return out


def legacy_holders(registry: Registry) -> pd.Series:
    """Per legacy commune, the 2025 communes that hold part of it (area or people), from the crosswalk."""
    legacy = registry.legacy
    if "new_codes" in legacy:
        return legacy["new_codes"].map(lambda codes: tuple(str(c) for c in codes))
    holders: dict[str, list[str]] = {code: [] for code in legacy.index}
    if "legacy_codes" in registry.communes:
        for code, members in registry.communes["legacy_codes"].items():
            for member in members:
                holders.setdefault(member, []).append(str(code))
    # A legacy commune no 2025 commune is known to hold is never placed.
    return pd.Series([tuple(holders.get(code, ())) for code in legacy.index], index=legacy.index, dtype=object)


def legacy_population(areas: pd.DataFrame, holders: pd.Series, year: int) -> pd.DataFrame:
    """Each legacy commune's placement and population for ``year`` (the module's legacy rule).

    Parameters
    ----------
    areas : pandas.DataFrame
        Residential areas (:data:`AREA_COLUMNS`): ``commune_code`` (2025),
        ``legacy_code`` (missing when unknown), ``population`` and ``year``.
    holders : pandas.Series
        Indexed by legacy commune code: the tuple of 2025 communes that hold
        part of it (its area or its people).
    year : int
        The year of the figures (a period's end year).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``holders``: ``placed`` (bool), ``population`` (float, NaN
        unless placed and complete), ``population_source`` (:data:`SOURCE_AREAS`
        or :data:`SOURCE_NONE`) and ``population_year`` (Int64, the latest list
        year of its holders, NA without a population).
    """
    current = areas_at(areas, year)
    codes = current["commune_code"].astype(str).to_numpy(dtype=object)
    legacy = np.array([None if pd.isna(c) or c == "" else str(c) for c in current["legacy_code"]], dtype=object)
    people = pd.to_numeric(current["population"], errors="coerce").to_numpy(dtype=float)
    listed = set(codes)
    unplaced = set(codes[pd.isna(legacy)])
    incomplete = set(codes[np.isnan(people)])
    list_year = pd.Series(current["year"].to_numpy(), index=codes).groupby(level=0).max().to_dict()
    sums = pd.Series(people, index=legacy).groupby(level=0).sum().to_dict() if len(current) else {}
    n = len(holders)
    placed = np.zeros(n, dtype=bool)
    population = np.full(n, np.nan)
    years = pd.array([pd.NA] * n, dtype="Int64")
    for i, (code, communes) in enumerate(holders.items()):
        communes = tuple(communes)
        placed[i] = bool(communes) and all(c in listed and c not in unplaced for c in communes)
        # A placed legacy commune that no area names has no people on record: no population either.
        if placed[i] and str(code) in sums and not any(c in incomplete for c in communes):
            population[i] = float(sums[str(code)])
            years[i] = max(int(list_year[c]) for c in communes)
    out = pd.DataFrame(index=holders.index)
    out["placed"] = placed
    out["population"] = population
    out["population_source"] = np.where(np.isnan(population), SOURCE_NONE, SOURCE_AREAS)
    out["population_year"] = years
    return out


def population_source_label(source: str, year: object, lang: str = "vi") -> str:
    """The words a rate shows for its population: a list's year, or the shipped figure.

    Examples
    --------
    >>> population_source_label("areas", 2025)
    'Tổng nhân khẩu các thôn, TDP năm 2025'
    >>> population_source_label("shipped", None)
    'Số liệu dân số kèm theo ứng dụng'
    >>> population_source_label("none", None)
    'Chưa có: danh sách thôn, TDP chưa đủ để tính dân số xã cũ'
    """
    if source == SOURCE_AREAS and year is not None and not pd.isna(year):
        return translate("population.source.areas", lang, year=int(year))
    if source == SOURCE_NONE:
        return translate("population.source.none", lang)
    return translate("population.source.shipped", lang)


def population_counts(population: pd.DataFrame) -> dict[str, float]:
    """How many units' rates use a list of areas, and the first and last year of those lists.

    Returns
    -------
    dict of str to float
        ``units_population_from_areas``, ``population_list_first`` and
        ``population_list_last`` (NaN when no unit uses a list), for a page's key figures.
    """
    if "population_source" not in population:
        return {"units_population_from_areas": 0.0, "population_list_first": np.nan, "population_list_last": np.nan}
    from_areas = (population["population_source"] == SOURCE_AREAS).to_numpy(dtype=bool)
    years = pd.to_numeric(population.loc[from_areas, "population_year"], errors="coerce").dropna()
    return {
        "units_population_from_areas": float(from_areas.sum()),
        "population_list_first": float(years.min()) if len(years) else np.nan,
        "population_list_last": float(years.max()) if len(years) else np.nan,
    }


def population_note_of(figures: dict[str, float], n_units: float, lang: str = "vi") -> str:
    """The sentence under the rates: which populations they used (from :func:`population_counts`)."""
    n_areas = int(figures.get("units_population_from_areas", 0) or 0)
    if n_areas == 0:
        return translate("population.note.shipped_all", lang)
    first, last = int(figures["population_list_first"]), int(figures["population_list_last"])
    years = str(first) if first == last else f"{first}–{last}"
    return translate("population.note.mixed", lang, n_areas=n_areas, n=int(n_units), years=years)


def population_note(population: pd.DataFrame, lang: str = "vi") -> str:
    """One sentence for a page: which populations the rates of these communes used.

    Parameters
    ----------
    population : pandas.DataFrame
        ``population_source`` and ``population_year`` columns (as
        :func:`commune_population` or ``analysis.indicators.compute_indicators`` give).
    """
    return population_note_of(population_counts(population), len(population), lang)
