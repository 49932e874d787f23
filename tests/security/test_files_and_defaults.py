"""No export behind the app's back, a private store, no public tiles by default."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import folium
import pytest
import sqlalchemy as sa

from loaders.core import settings
from loaders.core.private_files import private_file
from loaders.store import db
from maps import offline, options

ROOT = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ------------------------------------------------------------------ item 2: Streamlit's own table download
def test_streamlit_table_download_is_turned_off():
    """Streamlit's table toolbar download would skip the export permission, the audit and formula neutralisation."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True


# ------------------------------------------------------------------ item 10: the store is private
@pytest.fixture
def open_umask():
    """The most permissive usual umask, so that only the code's own modes can make files private."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_sqlite_store_and_its_folder_are_readable_by_their_owner_only(tmp_path, open_umask):
    folder = tmp_path / "fresh" / "data"
    path = folder / "hatinh.sqlite3"
    engine = db.create_engine_for(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
            conn.exec_driver_sql("INSERT INTO t VALUES ('dữ liệu')")
        created = [p for p in folder.iterdir() if p.name.startswith("hatinh.sqlite3")]
        assert {p.name for p in created} >= {"hatinh.sqlite3", "hatinh.sqlite3-wal"}
        assert _mode(folder) == 0o700
        for p in created:  # the database and SQLite's -wal/-shm files
            assert _mode(p) == 0o600, p.name
    finally:
        engine.dispose()


def test_an_existing_store_file_readable_by_others_is_narrowed(tmp_path, open_umask):
    path = tmp_path / "old.sqlite3"
    sqlite = sa.create_engine(f"sqlite:///{path}")
    with sqlite.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
    sqlite.dispose()
    os.chmod(path, 0o644)
    engine = db.create_engine_for(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:  # the store still opens, with its data
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
    finally:
        engine.dispose()
    assert _mode(path) == 0o600


def test_private_file_is_created_without_a_moment_of_wider_permissions(tmp_path, open_umask):
    path = private_file(tmp_path / "khoa")
    assert path.read_bytes() == b"" and _mode(path) == 0o600
    path.write_bytes(b"x")
    assert private_file(path).read_bytes() == b"x"  # an existing file keeps its content


def test_the_default_store_lives_in_the_private_data_folder(tmp_path, monkeypatch, open_umask):
    monkeypatch.delenv(settings.DATABASE_URL_ENV, raising=False)
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path / "kho"))
    engine = db.create_engine_for(settings.database_url())
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    finally:
        engine.dispose()
    assert _mode(tmp_path / "kho") == 0o700
    assert _mode(tmp_path / "kho" / "hatinh.sqlite3") == 0o600


# ------------------------------------------------------------------ item 10: no public tiles unless chosen
@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "none"), ("", "none"), ("OSM", "osm"), (" local ", "local"), ("none", "none"), ("satellite", "none")],
)
def test_the_default_basemap_is_none_and_public_tiles_are_an_explicit_choice(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv(settings.BASEMAP_ENV, raising=False)
    else:
        monkeypatch.setenv(settings.BASEMAP_ENV, value)
    assert settings.default_basemap() == expected


def test_a_map_without_a_background_choice_has_no_tiles():
    assert options.Background().basemap == "none"
    assert offline.tile_layer() is None


@pytest.mark.parametrize("basemap", ["osm", "local"])
def test_tiles_are_requested_without_a_referrer(basemap):
    layer = offline.tile_layer(basemap, "http://tiles.local/{z}/{x}/{y}.png")
    m = folium.Map(tiles=None)
    layer.add_to(m)
    html = m.get_root().render()
    assert '"referrerPolicy": "no-referrer"' in html
