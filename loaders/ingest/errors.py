"""The error and warning tables of a validation run, pointing into the user's file.

Each failed check becomes rows of :data:`loaders.ingest.reports.ERROR_COLUMNS`:
the row number as the user sees it, the header as written in their file, the
value as written, a message from the catalogue and a stable code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from loaders.core import domain
from loaders.core.i18n import format_date
from loaders.ingest.checks import inside
from loaders.ingest.datasets import get_dataset
from loaders.ingest.enums import ENUM_FAMILIES
from loaders.ingest.reports import ERROR_COLUMNS, empty_errors, error_frame
from loaders.ingest.run import ValidationRun


def _fmt_date(value: object, lang: str) -> str:
    return format_date(value, lang) if isinstance(value, (pd.Timestamp, dt.date)) and not pd.isna(value) else ""


def _texts(values: object, n: int) -> pa.Array:
    """Any per-row values (Series, list, scalar) as an Arrow string array of length ``n``."""
    if isinstance(values, str):
        return pa.array([values] * n, pa.large_string())
    if isinstance(values, pd.Series):
        values = values.astype("str").fillna("")
        arr = pa.array(values)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        return arr.cast(pa.large_string())
    return pa.array(["" if v is None else str(v) for v in values], pa.large_string())


def _messages(
    ctx: ValidationRun, message_key: str, n: int, per_row: Mapping[str, object], **const: object
) -> pd.Series:
    """One catalogue message per row, filled without a Python call per row.

    The template is looked up once with sentinels in the per-row slots, split
    there, and the pieces are joined with the per-row values by Arrow.
    """
    sentinels = {name: f"\x00{name}\x00" for name in per_row}
    template = ctx.t(message_key, **const, **sentinels)
    pieces = re.split("\x00(\\w+)\x00", template)
    args: list[object] = []
    for i, piece in enumerate(pieces):
        if i % 2:
            args.append(_texts(per_row[piece], n))
        elif piece:
            args.append(pa.scalar(piece, pa.large_string()))
    if not any(isinstance(a, pa.Array) for a in args):
        return pd.Series([template] * n, dtype="str")
    return pc.binary_join_element_wise(*args, pa.scalar("", pa.large_string())).to_pandas()


def errors_table(
    ctx: ValidationRun,
    work: pd.DataFrame,
    resolved: pd.DataFrame,
    dup_first: pd.Series,
    failures: list[tuple[str, str, np.ndarray]],
    polygon: Any | None,
) -> pd.DataFrame:
    """Turn failed checks into messages that point into the user's file."""
    spec = get_dataset(ctx.dataset)
    raw, header = ctx.raw, ctx.header
    order = {name: i for i, name in enumerate(spec.names)}
    parts: list[pd.DataFrame] = []
    for fname, code, idx in failures:
        n = len(idx)
        values: object = raw[fname].iloc[idx].reset_index(drop=True)
        column: object = header.source_of(fname)
        col = spec.column(fname)
        codes: object = code
        if code == "required":
            messages = _messages(ctx, "validation.required", n, {}, label=column)
        elif code == "commune_required":
            column = f"{header.source_of('ma_xa')} / {header.source_of('ten_xa')}"
            messages = _messages(ctx, "validation.commune_required", n, {})
        elif code in ("commune_not_found", "commune_ambiguous"):
            names = raw["ten_xa"].iloc[idx].reset_index(drop=True)
            has_name = (names != "").to_numpy()
            column = np.where(has_name, column, header.source_of("ma_xa"))
            values = names.where(has_name, raw["ma_xa"].iloc[idx].reset_index(drop=True))
            reasons = resolved["message"].iloc[idx].reset_index(drop=True)
            fallback = _messages(ctx, "validation.commune_unresolved", n, {"value": values})
            messages = reasons.where(reasons.notna() & (reasons != ""), fallback)
        elif code == "enum":
            allowed = "; ".join(ENUM_FAMILIES[col.enum])
            messages = _messages(ctx, "validation.enum", n, {"value": values}, label=col.label, allowed=allowed)
        elif code in ("date_future", "date_too_early"):
            messages = _messages(
                ctx,
                f"validation.{code}",
                n,
                {"value": values},
                today=_fmt_date(ctx.today, ctx.lang),
                earliest=_fmt_date(domain.EARLIEST_DATE, ctx.lang),
            )
        elif code == "year_range":
            messages = _messages(
                ctx,
                "validation.year_range",
                n,
                {"value": values},
                earliest=domain.EARLIEST_DATE.year,
                latest=ctx.today.year,
            )
        elif code == "coord_pair":
            lat_given = (raw["vi_do"].iloc[idx] != "").to_numpy()
            lat_label, lon_label = header.source_of("vi_do"), header.source_of("kinh_do")
            # Point at the empty cell: that is the one to fill in.
            column = np.where(lat_given, lon_label, lat_label)
            values = ""
            messages = pd.Series(
                np.where(
                    lat_given,
                    ctx.t("validation.coord_pair", given=lat_label, missing=lon_label),
                    ctx.t("validation.coord_pair", given=lon_label, missing=lat_label),
                ),
                dtype="str",
            )
        elif code == "coord_outside":
            column = f"{header.source_of('vi_do')} / {header.source_of('kinh_do')}"
            lats = raw["vi_do"].iloc[idx].reset_index(drop=True)
            values = lats + ", " + raw["kinh_do"].iloc[idx].reset_index(drop=True)
            swapped = inside(polygon, work["vi_do"].iloc[idx], work["kinh_do"].iloc[idx]).to_numpy()
            codes = np.where(swapped, "coord_swapped", "coord_outside")
            outside = _messages(ctx, "validation.coord_outside", n, {"value": values})
            flipped = _messages(ctx, "validation.coord_swapped", n, {"value": values})
            messages = flipped.where(swapped, outside)
        elif code in ("dissolved_before_founded", "suspended_before_founded"):
            founded = raw["ngay_thanh_lap"].iloc[idx].reset_index(drop=True)
            messages = _messages(ctx, f"validation.{code}", n, {"value": values, "founded": founded})
        elif code == "area_not_found":
            closest = work["area_closest"].iloc[idx].reset_index(drop=True)
            near = _messages(ctx, "validation.area_not_found", n, {"value": values, "closest": closest})
            alone = _messages(ctx, "validation.area_not_found_none_close", n, {"value": values})
            messages = near.where((closest != "").to_numpy(), alone)
        elif code == "unit_name_required":
            kinds = work["loai_don_vi"].iloc[idx].reset_index(drop=True)
            messages = _messages(ctx, "validation.unit_name_required", n, {"unit_type": kinds})
        elif code == "duplicate_in_file":
            firsts = dup_first.iloc[idx].astype("str").reset_index(drop=True)
            key_label = ctx.t(f"validation.key.{ctx.dataset}")
            messages = _messages(
                ctx, "validation.duplicate_in_file", n, {"value": values, "first_row": firsts}, key_label=key_label
            )
        elif code == "duplicate_in_store":
            key_label = ctx.t(f"validation.key.{ctx.dataset}")
            messages = _messages(ctx, "validation.duplicate_in_store", n, {"value": values}, key_label=key_label)
        else:
            messages = _messages(ctx, f"validation.{code}", n, {"value": values})
        rows = error_frame(
            row=ctx.rows[idx],
            column=column,
            value=values,
            message=messages.reset_index(drop=True),
            code=codes,
            field=fname,
        )
        parts.append(rows.assign(_order=order.get(fname, len(order))))
    if not parts:
        return empty_errors()
    out = pd.concat(parts, ignore_index=True)
    for c in ("column", "value", "message", "code", "field"):
        out[c] = out[c].astype("str")
    # One positional take of the string columns instead of a multi-key frame sort.
    code_rank = pd.factorize(out["code"], sort=True)[0]
    order_idx = np.lexsort((code_rank, out["_order"].to_numpy(), out["row"].to_numpy()))
    out = out.drop(columns="_order").take(order_idx).reset_index(drop=True)
    out["row"] = out["row"].astype("int64")
    return out


def warnings_table(ctx: ValidationRun, resolved: pd.DataFrame, accepted: np.ndarray) -> pd.DataFrame:
    split = resolved["split"].to_numpy(dtype=bool) & accepted
    if not split.any():
        return empty_errors()
    idx = np.flatnonzero(split)
    names, codes = (
        ctx.raw["ten_xa"].iloc[idx].to_numpy(dtype=object, na_value=None),
        ctx.raw["ma_xa"].iloc[idx].to_numpy(dtype=object, na_value=None),
    )
    values = [n or c for n, c in zip(names, codes)]
    cands = resolved["candidates"].iloc[idx].to_numpy(dtype=object, na_value=None)
    return error_frame(
        row=ctx.rows[idx].astype("int64"),
        column=[ctx.header.source_of("ten_xa" if n else "ma_xa") for n in names],
        value=values,
        message=[ctx.t("validation.commune_split", value=v, candidates=c) for v, c in zip(values, cands)],
        code="commune_split",
        field="ten_xa",
    ).astype({c: "str" for c in ERROR_COLUMNS if c != "row"})
