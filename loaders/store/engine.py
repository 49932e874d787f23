"""The store: SQLAlchemy 2 tables, engines and the data version.

The embedded default is a SQLite file (WAL, foreign keys on) in the data
directory; ``DATABASE_URL`` selects any other SQLAlchemy URL, e.g.
``postgresql+psycopg://user@host/db``. The schema is created and upgraded by
the Alembic migrations in ``loaders/store/migrations`` (:func:`migrate`), never by
``create_all``, so that SQLite and PostgreSQL stores evolve the same way.

Every write that changes what pages show bumps ``meta.data_version`` in the
same transaction; cached queries use that number in their keys.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from threading import Lock, Thread

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from loaders.core import settings

metadata = sa.MetaData()

DATASET_MODELS = "models"
DATASET_INCIDENTS = "incidents"
DATASET_RECOGNITIONS = "recognitions"
DATASETS: tuple[str, ...] = (DATASET_MODELS, DATASET_INCIDENTS, DATASET_RECOGNITIONS)

IMPORT_COMMITTED = "committed"
IMPORT_ROLLED_BACK = "rolled_back"

imports = sa.Table(
    "imports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dataset", sa.String(20), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("user_name", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rows_read", sa.Integer, nullable=False),
    sa.Column("rows_accepted", sa.Integer, nullable=False),
    sa.Column("rows_rejected", sa.Integer, nullable=False),
    sa.Column("is_demo", sa.Boolean, nullable=False, default=False),
    sa.Column("valid_only", sa.Boolean, nullable=False, default=False),
    sa.Column("forced", sa.Boolean, nullable=False, default=False),
    sa.Column("vintage", sa.String(10)),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("rolled_back_at", sa.DateTime(timezone=True)),
    sa.Column("rolled_back_by", sa.String(100)),
    sa.Column("report", sa.Text),
)

#: Original upload bytes, kept by content hash (never by the user's file name).
#: ``codec`` says how ``content`` is packed: ``"zstd"`` or ``NULL`` for the
#: bytes as uploaded (see :func:`pack_original`).
stored_files = sa.Table(
    "stored_files",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("codec", sa.String(10)),
)

#: Codec of packed originals: zstd (through pyarrow, which the app already
#: ships) packs a CSV about 6x in a quarter second per 100 MB, and unpacks faster.
ORIGINAL_CODEC = "zstd"


def pack_original(data: bytes) -> tuple[str | None, bytes]:
    """Pack an upload's bytes for ``stored_files``: ``(codec, content)``.

    A 1M-row CSV is about 95 MB; stored as is, it doubled what a big import
    writes to the database (and to SQLite's WAL and checkpoint). Bytes that do
    not shrink are kept as they are (codec ``None``).
    """
    import pyarrow

    packed = pyarrow.compress(data, codec=ORIGINAL_CODEC, asbytes=True)
    if len(packed) >= len(data):
        return None, data
    return ORIGINAL_CODEC, packed


def unpack_original(codec: str | None, content: bytes, size_bytes: int) -> bytes:
    """The uploaded bytes back from a ``stored_files`` row (see :func:`pack_original`).

    Raises
    ------
    ValueError
        For a codec this version does not know, or content that does not
        unpack to ``size_bytes`` bytes.
    """
    content = bytes(content)
    if codec is None:
        return content
    if codec != ORIGINAL_CODEC:
        raise ValueError(f"unknown codec of a stored file: {codec!r}")
    import pyarrow

    try:
        data = pyarrow.decompress(content, decompressed_size=size_bytes, codec=codec, asbytes=True)
    except (OSError, pyarrow.ArrowException) as exc:
        raise ValueError(f"a stored file does not unpack to {size_bytes} bytes: {exc}") from exc
    if len(data) != size_bytes:
        raise ValueError(f"a stored file unpacked to {len(data)} bytes, expected {size_bytes}")
    return data


def _resolved_columns(*, index_commune: bool = True) -> list[sa.Column]:
    """Columns every dataset row carries: the commune as given and as resolved.

    ``index_commune=False`` for incidents: nothing queries them by commune (see
    migration 0003), and the index cost seconds per million imported rows.
    """
    return [
        sa.Column("commune_code", sa.String(5), nullable=False, index=index_commune),
        sa.Column("legacy_code", sa.String(5)),
        sa.Column("vintage", sa.String(10), nullable=False),
        sa.Column("code_given", sa.String(50)),
        sa.Column("name_given", sa.String(200)),
        sa.Column("district_given", sa.String(200)),
        sa.Column("source_row", sa.Integer),
    ]


def _import_fk() -> sa.Column:
    return sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id", ondelete="CASCADE"), nullable=False, index=True)


models = sa.Table(
    "models",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _import_fk(),
    *_resolved_columns(),
    sa.Column("model_name", sa.String(300), nullable=False),
    sa.Column("name_key", sa.String(300), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("setting", sa.String(30), nullable=False),
    sa.Column("founded_on", sa.Date, nullable=False),
    sa.Column("status", sa.String(30), nullable=False),
    sa.Column("dissolved_on", sa.Date),
    sa.Column("assessment", sa.String(30)),
    sa.Column("members", sa.Integer),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("notes", sa.Text),
    sa.UniqueConstraint("commune_code", "name_key", name="uq_models_business_key"),
)

incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _import_fk(),
    *_resolved_columns(index_commune=False),
    sa.Column("incident_code", sa.String(100), nullable=False),
    sa.Column("occurred_on", sa.Date, nullable=False),
    sa.Column("field", sa.String(40), nullable=False),
    sa.Column("severity", sa.String(40)),  # optional in the dataset (migration 0002)
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("description", sa.Text),
    sa.UniqueConstraint("incident_code", name="uq_incidents_business_key"),
)

recognitions = sa.Table(
    "recognitions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _import_fk(),
    *_resolved_columns(),
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("unit_type", sa.String(40), nullable=False),
    sa.Column("unit_name", sa.String(300), nullable=False),
    sa.Column("unit_key", sa.String(300), nullable=False),
    sa.Column("result", sa.String(20), nullable=False),
    sa.UniqueConstraint("year", "commune_code", "unit_type", "unit_key", name="uq_recognitions_business_key"),
)

DATASET_TABLES: dict[str, sa.Table] = {
    DATASET_MODELS: models,
    DATASET_INCIDENTS: incidents,
    DATASET_RECOGNITIONS: recognitions,
}

#: Audit log: append-only; nothing in the UI updates or deletes it.
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("user_name", sa.String(100), nullable=False),
    sa.Column("action", sa.String(40), nullable=False, index=True),
    sa.Column("detail", sa.Text),
    sa.Column("address", sa.String(100)),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(100), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("failed_attempts", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=True)),
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(50), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)

_DATA_VERSION = "data_version"
_engines: dict[str, Engine] = {}
_engines_lock = Lock()
_migrated: set[str] = set()


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the store writes."""
    return datetime.now(timezone.utc)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DBAPI hook signature
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
    """
    sa_url = sa.engine.make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        if sa_url.database and sa_url.database != ":memory:":
            Path(sa_url.database).parent.mkdir(parents=True, exist_ok=True)
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
    two to three seconds for a million-row import, while its rows are already
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


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


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


#: Width of every column that stores a user name (imports, rollbacks, audit log).
USER_NAME_MAX = 100


def user_label(name: str) -> str:
    """A user name cut to the store's column width: PostgreSQL refuses longer text, SQLite would keep it."""
    return name[:USER_NAME_MAX]


def record_event(conn: Connection, user_name: str, action: str, detail: str = "", address: str | None = None) -> None:
    """Append one audit-log entry in the caller's transaction.

    Names and addresses are cut to their column widths: PostgreSQL refuses longer
    text, and an audit write must never be the reason an action fails.
    """
    conn.execute(events.insert().values(at=utcnow(), user_name=user_label(user_name), action=action[:40], detail=detail,
                                        address=address[:100] if address else address))


def demo_only(conn: Connection) -> bool:
    """True while every committed import is demo data (or nothing is stored yet)."""
    real = conn.execute(
        sa.select(sa.func.count()).select_from(imports).where(
            imports.c.status == IMPORT_COMMITTED, sa.not_(imports.c.is_demo)
        )
    ).scalar()
    return not real


def has_demo(conn: Connection) -> bool:
    """True when committed demo imports exist."""
    n = conn.execute(
        sa.select(sa.func.count()).select_from(imports).where(imports.c.status == IMPORT_COMMITTED, imports.c.is_demo)
    ).scalar()
    return bool(n)


def visible_import_filter(conn: Connection) -> sa.ColumnElement[bool]:
    """Which imports pages show: demo data only until real data exists, then real data only."""
    committed = imports.c.status == IMPORT_COMMITTED
    if demo_only(conn):
        return committed
    return sa.and_(committed, sa.not_(imports.c.is_demo))


_READ_COLUMNS: dict[str, list[str]] = {
    DATASET_MODELS: ["id", "import_id", "commune_code", "legacy_code", "vintage", "model_name", "kind", "setting",
                     "founded_on", "status", "dissolved_on", "assessment", "members", "lat", "lon", "notes"],
    DATASET_INCIDENTS: ["id", "import_id", "incident_code", "occurred_on", "commune_code", "legacy_code", "vintage",
                        "field", "severity", "lat", "lon", "description"],
    DATASET_RECOGNITIONS: ["id", "import_id", "year", "commune_code", "legacy_code", "vintage", "unit_type",
                           "unit_name", "result"],
}
_DATE_COLUMNS = {"founded_on", "dissolved_on", "occurred_on"}
_CATEGORY_COLUMNS = {"commune_code", "legacy_code", "vintage", "kind", "setting", "status", "assessment", "field",
                     "severity", "unit_type", "result"}
_TEXT_COLUMNS = {"incident_code", "model_name", "notes", "description", "unit_name"}
#: Numbers that may be NULL: float64 with NaN, as pandas reads them.
_NULLABLE_NUMBERS = {"members", "lat", "lon"}


@dataclass(frozen=True)
class LoadedDataset:
    """The visible rows of one dataset and the imports they come from.

    Attributes
    ----------
    frame : pd.DataFrame
        The columns of ``_READ_COLUMNS[dataset]``, rows in ``id`` order; dates
        as ``datetime64[ns]``, codes and enumerations as categories (sorted).
    import_ids : frozenset of int
        The visible imports of the dataset when the frame was read.
    """

    frame: pd.DataFrame
    import_ids: frozenset[int]
    #: Spare-capacity storage behind ``frame``'s numeric and categorical columns
    #: (see :class:`_ColumnBuffers`); ``None`` for an empty frame, and after a
    #: rollback dropped rows until the next append copies them into new buffers.
    buffers: _ColumnBuffers | None = field(default=None, compare=False, repr=False)


def visible_import_ids(conn: Connection) -> dict[str, frozenset[int]]:
    """Per dataset, the ids of the imports pages show (:func:`visible_import_filter`)."""
    rows = conn.execute(sa.select(imports.c.id, imports.c.dataset).where(visible_import_filter(conn))).all()
    found: dict[str, set[int]] = {dataset: set() for dataset in DATASETS}
    for import_id, dataset in rows:
        found.setdefault(dataset, set()).add(int(import_id))
    return {dataset: frozenset(ids) for dataset, ids in found.items()}


def load_dataset(engine: Engine, dataset: str) -> pd.DataFrame:
    """Read the visible rows of a dataset for analysis (see :class:`LoadedDataset` for the frame)."""
    return refresh_dataset(engine, dataset).frame


def refresh_dataset(engine: Engine, dataset: str, previous: LoadedDataset | None = None) -> LoadedDataset:
    """The visible rows of ``dataset`` now, reusing the rows of ``previous`` that are still visible.

    An import's rows never change once committed: an import, a rollback or a
    demo change only adds or removes whole imports (a real import evicts demo
    rows, but in the transaction that hides all demo imports). So the rows of
    imports seen before are kept from ``previous``, those of imports no longer
    visible are dropped, and only the rows of newly visible imports are read.
    After an import of a thousand rows into a store of a million, that is
    milliseconds instead of seconds of reading.

    Parameters
    ----------
    engine : Engine
    dataset : str
        One of :data:`DATASETS`.
    previous : LoadedDataset, optional
        An earlier result for the same dataset and store; ``None`` reads all.

    Returns
    -------
    LoadedDataset
        The same frame as a full read would give (rows, order and dtypes).
    """
    with engine.connect() as conn:
        return _refresh(conn, dataset, visible_import_ids(conn)[dataset], previous)


def refresh_datasets(engine: Engine, previous: Mapping[str, LoadedDataset] | None = None) -> dict[str, LoadedDataset]:
    """:func:`refresh_dataset` for every dataset, with one query for the visible imports.

    Parameters
    ----------
    engine : Engine
    previous : mapping of dataset name to LoadedDataset, optional
        Earlier results from the same store; missing datasets are read in full.

    Returns
    -------
    dict of str to LoadedDataset
    """
    previous = previous or {}
    with engine.connect() as conn:
        visible = visible_import_ids(conn)
        return {dataset: _refresh(conn, dataset, visible[dataset], previous.get(dataset)) for dataset in DATASETS}


def _refresh(conn: Connection, dataset: str, visible: frozenset[int], previous: LoadedDataset | None) -> LoadedDataset:
    if previous is not None and visible == previous.import_ids:
        return previous
    if previous is None or not (visible & previous.import_ids):
        frame, buffers = _buffered(_read_rows(conn, dataset, visible))
        return LoadedDataset(frame, visible, buffers)
    frame, buffers = previous.frame, previous.buffers
    kept = visible & previous.import_ids
    if kept != previous.import_ids:
        frame, buffers = _without_imports(frame, previous.import_ids - kept), None
    added = visible - previous.import_ids
    if added:
        frame, buffers = _append_rows(frame, _read_rows(conn, dataset, added), buffers)
    return LoadedDataset(frame, visible, buffers)


def _buffered(frame: pd.DataFrame) -> tuple[pd.DataFrame, _ColumnBuffers | None]:
    """Rows read from the store, placed in buffers with spare capacity: ``(frame, buffers)``.

    The next import then appends behind these rows like every later one,
    instead of copying them in the rerun that follows it (measured up to
    370 ms for the million rows of a full read after a server start). The copy
    here is paid once, within the read's own time. An empty frame has nothing
    to keep (``None``).
    """
    if frame.empty:
        return frame, None
    empty = frame.iloc[0:0]
    buffers = _ColumnBuffers(frame, empty)
    return buffers.frame(frame, empty), buffers


def _read_rows(conn: Connection, dataset: str, import_ids: frozenset[int]) -> pd.DataFrame:
    """The rows of the given imports, typed as :class:`LoadedDataset` describes.

    Fetched with the driver's own cursor and built column by column straight
    into the final dtypes. ``read_sql`` with a conversion per column cost about
    15 ms even for an empty result (an import's rerun pays it per dataset) and
    12 s for a million incidents; SQLAlchemy's rows and date processing were a
    third of that.
    """
    table = DATASET_TABLES[dataset]
    names = _READ_COLUMNS[dataset]
    grid = np.empty((0, len(names)), dtype=object)
    if import_ids:
        query = sa.select(*[table.c[c] for c in names]).where(table.c.import_id.in_(sorted(import_ids)))
        compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        params = ([compiled.params[key] for key in compiled.positiontup] if compiled.positional
                  else compiled.params)
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(str(compiled), params)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        if rows:
            grid = np.empty((len(rows), len(names)), dtype=object)
            grid[:] = rows
            del rows
    frame = pd.DataFrame({name: _typed_column(name, grid[:, j]) for j, name in enumerate(names)})
    return _in_id_order(frame)


def _typed_column(name: str, values: np.ndarray) -> object:
    """One fetched column (an object array) in its :class:`LoadedDataset` dtype."""
    if name in _DATE_COLUMNS:
        # ISO text on SQLite, dates on PostgreSQL: numpy parses both, None becoming NaT.
        return np.array(values, dtype="datetime64[ns]")
    if name in _CATEGORY_COLUMNS:
        # Codes and enumerations repeat a lot: categories make the per-rerun
        # filtering and grouping of the indicators several times faster.
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        order = np.argsort(np.asarray(uniques, dtype=object)) if len(uniques) else np.array([], dtype=np.intp)
        remap = np.empty(len(uniques) + 1, dtype=np.int32)
        remap[order] = np.arange(len(uniques), dtype=np.int32)
        remap[-1] = -1  # code -1 (missing) stays missing
        categories = pd.Index(np.asarray(uniques, dtype=object)[order], dtype="str")
        return pd.Categorical.from_codes(remap[codes], dtype=pd.CategoricalDtype(categories))
    if name in _TEXT_COLUMNS:
        return pd.array(values, dtype="str")
    if name in _NULLABLE_NUMBERS:
        numbers = np.full(len(values), np.nan)
        known = values != None  # noqa: E711 - elementwise on an object array
        numbers[known] = values[known].astype(np.float64)
        return numbers
    return values.astype(np.int64)  # ids, import ids, years


def _in_id_order(frame: pd.DataFrame) -> pd.DataFrame:
    if frame["id"].is_monotonic_increasing:
        return frame.reset_index(drop=True)
    return frame.sort_values("id", kind="stable").reset_index(drop=True)


def _drop_unused_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Categories as a full read would give them: only values the remaining rows hold.

    Counted with ``bincount`` over the codes: pandas' ``remove_unused_categories``
    sorts the codes, about 60 ms per column of a million rows.
    """
    changed = {}
    for col in frame.columns:
        values = frame[col]
        if not isinstance(values.dtype, pd.CategoricalDtype):
            continue
        codes = values.cat.codes.to_numpy()
        categories = values.cat.categories
        used = np.bincount(codes + 1, minlength=len(categories) + 1)[1:] > 0
        if used.all():
            continue
        remap = np.full(len(categories) + 1, -1, dtype=codes.dtype)  # the last slot maps code -1 (missing)
        remap[:-1][used] = np.arange(int(used.sum()), dtype=codes.dtype)
        changed[col] = pd.Categorical.from_codes(remap[codes], dtype=pd.CategoricalDtype(categories[used]))
    return frame.assign(**changed) if changed else frame


def _without_imports(frame: pd.DataFrame, import_ids: frozenset[int]) -> pd.DataFrame:
    """``frame`` without the rows of ``import_ids``, in the same order.

    Rows are in ``id`` order, so an import's rows usually form one block: the
    kept rows are then a few slices, which concatenate without gathering every
    column row by row (a boolean mask over a million rows cost ~140 ms).
    """
    drop = frame["import_id"].isin(sorted(import_ids)).to_numpy()
    if not drop.any():
        return frame
    edges = np.flatnonzero(np.diff(np.concatenate(([True], drop, [True])).astype(np.int8)))
    # Between consecutive edges alternate kept and dropped runs; kept runs start where drop turns False.
    kept = [(int(start), int(stop)) for start, stop in zip(edges[::2], edges[1::2])]
    if len(kept) <= 32:
        parts = [frame.iloc[start:stop] for start, stop in kept]
        out = pd.concat(parts, ignore_index=True) if parts else frame.iloc[0:0].reset_index(drop=True)
    else:
        out = frame[~drop].reset_index(drop=True)
    return _drop_unused_categories(out)


def _append_rows(frame: pd.DataFrame, rows: pd.DataFrame,
                 buffers: _ColumnBuffers | None = None) -> tuple[pd.DataFrame, _ColumnBuffers | None]:
    """``frame`` and ``rows`` as one frame in ``id`` order, categories merged and sorted.

    New rows usually continue the ``id`` order with the same categories: they
    are then written behind ``frame``'s rows into the buffers' spare capacity
    and the result views that storage, so an import into a store of a million
    incidents copies nothing but its own rows (a concat copied ~50 MB, into
    fresh memory that the first computations then paid for again).

    Returns
    -------
    tuple of (pd.DataFrame, _ColumnBuffers or None)
        The frame and the buffers behind it (``None`` when the rows had to be
        sorted in).
    """
    if rows.empty:
        return frame, buffers
    if frame.empty:
        return _buffered(rows)
    if buffers is not None:
        appended = buffers.append(frame, rows)
        if appended is not None:
            return appended, buffers
    parts = []
    for part in (frame, rows):
        # Both parts need the same categories, or concat falls back to plain strings.
        changed = {}
        for col in part.columns:
            if isinstance(part[col].dtype, pd.CategoricalDtype):
                both = frame[col].cat.categories.union(rows[col].cat.categories).sort_values()
                if not part[col].cat.categories.equals(both):
                    changed[col] = part[col].cat.set_categories(both)
        parts.append(part.assign(**changed) if changed else part)
    if int(rows["id"].iloc[0]) > int(frame["id"].iloc[-1]):
        buffers = _ColumnBuffers(parts[0], parts[1])
        return buffers.frame(parts[0], parts[1]), buffers
    return _in_id_order(pd.concat(parts, ignore_index=True)), None


class _ColumnBuffers:
    """Arrays with spare capacity behind a frame's numeric and categorical columns.

    A frame built on them views their first rows; appending writes behind
    those rows and builds a new frame viewing more of them. Frames of earlier
    data versions keep viewing their own, shorter prefix, which no append
    touches: only the frame whose rows end at ``used`` may grow the buffers
    (under the lock); any other gets a copy. Text columns are Arrow arrays,
    which concatenate without copying anyway.
    """

    SPARE = 0.25

    def __init__(self, head: pd.DataFrame, tail: pd.DataFrame) -> None:
        n = len(head) + len(tail)
        capacity = n + max(int(n * self.SPARE), 4096)
        self.lock = Lock()
        self.used = n
        self.arrays: dict[str, np.ndarray] = {}
        self.dtypes: dict[str, object] = {}
        for col in head.columns:
            first, second = self._values(head[col]), self._values(tail[col])
            if first is None:
                continue
            buffer = np.empty(capacity, dtype=first.dtype)
            buffer[:len(first)] = first
            buffer[len(first):n] = second
            self.arrays[col] = buffer
            self.dtypes[col] = head[col].dtype

    @staticmethod
    def _values(column: pd.Series) -> np.ndarray | None:
        if isinstance(column.dtype, pd.CategoricalDtype):
            return column.cat.codes.to_numpy()
        if column.dtype.kind in "iufM":
            return column.to_numpy()
        return None

    def frame(self, head: pd.DataFrame, tail: pd.DataFrame) -> pd.DataFrame:
        """``head`` then ``tail`` as one frame on the first ``len(head) + len(tail)`` buffered rows."""
        n = len(head) + len(tail)
        columns = {}
        for col in head.columns:
            buffer = self.arrays.get(col)
            if buffer is None:
                columns[col] = pd.concat([head[col], tail[col]], ignore_index=True)
            elif isinstance(self.dtypes[col], pd.CategoricalDtype):
                columns[col] = pd.Categorical.from_codes(buffer[:n], dtype=self.dtypes[col], validate=False)
            else:
                columns[col] = buffer[:n]
        return pd.DataFrame(columns, copy=False)

    def append(self, frame: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame | None:
        """``frame`` plus ``rows`` without copying ``frame``, or ``None`` when these buffers cannot take them."""
        n, k = len(frame), len(rows)
        if int(rows["id"].iloc[0]) <= int(frame["id"].iloc[-1]):
            return None
        values = {}
        for col, dtype in self.dtypes.items():
            if frame[col].dtype != dtype:
                return None
            column = rows[col]
            if isinstance(dtype, pd.CategoricalDtype):
                # A batch holds some of the categories: recoded into the frame's, unless it brings new ones.
                if not column.cat.categories.isin(dtype.categories).all():
                    return None
                column = column.astype(dtype)
            elif column.dtype != dtype:
                return None
            values[col] = self._values(column)
        with self.lock:
            if self.used != n or any(n + k > len(a) for a in self.arrays.values()):
                return None
            for col, buffer in self.arrays.items():
                buffer[n:n + k] = values[col]
            self.used = n + k
        return self.frame(frame, rows)
