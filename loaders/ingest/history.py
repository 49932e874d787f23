"""The import history: listing imports, their reports and originals, and rollback.

A rollback deletes exactly one import's rows; its record stays in the
history, marked rolled back, so import ids are never reused.
"""

from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from loaders.accounts import audit
from loaders.ingest.datasets import ImportDataError
from loaders.ingest.duplicates import fmt_time
from loaders.ingest.reports import REPORT_COLUMNS
from loaders.store import db, originals, tables
from loaders.store.tables import DATASET_TABLES


class RollbackError(ImportDataError):
    """A rollback that cannot be done (unknown import, or already rolled back)."""


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
    return pd.DataFrame(records, columns=REPORT_COLUMNS)


def original_file(engine: Engine, import_id: int) -> tuple[str, bytes] | None:
    """The original bytes of an import (kept by hash) and the file name it was uploaded as.

    Returns
    -------
    tuple of (str, bytes) or None
        ``None`` for an unknown import or when its bytes are not stored.
    """
    i, f = tables.imports, tables.stored_files
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(i.c.file_name, f.c.content, f.c.codec, f.c.size_bytes)
            .join(f, f.c.sha256 == i.c.sha256)
            .where(i.c.id == import_id)
        ).first()
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
        row = conn.execute(
            sa.select(i.c.dataset, i.c.status, i.c.rolled_back_at, i.c.rolled_back_by)
            .where(i.c.id == import_id)
            .with_for_update()
        ).first()
        if row is None:
            raise RollbackError(f"Không có lần nhập số {import_id}.")
        if row.status == tables.IMPORT_ROLLED_BACK:
            raise RollbackError(
                f"Lần nhập số {import_id} đã được hoàn tác lúc {fmt_time(row.rolled_back_at)} bởi {row.rolled_back_by}."
            )
        table = DATASET_TABLES[row.dataset]
        deleted = conn.execute(table.delete().where(table.c.import_id == import_id)).rowcount
        conn.execute(
            i.update()
            .where(i.c.id == import_id)
            .values(status=tables.IMPORT_ROLLED_BACK, rolled_back_at=db.utcnow(), rolled_back_by=audit.user_label(user))
        )
        db.bump_data_version(conn)
        audit.record_event(
            conn,
            user,
            "rollback",
            json.dumps({"import_id": import_id, "dataset": row.dataset, "rows": deleted}, ensure_ascii=False),
        )
    return int(deleted)
