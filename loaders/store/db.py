"""Engines, write transactions, migrations and the data version of the store.

The embedded default is a SQLite file (WAL, foreign keys on) in the data
directory; ``DATABASE_URL`` selects any other SQLAlchemy URL, e.g.
``postgresql+psycopg://user@host/db``. The schema is created and upgraded by
the Alembic migrations in ``loaders/store/migrations`` (:func:`migrate`), never by
``create_all``, so that SQLite and PostgreSQL stores evolve the same way.

Every write that changes what pages show bumps ``meta.data_version`` in the
same transaction; cached queries use that number in their keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from threading import Lock, Thread
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from loaders.core import settings
from loaders.core.private_files import private_dir, private_file
from loaders.store.tables import meta

#: Folder of the Alembic environment and revisions.
MIGRATIONS_DIR = Path(__file__).parent / "migrations"

_DATA_VERSION = "data_version"
_engines: dict[str, Engine] = {}
_engines_lock = Lock()
_migrated: set[str] = set()


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the store writes."""
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Concurrent imports wait for each other instead of failing at once.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_engine_for(url: str) -> Engine:
    """Create an engine with the project's connection settings.

    SQLite gets WAL, foreign keys and a busy timeout on every connection, and
    its parent folder is created, so that a fresh clone works with no setup.
    The folder is created ``0700`` and the database file ``0600`` (SQLite gives
    its ``-wal`` and ``-shm`` files the database file's mode): other accounts
    on the machine cannot read the store.
    """
    sa_url = sa.engine.make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        if sa_url.database and sa_url.database != ":memory:" and not sa_url.database.startswith("file:"):
            path = Path(sa_url.database)
            private_dir(path.parent)
            private_file(path)
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def get_engine(url: str | None = None) -> Engine:
    """The shared, migrated engine for ``url`` (default :func:`settings.database_url`)."""
    url = url or settings.database_url()
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = create_engine_for(url)
            _engines[url] = engine
        if url not in _migrated:
            migrate(engine)
            _migrated.add(url)
    return engine


#: Background WAL checkpoints started by :func:`write_transaction` (joined before engines close).
_checkpoints: list[Thread] = []


@contextmanager
def write_transaction(engine: Engine, *, big: bool = False) -> Iterator[Connection]:
    """``engine.begin()``; for a big write on SQLite, the WAL checkpoint runs after the commit.

    SQLite copies the write-ahead log into the database file (a checkpoint)
    right after the commit that makes the log long, in the committing call:
    a big import would wait for that copy although its rows are already
    committed and visible. With ``big=True`` that connection skips the
    automatic checkpoint and a background thread runs a passive one (which
    never blocks readers or writers) once the transaction has committed.
    Other databases and small writes get a plain transaction.
    """
    if not big or engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            yield conn
        return
    with engine.connect() as conn:
        pages = int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar())
        conn.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        conn.commit()
        try:
            with conn.begin():
                yield conn
        finally:
            # The pooled connection goes back with SQLite's setting, whatever happened.
            conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={pages}")
            conn.commit()
    _checkpoint_soon(engine)


def _checkpoint_soon(engine: Engine) -> None:
    def run() -> None:
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except sa.exc.SQLAlchemyError:
            pass  # the next automatic checkpoint copies the log instead

    thread = Thread(target=run, name="sqlite-wal-checkpoint", daemon=True)
    with _engines_lock:
        _checkpoints[:] = [t for t in _checkpoints if t.is_alive()]
        _checkpoints.append(thread)
    thread.start()


def wait_for_checkpoints(timeout: float | None = None) -> None:
    """Wait until the background checkpoints started so far have finished."""
    with _engines_lock:
        pending = list(_checkpoints)
    for thread in pending:
        thread.join(timeout)


def dispose_engines() -> None:
    """Close every cached engine (tests switch databases), after their background checkpoints."""
    wait_for_checkpoints()
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _migrated.clear()


def alembic_config(conn: Connection | None = None) -> Config:
    """The Alembic configuration of the project's migrations, run on ``conn`` when one is given."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest Alembic revision."""
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")


def data_version(conn: Connection | Engine) -> int:
    """The number that changes whenever an import, rollback or demo change lands."""
    if isinstance(conn, Engine):
        with conn.connect() as c:
            return data_version(c)
    value = conn.execute(sa.select(meta.c.value).where(meta.c.key == _DATA_VERSION)).scalar()
    return int(value or 0)


def bump_data_version(conn: Connection) -> int:
    """Increment the data version inside the caller's transaction and return it.

    The increment is one atomic ``UPDATE ... SET value = value + 1``: two
    concurrent imports on PostgreSQL must give two versions, not read the same
    number and both write it (a page cached between the two commits would then
    never refresh).
    """
    bumped = sa.cast(sa.cast(meta.c.value, sa.Integer) + 1, sa.String)
    update = meta.update().where(meta.c.key == _DATA_VERSION).values(value=bumped)
    if conn.execute(update).rowcount == 0:
        # First write ever: a concurrent first write may insert the row too; the
        # savepoint lets the loser fall back to the update instead of failing.
        try:
            with conn.begin_nested():
                conn.execute(meta.insert().values(key=_DATA_VERSION, value="1"))
        except sa.exc.IntegrityError:
            conn.execute(update)
    return data_version(conn)
