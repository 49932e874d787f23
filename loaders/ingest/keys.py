"""Business keys: what makes two rows the same record, within a file and against the store.

An incident is its ``ma_vu_viec``; a model's record is its resolved commune,
its normalised name and the year it holds for (``nam_danh_gia``, the import's
year when blank), so that next year's list of the same models adds records
rather than repeating them; a recognition is its year, commune, unit type and
normalised unit name (:data:`loaders.ingest.datasets.BUSINESS_KEY_COLUMNS`).
Validation rejects a row whose key repeats an earlier row or a stored one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from loaders.core import domain
from loaders.core.textnorm import key
from loaders.geo.areas import area_key
from loaders.geo.resolve import STATUS_RESOLVED
from loaders.ingest.datasets import BUSINESS_KEY_COLUMNS
from loaders.ingest.residential import add_area_columns
from loaders.ingest.run import ValidationRun

#: ``existing_keys(dataset, keys)`` -> the subset of ``keys`` already in the store.
ExistingKeys = Callable[[str, list[str]], set[str]]


def make_business_keys(frame: pd.DataFrame, dataset: str) -> pd.Series:
    """Business keys of rows shaped like ``ValidationResult.accepted``.

    Stored rows are keyed the same way, joining their store columns
    (:data:`loaders.ingest.datasets.STORE_KEY_COLUMNS`, the store names of
    :data:`loaders.ingest.datasets.BUSINESS_KEY_COLUMNS`) with ``|``, so that
    ``existing_keys`` compares like with like: ``ma_vu_viec`` for incidents,
    ``"<commune_code>|<name_key>|<nam_danh_gia>"`` for models and
    ``"<nam>|<commune_code>|<loai_don_vi>|<unit_key>"`` for recognitions.
    NA where a part is missing.
    """
    parts = [frame[c].astype("str") for c in BUSINESS_KEY_COLUMNS[dataset]]
    out = parts[0]
    for part in parts[1:]:
        out = out + "|" + part
    return out


def add_keys(ctx: ValidationRun, work: pd.DataFrame, resolved: pd.DataFrame) -> None:
    """Add ``commune_code``, ``name_key``/``unit_key`` and ``business_key`` to ``work``.

    ``commune_code`` is the resolved 2025 code (NA when unresolved); names are
    keyed with :func:`loaders.core.textnorm.key` so that spelling variants of
    one model or unit collide. A model row without ``nam_danh_gia`` holds for
    the year of the import (``ctx.today``): that is the year its rating and
    status were reported in.
    """
    ok = resolved["status"] == STATUS_RESOLVED
    work["commune_code"] = resolved["code"].where(ok)
    if ctx.dataset == domain.DATASET_MODELS:
        work["name_key"] = _keys_of(work["ten_mo_hinh"])
        work["nam_danh_gia"] = work["nam_danh_gia"].fillna(float(ctx.today.year))
        work["area_key"] = _keys_of(work["thon_tdp"], area_key)
    elif ctx.dataset == domain.DATASET_RECOGNITIONS:
        # A commune-level unit is the commune itself: name it as resolved in
        # its own vintage, so that two legacy communes now merged stay apart.
        commune_level = work["loai_don_vi"] == domain.UNIT_TYPE_COMMUNE
        own_name = resolved["legacy_name"].where(resolved["legacy_name"].notna(), resolved["name"]).where(ok)
        fill = commune_level & work["ten_don_vi"].isna()
        work["ten_don_vi"] = work["ten_don_vi"].where(~fill, own_name.astype("str"))
        work["unit_key"] = _keys_of(work["ten_don_vi"])
    elif ctx.dataset == domain.DATASET_RESIDENTIAL_AREAS:
        add_area_columns(work, ctx.raw["loai_khu_dan_cu"] != "")
    year_column = {
        domain.DATASET_RECOGNITIONS: "nam",
        domain.DATASET_MODELS: "nam_danh_gia",
        domain.DATASET_RESIDENTIAL_AREAS: "nam",
    }.get(ctx.dataset)
    # Years are keyed as whole numbers, as the store keeps them; a fractional year is rejected by its check.
    frame = work.assign(**{year_column: work[year_column].round().astype("Int64")}) if year_column else work
    work["business_key"] = make_business_keys(frame, ctx.dataset)


def _keys_of(values: pd.Series, keyer: Callable[[object], str] = key) -> pd.Series:
    """``keyer`` of each value (:func:`loaders.core.textnorm.key` by default), once per distinct value."""
    codes, uniques = pd.factorize(values)
    table = np.array([keyer(u) or None for u in uniques] + [None], dtype=object)
    return pd.Series(table[np.where(codes < 0, len(uniques), codes)], index=values.index).astype("str")


def find_duplicates(
    ctx: ValidationRun, work: pd.DataFrame, existing_keys: ExistingKeys | None
) -> tuple[pd.Series, pd.Series]:
    """Rows whose business key repeats an earlier row of the file or a stored row.

    Returns
    -------
    (pandas.Series, pandas.Series)
        For each row, the row number of the first earlier row with the same
        key (NA if none), and whether its key is already stored (asked once
        per distinct key through ``existing_keys``).
    """
    bk = work["business_key"]
    codes, uniques = pd.factorize(bk)
    has = codes >= 0
    first_pos = np.full(len(uniques), len(bk), dtype=np.int64)
    np.minimum.at(first_pos, codes[has], np.flatnonzero(has))
    first = np.zeros(len(bk), dtype=bool)
    first[first_pos] = True
    later = has & ~first
    dup_first = pd.Series(pd.NA, index=work.index, dtype="Int64")
    if later.any():
        dup_first[later] = ctx.rows[first_pos[codes[later]]]
    in_store = pd.Series(False, index=work.index)
    if existing_keys is not None and first.any():
        found = existing_keys(ctx.dataset, bk[first].tolist())
        if found:
            in_store = bk.isin(set(found)).fillna(False).astype(bool)
    return dup_first, in_store
