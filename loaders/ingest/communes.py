"""Resolving the commune of every row through the registry, once per distinct reference.

A row names its commune by code, name and former district; the registry
resolves each distinct combination once (a million incidents name a few
hundred communes). Rows of a legacy commune that was split between 2025
communes are placed by their coordinates when a locator is given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from loaders.core import domain
from loaders.geo.resolve import STATUS_AMBIGUOUS
from loaders.geo.vintages import VINTAGE_BY_CODE, vintage_codes_for_dates
from loaders.ingest.run import ValidationRun

#: ``resolver(codes, names, districts, vintage=[...])`` -> frame like ``Registry.resolve_frame``.
Resolver = Callable[..., pd.DataFrame]


def row_vintages(ctx: ValidationRun, work: pd.DataFrame) -> np.ndarray:
    """The vintage each row's commune reference uses, as an index into ``VINTAGE_BY_CODE``."""
    n = len(work)
    if ctx.dataset == domain.DATASET_INCIDENTS:
        return vintage_codes_for_dates(work["ngay"])
    if ctx.dataset in (domain.DATASET_RECOGNITIONS, domain.DATASET_RESIDENTIAL_AREAS):
        # Recognitions are decided at year end, and a list of areas holds for its year:
        # 2025 onwards use 2025 units.
        year = work["nam"]
        modern = (year >= domain.FIRST_RECOGNITION_YEAR_2025).fillna(False).to_numpy(dtype=bool)
        return np.where(year.isna().to_numpy(), 0, np.where(modern, 2, 1))
    # A model's founding date says nothing about which names its report uses.
    return np.zeros(n, dtype=np.int64)


def _combine_codes(parts: list[np.ndarray]) -> np.ndarray:
    """Group number of each row over several factorized columns, in order of first appearance."""
    group = parts[0].astype(np.int64)
    for part in parts[1:]:
        width = int(part.max()) + 2
        group, _ = pd.factorize(group * width + (part.astype(np.int64) + 1))
    return pd.factorize(group)[0]


_RESOLVER_COLUMNS = [
    "status",
    "vintage",
    "code",
    "name",
    "legacy_code",
    "legacy_name",
    "split",
    "candidates",
    "message",
]


def resolve_communes(
    ctx: ValidationRun, work: pd.DataFrame, resolver: Resolver, fallback_vintage: str | None
) -> pd.DataFrame:
    """Resolver output aligned with the rows (object columns); None where no commune was given."""
    raw = ctx.raw
    n = len(raw)
    given = ((raw["ma_xa"] != "") | (raw["ten_xa"] != "")).to_numpy()
    if not given.any():
        return _spread(pd.DataFrame(columns=_RESOLVER_COLUMNS), np.zeros(n, dtype=np.int64))
    # Each distinct reference is resolved once: a million incidents name a few
    # hundred communes. Factorized integer codes keep the grouping fast.
    rows = np.flatnonzero(given)
    vint = row_vintages(ctx, work)[rows]
    # factorize works on the Arrow strings; converting them to Python objects would cost seconds.
    parts = [pd.factorize(raw[c])[0][rows] for c in ("ma_xa", "ten_xa", "huyen_cu")] + [vint]
    group = _combine_codes(parts)
    first = np.full(group.max() + 1, len(group), dtype=np.int64)
    np.minimum.at(first, group, np.arange(len(group)))
    reps = rows[first]
    distinct = pd.DataFrame(
        {
            "c": raw["ma_xa"].iloc[reps].tolist(),
            "n": raw["ten_xa"].iloc[reps].tolist(),
            "d": raw["huyen_cu"].iloc[reps].tolist(),
            "v": [VINTAGE_BY_CODE[v] for v in vint[first]],
        }
    )
    found = _call_resolver(resolver, distinct)
    if ctx.dataset == domain.DATASET_MODELS and fallback_vintage:
        # Still ambiguous by name and former district: the user said which units the file uses.
        ambiguous = (found["status"] == STATUS_AMBIGUOUS).to_numpy()
        if ambiguous.any():
            retry = distinct[ambiguous].assign(v=fallback_vintage)
            found.loc[ambiguous, _RESOLVER_COLUMNS] = _call_resolver(resolver, retry).to_numpy()
    slot = np.full(n, len(found), dtype=np.int64)  # last slot: no commune given
    slot[rows] = group
    return _spread(found, slot)


def place_split_rows(work: pd.DataFrame, resolved: pd.DataFrame, locator: Any) -> None:
    """Move rows of split legacy communes to the 2025 commune their point lies in.

    Placed rows are no longer flagged as split; rows without a usable point keep
    the default (most of the area) and the warning.
    """
    split = (
        resolved["split"].to_numpy(dtype=bool) & work["vi_do"].notna().to_numpy() & work["kinh_do"].notna().to_numpy()
    )
    if not split.any():
        return
    idx = np.flatnonzero(split)
    located = locator.locate(
        resolved["legacy_code"].iloc[idx].tolist(), work["kinh_do"].iloc[idx].tolist(), work["vi_do"].iloc[idx].tolist()
    )
    for i, code in zip(idx, located):
        if code is not None:
            resolved.iloc[i, resolved.columns.get_loc("code")] = code
            resolved.iloc[i, resolved.columns.get_loc("split")] = False


def _spread(found: pd.DataFrame, slot: np.ndarray) -> pd.DataFrame:
    """Rows of ``found`` at positions ``slot`` (``len(found)`` = all missing), as Arrow strings."""
    take = pa.array(slot)
    out: dict[str, pd.Series] = {}
    for c in _RESOLVER_COLUMNS:
        values = [v if v is None or isinstance(v, str) else str(v) for v in found[c]] if c != "split" else None
        if c == "split":
            flags = np.append(found[c].fillna(False).astype(bool).to_numpy(), False)
            out[c] = pd.Series(flags[slot])
        else:
            out[c] = pa.array([*values, None], pa.large_string()).take(take).to_pandas()
    return pd.DataFrame(out)


def _call_resolver(resolver: Resolver, refs: pd.DataFrame) -> pd.DataFrame:
    def blank_none(s: pd.Series) -> list[object]:
        return [v if isinstance(v, str) and v != "" else None for v in s]

    result = resolver(
        blank_none(refs["c"]), blank_none(refs["n"]), blank_none(refs["d"]), vintage=blank_none(refs["v"])
    )
    result = result.reset_index(drop=True)
    for c in _RESOLVER_COLUMNS:
        if c not in result.columns:
            result[c] = None
    result = result[_RESOLVER_COLUMNS].astype("object")
    return result.where(result.notna(), None)
