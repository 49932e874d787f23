"""Shared fixtures: an isolated store per test, on SQLite and on a real PostgreSQL.

Fixtures
--------
isolated_store (autouse)
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
app_test
    A factory of Streamlit ``AppTest`` sessions of the app (the one place that builds
    them): ``app_test(role="viewer", params={"xa": "18814"}, page="pages/profiles.py")``.
    A test module may set ``APPTEST_TIMEOUT`` (seconds) to change the default timeout.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from loaders.store import db
from tests.support.pg_server import SKIP_ENV, PostgresServer, PostgresUnavailable, start_postgres

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

#: The project root: app.py and pages/ are found from here.
ROOT = Path(__file__).resolve().parents[1]
#: AppTest's timeout (seconds) per script run, unless the test module sets ``APPTEST_TIMEOUT``.
APPTEST_TIMEOUT = 120

_db_counter = itertools.count()


@pytest.fixture(autouse=True)
def isolated_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
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
        pytest.fail(
            f"Could not start the temporary PostgreSQL server (set {SKIP_ENV}=1 to skip it explicitly): {exc}",
            pytrace=False,
        )
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


@pytest.fixture
def app_test(request: pytest.FixtureRequest, fresh_data_caches: None) -> Callable[..., AppTest]:
    """A factory of ``AppTest`` sessions of the app: the one place the tests build them.

    The data caches are cleared first: ``ui.cache.get_datasets`` is keyed by the
    data version alone, and another test's store at the same version must not answer.
    """
    from streamlit.testing.v1 import AppTest

    from tests.support.accounts import as_role

    default_timeout = getattr(request.module, "APPTEST_TIMEOUT", APPTEST_TIMEOUT)

    def build(
        *,
        role: str | None = None,
        user: str | None = None,
        params: dict[str, str] | None = None,
        lang: str | None = None,
        page: str | None = None,
        entry: str = "app.py",
        timeout: float | None = None,
        run: bool = True,
    ) -> AppTest:
        """An ``AppTest`` of ``entry`` (relative to the project root), set up and by default run.

        Parameters
        ----------
        role, user
            Sign in a ``SessionUser`` of ``role`` named ``user`` (``test_<role>`` by default);
            without a role the session is anonymous.
        params
            Query parameters of the URL the session opens.
        lang
            The interface language (``ui_lang``), when not the default.
        page
            After the first run, switch to this page (``"pages/x.py"``) and run again.
        timeout
            Seconds per script run; the module's ``APPTEST_TIMEOUT``, or 120, by default.
        run
            ``False`` returns the session unrun, to set more state (secrets...) first.
        """
        if user is not None and role is None:
            raise TypeError("user needs a role")
        if page is not None and not run:
            raise TypeError("page needs run=True")
        at = AppTest.from_file(str(ROOT / entry), default_timeout=timeout or default_timeout)
        if role is not None:
            as_role(at, role, user)
        if lang is not None:
            at.session_state["ui_lang"] = lang
        for name, value in (params or {}).items():
            at.query_params[name] = value
        if not run:
            return at
        at.run()
        if page is not None:
            at.switch_page(page).run()
        return at

    return build


@pytest.fixture
def fresh_data_caches() -> Iterator[None]:
    """Drop the data caches of ``ui.cache`` before and after the test.

    Before: ``ui.cache.get_engine`` would keep an earlier test's store. After: no later test sees this one's.
    """
    from tests.support.apptest import clear_data_caches

    clear_data_caches()
    yield
    clear_data_caches()


@pytest.fixture
def deferred_downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], object]]:
    """The deferred download callables the pages register while the test runs, by file name.

    Streamlit calls them at the click, without a rerun; a test calls them to act as that click.
    """
    from streamlit.runtime.media_file_manager import MediaFileManager

    found: dict[str, Callable[[], object]] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        found[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return found
