"""``python -m loaders backup|restore``: a snapshot taken while the store is written, restored row for row.

Every store test runs on SQLite and on a real PostgreSQL (``db_url``); a restore
goes into a second, empty database of the same kind. The commands run
in-process through :func:`loaders.cli.main.main` (same parser, same handlers).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from loaders.accounts import audit
from loaders.accounts.users import create_user
from loaders.cli import main as cli
from loaders.cli.common import EXIT_OK, EXIT_USAGE, default_user
from loaders.demo.loading import load_demo
from loaders.ingest.commit import commit_import
from loaders.ingest.history import original_file, rollback_import
from loaders.ingest.preview import ImportRequest, preview_import
from loaders.store import backup, db, tables
from tests.support.accounts import fast_hashing

HEADER = ["Mã vụ việc", "Ngày", "Tên xã", "Huyện (cũ)", "Lĩnh vực", "Mức độ", "Mô tả"]


def incidents_csv(codes: list[str]) -> bytes:
    rows = [HEADER] + [
        [c, "15/03/2024", "Xã Kỳ Tân", "Huyện Kỳ Anh", "Hình sự", "nghiêm trọng", f"ghi chú «{c}»"] for c in codes
    ]
    return "".join(",".join(row) + "\n" for row in rows).encode("utf-8")


def commit(engine, registry, codes: list[str], name: str = "vụ việc.csv", user: str = "editor1") -> int:
    data = incidents_csv(codes)
    request = ImportRequest(dataset="incidents", data=data, file_name=name, user=user)
    outcome = commit_import(
        engine, preview_import(engine, request, registry=registry, province_polygon=None), user=user
    )
    assert outcome.committed
    return outcome.import_id


def naive_utc(moment: datetime) -> datetime:
    """A stored time as SQLite keeps it: UTC without a zone."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def snapshot(engine) -> dict[str, list[dict]]:
    """Every row of every restored table, by primary key."""
    found = {}
    with engine.connect() as conn:
        for table in tables.metadata.sorted_tables:
            if table.name not in backup.NOT_RESTORED:
                pk = list(table.primary_key.columns)
                found[table.name] = [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(*pk))]
    return found


@pytest.fixture
def second_url(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A second empty database of the same kind as ``db_url``: where a backup is restored."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    from pytest_postgresql.janitor import DatabaseJanitor

    server = request.getfixturevalue("pg_server")
    dbname = f"ht_restore_{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**8}"
    with DatabaseJanitor(user=server.user, host=server.host, port=server.port, dbname=dbname):
        yield server.url(dbname)
        db.dispose_engines()


def build_store(engine, registry, monkeypatch) -> dict[str, object]:
    """Demo data, two real imports (one rolled back), accounts and audit entries."""
    fast_hashing(monkeypatch)
    load_demo(engine, "cli:setup", until=date(2020, 3, 31), registry=registry, scale=0.05)
    kept = commit(engine, registry, ["R-1", "R-2", "R-3"])
    undone = commit(engine, registry, ["U-1"], name="sai.csv")
    rollback_import(engine, undone, "editor1")
    create_user(engine, "admin1", "Mật-khẩu-dài-2024!", role="admin", actor="cli:root")
    create_user(engine, "can.bo@example.gov.vn", None, role="analyst", actor="admin1")
    with engine.begin() as conn:
        audit.record_event(conn, "admin1", "export", json.dumps({"rows": 3}), address="10.0.0.7")
    return {"kept": kept, "original": incidents_csv(["R-1", "R-2", "R-3"])}


# ------------------------------------------------------------------ round trip
def test_a_restored_store_holds_the_same_data_plus_the_restore_entry(
    db_url, second_url, registry, tmp_path, monkeypatch
):
    # PostgreSQL hands times back in the session's zone (here the province's); the backup must keep them UTC.
    monkeypatch.setenv("PGTZ", "Asia/Ho_Chi_Minh")
    source = db.get_engine(db_url)
    built = build_store(source, registry, monkeypatch)
    before, version = snapshot(source), db.data_version(source)
    assert version > 0 and before["stored_files"] and before["users"]

    out = tmp_path / "ht-backup.sqlite3"
    code, stdout, _ = run("backup", "--out", str(out), "--json")
    assert code == EXIT_OK, stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600, "a backup holds password hashes: owner only"
    assert json.loads(stdout)["data_version"] == version
    assert not list(tmp_path.glob(".*partial")), "no half-written file stays behind"
    with closing(sqlite3.connect(out)) as conn:
        stamps = [datetime.fromisoformat(at) for (at,) in conn.execute("SELECT at FROM events ORDER BY id")]
    assert stamps == [naive_utc(e["at"]) for e in before["events"]], "a backup holds times in UTC"

    monkeypatch.setenv("DATABASE_URL", second_url)
    code, stdout, stderr = run("restore", str(out), "--json")
    assert code == EXIT_OK, stdout + stderr
    target = db.get_engine(second_url)
    after = snapshot(target)

    assert db.data_version(target) == version
    for name in before:
        if name != "events":
            assert after[name] == before[name], name
    assert after["events"][:-1] == before["events"]
    restored = after["events"][-1]
    assert restored["action"] == backup.ACTION_RESTORE and restored["user_name"] == default_user()
    assert restored["user_name"].startswith("cli")
    assert json.loads(restored["detail"])["data_version"] == version
    assert original_file(target, built["kept"]) == ("vụ việc.csv", built["original"])

    # The ids go on after the restored ones (PostgreSQL sequences are moved past them).
    newer = commit(target, registry, ["N-1"], name="moi.csv")
    assert newer > max(row["id"] for row in before["imports"])
    create_user(target, "viewer2", "Mật-khẩu-khác-2025!", role="viewer", actor="admin1")


def test_the_source_audits_the_backup(db_url, tmp_path):
    engine = db.get_engine(db_url)
    out = tmp_path / "b.sqlite3"
    assert run("backup", "--out", str(out))[0] == EXIT_OK
    entries = audit.query_events(engine, audit.EventFilter(actions=[backup.ACTION_BACKUP]))
    assert entries["user_name"].tolist() == [default_user()]
    assert json.loads(entries["detail"].iloc[0])["file"] == str(out)


def test_restore_refuses_a_store_that_is_not_empty(db_url, registry, tmp_path):
    engine = db.get_engine(db_url)
    commit(engine, registry, ["A-1"])
    out = tmp_path / "b.sqlite3"
    assert run("backup", "--out", str(out))[0] == EXIT_OK
    before = snapshot(engine)

    code, _, stderr = run("restore", str(out))
    assert code == EXIT_USAGE
    assert "kho trống" in stderr and "imports" in stderr
    assert snapshot(engine) == before


def test_a_backup_from_an_older_schema_is_migrated_on_restore(tmp_path, monkeypatch):
    from alembic import command

    old = tmp_path / "old.sqlite3"
    engine = sa.create_engine(f"sqlite:///{old}")
    with engine.begin() as conn:
        command.upgrade(db.alembic_config(conn), "0002")  # before stored_files.codec existed
        conn.exec_driver_sql("INSERT INTO stored_files (sha256, size_bytes, content) VALUES ('ab', 2, x'6869')")
        conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES ('data_version', '7')")
    engine.dispose()

    code, stdout, stderr = run("restore", str(old))
    assert code == EXIT_OK, stdout + stderr
    target = db.get_engine()
    assert db.data_version(target) == 7
    with target.connect() as conn:
        assert conn.execute(sa.select(tables.stored_files.c.content, tables.stored_files.c.codec)).one() == (
            b"hi",
            None,
        )
    with closing(sqlite3.connect(old)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0002",), "restore only reads"


# ------------------------------------------------------------------ refusals
def test_restore_refuses_files_that_are_not_backups(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("không phải cơ sở dữ liệu", encoding="utf-8")
    foreign = tmp_path / "foreign.sqlite3"
    with closing(sqlite3.connect(foreign)) as conn:
        conn.execute("CREATE TABLE t (x)")
    future = tmp_path / "future.sqlite3"
    db.migrate(engine := sa.create_engine(f"sqlite:///{future}"))
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()

    for path, words in [
        (tmp_path / "missing.sqlite3", "Không mở được"),
        (text, "không phải"),
        (foreign, "không phải"),
        (future, "mới hơn"),
    ]:
        code, _, stderr = run("restore", str(path))
        assert code == EXIT_USAGE, path
        assert words in stderr and str(path.name) in stderr, stderr
    assert not snapshot(db.get_engine())["events"], "a refused restore writes nothing"


def test_backup_never_overwrites_a_file(tmp_path):
    out = tmp_path / "b.sqlite3"
    out.write_bytes(b"earlier backup")
    code, stdout, _ = run("backup", "--out", str(out), "--json")
    assert code == EXIT_USAGE and "đã có" in json.loads(stdout)["message"]
    assert out.read_bytes() == b"earlier backup"
    assert run("backup", "--out", str(tmp_path / "no" / "b.sqlite3"))[0] == EXIT_USAGE


# ------------------------------------------------------------------ consistency
def test_a_sqlite_backup_holds_rows_still_in_the_write_ahead_log(registry, tmp_path):
    engine = db.get_engine()
    with engine.connect() as conn:  # keep the log from being copied into the file before the backup
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        import_id = commit(engine, registry, [f"W-{i}" for i in range(50)])
        store = Path(engine.url.database)
        assert Path(f"{store}-wal").stat().st_size > 0
        naive = tmp_path / "copied.sqlite3"
        shutil.copyfile(store, naive)  # what copying the file would give
        with closing(sqlite3.connect(naive)) as copy:
            assert copy.execute("SELECT count(*) FROM incidents").fetchone() == (0,)

        out = tmp_path / "b.sqlite3"
        assert run("backup", "--out", str(out))[0] == EXIT_OK
    held = backup.describe(out)
    assert held.rows["incidents"] == 50 and held.rows["imports"] == 1 and import_id == 1
    assert not Path(f"{out}-wal").exists(), "a backup is one self-contained file"


def test_a_backup_taken_while_another_connection_writes_is_consistent(db_url, registry, tmp_path):
    engine = db.get_engine(db_url)
    stop = threading.Event()
    written: list[int] = []
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            n = 0
            while not stop.is_set() and n < 200:
                n += 1
                written.append(commit(engine, registry, [f"C-{n}-{k}" for k in range(40)], name=f"{n}.csv"))
        except BaseException as exc:  # reported below; the thread must not die silently
            failures.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    backups = []
    try:
        for k in range(4):
            while len(written) < 2 * (k + 1) and thread.is_alive():
                stop.wait(0.01)
            out = tmp_path / f"b{k}.sqlite3"
            assert run("backup", "--out", str(out))[0] == EXIT_OK
            backups.append(out)
    finally:
        stop.set()
        thread.join()
    assert not failures, failures

    for out in backups:
        with closing(sqlite3.connect(out)) as conn:
            imports = conn.execute("SELECT id, rows_accepted, sha256 FROM imports").fetchall()
            assert imports, out
            for import_id, accepted, sha in imports:
                rows = conn.execute("SELECT count(*) FROM incidents WHERE import_id = ?", (import_id,)).fetchone()
                assert rows == (accepted,), (out, import_id)
                assert conn.execute("SELECT 1 FROM stored_files WHERE sha256 = ?", (sha,)).fetchone()
            logged = conn.execute("SELECT count(*) FROM events WHERE action = 'import'").fetchone()[0]
            version = conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0]
            assert logged == len(imports) == int(version), out


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("action", [backup.ACTION_BACKUP, backup.ACTION_RESTORE])
def test_the_audit_page_names_backups_and_restores(action, lang):
    from loaders.core.i18n import translate

    assert translate(f"audit.action.{action}", lang) != f"audit.action.{action}"
