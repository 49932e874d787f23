"""Row-by-row validation of an uploaded dataset, with pandera collecting every failure.

The pipeline is vectorised end to end so that a million incident rows take
seconds: strings from :mod:`loaders.ingest.reading` are coerced with pandas (dates
tried format by format, Vietnamese number separators, enumerations through
their distinct values), communes are resolved once per distinct combination,
and one pandera schema of vectorised checks, run with ``lazy=True``, reports
all failures at once. Each failure becomes a row of the error table: the row
number as the user sees it in their spreadsheet, the column header as written
in their file, the value as written, a Vietnamese message and a stable code.

A row with any error is rejected; the others are accepted with typed
canonical columns plus the commune as given and as resolved.

Error codes
-----------
``required``, ``commune_required``, ``unit_name_required``, ``enum``,
``date_format``, ``date_future``, ``date_too_early``, ``number_format``,
``integer``, ``negative``, ``year_range``, ``coord_pair``, ``coord_outside``,
``coord_swapped``, ``dissolved_without_date``, ``dissolution_date_not_dissolved``,
``dissolved_before_founded``, ``commune_not_found``, ``commune_ambiguous``,
``duplicate_in_file``, ``duplicate_in_store``. Warnings (row kept):
``commune_split``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from loaders.core import domain
from loaders.ingest.datasets import (
    DATE,
    ENUM,
    ENUM_FAMILIES,
    FLOAT,
    INCIDENTS,
    INT,
    MODELS,
    RECOGNITIONS,
    HeaderMatch,
    ImportDataError,
    canonical_enum,
    get_dataset,
    match_headers,
)
from loaders.core.i18n import translate
from loaders.ingest.reading import RawTable, read_table
from loaders.geo.vintages import VINTAGE_BY_CODE, vintage_codes_for_dates
from loaders.core.textnorm import key

if TYPE_CHECKING:
    from pyarrow import Array as pa_Array

#: ``resolver(codes, names, districts, vintage=[...])`` -> frame like ``Registry.resolve_frame``.
Resolver = Callable[..., pd.DataFrame]
#: ``existing_keys(dataset, keys)`` -> the subset of ``keys`` already in the store.
ExistingKeys = Callable[[str, list[str]], set[str]]

#: Columns added to the accepted rows after the canonical ones.
RESOLVED_COLUMNS: tuple[str, ...] = (
    "commune_code",
    "legacy_code",
    "vintage",
    "code_given",
    "name_given",
    "district_given",
    "business_key",
    "source_row",
)
#: Columns of the error (and warning) table.
ERROR_COLUMNS: tuple[str, ...] = ("row", "column", "value", "message", "code", "field")

#: Accepted-frame columns whose values, joined with "|", form the business key.
BUSINESS_KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    INCIDENTS: ("ma_vu_viec",),
    MODELS: ("commune_code", "name_key"),
    RECOGNITIONS: ("nam", "commune_code", "loai_don_vi", "unit_key"),
}

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
_COMMUNE_LEVEL_UNIT = "xã, phường, thị trấn"
_RESOLVED = "resolved"
_AMBIGUOUS = "ambiguous"
_NOT_FOUND = "not_found"


class MissingColumnsError(ImportDataError):
    """Required columns have no matching header; ``header`` says which, for a mapping step."""

    def __init__(self, message: str, header: HeaderMatch) -> None:
        super().__init__(message)
        self.header = header


@dataclass
class ValidationResult:
    """The preview of an upload: what would be stored and what is wrong.

    Attributes
    ----------
    dataset : str
    accepted : pandas.DataFrame
        Valid rows: the dataset's canonical columns typed (dates as
        ``datetime64``, integers ``Int64``, coordinates ``float64``,
        enumerations as their stored Vietnamese value, blank text as NA),
        ``name_key`` (models) or ``unit_key`` (recognitions), then
        :data:`RESOLVED_COLUMNS`: ``commune_code`` (2025), ``legacy_code``,
        ``vintage`` (of the reference), ``code_given``, ``name_given``,
        ``district_given``, ``business_key`` and ``source_row`` (the row
        number in the file).
    errors : pandas.DataFrame
        :data:`ERROR_COLUMNS`: ``row`` (as in the file), ``column`` (header as
        in the file), ``value`` (as written), ``message`` (Vietnamese),
        ``code`` (stable error code) and ``field`` (canonical column), sorted
        by row. A rejected row has at least one error.
    warnings : pandas.DataFrame
        Same columns, for accepted rows the user should look at (a legacy
        commune that was split between 2025 communes).
    rows_read : int
        Data rows in the file (blank and totals rows excluded).
    header : HeaderMatch
    totals_rows : list of int
        Row numbers of the totals rows the reader dropped.
    file_name, sheet : str
    """

    dataset: str
    accepted: pd.DataFrame
    errors: pd.DataFrame
    warnings: pd.DataFrame
    rows_read: int
    header: HeaderMatch
    totals_rows: list[int] = field(default_factory=list)
    file_name: str = ""
    sheet: str | None = None

    @property
    def rows_accepted(self) -> int:
        """Number of valid rows."""
        return len(self.accepted)

    @property
    def rows_rejected(self) -> int:
        """Number of rows with at least one error."""
        return self.rows_read - self.rows_accepted

    @property
    def ignored_columns(self) -> list[str]:
        """Columns of the file that no field uses (e.g. "STT")."""
        return list(self.header.ignored)

    def summary(self) -> dict[str, Any]:
        """JSON-ready counts and errors: ``dataset, rows, accepted, rejected, errors, ...``."""
        return {
            "dataset": self.dataset,
            "file_name": self.file_name,
            "sheet": self.sheet,
            "rows": self.rows_read,
            "accepted": self.rows_accepted,
            "rejected": self.rows_rejected,
            "ignored_columns": self.ignored_columns,
            "totals_rows": list(self.totals_rows),
            "errors": [
                {"row": int(r.row), "column": r.column, "value": r.value, "message": r.message, "code": r.code}
                for r in self.errors.itertuples(index=False)
            ],
            "warnings": [
                {"row": int(r.row), "column": r.column, "value": r.value, "message": r.message, "code": r.code}
                for r in self.warnings.itertuples(index=False)
            ],
        }


# --------------------------------------------------------------------------- entry points


def validate_upload(
    data: bytes,
    file_name: str,
    dataset: str,
    *,
    resolver: Resolver,
    polygon: Any | None,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
    vintage: str | None = domain.VINTAGE_2025,
    existing_keys: ExistingKeys | None = None,
    today: dt.date | None = None,
    lang: str = "vi",
    locator: Any | None = None,
) -> ValidationResult:
    """Read and validate an uploaded file in one call (:func:`read_table` then :func:`validate_table`).

    Raises
    ------
    UnreadableFileError
        When the file cannot be read at all.
    MappingError, MissingColumnsError, UnknownDatasetError
        When the columns cannot be matched.
    """
    table = read_table(data, file_name, sheet=sheet)
    return validate_table(
        table,
        dataset,
        resolver=resolver,
        polygon=polygon,
        mapping=mapping,
        vintage=vintage,
        existing_keys=existing_keys,
        today=today,
        lang=lang,
        locator=locator,
    )


def validate_table(
    table: RawTable,
    dataset: str,
    *,
    resolver: Resolver,
    polygon: Any | None,
    mapping: Mapping[str, str] | None = None,
    vintage: str | None = domain.VINTAGE_2025,
    existing_keys: ExistingKeys | None = None,
    today: dt.date | None = None,
    lang: str = "vi",
    locator: Any | None = None,
) -> ValidationResult:
    """Validate a table read by :func:`loaders.ingest.reading.read_table`.

    Parameters
    ----------
    table : RawTable
    dataset : {"models", "incidents", "recognitions"}
    resolver : callable
        ``resolver(codes, names, districts, vintage=per_row_vintages)`` with
        the contract of ``Registry.resolve_frame``; called once with the
        distinct commune references (twice for models, see ``vintage``).
    polygon : shapely geometry or None
        Hà Tĩnh's outline in lon/lat (EPSG:4326); coordinates outside it
        reject the row. ``None`` skips that check (tests, no boundaries).
    mapping : mapping of str to str, optional
        Explicit source column -> canonical column, see :func:`match_headers`.
    vintage : {"2025", "legacy"} or None
        Models only: which units the file's names use when a name stays
        ambiguous after resolving by name and former district. Incidents take
        the vintage from their date, recognitions from their year. ``None``
        reports such names as ambiguous.
    existing_keys : callable, optional
        ``existing_keys(dataset, keys)`` returns the business keys (format of
        :func:`make_business_keys`) already stored; those rows are rejected.
    today : date, optional
        The date after which dates are "in the future"; today by default.
    lang : {"vi", "en"}
        Language of the messages.
    locator : SplitCommuneLocator, optional
        Places rows of split legacy communes by their coordinates
        (``loaders.geo.placement.load_split_locator``); without it, or without a
        point, such rows go to the commune that took most of the area, with a
        ``commune_split`` warning.

    Returns
    -------
    ValidationResult

    Raises
    ------
    MappingError
        When ``mapping`` names a missing column or an unknown field.
    MissingColumnsError
        When a required column has no header, even after ``mapping``.
    """
    spec = get_dataset(dataset)
    header = match_headers(table.columns, dataset, mapping)
    if not header.complete:
        raise MissingColumnsError(
            translate(
                "import.error.missing_columns",
                lang,
                file=table.file_name,
                columns=", ".join(f"«{c}»" for c in header.missing_labels()),
            ),
            header,
        )
    n = len(table.frame)
    empty = pd.Series([""] * n, dtype="str")
    raw = pd.DataFrame(
        {
            name: (table.frame[header.columns[name]].reset_index(drop=True) if name in header.columns else empty)
            for name in spec.names
        }
    )
    ctx = _Context(
        dataset=dataset,
        raw=raw,
        rows=np.asarray(table.row_numbers, dtype=np.int64),
        header=header,
        today=today or dt.date.today(),
        lang=lang,
    )
    work = _coerce(ctx)
    resolved = _resolve_communes(ctx, work, resolver, vintage)
    if locator is not None and "vi_do" in work:
        _place_split_rows(work, resolved, locator)
    _add_keys(ctx, work, resolved)
    dup_first, in_store = _duplicates(ctx, work, existing_keys)
    schema = _schema(ctx, work, resolved, dup_first, in_store, polygon)
    failures = _run_schema(schema, work)
    errors = _errors_table(ctx, work, resolved, dup_first, failures, polygon)
    rejected = np.zeros(n, dtype=bool)
    for _, _, idx in failures:
        rejected[idx] = True
    accepted = _accepted(ctx, work, resolved, ~rejected)
    warnings = _warnings_table(ctx, resolved, ~rejected)
    return ValidationResult(
        dataset,
        accepted,
        errors,
        warnings,
        n,
        header,
        list(table.totals_rows),
        table.file_name,
        table.sheet,
    )


def validate_frame(
    frame: pd.DataFrame,
    dataset: str,
    *,
    resolver: Resolver,
    polygon: Any | None,
    row_numbers: Sequence[int] | None = None,
    vintage: str | None = domain.VINTAGE_2025,
    existing_keys: ExistingKeys | None = None,
    today: dt.date | None = None,
    lang: str = "vi",
    locator: Any | None = None,
) -> ValidationResult:
    """Validate a frame with canonical columns (the demo generator's path).

    Values may be typed (dates, numbers) or text; they are written as text
    the way a user would and go through exactly the same checks as a file.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical column names (or any accepted header).
    row_numbers : sequence of int, optional
        Row numbers for messages; by default 2, 3, ... as under a header row.

    Other parameters are those of :func:`validate_table`.
    """
    text = pd.DataFrame({str(c): _as_text(frame[c]) for c in frame.columns})
    rows = np.arange(2, 2 + len(frame), dtype=np.int64) if row_numbers is None else np.asarray(row_numbers)
    table = RawTable(text, rows, 1, [], "", None, [], None, None)
    return validate_table(
        table,
        dataset,
        resolver=resolver,
        polygon=polygon,
        vintage=vintage,
        existing_keys=existing_keys,
        today=today,
        lang=lang,
        locator=locator,
    )


def make_business_keys(frame: pd.DataFrame, dataset: str) -> pd.Series:
    """Business keys of rows shaped like ``ValidationResult.accepted``.

    The store builds the keys of its stored rows with this function (from the
    same columns, see :data:`BUSINESS_KEY_COLUMNS`) so that ``existing_keys``
    compares like with like: ``ma_vu_viec`` for incidents,
    ``"<commune_code>|<name_key>"`` for models and
    ``"<nam>|<commune_code>|<loai_don_vi>|<unit_key>"`` for recognitions.
    NA where a part is missing.
    """
    parts = [frame[c].astype("str") for c in BUSINESS_KEY_COLUMNS[dataset]]
    out = parts[0]
    for part in parts[1:]:
        out = out + "|" + part
    return out


# --------------------------------------------------------------------------- coercion


@dataclass
class _Context:
    dataset: str
    raw: pd.DataFrame
    rows: np.ndarray
    header: HeaderMatch
    today: dt.date
    lang: str

    def t(self, message_key: str, **params: object) -> str:
        return translate(message_key, self.lang, **params)


def _coerce(ctx: _Context) -> pd.DataFrame:
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
    import pyarrow as pa
    import pyarrow.compute as pc

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


def _as_text(values: pd.Series) -> pd.Series:
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


# --------------------------------------------------------------------------- communes


def _row_vintages(ctx: _Context, work: pd.DataFrame) -> np.ndarray:
    """The vintage each row's commune reference uses, as an index into ``VINTAGE_BY_CODE``."""
    n = len(work)
    if ctx.dataset == INCIDENTS:
        return vintage_codes_for_dates(work["ngay"])
    if ctx.dataset == RECOGNITIONS:
        # Recognitions are decided at year end: 2025 onwards use 2025 units.
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


_RESOLVER_COLUMNS = ["status", "vintage", "code", "name", "legacy_code", "legacy_name", "split", "candidates", "message"]


def _resolve_communes(
    ctx: _Context, work: pd.DataFrame, resolver: Resolver, fallback_vintage: str | None
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
    vint = _row_vintages(ctx, work)[rows]
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
    if ctx.dataset == MODELS and fallback_vintage:
        # Still ambiguous by name and former district: the user said which units the file uses.
        ambiguous = (found["status"] == _AMBIGUOUS).to_numpy()
        if ambiguous.any():
            retry = distinct[ambiguous].assign(v=fallback_vintage)
            found.loc[ambiguous, _RESOLVER_COLUMNS] = _call_resolver(resolver, retry).to_numpy()
    slot = np.full(n, len(found), dtype=np.int64)  # last slot: no commune given
    slot[rows] = group
    return _spread(found, slot)


def _place_split_rows(work: pd.DataFrame, resolved: pd.DataFrame, locator: Any) -> None:
    """Move rows of split legacy communes to the 2025 commune their point lies in.

    Placed rows are no longer flagged as split; rows without a usable point keep
    the default (most of the area) and the warning.
    """
    split = resolved["split"].to_numpy(dtype=bool) & work["vi_do"].notna().to_numpy() & work["kinh_do"].notna().to_numpy()
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
    import pyarrow as pa

    take = pa.array(slot)
    out: dict[str, pd.Series] = {}
    for c in _RESOLVER_COLUMNS:
        values = [v if v is None or isinstance(v, str) else str(v) for v in found[c]] if c != "split" else None
        if c == "split":
            flags = np.append(found[c].fillna(False).astype(bool).to_numpy(), False)
            out[c] = pd.Series(flags[slot])
        else:
            out[c] = pa.array(values + [None], pa.large_string()).take(take).to_pandas()
    return pd.DataFrame(out)


def _call_resolver(resolver: Resolver, refs: pd.DataFrame) -> pd.DataFrame:
    def blank_none(s: pd.Series) -> list[object]:
        return [v if isinstance(v, str) and v != "" else None for v in s]

    result = resolver(blank_none(refs["c"]), blank_none(refs["n"]), blank_none(refs["d"]), vintage=blank_none(refs["v"]))
    result = result.reset_index(drop=True)
    for c in _RESOLVER_COLUMNS:
        if c not in result.columns:
            result[c] = None
    result = result[_RESOLVER_COLUMNS].astype("object")
    return result.where(result.notna(), None)


# --------------------------------------------------------------------------- keys and duplicates


def _add_keys(ctx: _Context, work: pd.DataFrame, resolved: pd.DataFrame) -> None:
    """Add ``commune_code``, ``name_key``/``unit_key`` and ``business_key`` to ``work``."""
    ok = resolved["status"] == _RESOLVED
    work["commune_code"] = resolved["code"].where(ok)
    if ctx.dataset == MODELS:
        work["name_key"] = _keys_of(work["ten_mo_hinh"])
    elif ctx.dataset == RECOGNITIONS:
        # A commune-level unit is the commune itself: name it as resolved in
        # its own vintage, so that two legacy communes now merged stay apart.
        commune_level = work["loai_don_vi"] == _COMMUNE_LEVEL_UNIT
        own_name = resolved["legacy_name"].where(resolved["legacy_name"].notna(), resolved["name"]).where(ok)
        fill = commune_level & work["ten_don_vi"].isna()
        work["ten_don_vi"] = work["ten_don_vi"].where(~fill, own_name.astype("str"))
        work["unit_key"] = _keys_of(work["ten_don_vi"])
    frame = work.assign(nam=work["nam"].astype("Int64")) if ctx.dataset == RECOGNITIONS else work
    work["business_key"] = make_business_keys(frame, ctx.dataset)


def _keys_of(values: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(values)
    table = np.array([key(u) or None for u in uniques] + [None], dtype=object)
    return pd.Series(table[np.where(codes < 0, len(uniques), codes)], index=values.index).astype("str")


def _duplicates(
    ctx: _Context, work: pd.DataFrame, existing_keys: ExistingKeys | None
) -> tuple[pd.Series, pd.Series]:
    """Row number of the earlier row with the same key (NA if none), and in-store flags."""
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


# --------------------------------------------------------------------------- schema


def _schema(
    ctx: _Context,
    work: pd.DataFrame,
    resolved: pd.DataFrame,
    dup_first: pd.Series,
    in_store: pd.Series,
    polygon: Any | None,
) -> pa.DataFrameSchema:
    """One vectorised check per rule; each check's name is its error code.

    Checks that compare columns read the other columns from the frame being
    validated through closures; all return a boolean Series, True = valid.
    """
    spec = get_dataset(ctx.dataset)
    raw = ctx.raw
    checks: dict[str, list[pa.Check]] = {c.name: [] for c in spec.columns}

    def add(column: str, code: str, fn: Callable[[pd.Series], pd.Series]) -> None:
        # n_failure_cases=1: failing rows are read from the check output, see _run_schema.
        checks[column].append(pa.Check(fn, name=code, ignore_na=False, n_failure_cases=1))

    for col in spec.columns:
        given = raw[col.name] != ""
        if col.required:
            add(col.name, "required", lambda s, g=given: g)
        if col.kind == ENUM:
            add(col.name, "enum", lambda s, g=given: ~g | s.notna())
        elif col.kind == DATE:
            add(col.name, "date_format", lambda s, g=given: ~g | s.notna())
            today = pd.Timestamp(ctx.today)
            earliest = pd.Timestamp(domain.EARLIEST_DATE)
            add(col.name, "date_future", lambda s, t=today: ~(s > t).fillna(False))
            add(col.name, "date_too_early", lambda s, e=earliest: ~(s < e).fillna(False))
        elif col.kind in (INT, FLOAT):
            add(col.name, "number_format", lambda s, g=given: ~g | s.notna())
            if col.kind == INT:
                add(col.name, "integer", lambda s: s.isna() | (s % 1 == 0))
    commune_given = (raw["ma_xa"] != "") | (raw["ten_xa"] != "")
    add("ten_xa", "commune_required", lambda s: commune_given)
    status = resolved["status"]
    add("ten_xa", "commune_not_found", lambda s: status != _NOT_FOUND)
    add("ten_xa", "commune_ambiguous", lambda s: status != _AMBIGUOUS)
    if "vi_do" in checks:
        lat_given, lon_given = raw["vi_do"] != "", raw["kinh_do"] != ""
        add("vi_do", "coord_pair", lambda s: lat_given == lon_given)
        if polygon is not None:
            inside = _inside(polygon, work["kinh_do"], work["vi_do"])
            add("vi_do", "coord_outside", lambda s: inside)
    if ctx.dataset == MODELS:
        _model_checks(add, work)
        add("so_thanh_vien", "negative", lambda s: ~(s < 0).fillna(False))
    if ctx.dataset == RECOGNITIONS:
        latest = ctx.today.year
        add("nam", "year_range", lambda s: s.isna() | s.between(domain.EARLIEST_DATE.year, latest))
        needs_name = work["loai_don_vi"].notna() & (work["loai_don_vi"] != _COMMUNE_LEVEL_UNIT)
        add("ten_don_vi", "unit_name_required", lambda s: ~needs_name | (raw["ten_don_vi"] != ""))
    add(spec.key_column, "duplicate_in_file", lambda s: dup_first.isna())
    add(spec.key_column, "duplicate_in_store", lambda s: ~in_store)
    return pa.DataFrameSchema(
        {name: pa.Column(checks=cs, nullable=True, required=True) for name, cs in checks.items()},
        strict=False,
        coerce=False,
    )


def _model_checks(add: Callable[[str, str, Callable[[pd.Series], pd.Series]], None], work: pd.DataFrame) -> None:
    dissolved = work["trang_thai"] == domain.STATUS_DISSOLVED
    status_known = work["trang_thai"].notna()
    founded = work["ngay_thanh_lap"]
    # DOMAIN: a dissolved model carries its dissolution date; a date on a
    # model that is not dissolved contradicts its status.
    add("ngay_giai_the", "dissolved_without_date", lambda s: ~(dissolved.fillna(False) & s.isna()))
    add("ngay_giai_the", "dissolution_date_not_dissolved", lambda s: s.isna() | ~status_known | dissolved.fillna(False))
    add("ngay_giai_the", "dissolved_before_founded", lambda s: ~(s < founded).fillna(False))


def _inside(polygon: Any, lon: pd.Series, lat: pd.Series) -> pd.Series:
    """True where the point is inside ``polygon`` or either coordinate is missing."""
    import shapely

    shapely.prepare(polygon)
    both = (lon.notna() & lat.notna()).to_numpy()
    inside = np.ones(len(lon), dtype=bool)
    if both.any():
        inside[both] = shapely.contains_xy(polygon, lon.to_numpy()[both], lat.to_numpy()[both])
    return pd.Series(inside, index=lon.index)


def _run_schema(schema: pa.DataFrameSchema, work: pd.DataFrame) -> list[tuple[str, str, np.ndarray]]:
    """Run every check lazily; return ``(field, code, failing positions)`` per failed check.

    The positions come from each failed check's boolean output, which pandera
    keeps on its ``SchemaError``: that is exact and vectorised, whereas
    pandera's per-value failure-case table costs microseconds per failure
    (a minute for a file where every row is wrong), hence
    ``n_failure_cases=1`` on the checks.
    """
    try:
        schema.validate(work, lazy=True)
    except pa.errors.SchemaErrors as exc:
        out = []
        for err in exc.schema_errors:
            if err.check is None or err.check_output is None:
                raise  # a schema-level problem (missing column) is a bug here, not bad data
            passed = np.asarray(err.check_output, dtype=bool)
            out.append((str(err.schema.name), str(err.check.name), np.flatnonzero(~passed)))
        return out
    return []


# --------------------------------------------------------------------------- reporting


def _fmt_date(value: object) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, (pd.Timestamp, dt.date)) and not pd.isna(value) else ""


def _texts(values: object, n: int) -> pa_Array:
    """Any per-row values (Series, list, scalar) as an Arrow string array of length ``n``."""
    import pyarrow as pa

    if isinstance(values, str):
        return pa.array([values] * n, pa.large_string())
    if isinstance(values, pd.Series):
        values = values.astype("str").fillna("")
        arr = pa.array(values)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        return arr.cast(pa.large_string())
    return pa.array(["" if v is None else str(v) for v in values], pa.large_string())


def _messages(ctx: _Context, message_key: str, n: int, per_row: Mapping[str, object], **const: object) -> pd.Series:
    """One catalogue message per row, filled without a Python call per row.

    The template is looked up once with sentinels in the per-row slots, split
    there, and the pieces are joined with the per-row values by Arrow.
    """
    import re

    import pyarrow as pa
    import pyarrow.compute as pc

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


def _errors_table(
    ctx: _Context,
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
                today=_fmt_date(ctx.today),
                earliest=_fmt_date(domain.EARLIEST_DATE),
            )
        elif code == "year_range":
            messages = _messages(
                ctx, "validation.year_range", n, {"value": values}, earliest=domain.EARLIEST_DATE.year, latest=ctx.today.year
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
            swapped = _inside(polygon, work["vi_do"].iloc[idx], work["kinh_do"].iloc[idx]).to_numpy()
            codes = np.where(swapped, "coord_swapped", "coord_outside")
            outside = _messages(ctx, "validation.coord_outside", n, {"value": values})
            flipped = _messages(ctx, "validation.coord_swapped", n, {"value": values})
            messages = flipped.where(swapped, outside)
        elif code == "dissolved_before_founded":
            founded = raw["ngay_thanh_lap"].iloc[idx].reset_index(drop=True)
            messages = _messages(ctx, "validation.dissolved_before_founded", n, {"value": values, "founded": founded})
        elif code == "unit_name_required":
            kinds = work["loai_don_vi"].iloc[idx].reset_index(drop=True)
            messages = _messages(ctx, "validation.unit_name_required", n, {"unit_type": kinds})
        elif code == "duplicate_in_file":
            firsts = dup_first.iloc[idx].astype("str").reset_index(drop=True)
            key_label = ctx.t(f"validation.key.{ctx.dataset}")
            messages = _messages(ctx, "validation.duplicate_in_file", n, {"value": values, "first_row": firsts}, key_label=key_label)
        elif code == "duplicate_in_store":
            key_label = ctx.t(f"validation.key.{ctx.dataset}")
            messages = _messages(ctx, "validation.duplicate_in_store", n, {"value": values}, key_label=key_label)
        else:
            messages = _messages(ctx, f"validation.{code}", n, {"value": values})
        parts.append(
            pd.DataFrame(
                {
                    "row": ctx.rows[idx],
                    "column": column,
                    "value": values,
                    "message": messages.reset_index(drop=True),
                    "code": codes,
                    "field": fname,
                    "_order": order.get(fname, len(order)),
                }
            )
        )
    if not parts:
        return _empty_errors()
    out = pd.concat(parts, ignore_index=True)
    for c in ("column", "value", "message", "code", "field"):
        out[c] = out[c].astype("str")
    # One positional take of the string columns instead of a multi-key frame sort.
    code_rank = pd.factorize(out["code"], sort=True)[0]
    order_idx = np.lexsort((code_rank, out["_order"].to_numpy(), out["row"].to_numpy()))
    out = out.drop(columns="_order").take(order_idx).reset_index(drop=True)
    out["row"] = out["row"].astype("int64")
    return out


def _warnings_table(ctx: _Context, resolved: pd.DataFrame, accepted: np.ndarray) -> pd.DataFrame:
    split = resolved["split"].to_numpy(dtype=bool) & accepted
    if not split.any():
        return _empty_errors()
    idx = np.flatnonzero(split)
    names, codes = ctx.raw["ten_xa"].iloc[idx].to_numpy(dtype=object, na_value=None), ctx.raw["ma_xa"].iloc[idx].to_numpy(dtype=object, na_value=None)
    values = [n or c for n, c in zip(names, codes)]
    cands = resolved["candidates"].iloc[idx].to_numpy(dtype=object, na_value=None)
    return pd.DataFrame(
        {
            "row": ctx.rows[idx].astype("int64"),
            "column": [ctx.header.source_of("ten_xa" if n else "ma_xa") for n in names],
            "value": values,
            "message": [ctx.t("validation.commune_split", value=v, candidates=c) for v, c in zip(values, cands)],
            "code": "commune_split",
            "field": "ten_xa",
        }
    ).astype({c: "str" for c in ERROR_COLUMNS if c != "row"})


def _empty_errors() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series([], dtype="int64" if c == "row" else "str") for c in ERROR_COLUMNS}
    )


def _accepted(ctx: _Context, work: pd.DataFrame, resolved: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    spec = get_dataset(ctx.dataset)
    out = pd.DataFrame(index=work.index)
    for col in spec.columns:
        values = work[col.name]
        out[col.name] = values.round().astype("Int64") if col.kind == INT else values
    for extra in ("name_key", "unit_key"):
        if extra in work:
            out[extra] = work[extra]
    blank = lambda s: s.where(s != "").astype("str")  # noqa: E731 - tiny local helper
    out["commune_code"] = work["commune_code"]
    out["legacy_code"] = resolved["legacy_code"]
    out["vintage"] = resolved["vintage"]
    out["code_given"] = blank(ctx.raw["ma_xa"])
    out["name_given"] = blank(ctx.raw["ten_xa"])
    out["district_given"] = blank(ctx.raw["huyen_cu"])
    out["business_key"] = work["business_key"]
    out["source_row"] = ctx.rows
    return out[keep].reset_index(drop=True)


# --------------------------------------------------------------------------- downloads


def _localised(errors: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Localised headers, and every text cell made inert: values come from users' files."""
    from analysis.exports import neutralise_frame

    labels = {c: translate(f"validation.col.{c}", lang) for c in ("row", "column", "value", "message", "code")}
    # Stored reports keep no error code; an empty column keeps the layout the same.
    table = errors.reindex(columns=list(labels), fill_value="").rename(columns=labels)
    return neutralise_frame(table)


def errors_to_csv(errors: pd.DataFrame, lang: str = "vi") -> bytes:
    """The error table as CSV (UTF-8 with BOM so Excel shows the diacritics).

    Rows end in CRLF, as Excel writes them: the writer then quotes any cell
    holding a CR, which Excel would otherwise read as a line break (the text
    after it, say "=1", would start a new row as a live formula).
    """
    return _localised(errors, lang).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def errors_to_xlsx(errors: pd.DataFrame, lang: str = "vi") -> bytes:
    """The error table as an XLSX workbook with one sheet, header in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    table = _localised(errors, lang)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(translate("validation.sheet.errors", lang))
    for letter, width in zip("ABCDE", (8, 24, 28, 90, 26)):
        ws.column_dimensions[letter].width = width
    from openpyxl.cell import WriteOnlyCell

    head = []
    for name in table.columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = Font(bold=True)
        head.append(cell)
    ws.append(head)
    for row in table.itertuples(index=False):
        ws.append([int(row[0]), *row[1:]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
