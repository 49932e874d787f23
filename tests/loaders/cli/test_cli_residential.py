"""``python -m loaders import --dataset residential_areas``: a list of thôn/TDP from the command line."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from loaders.cli import main as cli

ROOT = Path(__file__).resolve().parents[3]
HEADER = "Tên xã/phường;Xã cũ;Thôn/Tổ dân phố;Loại khu dân cư;Số hộ;Số nhân khẩu;Năm;Có tổ hòa giải;Có tổ bảo vệ ANTT"


def _write(path: Path, rows: list[str]) -> Path:
    """Semicolon-separated, UTF-8 with BOM, as Excel writes it."""
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8-sig"))
    return path


def test_the_command_line_imports_a_list_and_refuses_it_twice(db_url, tmp_path):
    good = _write(
        tmp_path / "thon.csv", ["Xã Kỳ Hoa;Kỳ Tân;Thôn 1;;120;480;2025;có;có", "Xã Kỳ Hoa;;TDP 2;;80;300;2025;;"]
    )
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "loaders", "import", "--dataset", "residential_areas", str(good), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["dataset"], out["rows"], out["accepted"], out["rejected"]) == ("residential_areas", 2, 2, 0)
    assert isinstance(out["import_id"], int)

    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli.main(["import", "--dataset", "residential_areas", str(good), "--json"], stdout, stderr)
    assert code == 1
    assert json.loads(stdout.getvalue())["duplicate_of"]["import_id"] == out["import_id"]

    bad = _write(tmp_path / "loi.csv", ["Xã Kỳ Hoa;Sơn Lâm;Thôn 3;;;;2025;;"])
    stdout = io.StringIO()
    code = cli.main(["import", "--dataset", "residential_areas", str(bad), "--json"], stdout, io.StringIO())
    assert code == 1
    errors = json.loads(stdout.getvalue())["errors"]
    assert [(e["row"], e["column"], e["value"], e["code"]) for e in errors] == [
        (2, "Xã cũ", "Sơn Lâm", "legacy_commune_elsewhere")
    ]
