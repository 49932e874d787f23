"""The thôn or tổ dân phố a model names, checked against its commune's stored lists.

A model row may name its thôn/tổ dân phố (column ``thon_tdp``). The name is
compared by its loose key (:func:`loaders.geo.areas.area_key`) with the
residential areas stored for the row's 2025 commune, every year's list
together:

* the commune has a list and the key matches none of its areas: the row is
  rejected, the message naming the value and the closest names of the list;
* the commune has no list yet: the name is kept as written; the link is made
  by key when the data are read (``analysis.model_areas``), so a list imported
  later links it and nothing is dropped.

Only real (not demo) lists are asked: demo areas never reject real rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from loaders.geo.areas import closest_area_names
from loaders.store import tables

#: ``area_lists(codes)`` -> per 2025 commune code that has a stored list, its area names (``{name: key}``).
AreaLists = Callable[[Sequence[str]], Mapping[str, Mapping[str, str]]]

#: Closest names quoted in a row's message.
CLOSEST_SHOWN = 3


def stored_area_lists(conn: Connection, codes: Iterable[str]) -> dict[str, dict[str, str]]:
    """The area names and keys of every real stored list of the given communes, all years together.

    Parameters
    ----------
    conn : Connection
    codes : iterable of str
        2025 commune codes.

    Returns
    -------
    dict
        ``{commune_code: {area_name: area_key}}`` for the communes that have a
        list; a name written in several years' lists appears once.
    """
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    areas, imports = tables.residential_areas, tables.imports
    real = sa.select(imports.c.id).where(imports.c.status == tables.IMPORT_COMMITTED, sa.not_(imports.c.is_demo))
    query = (
        sa.select(areas.c.commune_code, areas.c.area_name, areas.c.area_key)
        .where(areas.c.commune_code.in_(wanted), areas.c.import_id.in_(real))
        .order_by(areas.c.commune_code, areas.c.year.desc(), areas.c.id)
    )
    out: dict[str, dict[str, str]] = {}
    for code, name, key in conn.execute(query):
        out.setdefault(code, {}).setdefault(name, key)
    return out


def check_area_names(work: pd.DataFrame, area_lists: AreaLists | None) -> None:
    """Mark the model rows whose thôn/TDP is not in their commune's stored lists.

    Adds ``area_unknown`` (bool) and ``area_closest`` (the closest names,
    joined with "; ", empty when there is none) to ``work``, which needs
    ``commune_code``, ``thon_tdp`` and ``area_key``. Without ``area_lists``
    nothing is unknown.
    """
    work["area_unknown"] = False
    work["area_closest"] = ""
    named = work["thon_tdp"].notna() & work["commune_code"].notna()
    if area_lists is None or not named.any():
        return
    lists = area_lists(sorted(set(work.loc[named, "commune_code"].astype(str))))
    if not lists:
        return
    keys_of = {code: set(names.values()) for code, names in lists.items()}
    pairs = work.loc[named, ["commune_code", "thon_tdp", "area_key"]].astype(object).drop_duplicates()
    unknown: dict[tuple[str, str], str] = {}
    for code, name, key in pairs.itertuples(index=False, name=None):
        if code in keys_of and key not in keys_of[code]:
            closest = closest_area_names(name, list(lists[code]), limit=CLOSEST_SHOWN)
            unknown[(code, name)] = "; ".join(closest)
    if not unknown:
        return
    pair = pd.Series(list(zip(work["commune_code"].astype(object), work["thon_tdp"].astype(object))), index=work.index)
    hit = named & pair.isin(set(unknown))
    work["area_unknown"] = hit
    work.loc[hit, "area_closest"] = pair[hit].map(unknown)
