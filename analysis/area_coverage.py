"""Coverage of residential areas (thôn, tổ dân phố) by model kind, and models by kind × rating (pure pandas).

The rules, stated here once (docs/domain.md and the report page repeat them):

* **Operating at a date**: a model founded on or before the date and neither
  dissolved nor suspended on or before it (its state at the date,
  :func:`analysis.model_state.state_at`). The table of models by kind × rating
  counts these, each by its rating for the date's year ("chưa đánh giá" when
  it has none that year: ratings do not carry over). Models not linked to a
  residential area (in agencies, enterprises, schools) count there too.
* **Covered by kind K at a date**: a residential area of the list in force that
  year (:func:`analysis.residential.areas_at`) is covered by K when at least one
  model of kind K linked to it is operating at the date and is not rated
  "yếu" for the date's year. A model without a rating that year covers. It is
  covered by *any* kind when a model of any kind (the four kinds or "khác") covers it.
* **Linked**: the rule of :mod:`analysis.model_areas`: a model is linked to the
  area of its commune whose loose key (``area_key``) equals the model's; a
  model with no area named is linked to none. Here only the areas of the list
  in force count.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analysis import model_areas, model_state, residential
from loaders.core import domain

#: The key of coverage by any kind, beside the four kinds.
ANY = "any"
#: Ratings in table order: the three of the year, then "chưa đánh giá".
RATINGS: tuple[str, ...] = (*domain.MODEL_ASSESSMENTS, domain.ASSESSMENT_UNRATED)


def operating_models(models: pd.DataFrame, on: date) -> pd.DataFrame:
    """The models operating at ``on``, each once, with ``rating`` its rating for ``on``'s year.

    Parameters
    ----------
    models : pandas.DataFrame
        The stored models (one row per yearly record, :mod:`analysis.model_state`).
    on : date
        The period's end.

    Returns
    -------
    pandas.DataFrame
        The holding records of the operating models, with ``commune_code`` as
        plain strings and ``rating`` (one of :data:`RATINGS`).
    """
    if models.empty:
        return models.assign(rating=pd.Series(dtype=object), status_at=pd.Series(dtype=object))
    state = model_state.state_at(models, on)
    out = state[(state["status_at"] == domain.STATUS_ACTIVE).to_numpy(dtype=bool)].copy()
    out["commune_code"] = out["commune_code"].astype(str)
    return out


def covering_models(operating: pd.DataFrame) -> pd.DataFrame:
    """Of the operating models, those that may cover their area: not rated "yếu" for the year."""
    return operating[(operating["rating"] != domain.ASSESSMENT_WEAK).to_numpy(dtype=bool)]


def _area_keys(commune: pd.Series, key: pd.Series) -> pd.MultiIndex:
    return pd.MultiIndex.from_arrays([commune.astype(str).to_numpy(), key.astype(object).to_numpy()])


def area_coverage(areas: pd.DataFrame, models: pd.DataFrame, on: date) -> pd.DataFrame:
    """Every residential area in force at ``on`` and whether each kind covers it (the module's rule).

    Parameters
    ----------
    areas : pandas.DataFrame
        All stored lists of areas (:data:`analysis.residential.AREA_COLUMNS`).
    models : pandas.DataFrame
        The stored models; ``area_key`` links a model to an area of its commune.
    on : date
        The period's end: the lists of ``on.year`` and the models' state then.

    Returns
    -------
    pandas.DataFrame
        One row per area: ``commune_code`` (str), ``legacy_code`` (its legacy
        commune, None when unknown), ``area_name``, ``area_kind``, ``population``
        (float, NaN when not given), ``has_mediation_team``, ``has_security_team``
        (booleans, False when not given), then one boolean column per kind of
        :data:`loaders.core.domain.MODEL_KINDS` ("khác" included) and :data:`ANY`.
    """
    current = residential.areas_at(areas, on.year)
    unknown = pd.Series(None, index=current.index, dtype=object)
    out = pd.DataFrame(
        {
            "commune_code": current["commune_code"].astype(str).to_numpy(),
            "legacy_code": [None if pd.isna(c) or c == "" else str(c) for c in current.get("legacy_code", unknown)],
            "area_name": current["area_name"].to_numpy(dtype=object),
            "area_kind": current["area_kind"].to_numpy(dtype=object),
            "population": pd.to_numeric(current.get("population", unknown), errors="coerce").to_numpy(dtype=float),
            "has_mediation_team": current["has_mediation_team"].eq(True).to_numpy(dtype=bool),
            "has_security_team": current["has_security_team"].eq(True).to_numpy(dtype=bool),
        }
    )
    keys = _area_keys(current["commune_code"], current["area_key"])
    covering = covering_models(operating_models(models, on)) if len(current) else models.iloc[0:0]
    if "area_key" in covering:
        covering = covering[model_areas.linked_rows(covering, current)]
    else:
        covering = covering.iloc[0:0].assign(area_key=pd.Series(dtype=object))
    linked = _area_keys(covering["commune_code"], covering["area_key"])
    kinds = covering["kind"].astype(object).to_numpy()
    for kind in domain.MODEL_KINDS:
        out[kind] = keys.isin(linked[kinds == kind]) if len(out) else np.zeros(0, dtype=bool)
    out[ANY] = keys.isin(linked) if len(out) else np.zeros(0, dtype=bool)
    return out


def coverage_by_commune(coverage: pd.DataFrame) -> pd.DataFrame:
    """Areas and covered areas per commune, from :func:`area_coverage`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``commune_code`` (only communes with a list in force):
        ``residential_areas``, ``with_mediation_team``, ``with_security_team``
        and one count per kind and :data:`ANY`.
    """
    columns = ["has_mediation_team", "has_security_team", *domain.MODEL_KINDS_CORE, ANY]
    grouped = coverage.groupby("commune_code")[columns].sum().astype("int64")
    grouped = grouped.rename(
        columns={"has_mediation_team": "with_mediation_team", "has_security_team": "with_security_team"}
    )
    grouped.insert(0, "residential_areas", coverage.groupby("commune_code").size().astype("int64"))
    return grouped


def kind_by_rating(operating: pd.DataFrame) -> pd.DataFrame:
    """Operating models by kind (rows, :data:`loaders.core.domain.MODEL_KINDS`) × rating (columns, :data:`RATINGS`)."""
    table = (
        pd.crosstab(operating["kind"].astype(object), operating["rating"].astype(object)) if len(operating) else None
    )
    out = pd.DataFrame(0, index=pd.Index(domain.MODEL_KINDS, name="kind"), columns=list(RATINGS), dtype="int64")
    if table is not None:
        out = out.add(table.reindex(index=out.index, columns=out.columns).fillna(0).astype("int64"), fill_value=0)
    return out.astype("int64")


def unit_coverage(
    coverage: pd.DataFrame,
    units: pd.Index,
    placed: pd.Series | None,
    kinds: tuple[str, ...] = (),
    on: date | None = None,
) -> dict[str, np.ndarray]:
    """Areas, covered areas and their share per unit, from :func:`area_coverage`.

    Parameters
    ----------
    coverage : pandas.DataFrame
        One row per area in force (:func:`area_coverage`).
    units : pandas.Index
        The units (plain object codes): 2025 communes, or legacy communes.
    placed : pandas.Series or None
        ``None`` for 2025 communes (an area is in its ``commune_code``); for
        legacy communes (an area is in its ``legacy_code``), whether each one's
        areas are known whole (``analysis.residential.legacy_population``).
        A unit with no area, or not placed, gets NaN: no list is not zero.
    kinds : tuple of str
        The kinds that count (empty: any kind, :data:`ANY`).
    on : date, optional
        The period's end: before 1/7/2024 there is no tổ bảo vệ ANTT to count (NaN).

    Returns
    -------
    dict of str to numpy.ndarray
        Float arrays in ``units`` order: ``residential_areas``, ``areas_covered``,
        ``area_coverage`` (0..1), ``areas_with_mediation_share`` and
        ``areas_with_security_team_share``.
    """
    n = len(units)
    column = "commune_code" if placed is None else "legacy_code"
    positions = units.get_indexer(coverage[column].to_numpy(dtype=object))
    known = np.ones(n, dtype=bool) if placed is None else placed.reindex(units).fillna(False).to_numpy(dtype=bool)
    selected = [k for k in kinds if k in coverage]
    if kinds:
        covered = coverage[selected].to_numpy(dtype=bool).any(axis=1) if selected else np.zeros(len(coverage), bool)
    else:
        covered = coverage[ANY].to_numpy(dtype=bool)
    inside = positions >= 0

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(positions[inside & mask], minlength=n)[:n].astype(float)

    areas = count(np.ones(len(coverage), dtype=bool))
    missing = ~known | (areas == 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = {
            "area_coverage": count(covered) / areas,
            "areas_with_mediation_share": count(coverage["has_mediation_team"].to_numpy(dtype=bool)) / areas,
            "areas_with_security_team_share": count(coverage["has_security_team"].to_numpy(dtype=bool)) / areas,
        }
    if on is not None and on < domain.SECURITY_TEAMS_DATE:  # the grassroots security teams exist from 1/7/2024
        shares["areas_with_security_team_share"] = np.full(n, np.nan)
    out = {"residential_areas": areas, "areas_covered": count(covered), **shares}
    return {name: np.where(missing, np.nan, values) for name, values in out.items()}
