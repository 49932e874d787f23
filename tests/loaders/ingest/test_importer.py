"""The importer against both stores: all-or-nothing commits, concurrency, rollback, duplicates, demo data.

Every test runs on SQLite and on a real PostgreSQL (``engine`` / ``db_url``
fixtures). Input files are generated here.
"""

from __future__ import annotations

import hashlib
import json
import threading

import pandas as pd
import pytest
import sqlalchemy as sa

from loaders.demo.loading import load_demo, remove_demo
from loaders.ingest.bulk import insert_chunk
from loaders.ingest.commit import ImportOutcome, commit_import, import_frames
from loaders.ingest.history import RollbackError, import_report, list_imports, original_file, rollback_import
from loaders.ingest.preview import ImportRefused, ImportRequest, preview_import
from loaders.store import db, originals, reads, tables
from tests.support.imports import (
    HEADER,
    RECOGNITIONS_HEADER,
    USER,
    csv_file,
    incidents_csv,
    models_csv,
    preview,
)


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key: two equal snapshots mean an unchanged store."""
    out = {}
    with engine.connect() as conn:
        for table in tables.metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            out[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*pk))]
    return out


def count(engine, table: sa.Table, **where) -> int:
    query = sa.select(sa.func.count()).select_from(table)
    for col, value in where.items():
        query = query.where(table.c[col] == value)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar())


# ----------------------------------------------------------------- commit
def test_commit_records_import_original_rows_event_and_version(engine, registry):
    data = incidents_csv(["VV-1", "VV-2", "VV-3"])
    p = preview(engine, registry, data)
    assert (p.rows_read, p.n_accepted, p.n_rejected) == (3, 3, 0)
    assert count(engine, tables.imports) == 0, "preview must write nothing"
    version = db.data_version(engine)

    ticks: list[float] = []
    outcome = commit_import(engine, p, user=USER, progress=lambda f, _m: ticks.append(f))

    assert outcome.committed and outcome.written == 3 and outcome.import_id is not None
    assert ticks and ticks[-1] == 1.0 and ticks == sorted(ticks)
    assert db.data_version(engine) == version + 1
    history = list_imports(engine)
    row = history.iloc[0]
    assert (row["id"], row["dataset"], row["file_name"], row["user_name"]) == (
        outcome.import_id,
        "incidents",
        "vu_viec.csv",
        USER,
    )
    assert row["sha256"] == hashlib.sha256(data).hexdigest() and row["size_bytes"] == len(data)
    assert (row["rows_read"], row["rows_accepted"], row["rows_rejected"]) == (3, 3, 0)
    with engine.connect() as conn:
        kept = conn.execute(sa.select(tables.stored_files).where(tables.stored_files.c.sha256 == row["sha256"])).one()
        events = conn.execute(sa.select(tables.events.c.action, tables.events.c.detail)).all()
        stored = conn.execute(sa.select(tables.incidents).order_by(tables.incidents.c.incident_code)).mappings().all()
    assert originals.unpack_original(kept.codec, kept.content, kept.size_bytes) == data
    assert original_file(engine, outcome.import_id) == ("vu_viec.csv", data)
    assert [e.action for e in events] == ["import"] and json.loads(events[0].detail)["import_id"] == outcome.import_id
    assert [r["incident_code"] for r in stored] == ["VV-1", "VV-2", "VV-3"]
    first = stored[0]
    assert (first["commune_code"], first["legacy_code"], first["vintage"]) == ("18814", "18814", "legacy")
    assert (first["name_given"], first["district_given"], first["code_given"]) == ("Xã Kỳ Tân", "Huyện Kỳ Anh", None)
    assert str(first["occurred_on"]) == "2024-03-15" and first["source_row"] == 2
    assert first["lat"] is None and first["description"] == "ghi chú VV-1"


def test_blank_optional_cells_are_stored_as_sql_null(engine, registry):
    # On SQLite a missing value is bound as a float NaN (loaders.ingest.bulk.SQLITE_NULL), which SQLite must
    # store as NULL: never as a REAL, nor as the text 'nan', in text and float columns alike.
    rows = [
        HEADER,
        ["VV-1", "15/03/2024", "18814", "", "", "Hình sự", "", "", "", ""],
        ["VV-2", "15/03/2024", "18814", "", "", "Hình sự", "", "18.3", "105.9", "có mô tả"],
    ]
    p = preview(engine, registry, csv_file(rows))
    assert p.n_accepted == 2
    commit_import(engine, p, user=USER)

    table = tables.incidents
    optional = ["name_given", "district_given", "severity", "lat", "lon", "description"]
    with engine.connect() as conn:
        blank = conn.execute(sa.select(*[table.c[c] for c in optional]).where(table.c.incident_code == "VV-1")).one()
        nulls = {
            c: conn.execute(sa.select(sa.func.count()).select_from(table).where(table.c[c].is_(None))).scalar()
            for c in optional
        }
        filled = conn.execute(
            sa.select(table.c.lat, table.c.lon, table.c.description).where(table.c.incident_code == "VV-2")
        ).one()
    assert tuple(blank) == (None,) * len(optional)
    assert nulls == {"name_given": 2, "district_given": 2, "severity": 2, "lat": 1, "lon": 1, "description": 1}
    assert tuple(filled) == (18.3, 105.9, "có mô tả")


def test_rejected_rows_write_nothing_unless_valid_only(engine, registry):
    data = incidents_csv(
        ["VV-1", "VV-2"], extra=[["VV-3", "15/03/2024", "", "Xã Không Có", "", "Hình sự", "", "", "", ""]]
    )
    p = preview(engine, registry, data)
    assert (p.n_accepted, p.n_rejected) == (2, 1)
    assert p.errors.iloc[0][["row", "column", "value"]].tolist() == [4, "Tên xã", "Xã Không Có"]
    before = snapshot(engine)

    outcome = commit_import(engine, p, user=USER)

    assert not outcome.committed and outcome.import_id is None and outcome.written == 0
    assert snapshot(engine) == before

    outcome = commit_import(engine, p, user=USER, valid_only=True)
    assert outcome.committed and outcome.written == 2
    assert count(engine, tables.incidents) == 2
    report = import_report(engine, outcome.import_id)
    assert report[["row", "column", "value"]].values.tolist() == [[4, "Tên xã", "Xã Không Có"]]


@pytest.mark.parametrize("fail_after_chunks", [0, 2])
def test_failure_after_n_rows_leaves_store_exactly_as_before(engine, registry, monkeypatch, fail_after_chunks):
    commit_import(engine, preview(engine, registry, incidents_csv(["OLD-1"]), name="old.csv"), user=USER)
    p = preview(engine, registry, incidents_csv([f"VV-{i}" for i in range(50)]))
    before = snapshot(engine)
    monkeypatch.setattr("loaders.ingest.commit.CHUNK_ROWS", 10)
    real_insert = insert_chunk
    inserted: list[int] = []

    def failing_insert(conn, table, columns, values):
        if len(inserted) == fail_after_chunks:
            raise RuntimeError("disk full (injected)")
        real_insert(conn, table, columns, values)
        inserted.append(len(values[0]))

    monkeypatch.setattr("loaders.ingest.commit.insert_chunk", failing_insert)
    with pytest.raises(RuntimeError, match="injected"):
        commit_import(engine, p, user=USER)

    assert sum(inserted) == 10 * fail_after_chunks  # rows really went in before the failure
    assert snapshot(engine) == before


def test_failure_at_version_bump_rolls_back_rows(engine, registry, monkeypatch):
    p = preview(engine, registry, incidents_csv(["VV-1", "VV-2"]))
    before = snapshot(engine)

    def broken(conn):
        raise RuntimeError("version table locked (injected)")

    monkeypatch.setattr(db, "bump_data_version", broken)
    with pytest.raises(RuntimeError, match="injected"):
        commit_import(engine, p, user=USER)
    assert snapshot(engine) == before


def test_two_concurrent_imports_both_land(engine, registry):
    previews = [
        preview(engine, registry, incidents_csv([f"A-{i}" for i in range(300)]), name="a.csv"),
        preview(
            engine,
            registry,
            incidents_csv([f"B-{i}" for i in range(300)], commune="Xã Cẩm Thành", district="Huyện Cẩm Xuyên"),
            name="b.csv",
        ),
    ]
    version = db.data_version(engine)
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i] = commit_import(engine, previews[i], user=f"user{i}")
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures, failures
    assert all(o.committed and o.written == 300 for o in outcomes)
    assert outcomes[0].import_id != outcomes[1].import_id
    for o, prefix in zip(outcomes, "AB"):
        with engine.connect() as conn:
            codes = (
                conn.execute(
                    sa.select(tables.incidents.c.incident_code).where(tables.incidents.c.import_id == o.import_id)
                )
                .scalars()
                .all()
            )
        assert len(codes) == 300 and all(c.startswith(prefix) for c in codes)
    assert db.data_version(engine) == version + 2


def test_concurrent_imports_of_the_same_keys_never_half_write(engine, registry):
    # Both previews pass validation before either commits: only the unique constraint can stop the second.
    previews = [
        preview(engine, registry, incidents_csv([f"K-{i}" for i in range(200)], day=d), name=f"{d[-4:]}.csv")
        for d in ("15/03/2024", "16/03/2024")
    ]
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = commit_import(engine, previews[i], user=USER)
        except ImportRefused as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    won = [r for r in results if isinstance(r, ImportOutcome)]
    lost = [r for r in results if isinstance(r, ImportRefused)]
    assert len(won) == 1 and len(lost) == 1 and lost[0].reason == "conflict"
    assert count(engine, tables.incidents) == 200
    assert count(engine, tables.incidents, import_id=won[0].import_id) == 200
    assert count(engine, tables.imports) == 1


# --------------------------------------------------------------- rollback
def test_rollback_removes_exactly_that_import(engine, registry):
    first = commit_import(engine, preview(engine, registry, incidents_csv(["A-1", "A-2"]), name="a.csv"), user=USER)
    second = commit_import(
        engine, preview(engine, registry, incidents_csv(["B-1", "B-2", "B-3"]), name="b.csv"), user=USER
    )
    third = commit_import(
        engine, preview(engine, registry, models_csv(["Tổ tự quản thôn 1"]), dataset="models", name="m.csv"), user=USER
    )
    with engine.connect() as conn:
        model = conn.execute(sa.select(tables.models)).mappings().one()
    assert (model["model_name"], model["name_key"], model["kind"], model["setting"], model["status"]) == (
        "Tổ tự quản thôn 1",
        "totuquanthon1",
        "tự quản",
        "khu dân cư",
        "đang hoạt động",
    )
    assert str(model["founded_on"]) == "2021-02-01" and model["dissolved_on"] is None
    before = snapshot(engine)
    version = db.data_version(engine)

    deleted = rollback_import(engine, second.import_id, "boss")

    after = snapshot(engine)
    assert deleted == 3
    b_rows = [r for r in before["incidents"] if r[1] == second.import_id]
    assert after["incidents"] == [r for r in before["incidents"] if r not in b_rows]
    assert after["models"] == before["models"] and after["stored_files"] == before["stored_files"]
    history = list_imports(engine).set_index("id")
    assert history.loc[second.import_id, "status"] == tables.IMPORT_ROLLED_BACK
    assert history.loc[second.import_id, "rolled_back_by"] == "boss"
    assert (history.loc[[first.import_id, third.import_id], "status"] == tables.IMPORT_COMMITTED).all()
    assert db.data_version(engine) == version + 1
    assert after["events"][-1][3] == "rollback"

    with pytest.raises(RollbackError, match="đã được hoàn tác"):
        rollback_import(engine, second.import_id, "boss")
    with pytest.raises(RollbackError, match="Không có lần nhập"):
        rollback_import(engine, 999, "boss")
    assert snapshot(engine)["incidents"] == after["incidents"]


# ------------------------------------------------------------- duplicates
def test_duplicates_within_the_file_are_rejected(engine, registry):
    p = preview(engine, registry, incidents_csv(["VV-1", "VV-2", "VV-1"]))
    assert (p.n_accepted, p.n_rejected) == (2, 1)
    error = p.errors.iloc[0]
    assert (error["row"], error["code"]) == (4, "duplicate_in_file")
    assert "dòng 2" in error["message"]


@pytest.mark.parametrize("stored_extra", [0, 40], ids=["scan", "lookup"])
def test_duplicates_against_the_store_are_rejected(engine, registry, stored_extra):
    # A small store is scanned; a store much larger than the file is queried by key.
    codes = ["VV-1", "VV-2"] + [f"X-{i}" for i in range(stored_extra)]
    commit_import(engine, preview(engine, registry, incidents_csv(codes), name="a.csv"), user=USER)
    p = preview(engine, registry, incidents_csv(["VV-2", "VV-3"]), name="b.csv")
    assert p.n_accepted == 1 and p.accepted["ma_vu_viec"].tolist() == ["VV-3"]
    assert p.errors[["row", "code"]].values.tolist() == [[2, "duplicate_in_store"]]

    commit_import(engine, preview(engine, registry, models_csv(["Tổ tự quản thôn 1"]), dataset="models"), user=USER)
    again = preview(
        engine, registry, models_csv(["TỔ TỰ QUẢN  thôn 1", "Tổ tự quản thôn 2"]), dataset="models", name="m2.csv"
    )
    assert again.errors[["row", "code"]].values.tolist() == [[2, "duplicate_in_store"]]

    recognitions = csv_file(
        [
            RECOGNITIONS_HEADER,
            ["2024", "Xã Kỳ Tân", "Huyện Kỳ Anh", "khu dân cư", "Thôn Tân Hà", "đạt"],
            ["2024", "Xã Kỳ Tân", "Huyện Kỳ Anh", "xã", "", "đạt"],
        ]
    )
    first = commit_import(engine, preview(engine, registry, recognitions, dataset="recognitions"), user=USER)
    assert first.written == 2
    with engine.connect() as conn:
        units = conn.execute(
            sa.select(tables.recognitions.c.year, tables.recognitions.c.unit_name).order_by(
                tables.recognitions.c.unit_type
            )
        ).all()
    assert [tuple(u) for u in units] == [(2024, "Thôn Tân Hà"), (2024, "Xã Kỳ Tân")]
    again = preview(
        engine,
        registry,
        recognitions.replace(b"Th\xc3\xb4n T\xc3\xa2n H\xc3\xa0", b"THON TAN HA"),
        dataset="recognitions",
        name="r2.csv",
    )
    assert again.errors[["row", "code"]].values.tolist() == [[2, "duplicate_in_store"], [3, "duplicate_in_store"]]


def test_reuploaded_file_is_refused_unless_forced(engine, registry):
    data = incidents_csv(["VV-1"], extra=[["VV-9", "15/03/2024", "", "Xã Không Có", "", "Hình sự", "", "", "", ""]])
    first = commit_import(engine, preview(engine, registry, data, name="lan1.csv"), user=USER, valid_only=True)
    p = preview(engine, registry, data, name="lan2.csv")
    assert p.duplicate_of["import_id"] == first.import_id and p.duplicate_of["file_name"] == "lan1.csv"
    before = snapshot(engine)

    with pytest.raises(ImportRefused) as refused:
        commit_import(engine, p, user=USER, valid_only=True)
    assert refused.value.reason == "duplicate_file" and f"số {first.import_id}" in str(refused.value)
    assert "lan1.csv" in str(refused.value)
    assert snapshot(engine) == before

    forced = commit_import(engine, p, user=USER, valid_only=True, force=True)
    assert not forced.committed  # forced past the hash check, but its rows are already stored
    assert set(p.errors["code"]) == {"duplicate_in_store", "commune_not_found"}

    request = ImportRequest(dataset="models", data=models_csv(["X"]), file_name="m.csv", user=USER)
    other = preview_import(engine, request, registry=registry, province_polygon=None)
    assert other.duplicate_of is None


def test_rolled_back_file_can_be_imported_again(engine, registry):
    data = incidents_csv(["VV-1"])
    first = commit_import(engine, preview(engine, registry, data), user=USER)
    rollback_import(engine, first.import_id, USER)
    p = preview(engine, registry, data)
    assert p.duplicate_of is None and p.n_accepted == 1
    assert commit_import(engine, p, user=USER).committed


# ------------------------------------------------------------ file level
def test_unreadable_file_is_refused(engine, registry):
    with pytest.raises(ImportRefused) as refused:
        preview(engine, registry, b"\x00\x01\x02garbage\x00" * 20, name="x.csv")
    assert refused.value.reason == "unreadable"
    assert count(engine, tables.imports) == 0


def test_missing_required_column_asks_for_a_mapping(engine, registry):
    data = incidents_csv(["VV-1"]).replace("Lĩnh vực".encode(), b"Loai vu")
    p = preview(engine, registry, data)
    assert p.needs_mapping and p.missing_columns == ["Lĩnh vực"] and p.n_accepted == 0
    assert not commit_import(engine, p, user=USER, valid_only=True).committed
    assert count(engine, tables.imports) == 0

    mapped = preview(engine, registry, data, mapping={"Loai vu": "linh_vuc"})
    assert not mapped.needs_mapping and mapped.n_accepted == 1


def test_original_is_kept_by_hash_not_by_file_name(engine, registry, isolated_store):
    data = incidents_csv(["VV-1"])
    commit_import(engine, preview(engine, registry, data, name="../../etc/evil.csv"), user=USER)
    assert sorted(p.name for p in isolated_store.parent.rglob("*evil*")) == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(tables.stored_files.c.sha256)).scalars().all() == [
            hashlib.sha256(data).hexdigest()
        ]


# ------------------------------------------------------------------- demo
def test_demo_import_remove_and_real_data_replaces_colliding_demo_rows(engine, registry):
    frames = {
        "incidents": pd.DataFrame(
            {
                "ma_vu_viec": ["DEMO-1", "SHARED-1"],
                "ngay": ["2024-03-01", "2024-03-02"],
                "ma_xa": ["18814", "18814"],
                "linh_vuc": ["ma túy", "hình sự"],
            }
        ),
        "models": pd.DataFrame(
            {
                "ten_xa": ["Xã Kỳ Tân"],
                "huyen_cu": ["Huyện Kỳ Anh"],
                "ten_mo_hinh": ["Tổ tự quản thôn 1"],
                "loai_mo_hinh": ["tự quản"],
                "noi_trien_khai": ["khu dân cư"],
                "ngay_thanh_lap": ["2021-02-01"],
                "trang_thai": ["đang hoạt động"],
            }
        ),
    }
    outcomes = import_frames(engine, frames, USER, is_demo=True, registry=registry)
    assert all(o.committed for o in outcomes.values())
    with engine.connect() as conn:
        assert reads.has_demo(conn) and reads.demo_only(conn)

    # Demo rows do not count as duplicates of real rows; the real row takes the key.
    p = preview(engine, registry, incidents_csv(["SHARED-1", "REAL-2"]))
    assert p.n_rejected == 0
    real = commit_import(engine, p, user=USER)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(tables.incidents.c.incident_code, tables.incidents.c.import_id).order_by(
                tables.incidents.c.incident_code
            )
        ).all()
        assert not reads.demo_only(conn)
    demo_id = outcomes["incidents"].import_id
    assert [tuple(r) for r in rows] == [("DEMO-1", demo_id), ("REAL-2", real.import_id), ("SHARED-1", real.import_id)]
    assert reads.load_dataset(engine, "incidents")["incident_code"].sort_values().tolist() == ["REAL-2", "SHARED-1"]

    assert remove_demo(engine, USER) == 2
    with engine.connect() as conn:
        assert not reads.has_demo(conn)
    assert count(engine, tables.incidents) == 2 and count(engine, tables.models) == 0
    assert count(engine, tables.imports, status=tables.IMPORT_COMMITTED) == 1
    assert remove_demo(engine, USER) == 0


def test_load_demo_replaces_previous_demo(engine, registry):
    first = load_demo(engine, USER, registry=registry, scale=0.02)
    assert all(o.committed for o in first.values())
    n_incidents = count(engine, tables.incidents)
    assert n_incidents > 0
    second = load_demo(engine, USER, registry=registry, scale=0.02)
    assert count(engine, tables.incidents) == n_incidents
    # One committed demo import per dataset.
    assert count(engine, tables.imports, status=tables.IMPORT_COMMITTED) == len(second) == 4
    assert {o.import_id for o in second.values()}.isdisjoint({o.import_id for o in first.values()})


def _index_names(engine) -> set[str]:
    return {ix["name"] for ix in sa.inspect(engine).get_indexes("incidents")}


def test_big_batches_rebuild_their_indexes_even_on_failure(engine, registry, monkeypatch):
    # On SQLite a big batch drops the plain indexes and rebuilds them in the same transaction.
    monkeypatch.setattr("loaders.ingest.bulk.DEFER_INDEXES_FROM", 5)
    monkeypatch.setattr("loaders.ingest.commit.CHUNK_ROWS", 4)
    indexes = _index_names(engine)
    assert "ix_incidents_import_id" in indexes
    p = preview(engine, registry, incidents_csv([f"VV-{i}" for i in range(10)]))
    before = snapshot(engine)
    real_insert = insert_chunk
    calls = []

    def failing_insert(conn, table, columns, values):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("injected")
        real_insert(conn, table, columns, values)

    monkeypatch.setattr("loaders.ingest.commit.insert_chunk", failing_insert)
    with pytest.raises(RuntimeError):
        commit_import(engine, p, user=USER)
    db.dispose_engines()
    assert _index_names(engine) == indexes and snapshot(engine) == before

    monkeypatch.setattr("loaders.ingest.commit.insert_chunk", real_insert)
    assert commit_import(engine, p, user=USER).written == 10
    assert _index_names(engine) == indexes
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            plan = " ".join(
                str(r) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN SELECT id FROM incidents WHERE import_id = 1")
            )
        assert "ix_incidents_import_id" in plan


def _autocheckpoint_at_checkin(engine) -> list[int]:
    """The ``wal_autocheckpoint`` of every SQLite connection handed back to the pool from now on."""
    seen: list[int] = []

    def record(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        seen.append(cursor.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        cursor.close()

    sa.event.listen(engine, "checkin", record)
    return seen


@pytest.mark.parametrize("fail", [False, True])
def test_big_sqlite_batches_checkpoint_after_their_commit(engine, registry, monkeypatch, fail):
    monkeypatch.setattr("loaders.ingest.commit.DEFER_CHECKPOINT_FROM", 5)
    started = []
    real_checkpoint = db._checkpoint_soon
    monkeypatch.setattr(db, "_checkpoint_soon", lambda e: started.append(e) or real_checkpoint(e))
    p = preview(engine, registry, incidents_csv([f"CK-{i}" for i in range(10)]))
    before = snapshot(engine)
    seen = _autocheckpoint_at_checkin(engine) if engine.dialect.name == "sqlite" else []
    if fail:
        monkeypatch.setattr(
            "loaders.ingest.commit.insert_chunk", lambda *a: (_ for _ in ()).throw(RuntimeError("injected"))
        )
        with pytest.raises(RuntimeError):
            commit_import(engine, p, user=USER)
        assert snapshot(engine) == before and started == []
    else:
        assert commit_import(engine, p, user=USER).written == 10
        assert started == ([engine] if engine.dialect.name == "sqlite" else [])
    db.wait_for_checkpoints()
    # Every connection went back to the pool with SQLite's own setting, also after a failure.
    assert seen and set(seen) == {1000} if engine.dialect.name == "sqlite" else seen == []
    if engine.dialect.name == "sqlite" and not fail:
        with engine.connect() as conn:
            busy, log, done = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        assert busy == 0 and log == done  # the whole log is in the database file
        assert count(engine, tables.incidents) == 10


def test_long_user_names_fit_the_store_on_commit_and_rollback(engine, registry):
    long_user = "cán bộ " * 40  # 280 characters: wider than the user-name columns
    p = preview(engine, registry, incidents_csv(["VV-LONG-1"]))
    outcome = commit_import(engine, p, user=long_user)
    assert outcome.committed
    rollback_import(engine, outcome.import_id, user=long_user)
    history = list_imports(engine)
    row = history[history["id"] == outcome.import_id].iloc[0]
    assert row["user_name"] == long_user[: tables.USER_NAME_MAX]
    assert row["status"] == tables.IMPORT_ROLLED_BACK
