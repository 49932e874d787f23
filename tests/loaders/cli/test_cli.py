"""``python -m loaders``: JSON output and exit codes.

The import commands run on SQLite and on PostgreSQL (``db_url``), each on an
empty database that the command line must create and migrate itself.
``resolve`` reads no store and runs once. The main flows run as a real
``python -m loaders`` subprocess with ``DATABASE_URL`` in its environment;
the many usage cases call :func:`loaders.cli.main.main` in-process (same parser,
same handlers, no interpreter start-up per case).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from loaders.cli import main as cli
from loaders.cli.common import default_user

ROOT = Path(__file__).resolve().parents[3]
HEADER = "Mã vụ việc;Ngày;Tên xã;Huyện (cũ);Lĩnh vực;Mức độ;STT"
IMPORT_KEYS = {"dataset", "rows", "accepted", "rejected", "import_id", "duplicate_of", "errors"}
RESOLVE_KEYS = {
    "input",
    "status",
    "vintage",
    "legacy_code",
    "legacy_name",
    "district_code",
    "district_name",
    "code",
    "name",
    "candidates",
    "stage",
}


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def run_process(*args: str, db_url: str | None = None, cwd: Path = ROOT) -> Done:
    """Run ``python -m loaders`` in a subprocess, with ``DATABASE_URL`` set to ``db_url``."""
    env = dict(os.environ)
    if db_url is not None:
        env["DATABASE_URL"] = db_url
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "loaders", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )
    return Done(done.returncode, done.stdout, done.stderr)


def run(*args: str, db_url: str | None = None, cwd: Path | None = None) -> Done:
    """Run the command line in-process (``db_url`` is already ``DATABASE_URL`` through the fixture)."""
    if db_url is not None:
        assert os.environ["DATABASE_URL"] == db_url
    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        code = cli.main(list(args), out, err)
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    finally:
        os.chdir(previous)
    return Done(code, out.getvalue(), err.getvalue())


def as_json(done: Done):
    assert done.stdout, done.stderr
    return json.loads(done.stdout)


def write_incidents(path: Path, codes: list[str], bad: list[str] = ()) -> Path:
    """Semicolon-separated, UTF-8 with BOM, as Excel writes it; ``bad`` rows name no real commune."""
    lines = [HEADER]
    lines += [f"{c};05/06/2024;Kỳ Tân;Kỳ Anh;ma tuy;VPHC;{i}" for i, c in enumerate(codes, 1)]
    lines += [f"{c};05/06/2024;Xã Không Tồn Tại;;ma tuy;;9" for c in bad]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return path


def test_import_json_and_exit_codes(db_url, tmp_path):
    clean = write_incidents(tmp_path / "sach.csv", ["A1", "A2"])
    dirty = write_incidents(tmp_path / "loi.csv", ["B1", "B2"], bad=["B3"])

    dry = run_process("import", "--dataset", "incidents", str(clean), "--dry-run", "--json", db_url=db_url)
    assert dry.returncode == 0, dry.stderr
    out = as_json(dry)
    assert set(out) >= IMPORT_KEYS
    assert (out["rows"], out["accepted"], out["rejected"], out["import_id"]) == (2, 2, 0, None)
    assert out["ignored_columns"] == ["STT"] and out["errors"] == []

    done = run_process("import", "--dataset", "incidents", str(clean), "--json", db_url=db_url)
    assert done.returncode == 0, done.stderr
    first = as_json(done)
    assert isinstance(first["import_id"], int) and first["accepted"] == 2 and first["duplicate_of"] is None

    again = run("import", "--dataset", "incidents", str(clean), "--json", db_url=db_url)
    assert again.returncode == 1
    refused = as_json(again)
    assert refused["import_id"] is None and refused["duplicate_of"]["import_id"] == first["import_id"]
    assert "sach.csv" in refused["message"]

    rejected = run_process("import", "--dataset", "incidents", str(dirty), "--json", db_url=db_url)
    assert rejected.returncode == 1
    out = as_json(rejected)
    assert (out["rows"], out["accepted"], out["rejected"], out["import_id"]) == (3, 2, 1, None)
    assert out["errors"] == [
        {
            "row": 4,
            "column": "Tên xã",
            "value": "Xã Không Tồn Tại",
            "message": out["errors"][0]["message"],
            "code": "commune_not_found",
        }
    ]
    assert "Không tìm thấy" in out["errors"][0]["message"]

    partial = run(
        "import", "--dataset", "incidents", str(dirty), "--valid-only", "--json", "--user", "an", db_url=db_url
    )
    assert partial.returncode == 1
    out = as_json(partial)
    assert isinstance(out["import_id"], int) and out["committed"] and out["written"] == 2

    history = run("imports", "--json", db_url=db_url)
    assert history.returncode == 0
    rows = as_json(history)
    assert [r["id"] for r in rows] == [out["import_id"], first["import_id"]]
    # The command line's actor always starts with the OS user; --user only adds a name after it.
    assert rows[0]["user_name"] == f"{default_user()}:an" and rows[0]["rows_rejected"] == 1

    back = run("rollback", str(first["import_id"]), db_url=db_url)
    assert back.returncode == 0, back.stderr
    twice = run("rollback", str(first["import_id"]), db_url=db_url)
    assert twice.returncode == 1 and "đã được hoàn tác" in twice.stderr
    assert run("rollback", "12345", db_url=db_url).returncode == 1

    # The rolled-back file is no longer a duplicate: it imports again.
    assert run("import", "--dataset", "incidents", str(clean), db_url=db_url).returncode == 0


def test_unreadable_file_and_bad_usage_exit_2(db_url, tmp_path):
    binary = tmp_path / "rac.csv"
    binary.write_bytes(b"\x00\xff\x10binary\x00" * 50)
    done = run_process("import", "--dataset", "incidents", str(binary), "--json", db_url=db_url)
    assert done.returncode == 2
    assert as_json(done)["refused"] == "unreadable"

    empty = tmp_path / "rong.csv"
    empty.write_bytes(b"")
    assert run("import", "--dataset", "incidents", str(empty), db_url=db_url).returncode == 2
    assert run("import", "--dataset", "incidents", str(tmp_path / "khong_co.csv"), db_url=db_url).returncode == 2
    assert run("import", "--dataset", "bogus", str(empty), db_url=db_url).returncode == 2
    assert run("import", str(empty), db_url=db_url).returncode == 2
    clean = write_incidents(tmp_path / "sach.csv", ["A1"])
    bad_map = run("import", "--dataset", "incidents", str(clean), "--map", "Cột lạ=linh_vuc", db_url=db_url)
    assert bad_map.returncode == 2 and "Cột lạ" in bad_map.stderr
    assert run("demo", db_url=db_url).returncode == 2


def test_map_option_and_missing_columns(db_url, tmp_path):
    path = write_incidents(tmp_path / "cot.csv", ["M1"])
    path.write_bytes(path.read_bytes().replace("Lĩnh vực".encode(), b"Nhom"))
    missing = run("import", "--dataset", "incidents", str(path), "--json", db_url=db_url)
    assert missing.returncode == 1
    out = as_json(missing)
    assert out["missing_columns"] == ["Lĩnh vực"] and out["import_id"] is None

    mapped = run("import", "--dataset", "incidents", str(path), "--map", "Nhom=linh_vuc", "--json", db_url=db_url)
    assert mapped.returncode == 0, mapped.stderr
    assert as_json(mapped)["accepted"] == 1


def test_demo_remove(db_url):
    done = run("demo", "--remove", db_url=db_url)
    assert done.returncode == 0 and "Không có dữ liệu mẫu" in done.stdout


# -------------------------------------------------------------------- resolve
def test_resolve_single_query_json():
    done = run_process("resolve", "Xã Kỳ Tân, Huyện Kỳ Anh", "--json")
    assert done.returncode == 0, done.stderr
    out = as_json(done)
    assert set(out) >= RESOLVE_KEYS
    assert (out["status"], out["legacy_code"], out["code"], out["name"]) == ("resolved", "18814", "18814", "Xã Kỳ Hoa")
    assert out["stage"] == "name"


@pytest.mark.parametrize(
    ("query", "legacy_code", "stage"),
    [
        ("Xã Sơn Lâm - Huyện Hương Sơn", "18145", "joined"),
        ("X. THẠCH BÌNH TP HÀ TĨNH", "18112", "joined"),
        ("Xã Đồng Môn, Thành phố Hà Tĩnh", "18103", "old_type"),
        ("Thôn 3, Xã Sơn Lâm, Huyện Hương Sơn", "18145", "library"),
    ],
)
def test_resolve_names_as_offices_write_them(query, legacy_code, stage):
    out = as_json(run("resolve", query, "--json"))
    assert (out["status"], out["legacy_code"], out["stage"]) == ("resolved", legacy_code, stage)
    text = run("resolve", query)
    assert text.returncode == 0
    assert {
        "joined": "[tách tên xã và huyện cũ]",
        "old_type": "[loại đơn vị cũ]",
        "library": "[gói vietnamadminunits]",
    }[stage] in text.stdout


def test_resolve_ambiguous_and_disambiguated():
    ambiguous = run_process("resolve", "Phường Trần Phú", "--json")
    assert ambiguous.returncode == 1
    out = as_json(ambiguous)
    assert out["status"] == "ambiguous" and {c["code"] for c in out["candidates"]} == {"18100", "18073"}

    legacy = as_json(run("resolve", "Phường Trần Phú", "--on", "2024-05-01", "--json"))
    assert (legacy["status"], legacy["legacy_code"], legacy["code"]) == ("resolved", "18094", "18073")
    current = run("resolve", "Phường Trần Phú", "--vintage", "2025", "--json")
    assert current.returncode == 0 and as_json(current)["code"] == "18100"

    missing = run("resolve", "Xã Không Tồn Tại")
    assert missing.returncode == 1


def test_resolve_file_csv_and_json(tmp_path):
    names = tmp_path / "ten.csv"
    names.write_text(
        "query,on\nKỳ Tân,2024-01-01\nPhường Trần Phú,\nPhường Trần Phú,2025-08-01\n18814,\n", encoding="utf-8"
    )
    done = run("resolve", "--file", str(names))
    assert done.returncode == 1  # one row stays ambiguous
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("input,on,status,vintage,legacy_code")
    assert lines[0].endswith(",message,stage")
    assert len(lines) == 5
    assert [line.split(",")[2] for line in lines[1:]] == ["resolved", "ambiguous", "resolved", "resolved"]

    as_list = as_json(run("resolve", "--file", str(names), "--json"))
    assert [r["code"] for r in as_list] == ["18814", None, "18100", "18814"]
    assert all(set(r) >= RESOLVE_KEYS for r in as_list)

    ok = tmp_path / "ok.csv"
    ok.write_text("query\nKỳ Tân\n", encoding="utf-8")
    assert run("resolve", "--file", str(ok), "--vintage", "legacy").returncode == 0


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["Kỳ Tân", "--file", "x.csv"],
        ["Kỳ Tân", "--on", "05/06/2024"],
        ["Kỳ Tân", "--vintage", "1990"],
        ["--file", "khong_co.csv"],
    ],
)
def test_resolve_bad_usage_exits_2(args, tmp_path):
    assert run("resolve", *args, cwd=tmp_path).returncode == 2


def test_resolve_file_without_query_column_exits_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("ten\nKỳ Tân\n", encoding="utf-8")
    done = run("resolve", "--file", str(bad))
    assert done.returncode == 2 and "query" in done.stderr


def test_demo_load_if_empty_leaves_an_existing_store_alone(tmp_path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'once.sqlite3'}"}
    cmd = [sys.executable, "-m", "loaders", "demo", "--load", "--if-empty"]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    assert "lần nhập số" in first.stdout
    second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0
    assert "không nạp" in second.stdout


def test_a_big_import_ends_after_its_background_checkpoint(db_url, tmp_path, monkeypatch):
    import threading
    import time

    from loaders.store import db

    monkeypatch.setattr("loaders.ingest.commit.DEFER_CHECKPOINT_FROM", 3)
    finished = []

    def slow_checkpoint(engine):
        # A checkpoint that takes a while: main() must still be waiting for it when it returns.
        def later():
            time.sleep(0.5)
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            finished.append(True)

        thread = threading.Thread(target=later, daemon=True)
        with db._engines_lock:
            db._checkpoints.append(thread)
        thread.start()

    monkeypatch.setattr(db, "_checkpoint_soon", slow_checkpoint)
    done = run(
        "import",
        "--dataset",
        "incidents",
        str(write_incidents(tmp_path / "lon.csv", ["C1", "C2", "C3"])),
        "--json",
        db_url=db_url,
    )
    assert done.returncode == 0 and as_json(done)["accepted"] == 3
    assert finished == ([True] if db_url.startswith("sqlite") else [])
