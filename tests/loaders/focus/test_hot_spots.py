"""The yearly hot-spot list in the store: versions, history, audit, refusals, migration (SQLite, PostgreSQL)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from alembic import command

from loaders.accounts import audit
from loaders.core import domain
from loaders.focus import hot_spots as spots
from loaders.store import db, tables

V25, LEG = domain.VINTAGE_2025, domain.VINTAGE_LEGACY
KNOWN = {V25: {"18172", "18196", "18199"}, LEG: {"18196", "18136"}}
ADMIN = "admin"


def _spot(
    code: str, vintage: str = V25, reason: str = "Tụ tập đông người", decision: str = "KH 12/KH-CAT"
) -> spots.HotSpot:
    return spots.HotSpot(code, reason, decision, vintage)


def test_each_save_is_a_new_version_and_nothing_is_overwritten(engine) -> None:
    before = db.data_version(engine)
    assert spots.save_list(engine, 2026, [_spot("18196"), _spot("18172", reason="Ma túy")], KNOWN, ADMIN) == 1
    assert spots.save_list(engine, 2026, [_spot("18199")], KNOWN, ADMIN, "10.0.0.1", note="Bổ sung") == 2
    assert db.data_version(engine) == before + 2  # pages refresh at the next rerun

    lists = spots.load_lists(engine)
    assert lists[["year", "version", "vintage", "commune_code"]].values.tolist() == [[2026, 2, V25, "18199"]]
    assert spots.codes_for_year(lists, 2026) == ((V25, "18199"),)
    assert spots.codes_for_year(lists, 2027) == ()  # a list does not carry over to the next year

    history = spots.load_history(engine, 2026)
    assert history[["version", "commune_code"]].values.tolist() == [[2, "18199"], [1, "18172"], [1, "18196"]]
    assert history.loc[history["commune_code"] == "18172", "reason"].item() == "Ma túy"
    assert set(history["created_by"]) == {ADMIN}

    events = audit.query_events(engine, audit.EventFilter(actions=(spots.ACTION_SAVED,)))
    assert len(events) == 2
    details = sorted(json.loads(d)["version"] for d in events["detail"])
    assert details == [1, 2]


def test_an_empty_save_clears_the_year_and_stays_in_the_history(engine) -> None:
    spots.save_list(engine, 2024, [_spot("18136", LEG)], KNOWN, ADMIN)
    spots.save_list(engine, 2024, [], KNOWN, ADMIN)
    assert spots.codes_for_year(spots.load_lists(engine), 2024) == ()
    history = spots.load_history(engine, 2024)
    assert history["version"].tolist() == [2, 1]
    assert history["commune_code"].isna().tolist() == [True, False]


def test_the_same_code_in_two_vintages_is_two_communes(engine) -> None:
    spots.save_list(engine, 2025, [_spot("18196", LEG), _spot("18196", V25)], KNOWN, ADMIN)
    assert spots.codes_for_year(spots.load_lists(engine), 2025) == ((V25, "18196"), (LEG, "18196"))


@pytest.mark.parametrize(
    ("year", "entries", "message"),
    [
        (2026, [spots.HotSpot("99999", "x", "y")], "Dòng 1, cột «Xã, phường»: «99999»"),
        (2026, [spots.HotSpot("18136", "x", "y", V25)], "«18136»"),  # a legacy code offered as a 2025 commune
        (2026, [_spot("18196"), _spot("18196")], "Dòng 2, cột «Xã, phường»: «18196» đã có"),
        (2026, [_spot("18196", reason="  ")], "Dòng 1, cột «Lý do»: chưa nhập"),
        (2026, [_spot("18196", decision="")], "Dòng 1, cột «Văn bản xác định"),
        (2026, [_spot("18196", reason="x" * 501)], "dài quá 500"),
        (1999, [_spot("18196")], "«1999»"),
    ],
)
def test_a_bad_list_is_refused_with_row_column_and_value_and_nothing_is_written(engine, year, entries, message):
    with pytest.raises(spots.HotSpotError, match=message):
        spots.save_list(engine, year, entries, KNOWN, ADMIN)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.hot_spot_versions)).scalar() == 0
    assert audit.query_events(engine, audit.EventFilter(actions=(spots.ACTION_SAVED,))).empty


def test_a_store_of_the_previous_revision_upgrades_and_keeps_everything(engine) -> None:
    with engine.begin() as conn:
        command.downgrade(db.alembic_config(conn), "0008")
    assert "hot_spot_versions" not in sa.inspect(engine).get_table_names()
    with engine.begin() as conn:
        audit.record_event(conn, ADMIN, "sign_in", "{}")
        conn.execute(tables.meta.insert().values(key="probe", value="kept"))
    with engine.begin() as conn:
        command.upgrade(db.alembic_config(conn), "head")
    with engine.connect() as conn:
        assert conn.execute(sa.select(tables.events.c.action)).scalars().all() == ["sign_in"]
        assert conn.execute(sa.select(tables.meta.c.value).where(tables.meta.c.key == "probe")).scalar() == "kept"
    assert spots.load_lists(engine).empty
    assert spots.save_list(engine, 2026, [_spot("18196")], KNOWN, ADMIN) == 1


def test_the_lists_and_their_history_travel_in_a_backup(engine, tmp_path) -> None:
    from loaders.store import backup

    spots.save_list(engine, 2026, [_spot("18196")], KNOWN, ADMIN)
    spots.save_list(engine, 2026, [_spot("18199")], KNOWN, ADMIN)
    backup.backup_store(engine, tmp_path / "copy.sqlite3", ADMIN)
    target = db.get_engine(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    backup.restore_store(target, tmp_path / "copy.sqlite3", ADMIN)
    assert spots.load_history(target, 2026)[["version", "commune_code"]].values.tolist() == [
        [2, "18199"],
        [1, "18196"],
    ]
    # The restored store goes on counting versions from where the backup stopped.
    assert spots.save_list(target, 2026, [], KNOWN, ADMIN) == 3
