"""Import uploads into the store: preview, commit, history, rollback, demo data.

This is the one code path that the upload page and ``python -m loaders``
share. A file goes through two steps:

1. :func:`preview_import` reads the bytes, matches the headers, validates
   every row (registry resolution, enumerations, dates, coordinates, duplicates
   within the file and against the store) and checks whether the same file
   (same sha256) was already imported for the dataset. It writes nothing.
2. :func:`commit_import` writes an accepted preview in **one transaction**:
   the original bytes (kept by hash, never under the user's file name), the
   import record with its error report, the rows (bulk ``INSERT`` in chunks, ``COPY`` on PostgreSQL),
   the data-version bump and the audit event. Any failure, including a
   duplicate business key inserted meanwhile by a concurrent import (the
   unique constraints catch it), rolls everything back.

:func:`rollback_import` deletes exactly one import's rows; demo data is
imported through the same path (:func:`import_frames`) and marked as demo.

Demo rows never block real data: duplicate checks for a real import ignore
demo rows, and a real row whose business key collides with a demo row
replaces that demo row (demo data is hidden anyway once real data exists).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from loaders.core import domain
from loaders.core import settings
from loaders.accounts import audit
from loaders.store import db, originals, reads, tables
from loaders.ingest import validation
from loaders.ingest.datasets import ImportDataError, get_dataset
from loaders.core.i18n import translate
from loaders.ingest.reading import UnreadableFileError, read_table
from loaders.core.textnorm import key

#: Called with (fraction in [0, 1], Vietnamese message) while an import runs.
Progress = Callable[[float, str], None]

#: Rows per INSERT batch: large enough to amortise round trips, small enough
#: to bound the memory of the Python parameter lists.
CHUNK_ROWS = 50_000
#: Keys per ``IN (...)`` list when asking the store about business keys.
_KEY_BATCH = 5_000

ERROR_COLUMNS: list[str] = ["row", "column", "value", "message"]

#: Canonical column -> store column, per dataset (the commune columns are common).
STORE_COLUMNS: dict[str, dict[str, str]] = {
    domain.DATASET_MODELS: {
        "ten_mo_hinh": "model_name", "loai_mo_hinh": "kind", "noi_trien_khai": "setting",
        "ngay_thanh_lap": "founded_on", "trang_thai": "status", "ngay_giai_the": "dissolved_on",
        "danh_gia": "assessment", "so_thanh_vien": "members", "vi_do": "lat", "kinh_do": "lon", "ghi_chu": "notes",
    },
    domain.DATASET_INCIDENTS: {
        "ma_vu_viec": "incident_code", "ngay": "occurred_on", "linh_vuc": "field", "muc_do": "severity",
        "vi_do": "lat", "kinh_do": "lon", "mo_ta": "description",
    },
    domain.DATASET_RECOGNITIONS: {
        "nam": "year", "loai_don_vi": "unit_type", "ten_don_vi": "unit_name", "ket_qua": "result",
    },
}
#: Columns every accepted frame carries from validation, stored as they are.
RESOLVED_COLUMNS: tuple[str, ...] = (
    "commune_code", "legacy_code", "vintage", "code_given", "name_given", "district_given", "source_row",
)
#: Store columns forming the business key (the unique constraint) of each dataset.
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    domain.DATASET_MODELS: ("commune_code", "name_key"),
    domain.DATASET_INCIDENTS: ("incident_code",),
    domain.DATASET_RECOGNITIONS: ("year", "commune_code", "unit_type", "unit_key"),
}


# ---------------------------------------------------------------------- errors
class ImportRefused(ImportDataError):
    """A file the importer refuses as a whole; ``str(exc)`` is a Vietnamese message.

    Attributes
    ----------
    reason : str
        ``"unreadable"`` (the file cannot be read: exit status 2 on the
        command line), ``"duplicate_file"`` (same hash already imported),
        ``"conflict"`` (a concurrent write took a business key; nothing was
        written) or ``"empty"`` (no valid row to write).
    duplicate_of : dict or None
        The earlier import, for ``"duplicate_file"``.
    """

    def __init__(self, message: str, reason: str, duplicate_of: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.duplicate_of = duplicate_of


class RollbackError(ImportDataError):
    """A rollback that cannot be done (unknown import, or already rolled back)."""


# ----------------------------------------------------------------- data types
@dataclass
class ImportPreview:
    """What an import would write. Built by :func:`preview_import`; writes nothing.

    Attributes
    ----------
    dataset, file_name, sha256, size_bytes, data
        The upload and its identity; ``data`` is kept to store the original on commit.
    rows_read : int
        Data rows in the file (blank and totals rows excluded).
    accepted : pd.DataFrame
        Valid rows: canonical columns plus ``commune_code, legacy_code,
        vintage, code_given, name_given, district_given, business_key, source_row``.
    errors : pd.DataFrame
        ``row`` (the row number the user sees), ``column`` (header as in the
        file), ``value``, ``message`` (Vietnamese), ``code`` and ``field``.
    warnings : pd.DataFrame
        Same columns, for accepted rows to look at (a split legacy commune).
    ignored_columns : list of str
        Headers of the file that map to no field (e.g. "STT").
    missing_columns : list of str
        Labels of required fields with no column: the UI offers the mapping step.
    totals_rows : list of int
        Totals rows ("Tổng cộng") dropped from the end.
    duplicate_of : dict or None
        ``{"import_id", "created_at", "file_name", "user"}`` of an earlier
        committed import of the same file for the same dataset.
    source_columns : list of str
        The file's headers in file order (the mapping step offers them).
    sheet_names : list of str
        All sheets of an XLSX file (empty for text files).
    """

    dataset: str
    file_name: str
    sha256: str
    size_bytes: int
    data: bytes = field(repr=False)
    user: str
    rows_read: int
    accepted: pd.DataFrame
    errors: pd.DataFrame
    warnings: pd.DataFrame
    sheet: str | None = None
    vintage: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    totals_rows: list[int] = field(default_factory=list)
    duplicate_of: dict[str, Any] | None = None
    source_columns: list[str] = field(default_factory=list)
    sheet_names: list[str] = field(default_factory=list)

    @property
    def n_accepted(self) -> int:
        return len(self.accepted)

    @property
    def n_rejected(self) -> int:
        return self.rows_read - len(self.accepted)

    @property
    def needs_mapping(self) -> bool:
        """True when required fields have no column (the user must map columns)."""
        return bool(self.missing_columns)

    @property
    def clean(self) -> bool:
        """No rejected row, no missing column and not a re-upload."""
        return not self.n_rejected and not self.needs_mapping and self.duplicate_of is None

    def errors_as(self, fmt: str) -> bytes:
        """The error report as downloadable ``"csv"`` (UTF-8 with BOM, for Excel) or ``"xlsx"`` bytes."""
        return report_bytes(self.errors, fmt)


@dataclass
class ImportOutcome:
    """The result of :func:`commit_import`.

    Attributes
    ----------
    committed : bool
        Whether anything was written. ``False`` when rows were rejected and
        ``valid_only`` was not asked (all-or-nothing).
    import_id : int or None
    rows_read, accepted, rejected : int
        Counts of the preview: rows read, valid, rejected.
    written : int
        Rows written (0 when not committed).
    errors : pd.DataFrame
        The rejected rows' errors (kept in the import's report when committed).
    message : str
        A Vietnamese summary for the user.
    """

    dataset: str
    committed: bool
    import_id: int | None
    rows_read: int
    accepted: int
    rejected: int
    written: int
    errors: pd.DataFrame
    message: str
    duplicate_of: dict[str, Any] | None = None
    data_version: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the command line's ``--json`` object)."""
        return {
            "dataset": self.dataset,
            "rows": self.rows_read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "written": self.written,
            "import_id": self.import_id,
            "committed": self.committed,
            "duplicate_of": self.duplicate_of,
            "errors": errors_to_records(self.errors),
            "message": self.message,
        }


# ------------------------------------------------------------------- helpers
def load_province_polygon():  # noqa: ANN201 - shapely geometry or None
    """The province outline (WGS84 shapely geometry), or ``None`` when boundaries are not installed."""
    from loaders.geo import boundaries, schema

    if not schema.boundaries_installed():
        return None
    layer = boundaries.load_layer("province")
    return layer.geometry.union_all()


@functools.lru_cache(maxsize=4)
def _split_locator_for(geodata_dir: str) -> Any:
    from loaders.geo import placement

    return placement.load_split_locator(Path(geodata_dir))


def split_locator() -> Any:
    """The locator of split legacy communes for the installed boundaries (``None`` without them).

    Built once per geodata folder: it indexes the 69 full-resolution polygons.
    """
    return _split_locator_for(str(settings.geodata_dir()))


def errors_to_records(errors: pd.DataFrame) -> list[dict[str, Any]]:
    """Errors as ``[{row, column, value, message}]`` with plain JSON types."""
    out = []
    cols = ERROR_COLUMNS + [c for c in ("code",) if c in errors.columns]
    for values in errors[cols].itertuples(index=False, name=None):
        record = dict(zip(cols, (None if pd.isna(v) else v for v in values)))
        record["row"] = None if record["row"] is None else int(record["row"])
        out.append({k: v if k == "row" or v is None else str(v) for k, v in record.items()})
    return out


def report_bytes(errors: pd.DataFrame, fmt: str, lang: str = "vi") -> bytes:
    """Render an error report for download (validation's localised CSV or XLSX).

    Parameters
    ----------
    errors : pd.DataFrame
        Validation's error table.
    fmt : {"csv", "xlsx"}
    """
    if fmt == "csv":
        return validation.errors_to_csv(errors, lang)
    if fmt == "xlsx":
        return validation.errors_to_xlsx(errors, lang)
    raise ValueError(f"unknown report format {fmt!r}")


def _empty_errors() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="int64" if c == "row" else "str")
                         for c in validation.ERROR_COLUMNS})


def _fmt_time(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return str(value)


def duplicate_message(dup: Mapping[str, Any]) -> str:
    when = _fmt_time(datetime.fromisoformat(dup["created_at"])) if dup.get("created_at") else "?"
    return (f"Tệp này đã được nhập trước đó (lần nhập số {dup['import_id']}, tệp «{dup['file_name']}», "
            f"lúc {when}, người nhập {dup['user']}). "
            "Không nhập lại; nếu thật sự cần nhập lại, hãy chọn «Vẫn nhập» (--force).")


def find_duplicate_file(conn: Connection, dataset: str, sha256: str) -> dict[str, Any] | None:
    """The latest committed import of the same bytes for the same dataset, if any."""
    i = tables.imports
    row = conn.execute(
        sa.select(i.c.id, i.c.created_at, i.c.file_name, i.c.user_name)
        .where(i.c.dataset == dataset, i.c.sha256 == sha256, i.c.status == tables.IMPORT_COMMITTED)
        .order_by(i.c.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    return {"import_id": int(row.id), "created_at": _iso(row.created_at), "file_name": row.file_name,
            "user": row.user_name}


def _iso(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _has_real_rows(conn: Connection, dataset: str) -> bool:
    """Whether the dataset's table holds any row that is not demo data."""
    table = tables.DATASET_TABLES[dataset]
    demo_ids = sa.select(tables.imports.c.id).where(tables.imports.c.is_demo)
    return conn.execute(sa.select(table.c.id).where(table.c.import_id.not_in(demo_ids)).limit(1)).first() is not None


def _existing_keys(conn: Connection, dataset: str, keys: Iterable[str], *, include_demo: bool) -> set[str]:
    """Which of ``keys`` (store-form business keys) are already stored."""
    table = tables.DATASET_TABLES[dataset]
    cols = KEY_COLUMNS[dataset]
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return set()
    demo_filter = sa.true()
    if not include_demo:
        demo_ids = sa.select(tables.imports.c.id).where(tables.imports.c.is_demo)
        demo_filter = table.c.import_id.not_in(demo_ids)
    found: set[str] = set()
    stored = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0
    if stored <= 4 * len(wanted):
        # Reading all stored keys is cheaper than many IN lists when the store is not much larger.
        query = sa.select(*[table.c[c] for c in cols]).where(demo_filter)
        wanted_set = set(wanted)
        for row in conn.execute(query):
            k = "|".join(str(v) for v in row)
            if k in wanted_set:
                found.add(k)
        return found
    first = table.c[cols[0]]
    first_type = int if dataset == domain.DATASET_RECOGNITIONS else str
    for start in range(0, len(wanted), _KEY_BATCH):
        batch = wanted[start:start + _KEY_BATCH]
        firsts = sorted({first_type(k.split("|", 1)[0]) for k in batch})
        query = sa.select(*[table.c[c] for c in cols]).where(first.in_(firsts), demo_filter)
        batch_set = set(batch)
        for row in conn.execute(query):
            k = "|".join(str(v) for v in row)
            if k in batch_set:
                found.add(k)
    return found


# -------------------------------------------------------------------- preview
def preview_import(
    engine: Engine,
    dataset: str,
    data: bytes,
    file_name: str,
    *,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
    vintage: str | None = None,
    registry: Any,
    province_polygon: Any = None,
    user: str,
    progress: Progress | None = None,
) -> ImportPreview:
    """Read, match and validate an upload; write nothing.

    Parameters
    ----------
    engine : Engine
        The store (read for duplicates only).
    dataset : {"models", "incidents", "recognitions"}
    data : bytes
        The file's content.
    file_name : str
        As uploaded; used for the reader's format choice and in messages only.
    sheet : str, optional
        XLSX sheet (default the first).
    mapping : mapping, optional
        Source column -> canonical column overrides (``--map``).
    vintage : {"legacy", "2025"}, optional
        Which units a models file uses where names stay ambiguous (default 2025).
    registry : Registry
        The commune registry.
    province_polygon : shapely geometry, optional
        Coordinates outside it are rejected; ``None`` skips the check.
    user : str
        Who uploads (kept with the preview for the commit).
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    ImportPreview

    Raises
    ------
    ImportRefused
        ``reason="unreadable"`` when the file cannot be read at all.
    loaders.ingest.datasets.ImportDataError
        For an unknown dataset or a bad column mapping.
    """
    get_dataset(dataset)
    if vintage is not None and vintage not in domain.VINTAGES:
        raise ImportDataError(f"Hệ đơn vị «{vintage}» không hợp lệ; chọn legacy hoặc 2025.")
    sha256 = hashlib.sha256(data).hexdigest()
    _tick(progress, 0.0, "Đang đọc tệp…")
    try:
        raw = read_table(data, file_name, sheet)
    except UnreadableFileError as exc:
        raise ImportRefused(str(exc), "unreadable") from exc
    with engine.connect() as conn:
        duplicate_of = find_duplicate_file(conn, dataset, sha256)
        # With no real row stored there is nothing to look up: a million-row first import skips listing its keys.
        real_rows_stored = _has_real_rows(conn, dataset)
    base = dict(dataset=dataset, file_name=file_name, sha256=sha256, size_bytes=len(data), data=data, user=user,
                rows_read=len(raw.frame), sheet=raw.sheet, vintage=vintage, totals_rows=list(raw.totals_rows),
                duplicate_of=duplicate_of, source_columns=raw.columns, sheet_names=list(raw.sheet_names))
    _tick(progress, 0.2, "Đang kiểm tra dữ liệu…")

    def existing(ds: str, keys: Iterable[str]) -> set[str]:
        with engine.connect() as conn:
            return _existing_keys(conn, ds, keys, include_demo=False)

    try:
        result = validation.validate_table(
            raw, dataset, resolver=registry.resolve_frame, polygon=province_polygon, mapping=mapping,
            vintage=vintage or domain.VINTAGE_2025, existing_keys=existing if real_rows_stored else None,
            locator=split_locator(),
        )
    except validation.MissingColumnsError as exc:
        labels = exc.header.missing_labels()
        errors = pd.DataFrame({"row": pd.array([raw.header_row] * len(labels), dtype="Int64"), "column": labels,
                               "value": [""] * len(labels), "message": [str(exc)] * len(labels),
                               "code": ["missing_column"] * len(labels), "field": [""] * len(labels)})
        return ImportPreview(accepted=pd.DataFrame(), errors=errors, warnings=_empty_errors(),
                             columns=dict(exc.header.columns), ignored_columns=list(exc.header.ignored),
                             missing_columns=labels, **base)
    accepted, errors = _reject_overlong(dataset, result.accepted, result.errors, result.header)
    _tick(progress, 1.0, "Đã kiểm tra xong")
    return ImportPreview(accepted=accepted, errors=errors, warnings=result.warnings,
                         columns=dict(result.header.columns), ignored_columns=list(result.header.ignored), **base)


#: Accepted-frame columns the store keeps under their own name, besides :data:`STORE_COLUMNS`.
_RESOLVED_TEXT: tuple[str, ...] = ("code_given", "name_given", "district_given")
#: Normalised keys, checked only where their name fits (a long name is reported once, as itself).
_KEY_TEXT: tuple[str, ...] = ("name_key", "unit_key")
#: The file's field behind each accepted column whose name differs from it.
_SOURCE_FIELDS: dict[str, str] = {"code_given": "ma_xa", "name_given": "ten_xa", "district_given": "huyen_cu",
                                  "name_key": "ten_mo_hinh", "unit_key": "ten_don_vi"}
#: Longest value quoted in an error report.
_QUOTE_MAX = 200


def _reject_overlong(dataset: str, accepted: pd.DataFrame, errors: pd.DataFrame,
                     header: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reject the accepted rows whose text is longer than its store column allows.

    SQLite stores any length, but PostgreSQL refuses the whole commit with a
    database error; a per-row ``too_long`` error says which cell to shorten,
    the same on both stores.

    Returns
    -------
    (pd.DataFrame, pd.DataFrame)
        The accepted rows that fit, and the errors plus one ``too_long`` row per long cell.
    """
    table = tables.DATASET_TABLES[dataset]
    columns = {**STORE_COLUMNS[dataset], **{c: c for c in (*_RESOLVED_TEXT, *_KEY_TEXT)}}
    parts = []
    bad = np.zeros(len(accepted), dtype=bool)
    for canonical, column in columns.items():
        if canonical not in accepted.columns or column not in table.c:
            continue
        kind = table.c[column].type
        if not isinstance(kind, sa.String) or not kind.length:
            continue
        over = (accepted[canonical].astype("str").str.len() > kind.length).fillna(False).to_numpy(dtype=bool)
        if canonical in _KEY_TEXT:
            over = over & ~bad
        if not over.any():
            continue
        bad |= over
        field = _SOURCE_FIELDS.get(canonical, canonical)
        values = accepted[field if field in accepted.columns else canonical].astype("str")[over].tolist()
        parts.append(pd.DataFrame({
            "row": accepted["source_row"].to_numpy()[over].astype("int64"),
            "column": header.source_of(field),
            "value": [v if len(v) <= _QUOTE_MAX else v[:_QUOTE_MAX] + "…" for v in values],
            "message": [translate("validation.too_long", length=len(v), limit=kind.length) for v in values],
            "code": "too_long",
            "field": field,
        }))
    if not parts:
        return accepted, errors
    errors = pd.concat([errors, *parts], ignore_index=True).sort_values("row", kind="stable")
    return accepted[~bad].reset_index(drop=True), errors.reset_index(drop=True)


def sheet_names(data: bytes) -> list[str]:
    """The sheets of an XLSX upload, so a user can pick one even when the first cannot be read.

    Only the workbook's index is parsed (after the same unpacked-size limit as
    the reader), never the sheets' cells.

    Returns
    -------
    list of str
        Sheet names in workbook order; ``[]`` for a text file or a file that is not a readable workbook.
    """
    import io
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from loaders.ingest import reading

    if not data.startswith(b"PK\x03\x04"):
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > reading.MAX_UNCOMPRESSED_BYTES:
                return []
        wb = load_workbook(io.BytesIO(data), read_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, SyntaxError):
        return []
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _tick(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)


# --------------------------------------------------------------------- commit
def commit_import(
    engine: Engine,
    preview: ImportPreview,
    *,
    valid_only: bool = False,
    force: bool = False,
    user: str,
    progress: Progress | None = None,
    is_demo: bool = False,
) -> ImportOutcome:
    """Write a previewed import in one transaction.

    Parameters
    ----------
    engine : Engine
    preview : ImportPreview
        From :func:`preview_import` (or :func:`import_frames`).
    valid_only : bool
        Commit the accepted rows even though some were rejected (their errors
        stay in the import's report). Default all-or-nothing: any rejected row
        means nothing is written.
    force : bool
        Import a file whose hash was already imported for the dataset.
    user : str
        Recorded as the importer.
    progress : callable, optional
        ``progress(fraction, message)``, called after each batch.
    is_demo : bool
        Mark the import as demo data.

    Returns
    -------
    ImportOutcome
        ``committed`` is ``False`` (and nothing written) when rows were
        rejected without ``valid_only``, or when no row is valid.

    Raises
    ------
    ImportRefused
        ``"duplicate_file"`` for a re-upload without ``force``; ``"conflict"``
        when a business key was taken meanwhile (nothing written).
    """
    errors = preview.errors
    counts = dict(dataset=preview.dataset, rows_read=preview.rows_read, accepted=preview.n_accepted,
                  rejected=preview.n_rejected, errors=errors, duplicate_of=preview.duplicate_of)
    if preview.duplicate_of is not None and not force:
        raise ImportRefused(duplicate_message(preview.duplicate_of), "duplicate_file",
                            preview.duplicate_of)
    if preview.needs_mapping or (preview.n_rejected and not valid_only):
        return ImportOutcome(committed=False, import_id=None, written=0, message=(
            f"Không ghi dữ liệu nào: {preview.n_rejected}/{preview.rows_read} dòng bị từ chối. "
            "Hãy sửa các lỗi rồi tải lại tệp, hoặc chọn «Chỉ nhập các dòng hợp lệ»."), **counts)
    if preview.n_accepted == 0:
        return ImportOutcome(committed=False, import_id=None, written=0,
                             message="Không có dòng hợp lệ nào để ghi.", **counts)

    dataset = preview.dataset
    table = tables.DATASET_TABLES[dataset]
    rows = to_store_frame(dataset, preview.accepted)
    n = len(rows)
    _tick(progress, 0.0, f"Đang ghi {n:,} dòng…".replace(",", "."))
    report = json.dumps({"errors": errors_to_records(errors), "ignored_columns": preview.ignored_columns,
                         "totals_rows": preview.totals_rows}, ensure_ascii=False)
    packed_original = _pack_original(preview.data)
    try:
        with db.write_transaction(engine, big=n >= DEFER_CHECKPOINT_FROM) as conn:
            _prepare_bulk(conn)
            if not force:
                dup = find_duplicate_file(conn, dataset, preview.sha256)
                if dup is not None:
                    raise ImportRefused(duplicate_message(dup), "duplicate_file", dup)
            import_id = conn.execute(tables.imports.insert().values(
                # NUL is the one character PostgreSQL text cannot hold; the name is only ever text.
                dataset=dataset, file_name=preview.file_name.replace("\x00", "\ufffd")[:255], sha256=preview.sha256,
                size_bytes=preview.size_bytes, user_name=audit.user_label(user), created_at=db.utcnow(), rows_read=preview.rows_read,
                rows_accepted=n, rows_rejected=preview.n_rejected, is_demo=is_demo, valid_only=valid_only,
                forced=force and preview.duplicate_of is not None, vintage=preview.vintage,
                status=tables.IMPORT_COMMITTED, report=report,
            )).inserted_primary_key[0]
            evict_demo = not is_demo and reads.has_demo(conn)
            columns = ["import_id", *rows.columns]
            deferred = _defer_indexes(conn, table, n)
            on_sqlite = conn.dialect.name == "sqlite"
            getters = _column_getters(rows, iso_dates=on_sqlite, null=SQLITE_NULL if on_sqlite else None)
            for start in range(0, n, CHUNK_ROWS):
                stop = min(start + CHUNK_ROWS, n)
                if evict_demo:
                    _evict_demo_collisions(conn, dataset, rows.iloc[start:stop])
                values = [get(start, stop) for get in getters]
                _insert_chunk(conn, table, columns, [[import_id] * (stop - start), *values])
                done = min(start + CHUNK_ROWS, n)
                _tick(progress, done / n, f"Đã ghi {done:,}/{n:,} dòng".replace(",", "."))
            _store_original(conn, preview.sha256, len(preview.data), packed_original)
            for index in deferred:
                index.create(conn)
            version = db.bump_data_version(conn)
            audit.record_event(conn, user, "import_demo" if is_demo else "import", json.dumps({
                "import_id": import_id, "dataset": dataset, "file_name": preview.file_name,
                "sha256": preview.sha256, "rows": n, "rejected": preview.n_rejected, "forced": force,
            }, ensure_ascii=False))
    except sa.exc.IntegrityError as exc:
        raise ImportRefused(
            "Không ghi được: có dòng trùng khóa với dữ liệu vừa được ghi bởi một lần nhập khác đồng thời. "
            "Không có dòng nào được ghi; hãy xem trước lại tệp để thấy các dòng trùng.", "conflict",
        ) from exc
    message = f"Đã nhập {n} dòng (lần nhập số {import_id})."
    if preview.n_rejected:
        message += f" {preview.n_rejected} dòng bị từ chối, xem báo cáo lỗi."
    return ImportOutcome(committed=True, import_id=int(import_id), written=n, message=message,
                         data_version=version, **counts)


def to_store_frame(dataset: str, accepted: pd.DataFrame) -> pd.DataFrame:
    """Rename an accepted frame's canonical columns to the store's and add the derived keys.

    Returns
    -------
    pd.DataFrame
        The resolved columns, the dataset's store columns and ``name_key`` /
        ``unit_key`` (the normalised names in the business key).
    """
    mapping = STORE_COLUMNS[dataset]
    out = pd.DataFrame(index=accepted.index)
    for col in RESOLVED_COLUMNS:
        out[col] = accepted[col] if col in accepted.columns else None
    for canonical, column in mapping.items():
        out[column] = accepted[canonical] if canonical in accepted.columns else None
    # Validation already computed the normalised names of the business key; reuse them.
    if dataset == domain.DATASET_MODELS:
        out["name_key"] = accepted["name_key"] if "name_key" in accepted.columns else _keys(out["model_name"])
    elif dataset == domain.DATASET_RECOGNITIONS:
        out["unit_key"] = accepted["unit_key"] if "unit_key" in accepted.columns else _keys(out["unit_name"])
    return out.reset_index(drop=True)


def _keys(values: pd.Series) -> pd.Series:
    uniques = pd.unique(values)
    return values.map({u: key(u) for u in uniques})


#: What the SQLite path binds for a missing value: a float NaN, which SQLite
#: stores as NULL (``sqlite3_bind_double`` of a NaN binds NULL), and which
#: Python's ``sqlite3`` binds directly. It sends ``None`` through its adapter
#: lookup instead, measured at about 850 ns per value against 90 ns: with five
#: or six missing cells per incident row, that was about 2 s of a 1M-row import.
SQLITE_NULL = float("nan")


def _column_getters(rows: pd.DataFrame, *, iso_dates: bool,
                    null: object = None) -> list[Callable[[int, int], np.ndarray]]:
    """Per column, ``get(start, stop)`` -> the DBAPI values of those rows (``null`` for missing).

    The values come as an object array of plain Python values (``int``,
    ``float``, ``str``, ``date``, ``null``), never numpy scalars, which the
    drivers cannot bind. ``null`` is ``None``, or :data:`SQLITE_NULL` on SQLite.

    Repeated values (codes, names, enumerations, dates) are factorized once for
    the whole frame and each batch takes Python objects from the small table
    of distinct values: converting a million cells one by one (Arrow strings
    to Python, ``Timestamp`` to ``date``) cost more than inserting them.
    Dates are ``date`` objects, or the ISO text that SQLAlchemy's SQLite
    ``Date`` type stores and reads back when ``iso_dates``.
    """
    return [_column_getter(rows[c], iso_dates, null) for c in rows.columns]


def _column_getter(series: pd.Series, iso_dates: bool, null: object) -> Callable[[int, int], np.ndarray]:
    if pd.api.types.is_float_dtype(series):
        missing = series.isna().to_numpy()
        numbers = series.to_numpy(dtype="float64", na_value=np.nan)

        def floats(start: int, stop: int) -> np.ndarray:
            values = numbers[start:stop].astype(object)
            values[missing[start:stop]] = null
            return values

        return floats
    if (pd.api.types.is_integer_dtype(series) or pd.api.types.is_bool_dtype(series)) and not series.hasnans:
        plain = series.to_numpy()
        return lambda start, stop: plain[start:stop].astype(object)
    if _mostly_distinct_text(series):
        # Business keys and free text: factorizing a million distinct strings cost five times more than
        # converting each batch's strings directly (0.54 s against 0.1 s for 1M incident codes).
        return lambda start, stop: series.iloc[start:stop].to_numpy(dtype=object, na_value=null)
    codes, uniques = pd.factorize(series)
    if pd.api.types.is_datetime64_any_dtype(series):
        distinct = [ts.date().isoformat() if iso_dates else ts.date() for ts in uniques]
    else:
        distinct = np.asarray(uniques, dtype=object).tolist()
        if series.dtype == object:  # mixed objects may hold numpy scalars the driver cannot bind
            distinct = [_plain(v) for v in distinct]
    lookup = np.array(distinct + [null], dtype=object)  # code -1 (missing) takes the last slot
    return lambda start, stop: lookup[codes[start:stop]]


#: Rows of a column sampled to decide whether its text repeats (see :func:`_mostly_distinct_text`).
_DISTINCT_SAMPLE_ROWS = 4096


def _mostly_distinct_text(series: pd.Series) -> bool:
    """Whether a text column's first rows are mostly distinct values (keys, descriptions), not repeats.

    Only Arrow-backed text qualifies: its values convert straight to ``str``;
    an object column may hold numpy scalars, which go through the factorized path.
    """
    if not isinstance(series.dtype, pd.StringDtype) or series.dtype.storage != "pyarrow":
        return False
    sample = series.iloc[:_DISTINCT_SAMPLE_ROWS]
    return len(sample) > 0 and sample.nunique(dropna=True) > len(sample) // 2


def _prepare_bulk(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        # A larger page cache keeps the indexes of a big batch in memory (measured ~15 % faster at 1M rows);
        # two sorter threads build the deferred indexes on both cores.
        conn.exec_driver_sql("PRAGMA cache_size=-262144")
        conn.exec_driver_sql("PRAGMA threads=2")


#: On SQLite, a batch at least this large leaves the WAL checkpoint (copying the
#: written pages into the database file) to a background thread after its commit.
DEFER_CHECKPOINT_FROM = 100_000

#: On SQLite, a batch at least this large (and larger than the table) is inserted
#: with the table's plain indexes dropped and rebuilt afterwards, in the same
#: transaction: sorting once is cheaper than a million random index inserts.
DEFER_INDEXES_FROM = 100_000


def _defer_indexes(conn: Connection, table: sa.Table, n: int) -> list[sa.Index]:
    """Drop the non-unique indexes of ``table`` for a big SQLite batch; return them to recreate."""
    if conn.dialect.name != "sqlite" or n < DEFER_INDEXES_FROM:
        return []
    stored = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0
    if stored > n:
        return []
    indexes = sorted((ix for ix in table.indexes if not ix.unique), key=lambda ix: ix.name)
    for index in indexes:
        index.drop(conn)
    return indexes


#: Rows per ``INSERT`` statement on SQLite. The driver's work is per statement
#: run and per bound value; many rows per statement saves most of the former
#: (1M incident rows: about 40 % less insert time than one row per statement).
SQLITE_ROWS_PER_STATEMENT = 200


def _insert_chunk(conn: Connection, table: sa.Table, columns: list[str], values: Sequence[Sequence[Any]]) -> None:
    """Insert one batch, given column-wise.

    On SQLite the batch goes through the driver's cursor (same connection,
    same transaction) as multi-row ``INSERT ... VALUES (...), (...)``
    statements of :data:`SQLITE_ROWS_PER_STATEMENT` rows: SQLAlchemy's per-row
    parameter processing, or one statement run per row, would double the time
    of a big import. Dates must already be the ISO text that SQLAlchemy's
    SQLite ``Date`` type reads back (see :func:`_column_getters`).
    PostgreSQL with psycopg 3 streams the batch with ``COPY``
    (:func:`_copy_chunk`); other databases get the Core executemany with dicts.
    """
    if conn.dialect.name == "sqlite":
        _sqlite_insert_chunk(conn, table, columns, values)
        return
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _copy_chunk(conn, table, columns, values)
        return
    conn.execute(table.insert(), [dict(zip(columns, row)) for row in zip(*values)])


@functools.lru_cache(maxsize=64)
def _sqlite_insert_sql(table_name: str, columns: tuple[str, ...], n_rows: int) -> str:
    """``INSERT INTO t ("a", "b") VALUES (?, ?), (?, ?)...`` for ``n_rows`` rows.

    Only names from the table definition reach the text; every value is bound.
    """
    row = "(" + ", ".join("?" * len(columns)) + ")"
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table_name}" ({names}) VALUES ' + ", ".join([row] * n_rows)


def _sqlite_insert_chunk(conn: Connection, table: sa.Table, columns: list[str],
                         values: Sequence[Sequence[Any]]) -> None:
    n = len(values[0]) if values else 0
    if n == 0:
        return
    for name in columns:  # names become SQL text: only the table's own columns may pass
        table.c[name]  # noqa: B018 - raises KeyError for a foreign name
    # Row-major, so that each statement's parameters are one contiguous slice.
    grid = np.empty((n, len(columns)), dtype=object)
    for j, column in enumerate(values):
        grid[:, j] = column
    flat = grid.ravel().tolist()
    del grid
    width = len(columns)
    step = SQLITE_ROWS_PER_STATEMENT
    dbapi = conn.dialect.dbapi
    cursor = conn.connection.dbapi_connection.cursor()
    sql = ""
    try:
        for start in range(0, n, step):
            rows = min(step, n - start)
            sql = _sqlite_insert_sql(table.name, tuple(columns), rows)
            cursor.execute(sql, flat[start * width:(start + rows) * width])
    except dbapi.Error as exc:
        # As SQLAlchemy would raise it: a duplicate key is an sa.exc.IntegrityError ("conflict").
        raise sa.exc.DBAPIError.instance(sql, None, exc, dbapi.Error, dialect=conn.dialect) from exc
    finally:
        cursor.close()


def _copy_chunk(conn: Connection, table: sa.Table, columns: list[str], values: Sequence[Sequence[Any]]) -> None:
    """PostgreSQL: stream one batch with ``COPY ... FROM STDIN`` on the transaction's own connection.

    COPY takes the rows in one stream instead of a statement per few hundred
    rows (about ten times less client work per row); it runs inside the
    import's transaction, so a failure still rolls everything back, and a
    duplicate business key still fails with the unique constraint.
    """
    import psycopg
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in columns))
    raw = conn.connection.dbapi_connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in zip(*values):
                copy.write_row(row)
    except psycopg.Error as exc:
        raise sa.exc.DBAPIError.instance(statement.as_string(raw), None, exc, psycopg.Error,
                                         dialect=conn.dialect) from exc


#: Originals at least this large are packed on another thread while the rows
#: are written (zstd releases the GIL: about 0.3 s per 100 MB taken off the import).
PACK_IN_BACKGROUND_FROM = 1_000_000
_packer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pack-original")


def _pack_original(data: bytes) -> Future[tuple[str | None, bytes]]:
    """Start packing an upload's bytes (:func:`originals.pack_original`); the result, or its error, comes from the future."""
    if len(data) >= PACK_IN_BACKGROUND_FROM:
        return _packer.submit(originals.pack_original, data)
    done: Future[tuple[str | None, bytes]] = Future()
    done.set_result(originals.pack_original(data))
    return done


def _store_original(conn: Connection, sha256: str, size_bytes: int,
                    packed: Future[tuple[str | None, bytes]]) -> None:
    exists = conn.execute(sa.select(tables.stored_files.c.sha256).where(tables.stored_files.c.sha256 == sha256)).first()
    if exists is not None:
        return
    codec, content = packed.result()
    values = dict(sha256=sha256, size_bytes=size_bytes, content=content, codec=codec)
    if conn.dialect.name in ("sqlite", "postgresql"):
        insert = (sa.dialects.sqlite.insert if conn.dialect.name == "sqlite" else sa.dialects.postgresql.insert)
        conn.execute(insert(tables.stored_files).values(**values).on_conflict_do_nothing(index_elements=["sha256"]))
        return
    conn.execute(tables.stored_files.insert().values(**values))


def _evict_demo_collisions(conn: Connection, dataset: str, chunk: pd.DataFrame) -> None:
    """Delete demo rows whose business key a real row is about to take."""
    table = tables.DATASET_TABLES[dataset]
    cols = KEY_COLUMNS[dataset]
    demo_ids = sa.select(tables.imports.c.id).where(tables.imports.c.is_demo)
    keys = chunk[list(cols)].drop_duplicates()
    for start in range(0, len(keys), _KEY_BATCH):
        part = keys.iloc[start:start + _KEY_BATCH]
        if len(cols) == 1:
            match = table.c[cols[0]].in_(part[cols[0]].tolist())
        else:
            match = sa.tuple_(*[table.c[c] for c in cols]).in_(
                [tuple(_plain(v) for v in t) for t in part.itertuples(index=False, name=None)])
        conn.execute(table.delete().where(table.c.import_id.in_(demo_ids), match))


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


# ------------------------------------------------------------------ frames
def import_frames(
    engine: Engine,
    frames: Mapping[str, pd.DataFrame],
    user: str,
    *,
    is_demo: bool = False,
    registry: Any = None,
    province_polygon: Any = None,
    valid_only: bool = False,
) -> dict[str, ImportOutcome]:
    """Validate canonical frames through the same path as files and commit each as an import.

    Each frame is written as a UTF-8 CSV (its bytes are the stored original)
    and goes through :func:`preview_import` and :func:`commit_import`.

    Parameters
    ----------
    frames : mapping of dataset name to DataFrame
        Canonical columns (as :func:`loaders.demo.generator.generate_demo` returns).
    is_demo : bool
        Mark the imports as demo data.

    Returns
    -------
    dict of str to ImportOutcome
    """
    if registry is None:
        from loaders.geo.loading import load_registry

        registry = load_registry()
    outcomes: dict[str, ImportOutcome] = {}
    for dataset, frame in frames.items():
        data = frame.to_csv(index=False).encode("utf-8")
        name = f"{'demo_' if is_demo else ''}{dataset}.csv"
        preview = preview_import(engine, dataset, data, name, registry=registry,
                                 province_polygon=province_polygon, user=user)
        outcomes[dataset] = commit_import(engine, preview, valid_only=valid_only, force=True, user=user,
                                          is_demo=is_demo)
    return outcomes


# ----------------------------------------------------------- history/rollback
def list_imports(engine: Engine) -> pd.DataFrame:
    """The import history, newest first.

    Returns
    -------
    pd.DataFrame
        ``id, dataset, file_name, sha256, size_bytes, user_name, created_at,
        rows_read, rows_accepted, rows_rejected, is_demo, valid_only, forced,
        vintage, status, rolled_back_at, rolled_back_by``.
    """
    i = tables.imports
    cols = [c for c in i.c if c.name != "report"]
    with engine.connect() as conn:
        frame = pd.read_sql_query(sa.select(*cols).order_by(i.c.id.desc()), conn)
    for c in ("created_at", "rolled_back_at"):
        frame[c] = pd.to_datetime(frame[c], utc=True)
    for c in ("is_demo", "valid_only", "forced"):
        frame[c] = frame[c].astype(bool)
    return frame


def import_report(engine: Engine, import_id: int) -> pd.DataFrame:
    """The stored error report of an import (``row, column, value, message``)."""
    with engine.connect() as conn:
        text = conn.execute(sa.select(tables.imports.c.report).where(tables.imports.c.id == import_id)).scalar()
    records = json.loads(text)["errors"] if text else []
    return pd.DataFrame(records, columns=ERROR_COLUMNS)


def original_file(engine: Engine, import_id: int) -> tuple[str, bytes] | None:
    """The original bytes of an import (kept by hash) and the file name it was uploaded as.

    Returns
    -------
    tuple of (str, bytes) or None
        ``None`` for an unknown import or when its bytes are not stored.
    """
    i, f = tables.imports, tables.stored_files
    with engine.connect() as conn:
        row = conn.execute(sa.select(i.c.file_name, f.c.content, f.c.codec, f.c.size_bytes)
                           .join(f, f.c.sha256 == i.c.sha256).where(i.c.id == import_id)).first()
    if row is None:
        return None
    return row.file_name, originals.unpack_original(row.codec, row.content, row.size_bytes)


def rollback_import(engine: Engine, import_id: int, user: str) -> int:
    """Remove exactly one import's rows and mark it rolled back.

    Returns
    -------
    int
        Number of rows deleted.

    Raises
    ------
    RollbackError
        When the import does not exist or was already rolled back.
    """
    i = tables.imports
    with engine.begin() as conn:
        row = conn.execute(sa.select(i.c.dataset, i.c.status, i.c.rolled_back_at, i.c.rolled_back_by)
                           .where(i.c.id == import_id).with_for_update()).first()
        if row is None:
            raise RollbackError(f"Không có lần nhập số {import_id}.")
        if row.status == tables.IMPORT_ROLLED_BACK:
            raise RollbackError(f"Lần nhập số {import_id} đã được hoàn tác lúc {_fmt_time(row.rolled_back_at)} "
                                f"bởi {row.rolled_back_by}.")
        table = tables.DATASET_TABLES[row.dataset]
        deleted = conn.execute(table.delete().where(table.c.import_id == import_id)).rowcount
        conn.execute(i.update().where(i.c.id == import_id).values(
            status=tables.IMPORT_ROLLED_BACK, rolled_back_at=db.utcnow(), rolled_back_by=audit.user_label(user)))
        db.bump_data_version(conn)
        audit.record_event(conn, user, "rollback", json.dumps(
            {"import_id": import_id, "dataset": row.dataset, "rows": deleted}, ensure_ascii=False))
    return int(deleted)


# ----------------------------------------------------------------------- demo
def remove_demo(engine: Engine, user: str) -> int:
    """Delete the rows of every demo import in one transaction.

    The demo import records stay in the history, marked rolled back, so that
    import ids are never reused (SQLite would hand out a deleted id again).

    Returns
    -------
    int
        Number of demo imports removed.
    """
    i = tables.imports
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(sa.select(i.c.id).where(i.c.is_demo,
                                                                  i.c.status == tables.IMPORT_COMMITTED))]
        if not ids:
            return 0
        for table in tables.DATASET_TABLES.values():
            conn.execute(table.delete().where(table.c.import_id.in_(ids)))
        conn.execute(i.update().where(i.c.id.in_(ids)).values(
            status=tables.IMPORT_ROLLED_BACK, rolled_back_at=db.utcnow(), rolled_back_by=audit.user_label(user)))
        db.bump_data_version(conn)
        audit.record_event(conn, user, "demo_removed", json.dumps({"imports": ids}))
    return len(ids)


def load_demo(engine: Engine, user: str, *, seed: int = 42, until: date | None = None,
              registry: Any = None, scale: float = 1.0) -> dict[str, ImportOutcome]:
    """Replace the demo data with freshly generated demo imports.

    Parameters
    ----------
    seed, until, scale
        Passed to :func:`loaders.demo.generator.generate_demo`.

    Returns
    -------
    dict of str to ImportOutcome
        One committed demo import per dataset.
    """
    from loaders.demo.generator import generate_demo
    from loaders.geo.loading import load_registry

    registry = registry or load_registry()
    frames = generate_demo(seed=seed, until=until, registry=registry, scale=scale)
    remove_demo(engine, user)
    return import_frames(engine, frames, user, is_demo=True, registry=registry, valid_only=True)
