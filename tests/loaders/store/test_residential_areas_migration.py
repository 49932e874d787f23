"""Revision 0006: a store made before residential areas upgrades with every row kept, and goes down again."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from loaders.ingest.commit import commit_import
from loaders.store import db, reads
from tests.support.imports import USER, csv_file, preview
from tests.support.old_stores import insert_import

_RECOGNITION = sa.text(
    "INSERT INTO recognitions (import_id, commune_code, vintage, year, unit_type, unit_name, unit_key, result)"
    " VALUES (1000, '18814', 'legacy', 2024, 'khu dân cư', 'Thôn 1', 'thon1', 'đạt')"
)


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_a_0005_store_upgrades_keeps_its_rows_and_takes_residential_areas(db_url, registry):
    engine = db.create_engine_for(db_url)
    with engine.begin() as conn:
        command.upgrade(db.alembic_config(conn), "0005")
        insert_import(conn, 1000, "recognitions", datetime(2025, 1, 1, tzinfo=UTC))
        conn.execute(_RECOGNITION)
    assert "residential_areas" not in _tables(engine)
    with engine.begin() as conn:
        command.upgrade(db.alembic_config(conn), "0006")
    assert "residential_areas" in _tables(engine)
    with engine.begin() as conn:
        command.upgrade(db.alembic_config(conn), "head")
    with engine.connect() as conn:
        kept = conn.execute(sa.text("SELECT import_id, unit_name, year FROM recognitions")).all()
        imports = conn.execute(sa.text("SELECT id, dataset FROM imports")).all()
    assert [tuple(r) for r in kept] == [(1000, "Thôn 1", 2024)]
    assert [tuple(r) for r in imports] == [(1000, "recognitions")]
    assert reads.load_dataset(engine, "residential_areas").empty

    # The upgraded store takes a list of areas like a new one.
    data = csv_file([["Tên xã/phường", "Thôn/Tổ dân phố", "Năm"], ["Xã Kỳ Hoa", "Thôn 1", "2025"]])
    outcome = commit_import(engine, preview(engine, registry, data, "residential_areas", "thon.csv"), user=USER)
    assert outcome.committed and len(reads.load_dataset(engine, "residential_areas")) == 1
    engine.dispose()


def test_revision_0006_goes_down_to_0005_and_up_again(db_url):
    engine = db.create_engine_for(db_url)
    with engine.begin() as conn:
        command.upgrade(db.alembic_config(conn), "0006")
        insert_import(conn, 1000, "recognitions", datetime(2025, 1, 1, tzinfo=UTC))
        conn.execute(_RECOGNITION)
    with engine.begin() as conn:
        command.downgrade(db.alembic_config(conn), "0005")
    assert "residential_areas" not in _tables(engine)
    with engine.begin() as conn:
        command.upgrade(db.alembic_config(conn), "0006")
    assert "residential_areas" in _tables(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM recognitions")).scalar() == 1
    engine.dispose()
