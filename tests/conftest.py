"""Shared fixtures: an isolated store per test, on SQLite and on a real PostgreSQL.

Fixtures
--------
_isolated_store (autouse)
    Points ``HT_DATA_DIR`` and ``DATABASE_URL`` at a fresh temporary folder and
    disposes the cached engines after the test, so no test sees another's data.
pg_server (session)
    A temporary PostgreSQL server (:mod:`tests.support.pg_server`), started once. It fails
    the tests that need it, with the reason, when it cannot start, unless
    ``HT_SKIP_POSTGRES=1`` is set explicitly.
db_url
    Parametrised ``sqlite`` / ``postgresql``: a URL of an empty database of
    its own (a temporary SQLite file, or a fresh PostgreSQL database dropped
    afterwards). ``DATABASE_URL`` is set to it too, for subprocesses.
engine
    ``db.get_engine(db_url)``: the migrated engine on that database.
registry (session)
    The commune registry (``load_registry()``), built once.
province_polygon (session)
    The province outline as a shapely geometry (WGS84), or ``None`` without geodata.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.pg_server import SKIP_ENV, PostgresServer, PostgresUnavailable, start_postgres

from loaders.store import db

_db_counter = itertools.count()


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("HT_DATA_DIR", str(data))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{data / 'hatinh.sqlite3'}")
    db.dispose_engines()
    yield data
    db.dispose_engines()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"PostgreSQL explicitly disabled with {SKIP_ENV}=1")
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        pytest.fail(f"Could not start the temporary PostgreSQL server (set {SKIP_ENV}=1 to skip it "
                    f"explicitly): {exc}", pytrace=False)
    yield server
    db.dispose_engines()
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
        monkeypatch.setenv("DATABASE_URL", url)
        yield url
        return
    from pytest_postgresql.janitor import DatabaseJanitor

    server: PostgresServer = request.getfixturevalue("pg_server")
    dbname = f"ht_test_{os.getpid()}_{next(_db_counter)}"
    with DatabaseJanitor(user=server.user, host=server.host, port=server.port, dbname=dbname):
        url = server.url(dbname)
        monkeypatch.setenv("DATABASE_URL", url)
        yield url
        # Close pooled connections before the janitor drops the database.
        db.dispose_engines()


@pytest.fixture
def engine(db_url: str):
    return db.get_engine(db_url)


@pytest.fixture(scope="session")
def registry():
    from loaders.geo.loading import load_registry

    return load_registry()


@pytest.fixture(scope="session")
def province_polygon():
    from loaders.geo.boundaries import load_province_polygon

    return load_province_polygon()
