"""``python -m loaders import`` names the dataset a file's headers fit when the one given lacks columns."""

from __future__ import annotations

import io
import json
from pathlib import Path

from loaders.cli import main as cli

INCIDENTS = "Mã vụ việc,Ngày,Tên xã,Huyện (cũ),Lĩnh vực\nVV-1,15/03/2024,Xã Kỳ Tân,Huyện Kỳ Anh,Hình sự\n"


def test_an_incidents_file_given_as_models_names_incidents(engine, tmp_path: Path):
    path = tmp_path / "vu_viec.csv"
    path.write_text(INCIDENTS, encoding="utf-8")
    stdout = io.StringIO()
    code = cli.main(["import", "--dataset", "models", str(path), "--json", "--dry-run"], stdout, io.StringIO())
    summary = json.loads(stdout.getvalue())
    assert code == 1 and summary["suggested_dataset"] == "incidents" and summary["accepted"] == 0

    text = io.StringIO()
    cli.main(["import", "--dataset", "models", str(path), "--dry-run"], text, io.StringIO())
    assert "có lẽ cần --dataset incidents" in text.getvalue()

    stdout = io.StringIO()
    cli.main(["import", "--dataset", "incidents", str(path), "--json", "--dry-run"], stdout, io.StringIO())
    assert json.loads(stdout.getvalue())["suggested_dataset"] is None
