"""``python -m loaders import --reports FROM:TO [--reports-communes all]``: what an incidents file reports."""

from __future__ import annotations

import pytest

from loaders.store import db, reads
from tests.loaders.cli.test_cli import as_json, run, run_process, write_incidents


def _months(db_url: str) -> dict[str, set[str]]:
    frame = reads.load_reports(db.get_engine(db_url))
    out: dict[str, set[str]] = {}
    for month, code in zip(frame["month"], frame["commune_code"]):
        out.setdefault(month.strftime("%Y-%m"), set()).add(code)
    return out


def test_reports_flags_set_the_months_and_the_communes(db_url, tmp_path):
    # Rows on 05/06/2024 in Xã Kỳ Tân (18814); the file reports April to June for the whole province.
    path = write_incidents(tmp_path / "quy2.csv", ["A1"])
    done = run_process(
        "import",
        "--dataset",
        "incidents",
        str(path),
        "--reports",
        "2024-04-01:2024-06-30",
        "--reports-communes",
        "all",
        "--json",
        db_url=db_url,
    )
    assert done.returncode == 0, done.stderr
    out = as_json(done)
    assert out["committed"]
    assert out["reports"] == {
        "months": 3,
        "communes": 69,
        "commune_months": 207,
        "first_month": "2024-04",
        "last_month": "2024-06",
    }
    months = _months(db_url)
    assert sorted(months) == ["2024-04", "2024-05", "2024-06"]
    assert all(len(codes) == 69 for codes in months.values())


def test_without_flags_the_file_reports_its_own_months_and_communes(db_url, tmp_path):
    path = write_incidents(tmp_path / "thang6.csv", ["B1", "B2"])
    dry = run("import", "--dataset", "incidents", str(path), "--dry-run", "--json", db_url=db_url)
    assert as_json(dry)["reports"]["communes"] == 1 and _months(db_url) == {}
    done = run("import", "--dataset", "incidents", str(path), db_url=db_url)
    assert done.returncode == 0
    assert "Báo cáo: 1 tháng (2024-06 – 2024-06), 1 xã, phường" in done.stdout
    assert _months(db_url) == {"2024-06": {"18814"}}


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--reports", "2024-04-01"], "không đúng dạng TỪ:ĐẾN"),
        (["--reports", "2024-04-31:2024-06-30"], "ngày không tồn tại"),
        (["--reports", "2024-06-30:2024-04-01"], "ngày đầu sau ngày cuối"),
        (["--reports", "2024-04-02:2024-04-30"], "không trọn tháng nào"),
        (["--reports-communes", "tinh"], "chỉ nhận «all»"),
    ],
)
def test_bad_reporting_values_exit_2_with_a_vietnamese_message(db_url, tmp_path, flags, message):
    path = write_incidents(tmp_path / "x.csv", ["C1"])
    done = run("import", "--dataset", "incidents", str(path), *flags, db_url=db_url)
    assert done.returncode == 2
    assert message in done.stderr
    as_json_done = run("import", "--dataset", "incidents", str(path), *flags, "--json", db_url=db_url)
    assert as_json_done.returncode == 2 and message in as_json(as_json_done)["message"]
    assert _months(db_url) == {}


def test_reporting_flags_are_refused_for_other_datasets(db_url, tmp_path):
    path = write_incidents(tmp_path / "x.csv", ["C1"])
    done = run("import", "--dataset", "models", str(path), "--reports", "2024-04-01:2024-06-30", db_url=db_url)
    assert done.returncode == 2 and "chỉ dùng cho bộ dữ liệu vụ việc" in done.stderr
