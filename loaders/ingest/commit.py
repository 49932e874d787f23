"""Committing a previewed import: everything is written in one transaction.

:func:`commit_import` writes the original bytes (kept by hash, never under
the user's file name), the import record with its error report, the rows
(through :mod:`loaders.ingest.bulk`), the data-version bump and the audit
event. Any failure, including a duplicate business key inserted meanwhile by
a concurrent import (the unique constraints catch it), rolls everything back.

A real import replaces the demo rows whose business keys it takes; demo data
goes through the same path (:func:`import_frames`) and is marked as demo.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from loaders.accounts import audit
from loaders.core import domain
from loaders.core.textnorm import key
from loaders.geo.areas import area_key
from loaders.geo.loading import load_registry
from loaders.ingest.bulk import (
    DEFER_CHECKPOINT_FROM,
    SQLITE_NULL,
    column_getters,
    defer_indexes,
    insert_chunk,
    plain,
    prepare_bulk,
)
from loaders.ingest.datasets import STORE_COLUMNS, STORE_KEY_COLUMNS, STORED_RESOLVED_COLUMNS, get_dataset
from loaders.ingest.duplicates import KEY_BATCH, duplicate_message, find_duplicate_file
from loaders.ingest.enums import NO, YES, YES_NO_FAMILY
from loaders.ingest.preview import ImportPreview, ImportRefused, ImportRequest, Progress, preview_import, tick
from loaders.ingest.reporting import ReportScope, ReportScopeError, describe, reported_pairs, write_reports
from loaders.ingest.reports import errors_to_records
from loaders.store import db, originals, reads, tables
from loaders.store.tables import DATASET_TABLES

#: Rows per INSERT batch: large enough to amortise round trips, small enough
#: to bound the memory of the Python parameter lists.
CHUNK_ROWS = 50_000


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
    #: What an incidents import reports (:func:`loaders.ingest.reporting.describe`); ``None`` otherwise.
    reports: dict[str, Any] | None = None

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
            "reports": self.reports,
        }


def commit_import(
    engine: Engine,
    preview: ImportPreview,
    *,
    valid_only: bool = False,
    force: bool = False,
    user: str,
    progress: Progress | None = None,
    is_demo: bool = False,
    reports: ReportScope | None = None,
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
    reports : ReportScope, optional
        The months and communes an incidents import reports (:mod:`loaders.ingest.reporting`);
        default the months its rows span, for its communes. Written in the same transaction.

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
    ReportScopeError
        When ``reports`` is given for a dataset other than incidents.
    """
    if reports is not None and preview.dataset != domain.DATASET_INCIDENTS:
        raise ReportScopeError("Kỳ báo cáo chỉ dùng cho dữ liệu vụ việc.")
    errors = preview.errors
    counts = {
        "dataset": preview.dataset,
        "rows_read": preview.rows_read,
        "accepted": preview.n_accepted,
        "rejected": preview.n_rejected,
        "errors": errors,
        "duplicate_of": preview.duplicate_of,
    }
    if preview.duplicate_of is not None and not force:
        raise ImportRefused(duplicate_message(preview.duplicate_of), "duplicate_file", preview.duplicate_of)
    if preview.needs_mapping or (preview.n_rejected and not valid_only):
        return ImportOutcome(
            committed=False,
            import_id=None,
            written=0,
            message=(
                f"Không ghi dữ liệu nào: {preview.n_rejected}/{preview.rows_read} dòng bị từ chối. "
                "Hãy sửa các lỗi rồi tải lại tệp, hoặc chọn «Chỉ nhập các dòng hợp lệ»."
            ),
            **counts,
        )
    if preview.n_accepted == 0:
        return ImportOutcome(
            committed=False, import_id=None, written=0, message="Không có dòng hợp lệ nào để ghi.", **counts
        )

    dataset = preview.dataset
    table = DATASET_TABLES[dataset]
    rows = to_store_frame(dataset, preview.accepted)
    n = len(rows)
    tick(progress, 0.0, f"Đang ghi {n:,} dòng…".replace(",", "."))
    report = json.dumps(
        {
            "errors": errors_to_records(errors),
            "ignored_columns": preview.ignored_columns,
            "totals_rows": preview.totals_rows,
        },
        ensure_ascii=False,
    )
    packed_original = _pack_original(preview.data)
    reported: dict[str, Any] | None = None
    try:
        with db.write_transaction(engine, big=n >= DEFER_CHECKPOINT_FROM) as conn:
            prepare_bulk(conn)
            if not force:
                dup = find_duplicate_file(conn, dataset, preview.sha256)
                if dup is not None:
                    raise ImportRefused(duplicate_message(dup), "duplicate_file", dup)
            import_id = conn.execute(
                tables.imports.insert().values(
                    # NUL is the one character PostgreSQL text cannot hold; the name is only ever text.
                    dataset=dataset,
                    file_name=preview.file_name.replace("\x00", "\ufffd")[:255],
                    sha256=preview.sha256,
                    size_bytes=preview.size_bytes,
                    user_name=audit.user_label(user),
                    created_at=db.utcnow(),
                    rows_read=preview.rows_read,
                    rows_accepted=n,
                    rows_rejected=preview.n_rejected,
                    is_demo=is_demo,
                    valid_only=valid_only,
                    forced=force and preview.duplicate_of is not None,
                    vintage=preview.vintage,
                    status=tables.IMPORT_COMMITTED,
                    report=report,
                )
            ).inserted_primary_key[0]
            evict_demo = not is_demo and reads.has_demo(conn)
            columns = ["import_id", *rows.columns]
            deferred = defer_indexes(conn, table, n)
            on_sqlite = conn.dialect.name == "sqlite"
            getters = column_getters(rows, iso_dates=on_sqlite, null=SQLITE_NULL if on_sqlite else None)
            for start in range(0, n, CHUNK_ROWS):
                stop = min(start + CHUNK_ROWS, n)
                if evict_demo:
                    _evict_demo_collisions(conn, dataset, rows.iloc[start:stop])
                values = [get(start, stop) for get in getters]
                insert_chunk(conn, table, columns, [[import_id] * (stop - start), *values])
                done = min(start + CHUNK_ROWS, n)
                tick(progress, done / n, f"Đã ghi {done:,}/{n:,} dòng".replace(",", "."))
            if dataset == domain.DATASET_INCIDENTS:
                pairs = reported_pairs(reports, rows)
                write_reports(conn, import_id, pairs)
                reported = describe(pairs)
            _store_original(conn, preview.sha256, len(preview.data), packed_original)
            for index in deferred:
                index.create(conn)
            version = db.bump_data_version(conn)
            if not is_demo:
                reads.mark_real_data(conn)
            audit.record_event(
                conn,
                user,
                "import_demo" if is_demo else "import",
                json.dumps(
                    {
                        "import_id": import_id,
                        "dataset": dataset,
                        "file_name": preview.file_name,
                        "sha256": preview.sha256,
                        "rows": n,
                        "rejected": preview.n_rejected,
                        "forced": force,
                    },
                    ensure_ascii=False,
                ),
            )
    except sa.exc.IntegrityError as exc:
        raise ImportRefused(
            "Không ghi được: có dòng trùng khóa với dữ liệu vừa được ghi bởi một lần nhập khác đồng thời. "
            "Không có dòng nào được ghi; hãy xem trước lại tệp để thấy các dòng trùng.",
            "conflict",
        ) from exc
    message = f"Đã nhập {n} dòng (lần nhập số {import_id})."
    if preview.n_rejected:
        message += f" {preview.n_rejected} dòng bị từ chối, xem báo cáo lỗi."
    return ImportOutcome(
        committed=True,
        import_id=int(import_id),
        written=n,
        message=message,
        data_version=version,
        reports=reported,
        **counts,
    )


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
    for col in STORED_RESOLVED_COLUMNS:
        out[col] = accepted[col] if col in accepted.columns else None
    for canonical, column in mapping.items():
        out[column] = accepted[canonical] if canonical in accepted.columns else None
    # Validation already computed the normalised names of the business key; reuse them.
    if dataset == domain.DATASET_MODELS:
        out["name_key"] = accepted["name_key"] if "name_key" in accepted.columns else _keys(out["model_name"])
        out["area_key"] = accepted["area_key"] if "area_key" in accepted.columns else None
    elif dataset == domain.DATASET_RECOGNITIONS:
        out["unit_key"] = accepted["unit_key"] if "unit_key" in accepted.columns else _keys(out["unit_name"])
    elif dataset == domain.DATASET_RESIDENTIAL_AREAS:
        out["area_key"] = accepted["area_key"] if "area_key" in accepted.columns else out["area_name"].map(area_key)
    # A có/không column is stored as true/false (NULL when not given).
    for col in get_dataset(dataset).columns:
        if col.enum == YES_NO_FAMILY and col.store_column in out:
            out[col.store_column] = out[col.store_column].map({YES: True, NO: False}).astype("boolean")
    return out.reset_index(drop=True)


def _keys(values: pd.Series) -> pd.Series:
    uniques = pd.unique(values)
    return values.map({u: key(u) for u in uniques})


#: Originals at least this large are packed on another thread while the rows
#: are written (zstd releases the GIL, so packing overlaps the inserts).
PACK_IN_BACKGROUND_FROM = 1_000_000


_packer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pack-original")


def _pack_original(data: bytes) -> Future[tuple[str | None, bytes]]:
    """Start packing an upload's bytes (:func:`originals.pack_original`).

    The result, or its error, comes from the future.
    """
    if len(data) >= PACK_IN_BACKGROUND_FROM:
        return _packer.submit(originals.pack_original, data)
    done: Future[tuple[str | None, bytes]] = Future()
    done.set_result(originals.pack_original(data))
    return done


def _store_original(conn: Connection, sha256: str, size_bytes: int, packed: Future[tuple[str | None, bytes]]) -> None:
    exists = conn.execute(sa.select(tables.stored_files.c.sha256).where(tables.stored_files.c.sha256 == sha256)).first()
    if exists is not None:
        return
    codec, content = packed.result()
    values = {"sha256": sha256, "size_bytes": size_bytes, "content": content, "codec": codec}
    if conn.dialect.name in ("sqlite", "postgresql"):
        insert = sa.dialects.sqlite.insert if conn.dialect.name == "sqlite" else sa.dialects.postgresql.insert
        conn.execute(insert(tables.stored_files).values(**values).on_conflict_do_nothing(index_elements=["sha256"]))
        return
    conn.execute(tables.stored_files.insert().values(**values))


def _evict_demo_collisions(conn: Connection, dataset: str, chunk: pd.DataFrame) -> None:
    """Delete demo rows whose business key a real row is about to take."""
    table = DATASET_TABLES[dataset]
    cols = STORE_KEY_COLUMNS[dataset]
    demo_ids = sa.select(tables.imports.c.id).where(tables.imports.c.is_demo)
    keys = chunk[list(cols)].drop_duplicates()
    for start in range(0, len(keys), KEY_BATCH):
        part = keys.iloc[start : start + KEY_BATCH]
        if len(cols) == 1:
            match = table.c[cols[0]].in_(part[cols[0]].tolist())
        else:
            match = sa.tuple_(*[table.c[c] for c in cols]).in_(
                [tuple(plain(v) for v in t) for t in part.itertuples(index=False, name=None)]
            )
        conn.execute(table.delete().where(table.c.import_id.in_(demo_ids), match))


def import_frames(
    engine: Engine,
    frames: Mapping[str, pd.DataFrame],
    user: str,
    *,
    is_demo: bool = False,
    registry: Any = None,
    province_polygon: Any = None,
    valid_only: bool = False,
    reports: Mapping[str, ReportScope] | None = None,
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
    reports : mapping of dataset name to ReportScope, optional
        What an incidents frame reports (default: the months its rows span).

    Returns
    -------
    dict of str to ImportOutcome
    """
    if registry is None:
        registry = load_registry()
    outcomes: dict[str, ImportOutcome] = {}
    for dataset, frame in frames.items():
        data = frame.to_csv(index=False).encode("utf-8")
        name = f"{'demo_' if is_demo else ''}{dataset}.csv"
        request = ImportRequest(dataset=dataset, data=data, file_name=name, user=user)
        preview = preview_import(engine, request, registry=registry, province_polygon=province_polygon)
        outcomes[dataset] = commit_import(
            engine,
            preview,
            valid_only=valid_only,
            force=True,
            user=user,
            is_demo=is_demo,
            reports=(reports or {}).get(dataset),
        )
    return outcomes
