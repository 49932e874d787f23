"""Backups of the store, and restoring one into an empty store.

A backup is one SQLite file that is itself a store of this app: every table
at one moment, and the Alembic revision of its schema. The same format comes
from either database, so a backup also moves a store between SQLite and
PostgreSQL, and ``sqlite3 FILE`` can read it without the app.

* From SQLite, SQLite's online backup API copies the pages in one read
  transaction: a consistent snapshot, committed rows still in the write-ahead
  log included, while the app keeps reading and writing.
* From PostgreSQL, the rows are copied inside one ``REPEATABLE READ``,
  read-only transaction, which sees one snapshot of every table.

A backup is written next to its destination under a temporary name, checked
(``PRAGMA integrity_check``), and only then renamed into place, readable by
its owner only: it holds password hashes and police data.

Restoring never changes the backup: it works on a copy, brings that copy's
schema up to this version of the app (a backup from an older version restores
into a newer one), and inserts every row, with its ids, into a store that
holds no rows yet, in one transaction that also writes the audit entry
``store_restored``. On PostgreSQL the id sequences then continue after the
restored ids.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from loaders.accounts import audit
from loaders.store import db, tables

#: Audit action of a backup and of a restore.
ACTION_BACKUP = "store_backup"
ACTION_RESTORE = "store_restored"

#: Tables a restore leaves out: who is signed in and which addresses are throttled describe a
#: moment, not the data (a restored session could outlive a sign-out made after the backup);
#: after a restore everyone signs in again.
NOT_RESTORED = frozenset({"sessions", "sign_in_addresses"})

#: Rows copied per batch (bounded memory with large originals).
_BATCH = 500
_SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """A backup or restore refused, with a message in Vietnamese for the operator."""


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds (or what a restore put into the store).

    Attributes
    ----------
    path
        The backup file.
    revision
        Alembic revision of the backup's schema as written.
    data_version
        The store's data version at the moment of the snapshot.
    rows
        Row count per table.
    size_bytes
        Size of the backup file.
    """

    path: Path
    revision: str
    data_version: int
    rows: dict[str, int] = field(default_factory=dict)
    size_bytes: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output and the audit detail."""
        return {
            "file": str(self.path),
            "revision": self.revision,
            "data_version": self.data_version,
            "rows": self.rows,
            "size_bytes": self.size_bytes,
        }


# ------------------------------------------------------------------ backup
def backup_store(engine: Engine, out: Path | str, actor: str) -> BackupSummary:
    """Write a consistent snapshot of the store at ``engine`` to the new file ``out``.

    Parameters
    ----------
    engine
        The migrated store (SQLite or PostgreSQL).
    out
        Destination file; it must not exist yet, its folder must.
    actor
        Recorded in the audit entry ``store_backup`` written after the snapshot.

    Returns
    -------
    BackupSummary

    Raises
    ------
    BackupError
        ``out`` exists, its folder does not, or it names the store itself.
    """
    out = Path(out)
    if out.exists() or out.is_symlink():
        raise BackupError(f"Tệp «{out}» đã có; hãy chọn một tên tệp mới cho bản sao lưu.")
    if not out.parent.is_dir():
        raise BackupError(f"Thư mục «{out.parent}» không tồn tại.")
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    # Created empty and owner-only before SQLite writes into it (an empty file is an empty database).
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        if engine.dialect.name == "sqlite":
            _snapshot_sqlite(engine, partial)
        else:
            _snapshot_rows(engine, partial)
        summary = describe(partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    summary = BackupSummary(out, summary.revision, summary.data_version, summary.rows, out.stat().st_size)
    with engine.begin() as conn:
        audit.record_event(conn, actor, ACTION_BACKUP, json.dumps(summary.as_dict(), ensure_ascii=False))
    return summary


def _snapshot_sqlite(engine: Engine, dest_path: Path) -> None:
    """SQLite's online backup API: every page in one step, hence one read transaction."""
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        if _same_file(source, dest_path):
            raise BackupError("Không thể sao lưu kho vào chính tệp của kho.")
        with closing(sqlite3.connect(dest_path)) as dest:
            source.backup(dest)
            # A self-contained file: no write-ahead log beside it.
            dest.execute("PRAGMA journal_mode=DELETE")
    finally:
        raw.close()


def _same_file(source: sqlite3.Connection, path: Path) -> bool:
    rows = source.execute("PRAGMA database_list").fetchall()
    return any(r[1] == "main" and r[2] and Path(r[2]).resolve() == path.resolve() for r in rows)


def _snapshot_rows(engine: Engine, dest_path: Path) -> None:
    """Copy every table from one ``REPEATABLE READ`` read-only snapshot into a new SQLite store."""
    dest = sa.create_engine(f"sqlite:///{dest_path}")
    try:
        db.migrate(dest)
        with (
            engine.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True) as src,
            dest.begin() as out,
        ):
            source_revision = _revision(src)
            if source_revision != _revision(out):
                raise BackupError(f"Kho ở phiên bản lược đồ {source_revision}, khác phiên bản của ứng dụng.")
            out.execute(tables.meta.delete())
            _copy_tables(src, out)
            src.rollback()
    finally:
        dest.dispose()


# ------------------------------------------------------------------ reading a backup
def describe(path: Path | str) -> BackupSummary:
    """Check a backup file and say what it holds, without changing it.

    Raises
    ------
    BackupError
        The file is missing, not a SQLite database, damaged, or not a store of this app.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"Không mở được tệp sao lưu «{path}»: {exc.strerror}") from exc
    if magic != _SQLITE_MAGIC:
        raise BackupError(f"Tệp «{path}» không phải bản sao lưu của kho (không phải tệp SQLite).")
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"Tệp sao lưu «{path}» bị hỏng: {check}")
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = sorted({"alembic_version", *(t.name for t in tables.metadata.sorted_tables)} - names)
            if "alembic_version" in missing or "imports" in missing:
                raise BackupError(f"Tệp «{path}» không phải bản sao lưu của kho (thiếu bảng {', '.join(missing)}).")
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            version = conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
            rows = {
                t.name: conn.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0]
                for t in tables.metadata.sorted_tables
                if t.name in names
            }
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Tệp sao lưu «{path}» không đọc được: {exc}") from exc
    return BackupSummary(path, revision, int(version[0]) if version else 0, rows, path.stat().st_size)


# ------------------------------------------------------------------ restore
def restore_store(engine: Engine, source: Path | str, actor: str) -> BackupSummary:
    """Put the backup ``source`` into the empty store at ``engine``, and audit it.

    Parameters
    ----------
    engine
        The migrated target store; it must hold no rows (``meta`` aside).
    source
        A file written by :func:`backup_store`; it is only read.
    actor
        Recorded in the audit entry ``store_restored``, written after the restored log.

    Returns
    -------
    BackupSummary
        What the backup held, as restored.

    Raises
    ------
    BackupError
        The file is not a usable backup, comes from a newer version of the app,
        or the store is not empty.
    """
    source = Path(source)
    summary = describe(source)
    known = {rev.revision for rev in ScriptDirectory.from_config(db.alembic_config()).walk_revisions()}
    if summary.revision not in known:
        raise BackupError(
            f"Bản sao lưu «{source}» có lược đồ {summary.revision}, mới hơn phiên bản ứng dụng này; "
            "hãy cập nhật ứng dụng trước khi khôi phục."
        )
    with _working_copy(source) as work, engine.begin() as conn:
        occupied = [t.name for t in _data_tables() if conn.execute(sa.select(*t.primary_key.columns).limit(1)).first()]
        if occupied:
            raise BackupError(
                "Chỉ khôi phục vào kho trống; kho này đã có dữ liệu trong bảng "
                f"{', '.join(occupied)}. Hãy chỉ DATABASE_URL tới một cơ sở dữ liệu mới."
            )
        with work.connect() as src:
            conn.execute(tables.meta.delete())
            _copy_tables(src, conn, skip=NOT_RESTORED)
        if conn.dialect.name == "postgresql":
            _continue_sequences(conn)
        detail = {**summary.as_dict(), "file": source.name}
        audit.record_event(conn, actor, ACTION_RESTORE, json.dumps(detail, ensure_ascii=False))
    return summary


@contextmanager
def _working_copy(source: Path) -> Iterator[Engine]:
    """A private copy of the backup, migrated to this version's schema; deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="ht-restore-") as folder:
        path = Path(folder) / "restore.sqlite3"
        with (
            closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src,
            closing(sqlite3.connect(path)) as dest,
        ):
            src.backup(dest)
        engine = sa.create_engine(f"sqlite:///{path}")
        try:
            db.migrate(engine)
            yield engine
        finally:
            engine.dispose()


def _data_tables() -> list[sa.Table]:
    """Every restored table whose rows make a store non-empty (``meta`` only holds counters and flags)."""
    return [t for t in tables.metadata.sorted_tables if t is not tables.meta and t.name not in NOT_RESTORED]


def _copy_tables(src: Connection, out: Connection, skip: frozenset[str] = frozenset()) -> None:
    """Copy every declared table but ``skip`` from ``src`` to ``out``, parents first, ids kept."""
    for table in tables.metadata.sorted_tables:
        if table.name in skip:
            continue
        order = list(table.primary_key.columns)
        result = src.execution_options(yield_per=_BATCH).execute(sa.select(table).order_by(*order))
        stamps = [c.name for c in table.columns if isinstance(c.type, sa.DateTime)]
        for batch in result.mappings().partitions():
            rows = [dict(r) for r in batch]
            for row in rows:
                for name in stamps:
                    row[name] = _as_utc(row[name])
            out.execute(table.insert(), rows)


def _as_utc(value: datetime | None) -> datetime | None:
    """Stored times are UTC: SQLite keeps them naive, PostgreSQL returns them in the session's zone."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _continue_sequences(conn: Connection) -> None:
    """Move each PostgreSQL id sequence past the restored ids (explicit ids do not advance it)."""
    for table in tables.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, sa.Integer) or pk[0].autoincrement is False:
            continue
        name, column = table.name, pk[0].name
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{name}', '{column}'), "
            f'COALESCE(MAX("{column}"), 1), MAX("{column}") IS NOT NULL) FROM "{name}"'
        )


def _revision(conn: Connection) -> str | None:
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
