"""Typing the cells of an upload: dates, numbers, enumerations and text.

Every parser is vectorised and works on distinct values where that is
cheaper; a cell that is blank or does not parse becomes NA, which the checks
then report (:mod:`loaders.ingest.checks`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from loaders.ingest.datasets import DATE, ENUM, FLOAT, INT, get_dataset
from loaders.ingest.enums import canonical_enum
from loaders.ingest.run import ValidationRun

# Tried in order on the cells still unparsed; day first, as Vietnamese write dates.
_DATE_FORMATS: tuple[str, ...] = (
    "%d/%m/%Y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)


_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


# Excel day numbers accepted: 1 (1900-01-01) up to 2199-12-31; validation then
# applies the real range (2000 to today).
_EXCEL_SERIAL_MAX = 109_574


def coerce(ctx: ValidationRun) -> pd.DataFrame:
    """Typed columns: NA wherever the cell is blank or does not parse."""
    spec = get_dataset(ctx.dataset)
    work = pd.DataFrame(index=ctx.raw.index)
    for col in spec.columns:
        values = ctx.raw[col.name]
        if col.kind == ENUM:
            work[col.name] = canonical_enum(values, col.enum)
        elif col.kind == DATE:
            work[col.name] = parse_dates(values)
        elif col.kind in (INT, FLOAT):
            work[col.name] = parse_numbers(values, integer=col.kind == INT)
        else:
            work[col.name] = values.where(values != "")
    return work


def parse_dates(values: pd.Series) -> pd.Series:
    """Parse date strings as Vietnamese write them; NaT where blank or invalid.

    Accepted, in order: dd/mm/yyyy and d/m/yyyy, yyyy-mm-dd, dd-mm-yyyy,
    dd.mm.yyyy, yyyy/mm/dd, the same with a time of day (dropped), and Excel
    day numbers (1 = 1900-01-01). A date such as 03/05/2024 is 3 May.

    Parameters
    ----------
    values : pandas.Series of str

    Returns
    -------
    pandas.Series of datetime64, normalised to midnight.
    """
    # Parse each distinct string once: a million incidents span a few thousand days.
    codes, uniques = pd.factorize(values.astype("str"))
    distinct = pd.Series(uniques, dtype="str")
    parsed = pd.Series(pd.NaT, index=distinct.index, dtype="datetime64[us]")
    todo = (distinct != "").to_numpy(dtype=bool, copy=True)
    for fmt in _DATE_FORMATS:
        if not todo.any():
            break
        attempt = pd.to_datetime(distinct[todo], format=fmt, errors="coerce")
        ok = attempt.notna().to_numpy()
        if ok.any():
            where = np.flatnonzero(todo)[ok]
            parsed.iloc[where] = attempt[ok].to_numpy()
            todo[where] = False
    if todo.any():
        rest = distinct[todo]
        serial = pd.to_numeric(rest.where(rest.str.fullmatch(r"\d+(?:\.0+)?")), errors="coerce")
        ok = ((serial >= 1) & (serial <= _EXCEL_SERIAL_MAX)).to_numpy()
        if ok.any():
            where = np.flatnonzero(todo)[ok]
            days = pd.to_timedelta(serial[ok].astype("int64"), unit="D")
            parsed.iloc[where] = (_EXCEL_EPOCH + days).to_numpy()
    table = np.append(parsed.dt.normalize().to_numpy(dtype="datetime64[us]"), np.datetime64("NaT", "us"))
    return pd.Series(table[np.where(codes < 0, len(distinct), codes)], index=values.index)


def parse_numbers(values: pd.Series, integer: bool = False) -> pd.Series:
    """Parse numbers written with Vietnamese or English separators; NaN where invalid.

    "1.234,5" and "1 234,5" are 1234.5 (Vietnamese), "18,35" is 18.35,
    "1,234.5" is 1234.5 (English), "1.234.567" is 1234567. A lone dot is a
    decimal point ("18.35"), except in an integer column where "1.234" is
    Vietnamese for 1234. Integer columns keep fractional values so that
    validation can name them.

    Returns
    -------
    pandas.Series of float64
    """
    values = values.astype("str")
    arr = pa.array(values)
    # Plain numbers ("18.35", "-5", "1e3") go through Arrow's cast in C++; the
    # regex keeps the cast from failing on anything else.
    plain = pc.fill_null(pc.match_substring_regex(arr, r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"), False)
    if integer:
        dotted = pc.fill_null(pc.match_substring_regex(arr, r"^[+-]?\d{1,3}(\.\d{3})+$"), False)
        arr = pc.if_else(dotted, pc.replace_substring(arr, ".", ""), arr)
        plain = pc.or_(plain, dotted)
    parsed = pc.cast(pc.if_else(plain, arr, pa.scalar(None, arr.type)), pa.float64())
    out = pd.Series(parsed.to_numpy(zero_copy_only=False), index=values.index, dtype="float64")
    todo = (out.isna() & (values != "")).to_numpy(dtype=bool, copy=True)
    if todo.any():
        rest = values[todo].str.replace(r"[\s\u00a0\u202f]", "", regex=True)
        vi = rest.str.fullmatch(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
        en = rest.str.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
        plain_rest = rest.str.fullmatch(r"[+-]?\d+(?:\.\d+)?")
        fixed = rest.where(~vi, rest.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
        fixed = fixed.where(~(en & ~vi), rest.str.replace(",", "", regex=False))
        fixed = fixed.where(vi | en | plain_rest)
        out[todo] = pd.to_numeric(fixed, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return out


def as_text(values: pd.Series) -> pd.Series:
    """Typed values written as a user would type them, blank for missing."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d").fillna("").astype("str")
    if pd.api.types.is_bool_dtype(values):
        return values.astype("str")

    def one(v: object) -> str:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return ""
        if isinstance(v, (dt.date, pd.Timestamp)):
            return v.strftime("%Y-%m-%d")
        if isinstance(v, (float, np.floating)):
            return str(int(v)) if float(v).is_integer() else repr(float(v))
        return str(v).strip()

    return pd.Series([one(v) for v in values], index=values.index, dtype="str")
