"""Previewing an upload: read, match and validate it, and write nothing.

:func:`preview_import` reads the bytes, matches the headers, validates every
row (registry resolution, enumerations, dates, coordinates, duplicates within
the file and against the store) and checks whether the same file (same
sha256) was already imported for the dataset. The result, an
:class:`ImportPreview`, is what :func:`loaders.ingest.commit.commit_import`
writes. The upload page and ``python -m loaders import`` share this path.

Demo rows never block real data: duplicate checks for a real import ignore
demo rows (a real row whose business key collides with a demo row replaces
it on commit; demo data is hidden anyway once real data exists).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from loaders.core import domain, settings
from loaders.core.i18n import translate
from loaders.geo.placement import load_split_locator
from loaders.ingest import validation
from loaders.ingest.datasets import STORE_COLUMNS, ImportDataError, get_dataset
from loaders.ingest.duplicates import existing_keys, find_duplicate_file, has_real_rows
from loaders.ingest.model_areas import stored_area_lists
from loaders.ingest.rawtable import UnreadableFileError
from loaders.ingest.reading import read_table
from loaders.ingest.reports import empty_errors, error_frame, report_bytes
from loaders.store.tables import DATASET_TABLES

#: Called with (fraction in [0, 1], Vietnamese message) while an import runs.
Progress = Callable[[float, str], None]


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


@functools.lru_cache(maxsize=4)
def _split_locator_for(geodata_dir: str) -> Any:
    return load_split_locator(Path(geodata_dir))


def split_locator() -> Any:
    """The locator of split legacy communes for the installed boundaries (``None`` without them).

    Built once per geodata folder: it indexes the 69 full-resolution polygons.
    """
    return _split_locator_for(str(settings.geodata_dir()))


@dataclass(frozen=True, kw_only=True)
class ImportRequest:
    """One upload to preview: the file, which dataset it is for, and who sends it.

    Attributes
    ----------
    dataset : {"models", "incidents", "recognitions"}
    data : bytes
        The file's content.
    file_name : str
        As uploaded; used for the reader's format choice and in messages only.
    user : str
        Who uploads (kept with the preview for the commit).
    sheet : str, optional
        XLSX sheet (default the first).
    mapping : mapping, optional
        Source column -> canonical column overrides (``--map``).
    vintage : {"legacy", "2025"}, optional
        Which units a models file uses where names stay ambiguous (default 2025).
    """

    dataset: str
    data: bytes = field(repr=False)
    file_name: str
    user: str
    sheet: str | None = None
    mapping: Mapping[str, str] | None = None
    vintage: str | None = None


def preview_import(
    engine: Engine,
    request: ImportRequest,
    *,
    registry: Any,
    province_polygon: Any = None,
    progress: Progress | None = None,
) -> ImportPreview:
    """Read, match and validate an upload; write nothing.

    Parameters
    ----------
    engine : Engine
        The store (read for duplicates only).
    request : ImportRequest
        The upload and the choices made for it.
    registry : Registry
        The commune registry.
    province_polygon : shapely geometry, optional
        Coordinates outside it are rejected; ``None`` skips the check.
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
    dataset, data, file_name, vintage = request.dataset, request.data, request.file_name, request.vintage
    get_dataset(dataset)
    if vintage is not None and vintage not in domain.VINTAGES:
        raise ImportDataError(f"Hệ đơn vị «{vintage}» không hợp lệ; chọn legacy hoặc 2025.")
    sha256 = hashlib.sha256(data).hexdigest()
    tick(progress, 0.0, "Đang đọc tệp…")
    try:
        raw = read_table(data, file_name, request.sheet)
    except UnreadableFileError as exc:
        raise ImportRefused(str(exc), "unreadable") from exc
    with engine.connect() as conn:
        duplicate_of = find_duplicate_file(conn, dataset, sha256)
        # With no real row stored there is nothing to look up: a million-row first import skips listing its keys.
        real_rows_stored = has_real_rows(conn, dataset)
    base = {
        "dataset": dataset,
        "file_name": file_name,
        "sha256": sha256,
        "size_bytes": len(data),
        "data": data,
        "user": request.user,
        "rows_read": len(raw.frame),
        "sheet": raw.sheet,
        "vintage": vintage,
        "totals_rows": list(raw.totals_rows),
        "duplicate_of": duplicate_of,
        "source_columns": raw.columns,
        "sheet_names": list(raw.sheet_names),
    }
    tick(progress, 0.2, "Đang kiểm tra dữ liệu…")

    def existing(ds: str, keys: Iterable[str]) -> set[str]:
        with engine.connect() as conn:
            return existing_keys(conn, ds, keys, include_demo=False)

    def areas(codes: Sequence[str]) -> dict[str, dict[str, str]]:
        with engine.connect() as conn:
            return stored_area_lists(conn, codes)

    try:
        context = validation.ValidationContext(
            resolver=registry.resolve_frame,
            polygon=province_polygon,
            vintage=vintage or domain.VINTAGE_2025,
            existing_keys=existing if real_rows_stored else None,
            locator=split_locator(),
            legacy_members=registry.legacy_members,
            area_lists=areas if dataset == domain.DATASET_MODELS else None,
        )
        result = validation.validate_table(raw, dataset, context, mapping=request.mapping)
    except validation.MissingColumnsError as exc:
        labels = exc.header.missing_labels()
        errors = error_frame(
            row=pd.array([raw.header_row] * len(labels), dtype="Int64"),
            column=labels,
            value=[""] * len(labels),
            message=[str(exc)] * len(labels),
            code=["missing_column"] * len(labels),
            field=[""] * len(labels),
        )
        return ImportPreview(
            accepted=pd.DataFrame(),
            errors=errors,
            warnings=empty_errors(),
            columns=dict(exc.header.columns),
            ignored_columns=list(exc.header.ignored),
            missing_columns=labels,
            **base,
        )
    accepted, errors = _reject_overlong(dataset, result.accepted, result.errors, result.header)
    tick(progress, 1.0, "Đã kiểm tra xong")
    return ImportPreview(
        accepted=accepted,
        errors=errors,
        warnings=result.warnings,
        columns=dict(result.header.columns),
        ignored_columns=list(result.header.ignored),
        **base,
    )


#: Accepted-frame columns the store keeps under their own name, besides :data:`STORE_COLUMNS`.
_RESOLVED_TEXT: tuple[str, ...] = ("code_given", "name_given", "district_given")


#: Normalised keys, checked only where their name fits (a long name is reported once, as itself).
_KEY_TEXT: tuple[str, ...] = ("name_key", "area_key", "unit_key")


#: The file's field behind each accepted column whose name differs from it.
_SOURCE_FIELDS: dict[str, str] = {
    "code_given": "ma_xa",
    "name_given": "ten_xa",
    "district_given": "huyen_cu",
    "name_key": "ten_mo_hinh",
    "area_key": "thon_tdp",
    "unit_key": "ten_don_vi",
}


#: Longest value quoted in an error report.
_QUOTE_MAX = 200


def _reject_overlong(
    dataset: str, accepted: pd.DataFrame, errors: pd.DataFrame, header: Any
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reject the accepted rows whose text is longer than its store column allows.

    SQLite stores any length, but PostgreSQL refuses the whole commit with a
    database error; a per-row ``too_long`` error says which cell to shorten,
    the same on both stores.

    Returns
    -------
    (pd.DataFrame, pd.DataFrame)
        The accepted rows that fit, and the errors plus one ``too_long`` row per long cell.
    """
    table = DATASET_TABLES[dataset]
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
        parts.append(
            error_frame(
                row=accepted["source_row"].to_numpy()[over].astype("int64"),
                column=header.source_of(field),
                value=[v if len(v) <= _QUOTE_MAX else v[:_QUOTE_MAX] + "…" for v in values],
                message=[translate("validation.too_long", length=len(v), limit=kind.length) for v in values],
                code="too_long",
                field=field,
            )
        )
    if not parts:
        return accepted, errors
    errors = pd.concat([errors, *parts], ignore_index=True).sort_values("row", kind="stable")
    return accepted[~bad].reset_index(drop=True), errors.reset_index(drop=True)


def tick(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)
