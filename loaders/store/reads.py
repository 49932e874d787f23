"""Reading the store for pages: which imports are visible, and their rows as frames.

Pages show demo data only until real data exists, then real data only
(:func:`visible_import_filter`). :func:`refresh_dataset` reads the visible
rows of a dataset and, given an earlier result, reads only the rows of newly
visible imports (see :mod:`loaders.store.buffers`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from loaders.core import domain
from loaders.store.buffers import ColumnBuffers, append_rows, buffered, in_id_order, without_imports
from loaders.store.db import utcnow
from loaders.store.tables import DATASET_TABLES, IMPORT_COMMITTED, import_reports, imports, meta


def demo_only(conn: Connection) -> bool:
    """True while every committed import is demo data (or nothing is stored yet)."""
    real = conn.execute(
        sa.select(sa.func.count())
        .select_from(imports)
        .where(imports.c.status == IMPORT_COMMITTED, sa.not_(imports.c.is_demo))
    ).scalar()
    return not real


#: ``meta`` key written, once and for good, in the transaction that commits the first real import.
REAL_DATA_KEY = "real_data_committed"


def mark_real_data(conn: Connection) -> None:
    """Record in the caller's transaction that real data has been committed; a one-way flag.

    Nothing clears it: rolling back every real import leaves it set, so
    ``HT_DEMO_MODE=auto`` never reopens anonymous access.
    """
    if conn.execute(sa.select(meta.c.key).where(meta.c.key == REAL_DATA_KEY)).first() is not None:
        return
    try:
        with conn.begin_nested():  # a concurrent first import may insert it too
            conn.execute(meta.insert().values(key=REAL_DATA_KEY, value=utcnow().isoformat(timespec="seconds")))
    except sa.exc.IntegrityError:
        pass  # the other import set it: the flag is on either way


def real_data_committed(conn: Connection) -> bool:
    """Whether real (not demo) data was ever committed, even if every real import was rolled back since.

    Stores written before the flag existed count their import records: a
    rolled-back import keeps its record.
    """
    if conn.execute(sa.select(meta.c.key).where(meta.c.key == REAL_DATA_KEY)).first() is not None:
        return True
    real = conn.execute(sa.select(sa.func.count()).select_from(imports).where(sa.not_(imports.c.is_demo))).scalar()
    return bool(real)


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


READ_COLUMNS: dict[str, list[str]] = {
    domain.DATASET_MODELS: [
        "id",
        "import_id",
        "commune_code",
        "legacy_code",
        "vintage",
        "model_name",
        "name_key",
        "kind",
        "setting",
        "founded_on",
        "status",
        "dissolved_on",
        "suspended_on",
        "assessment",
        "rating_year",
        "members",
        "lat",
        "lon",
        "notes",
        "area_name",
        "area_key",
    ],
    domain.DATASET_INCIDENTS: [
        "id",
        "import_id",
        "incident_code",
        "occurred_on",
        "commune_code",
        "legacy_code",
        "vintage",
        "field",
        "severity",
        "lat",
        "lon",
        "description",
    ],
    domain.DATASET_RECOGNITIONS: [
        "id",
        "import_id",
        "year",
        "commune_code",
        "legacy_code",
        "vintage",
        "unit_type",
        "unit_name",
        "result",
    ],
    # The two teams read as numbers, 1.0 có / 0.0 không / NaN not given: a nullable
    # column in the one numeric form the frame buffers keep.
    domain.DATASET_RESIDENTIAL_AREAS: [
        "id",
        "import_id",
        "year",
        "commune_code",
        "legacy_code",
        "vintage",
        "area_name",
        "area_key",
        "area_kind",
        "households",
        "population",
        "has_mediation_team",
        "mediation_members",
        "has_security_team",
        "security_members",
    ],
}
_DATE_COLUMNS = {"founded_on", "dissolved_on", "suspended_on", "occurred_on"}
_CATEGORY_COLUMNS = {
    "commune_code",
    "legacy_code",
    "vintage",
    "kind",
    "setting",
    "status",
    "assessment",
    "field",
    "severity",
    "unit_type",
    "result",
    "area_kind",
}
_TEXT_COLUMNS = {
    "incident_code",
    "model_name",
    "name_key",
    "notes",
    "description",
    "unit_name",
    "area_name",
    "area_key",
}
#: Numbers that may be NULL: float64 with NaN, as pandas reads them.
_NULLABLE_NUMBERS = {
    "members",
    "lat",
    "lon",
    "households",
    "population",
    "has_mediation_team",
    "mediation_members",
    "has_security_team",
    "security_members",
}


@dataclass(frozen=True)
class LoadedDataset:
    """The visible rows of one dataset and the imports they come from.

    Attributes
    ----------
    frame : pd.DataFrame
        The columns of ``READ_COLUMNS[dataset]``, rows in ``id`` order; dates
        as ``datetime64[ns]``, codes and enumerations as categories (sorted).
    import_ids : frozenset of int
        The visible imports of the dataset when the frame was read.
    """

    frame: pd.DataFrame
    import_ids: frozenset[int]
    #: Spare-capacity storage behind ``frame``'s numeric and categorical columns
    #: (see :class:`ColumnBuffers`); ``None`` for an empty frame, and after a
    #: rollback dropped rows until the next append copies them into new buffers.
    buffers: ColumnBuffers | None = field(default=None, compare=False, repr=False)


def visible_import_ids(conn: Connection) -> dict[str, frozenset[int]]:
    """Per dataset, the ids of the imports pages show (:func:`visible_import_filter`)."""
    rows = conn.execute(sa.select(imports.c.id, imports.c.dataset).where(visible_import_filter(conn))).all()
    found: dict[str, set[int]] = {dataset: set() for dataset in domain.DATASET_NAMES}
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
    A small import into a large store then reads only its own rows.

    Parameters
    ----------
    engine : Engine
    dataset : str
        One of :data:`loaders.core.domain.DATASET_NAMES`.
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
        return {
            dataset: _refresh(conn, dataset, visible[dataset], previous.get(dataset))
            for dataset in domain.DATASET_NAMES
        }


def _refresh(conn: Connection, dataset: str, visible: frozenset[int], previous: LoadedDataset | None) -> LoadedDataset:
    if previous is not None and visible == previous.import_ids:
        return previous
    if previous is None or not (visible & previous.import_ids):
        frame, buffers = buffered(_read_rows(conn, dataset, visible))
        return LoadedDataset(frame, visible, buffers)
    frame, buffers = previous.frame, previous.buffers
    kept = visible & previous.import_ids
    if kept != previous.import_ids:
        frame, buffers = without_imports(frame, previous.import_ids - kept), None
    added = visible - previous.import_ids
    if added:
        frame, buffers = append_rows(frame, _read_rows(conn, dataset, added), buffers)
    return LoadedDataset(frame, visible, buffers)


def _read_rows(conn: Connection, dataset: str, import_ids: frozenset[int]) -> pd.DataFrame:
    """The rows of the given imports, typed as :class:`LoadedDataset` describes.

    Fetched with the driver's own cursor and built column by column straight
    into the final dtypes: ``read_sql`` with a conversion per column, and
    SQLAlchemy's row and date processing, cost far more, even for an empty
    result (``bench/README.md`` has the numbers).
    """
    table = DATASET_TABLES[dataset]
    names = READ_COLUMNS[dataset]
    grid = np.empty((0, len(names)), dtype=object)
    if import_ids:
        query = sa.select(*[table.c[c] for c in names]).where(table.c.import_id.in_(sorted(import_ids)))
        compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        params = [compiled.params[key] for key in compiled.positiontup] if compiled.positional else compiled.params
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
    return in_id_order(frame)


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
        known = values != None  # noqa: E711 - elementwise on an object array; `is not` would compare the array
        numbers[known] = values[known].astype(np.float64)
        return numbers
    return values.astype(np.int64)  # ids, import ids, years


def load_reports(engine: Engine) -> pd.DataFrame:
    """The commune-months that visible incidents imports reported (table ``import_reports``).

    Small (communes × months, whatever the number of incidents), so it is read
    whole for each data version.

    Returns
    -------
    pd.DataFrame
        ``month`` (``datetime64[ns]``, first day) and ``commune_code`` (2025,
        plain strings), unique, sorted; a rolled-back or hidden import reports nothing.
    """
    query = (
        sa.select(import_reports.c.month, import_reports.c.commune_code)
        .distinct()
        .join(imports, imports.c.id == import_reports.c.import_id)
        .order_by(import_reports.c.month, import_reports.c.commune_code)
    )
    with engine.connect() as conn:
        rows = conn.execute(query.where(visible_import_filter(conn))).all()
    return pd.DataFrame(
        {
            "month": np.array([r[0] for r in rows], dtype="datetime64[ns]"),
            "commune_code": pd.array([str(r[1]) for r in rows], dtype=object),
        }
    )
