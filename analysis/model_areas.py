"""Which models are linked to a residential area (thôn, tổ dân phố) of their commune.

A model that names its thôn/TDP is linked when a stored list of its commune,
of any year, has an area with the same loose key (``area_key``, see
:func:`loaders.geo.areas.area_key`). The link is made here, when the data are
read, not at import: a name imported before its commune's list exists is
kept and links as soon as the list arrives. The importer rejects a name that
a list already stored does not have (:mod:`loaders.ingest.model_areas`).

Each model counts once, by its latest record (:mod:`analysis.model_state`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import model_state


@dataclass(frozen=True)
class AreaLinks:
    """How many models name a thôn/TDP, and how many of those are linked to one.

    Attributes
    ----------
    models : int
        Models (each once).
    named : int
        Models whose latest record names a thôn/TDP.
    linked : int
        Named models whose thôn/TDP is in a stored list of their commune.
    """

    models: int
    named: int
    linked: int

    @property
    def unlinked(self) -> int:
        """Named models not linked yet (their commune has no list with that name)."""
        return self.named - self.linked


def linked_rows(models: pd.DataFrame, areas: pd.DataFrame) -> np.ndarray:
    """Per model row, whether its thôn/TDP is in a stored list of its commune (False when none is named).

    Parameters
    ----------
    models : pd.DataFrame
        Columns ``commune_code`` and ``area_key`` (missing when no area is named).
    areas : pd.DataFrame
        Residential areas: ``commune_code`` and ``area_key``, every year.
    """
    named = models["area_key"].notna().to_numpy(dtype=bool)
    if not named.any() or areas.empty:
        return np.zeros(len(models), dtype=bool)
    known = pd.MultiIndex.from_arrays(
        [areas["commune_code"].astype(object).to_numpy(), areas["area_key"].astype(object).to_numpy()]
    ).unique()
    pairs = pd.MultiIndex.from_arrays(
        [models["commune_code"].astype(object).to_numpy(), models["area_key"].astype(object).to_numpy()]
    )
    return named & pairs.isin(known)


def area_links(models: pd.DataFrame, areas: pd.DataFrame) -> AreaLinks:
    """Count the models, those naming a thôn/TDP and those linked to one (each model by its latest record).

    Parameters
    ----------
    models : pd.DataFrame
        The models frame (``loaders.store.reads``), one row per yearly record.
    areas : pd.DataFrame
        The residential areas frame.

    Returns
    -------
    AreaLinks
    """
    if models.empty:
        return AreaLinks(0, 0, 0)
    latest = model_state.holding(models, np.array([int(models["rating_year"].max())]))[0]
    named = models["area_key"].notna().to_numpy(dtype=bool) & latest
    linked = linked_rows(models, areas) & latest
    return AreaLinks(int(latest.sum()), int(named.sum()), int(linked.sum()))
