"""The state of each model at a date: which yearly record holds, and the rating of that year.

A model is its commune and normalised name (``commune_code``, ``name_key``);
each stored row is one of its records, the list of one year (``rating_year``).
The rule, written once here and used by the indicators:

* **The record that holds at a date** is the model's latest record whose year
  is not after the date's year. A model first listed in a later year is known
  by its earliest record: its founding date still says whether it existed.
  The founding, dissolution and suspension of that record are the model's.
* **The rating for a year** is the rating of the record of that year. Ratings
  do not carry over: with no record of the year, or a record without a
  rating, the model is "chưa đánh giá" (:data:`loaders.core.domain.ASSESSMENT_UNRATED`).
* **Suspended at a date**: the holding record's status is "tạm dừng" and its
  suspension date is missing or not after the date. **Dissolved at a date**:
  its dissolution date is not after the date.

Pure numpy/pandas; every function takes the models frame as
``loaders.store.reads.load_dataset`` reads it (columns ``commune_code``,
``name_key``, ``rating_year``, ``status``, ``assessment``, ``founded_on``,
``dissolved_on``, ``suspended_on``).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from loaders.core import domain

#: Status of a model at a date, besides the stored statuses: not yet founded then.
NOT_FOUNDED = "chưa thành lập"


def model_ids(models: pd.DataFrame) -> np.ndarray:
    """One integer per model (commune and normalised name), shared by all its yearly records."""
    if models.empty:
        return np.zeros(0, dtype=np.int64)
    # Factorized column by column, then the pair: far cheaper than hashing (commune, name) tuples.
    commune = models["commune_code"]
    if isinstance(commune.dtype, pd.CategoricalDtype):
        communes = commune.cat.codes.to_numpy().astype(np.int64)
    else:
        communes = pd.factorize(commune)[0].astype(np.int64)
    names, distinct = pd.factorize(models["name_key"])
    # Missing parts are -1: the pair stays distinct from every pair of known parts.
    pairs = communes * (len(distinct) + 1) + names
    return pd.factorize(pairs)[0].astype(np.int64)


def years_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of each ``datetime64`` value."""
    return np.asarray(days, dtype="datetime64[Y]").astype(np.int64) + 1970


def holding(models: pd.DataFrame, years: np.ndarray) -> np.ndarray:
    """Which rows are the record that holds, per year (see the module's rule).

    Parameters
    ----------
    models : pd.DataFrame
        The models frame (one row per yearly record).
    years : np.ndarray
        Integer years, one per period.

    Returns
    -------
    np.ndarray
        Boolean, shape ``(len(years), len(models))``: exactly one true row per model and year.
    """
    years = np.asarray(years, dtype=np.int64)
    n = len(models)
    ids = model_ids(models)
    if n == 0 or int(ids.max()) + 1 == n:
        # One record per model: it holds whatever the year.
        return np.ones((len(years), n), dtype=bool)
    record_year = models["rating_year"].to_numpy(dtype=np.int64)
    order = np.lexsort((record_year, ids))
    sorted_ids, sorted_years = ids[order], record_year[order]
    group_first = np.searchsorted(sorted_ids, sorted_ids, side="left")
    distinct, row_of = np.unique(years, return_inverse=True)
    held = np.zeros((len(distinct), n), dtype=bool)
    for row, year in enumerate(distinct):
        # Per record's model, the last record of the model with a year not after ``year``.
        last = _last_not_after(sorted_ids, sorted_years, int(year))
        held[row, order[np.where(last < group_first, group_first, last)]] = True
    return held[row_of.reshape(-1)] if len(years) else np.zeros((0, n), dtype=bool)


def _last_not_after(sorted_ids: np.ndarray, sorted_years: np.ndarray, year: int) -> np.ndarray:
    """For every position, the last position of the same model whose year is ``<= year`` (or before the group)."""
    # Keys (model, year) in one integer, in the same order as the rows; a year past every
    # record is the same question as the latest record's year.
    high = int(sorted_years.max())
    low = min(int(sorted_years.min()), year)
    span = high - low + 1
    keys = sorted_ids * span + (sorted_years - low)
    wanted = sorted_ids * span + (min(year, high) - low)
    return np.searchsorted(keys, wanted, side="right") - 1


def rated_in(models: pd.DataFrame, years: np.ndarray) -> np.ndarray:
    """Which rows carry the model's rating for each year: the holding record, of that very year.

    Returns
    -------
    np.ndarray
        Boolean, shape ``(len(years), len(models))``. A row's ``assessment``
        is the rating for a year only where this is true; elsewhere the model
        is "chưa đánh giá" for that year.
    """
    years = np.asarray(years, dtype=np.int64)
    record_year = models["rating_year"].to_numpy(dtype=np.int64)
    return holding(models, years) & (record_year[None, :] == years[:, None])


def suspended_by(models: pd.DataFrame, ends: np.ndarray) -> np.ndarray:
    """Rows suspended on each date: status "tạm dừng", dated on or before it or undated.

    Returns
    -------
    np.ndarray
        Boolean, shape ``(len(ends), len(models))``, per row (combine with :func:`holding`).
    """
    ends = np.asarray(ends, dtype="datetime64[ns]")
    status = (models["status"] == domain.STATUS_SUSPENDED).to_numpy(dtype=bool)
    since = models["suspended_on"].to_numpy(dtype="datetime64[ns]")
    return status[None, :] & (np.isnat(since)[None, :] | (since[None, :] <= ends[:, None]))


def dissolved_by(models: pd.DataFrame, ends: np.ndarray) -> np.ndarray:
    """Rows dissolved on or before each date, shape ``(len(ends), len(models))``."""
    ends = np.asarray(ends, dtype="datetime64[ns]")
    dissolved = models["dissolved_on"].to_numpy(dtype="datetime64[ns]")
    return dissolved[None, :] <= ends[:, None]


def state_at(models: pd.DataFrame, on: date) -> pd.DataFrame:
    """Each model as it stood on a date: its holding record, its rating that year and its status then.

    Parameters
    ----------
    models : pd.DataFrame
        The models frame (one row per yearly record).
    on : date

    Returns
    -------
    pd.DataFrame
        The holding records (same columns and index as ``models``), one per
        model, with ``assessment`` the rating of ``on``'s year (missing when
        not rated that year), ``rating`` the same with
        :data:`~loaders.core.domain.ASSESSMENT_UNRATED` for missing, and
        ``status_at``: :data:`NOT_FOUNDED`, "giải thể", "tạm dừng" or "đang hoạt động" on ``on``.
    """
    end = np.array([np.datetime64(pd.Timestamp(on), "ns")])
    year = np.array([on.year])
    held = holding(models, year)[0]
    rated = rated_in(models, year)[0]
    founded = models["founded_on"].to_numpy(dtype="datetime64[ns]") <= end[0]
    status = np.where(
        ~founded,
        NOT_FOUNDED,
        np.where(
            dissolved_by(models, end)[0],
            domain.STATUS_DISSOLVED,
            np.where(suspended_by(models, end)[0], domain.STATUS_SUSPENDED, domain.STATUS_ACTIVE),
        ),
    )
    out = models[held].copy()
    assessment = models["assessment"].astype(object).where(rated, None)[held]
    out["assessment"] = assessment.astype(models["assessment"].dtype) if len(out) else assessment
    out["rating"] = assessment.where(assessment.notna(), domain.ASSESSMENT_UNRATED).astype(object)
    out["status_at"] = status[held]
    return out
