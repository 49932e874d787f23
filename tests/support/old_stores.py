"""Rows written straight into a store at an older revision, as its version of the app wrote them.

Migration tests build a store at an earlier revision and check that upgrading keeps its
rows; they cannot use the importer, which writes the current schema.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

# The columns every revision since 0001 has had; later ones have defaults.
_IMPORT = sa.text(
    "INSERT INTO imports (id, dataset, file_name, sha256, size_bytes, user_name, created_at, rows_read,"
    " rows_accepted, rows_rejected, is_demo, valid_only, forced, status)"
    " VALUES (:id, :dataset, 'f.csv', :sha, 1, 'cli:test', :at, :rows, :rows, 0, false, false, false, :status)"
)


def insert_import(
    conn: sa.Connection, import_id: int, dataset: str, at: datetime, *, status: str = "committed", rows: int = 1
) -> None:
    """One import record, with a hash of its own made from ``import_id``.

    Explicit ids far above a PostgreSQL sequence's next value are safe: the sequence is
    not advanced for them, so later imports must not reach those ids in the same test.
    """
    sha = f"{import_id:064d}"
    conn.execute(_IMPORT, {"id": import_id, "dataset": dataset, "sha": sha, "at": at, "status": status, "rows": rows})
