"""Revision 0007: a store made before yearly model records upgrades without losing a model."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from loaders.store import db, reads
from tests.support.old_stores import insert_import

_MODEL = sa.text(
    "INSERT INTO models (import_id, commune_code, vintage, model_name, name_key, kind, setting, founded_on,"
    " status, dissolved_on, assessment)"
    " VALUES (:import_id, '18814', 'legacy', :name, :key, 'tự quản', 'khu dân cư', :founded, :status,"
    " :dissolved, :assessment)"
)


@pytest.mark.parametrize("before", ["0005", "0006"])
def test_models_stored_before_hold_for_the_year_of_their_import(db_url, before):
    engine = db.create_engine_for(db_url)
    with engine.begin() as conn:
        command.upgrade(db.alembic_config(conn), before)
        # 31/12/2024 20:00 UTC is already 01/01/2025 in Hà Tĩnh: the import's year is 2025.
        for import_id, at in ((1, datetime(2023, 6, 1, 3, 0, tzinfo=UTC)), (2, datetime(2024, 12, 31, 20, tzinfo=UTC))):
            insert_import(conn, import_id, "models", at)
        rows = (
            (1, "Tổ tự quản A", "totuquana", date(2020, 1, 5), "đang hoạt động", None, "yếu"),
            (1, "Tổ tự quản B", "totuquanb", date(2021, 3, 1), "giải thể", date(2022, 5, 1), None),
            (2, "Camera an ninh", "cameraanninh", date(2024, 2, 2), "tạm dừng", None, "hiệu quả"),
        )
        for import_id, name, key, founded, status, dissolved, assessment in rows:
            conn.execute(
                _MODEL,
                {
                    "import_id": import_id,
                    "name": name,
                    "key": key,
                    "founded": founded,
                    "status": status,
                    "dissolved": dissolved,
                    "assessment": assessment,
                },
            )
    with engine.begin() as conn:
        command.upgrade(db.alembic_config(conn), "head")

    frame = reads.load_dataset(engine, "models").sort_values("model_name").reset_index(drop=True)
    assert frame["model_name"].tolist() == ["Camera an ninh", "Tổ tự quản A", "Tổ tự quản B"]
    assert frame["rating_year"].tolist() == [2025, 2023, 2023]
    assert frame["assessment"].astype(object).tolist()[:2] == ["hiệu quả", "yếu"]
    assert frame["status"].tolist() == ["tạm dừng", "đang hoạt động", "giải thể"]
    assert frame["dissolved_on"].iloc[2] == datetime(2022, 5, 1)
    assert frame["suspended_on"].isna().all() and frame["area_name"].isna().all()

    # The key now has the year: the same model may come back in another year's list, not twice in one.
    insert = (
        "INSERT INTO models (import_id, commune_code, vintage, model_name, name_key, kind, setting, founded_on,"
        " status, rating_year) VALUES (2, '18814', 'legacy', 'Tổ tự quản A', 'totuquana', 'tự quản',"
        " 'khu dân cư', '2020-01-05', 'đang hoạt động', {year})"
    )
    with engine.begin() as conn:
        conn.execute(sa.text(insert.format(year=2024)))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text(insert.format(year=2024)))

    # Going back would fold two years of one model into one row: refused, nothing changed.
    with pytest.raises(RuntimeError, match="several years"), engine.begin() as conn:
        command.downgrade(db.alembic_config(conn), "0006")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM models")).scalar() == 4
    engine.dispose()


def test_revision_0007_goes_down_and_up_again_with_one_record_per_model(db_url):
    engine = db.create_engine_for(db_url)
    with engine.begin() as conn:
        command.upgrade(db.alembic_config(conn), "head")
        insert_import(conn, 1, "models", datetime(2025, 3, 1, tzinfo=UTC))
        conn.execute(
            sa.text(
                "INSERT INTO models (import_id, commune_code, vintage, model_name, name_key, kind, setting,"
                " founded_on, status, rating_year, suspended_on) VALUES (1, '18814', 'legacy', 'A', 'a',"
                " 'tự quản', 'khu dân cư', '2020-01-05', 'tạm dừng', 2025, '2025-02-01')"
            )
        )
    with engine.begin() as conn:
        command.downgrade(db.alembic_config(conn), "0006")
    assert "rating_year" not in {c["name"] for c in sa.inspect(engine).get_columns("models")}
    with engine.begin() as conn:
        command.upgrade(db.alembic_config(conn), "head")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT model_name, rating_year FROM models")).one() == ("A", 2025)
    engine.dispose()
