"""Bulk writing of an import's rows: the speed tricks behind one small interface.

:func:`column_getters` turns a store frame into per-column getters of plain
DBAPI values; :func:`insert_chunk` writes one batch of them;
:func:`prepare_bulk` and :func:`defer_indexes` set the connection up for a big
batch. Whatever the database, the guarantee is the same as one Core
``INSERT`` per row in the caller's transaction: the same stored values,
``NULL`` for every missing value, and a duplicate business key raising
``sqlalchemy.exc.IntegrityError``. ``bench/README.md`` records why each trick
exists and what it saves at the documented scale.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

#: What the SQLite path binds for a missing value: a float NaN, which SQLite
#: stores as NULL (``sqlite3_bind_double`` of a NaN binds NULL), and which
#: Python's ``sqlite3`` binds directly; ``None`` goes through its adapter
#: lookup instead, several times slower per value.
SQLITE_NULL = float("nan")


def column_getters(
    rows: pd.DataFrame, *, iso_dates: bool, null: object = None
) -> list[Callable[[int, int], np.ndarray]]:
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
        whole = series.to_numpy()
        return lambda start, stop: whole[start:stop].astype(object)
    if _mostly_distinct_text(series):
        # Business keys and free text: factorizing mostly distinct strings costs more than
        # converting each batch's strings directly.
        return lambda start, stop: series.iloc[start:stop].to_numpy(dtype=object, na_value=null)
    codes, uniques = pd.factorize(series)
    if pd.api.types.is_datetime64_any_dtype(series):
        distinct = [ts.date().isoformat() if iso_dates else ts.date() for ts in uniques]
    else:
        distinct = np.asarray(uniques, dtype=object).tolist()
        if series.dtype == object:  # mixed objects may hold numpy scalars the driver cannot bind
            distinct = [plain(v) for v in distinct]
    lookup = np.array([*distinct, null], dtype=object)  # code -1 (missing) takes the last slot
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


def prepare_bulk(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        # A larger page cache keeps the indexes of a big batch in memory;
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


def defer_indexes(conn: Connection, table: sa.Table, n: int) -> list[sa.Index]:
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
#: run and per bound value; many rows per statement saves most of the former.
SQLITE_ROWS_PER_STATEMENT = 200


def insert_chunk(conn: Connection, table: sa.Table, columns: list[str], values: Sequence[Sequence[Any]]) -> None:
    """Insert one batch, given column-wise.

    On SQLite the batch goes through the driver's cursor (same connection,
    same transaction) as multi-row ``INSERT ... VALUES (...), (...)``
    statements of :data:`SQLITE_ROWS_PER_STATEMENT` rows: SQLAlchemy's per-row
    parameter processing, or one statement run per row, would double the time
    of a big import. Dates must already be the ISO text that SQLAlchemy's
    SQLite ``Date`` type reads back (see :func:`column_getters`).
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


def _sqlite_insert_chunk(
    conn: Connection, table: sa.Table, columns: list[str], values: Sequence[Sequence[Any]]
) -> None:
    n = len(values[0]) if values else 0
    if n == 0:
        return
    for name in columns:  # names become SQL text: only the table's own columns may pass
        table.c[name]
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
            cursor.execute(sql, flat[start * width : (start + rows) * width])
    except dbapi.Error as exc:
        # As SQLAlchemy would raise it: a duplicate key is an sa.exc.IntegrityError ("conflict").
        raise sa.exc.DBAPIError.instance(sql, None, exc, dbapi.Error, dialect=conn.dialect) from exc
    finally:
        cursor.close()


def _copy_chunk(conn: Connection, table: sa.Table, columns: list[str], values: Sequence[Sequence[Any]]) -> None:
    """PostgreSQL: stream one batch with ``COPY ... FROM STDIN`` on the transaction's own connection.

    COPY takes the rows in one stream instead of a statement per few hundred
    rows (far less client work per row); it runs inside the
    import's transaction, so a failure still rolls everything back, and a
    duplicate business key still fails with the unique constraint.
    """
    # psycopg is an optional dependency: only a PostgreSQL store needs it.
    import psycopg
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    raw = conn.connection.dbapi_connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in zip(*values):
                copy.write_row(row)
    except psycopg.Error as exc:
        raise sa.exc.DBAPIError.instance(
            statement.as_string(raw), None, exc, psycopg.Error, dialect=conn.dialect
        ) from exc


def plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value
