"""``python -m loaders report``: the JSON contract, the documents, the audit entry and the exit codes."""

from __future__ import annotations

import io
import json

import docx
import openpyxl
import pytest
import sqlalchemy as sa

from analysis.report_tables import TABLES
from loaders.cli.common import default_user
from loaders.store import db
from loaders.store.tables import events
from tests.loaders.cli.test_cli import as_json, run, write_incidents

UNIT_KEYS = {
    "residential_areas",
    "residential_areas_covered",
    "models",
    "incidents",
    "incidents_compare",
    "population",
    "population_source",
}


@pytest.fixture
def june_2024(db_url, tmp_path):
    """Two incidents in Xã Kỳ Tân (now in Xã Kỳ Hoa, 18814) on 05/06/2024; the file reports June 2024."""
    path = write_incidents(tmp_path / "thang6.csv", ["A1", "A2"])
    assert run("import", "--dataset", "incidents", str(path), "--reports", "2024-06-01:2024-06-30").returncode == 0
    return db_url


def _report_events(db_url: str) -> list[tuple[str, dict]]:
    with db.get_engine(db_url).connect() as conn:
        rows = conn.execute(sa.select(events.c.user_name, events.c.detail).where(events.c.action == "export")).all()
    return [(r.user_name, json.loads(r.detail)) for r in rows]


def test_json_follows_the_contract_and_is_audited(june_2024):
    done = run("report", "--period", "month:2024-06", "--unit", "18814")
    assert done.returncode == 0, done.stderr
    out = as_json(done)
    assert out["period"] == {"from": "2024-06-01", "to": "2024-06-30"}
    assert out["compare"] == {"from": "2023-06-01", "to": "2023-06-30", "rule": "same-period-last-year"}
    assert out["demo"] is False
    assert UNIT_KEYS | {"communes_recognised", "communes_total"} <= set(out["province"])
    assert out["province"]["communes_total"] == 69
    assert [c["code"] for c in out["communes"]] == ["18814"]
    commune = out["communes"][0]
    assert UNIT_KEYS | {"recognised"} <= set(commune)
    # Reported June 2024 with two incidents; June 2023 was not reported: no data, not zero.
    assert (commune["incidents"], commune["incidents_compare"]) == (2, None)
    assert commune["residential_areas"] is None  # no list of thôn/TDP imported
    assert out["unit"]["incidents"] == 2
    assert _report_events(june_2024) == [
        (
            default_user(),
            {
                "report": {
                    "format": "json",
                    "unit": "18814",
                    "from": "2024-06-01",
                    "to": "2024-06-30",
                    "compare": "same-period-last-year",
                }
            },
        )
    ]


def test_documents_open_and_hold_the_tables(june_2024, tmp_path):
    target = tmp_path / "bao_cao.docx"
    done = run("report", "--from", "2024-06-01", "--to", "2024-06-30", "--format", "docx", "--out", str(target))
    assert done.returncode == 0, done.stderr
    document = docx.Document(io.BytesIO(target.read_bytes()))
    texts = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in texts
    assert "1. Số liệu chính" in texts and "2. Mô hình theo loại và kết quả đánh giá" in texts
    headers = [[c.text for c in t.rows[0].cells] for t in document.tables]
    by_field = next(t for t, h in zip(document.tables, headers) if h[0] == "Lĩnh vực")
    rows = {r.cells[0].text: r.cells[1].text for r in by_field.rows[1:]}
    assert rows["Ma túy"] == "2"
    assert any(h[:2] == ["Loại mô hình", "Hiệu quả"] for h in headers)
    assert _report_events(june_2024)[0][1]["report"]["file"] == "bao_cao.docx"

    pdf = tmp_path / "bao_cao.pdf"
    assert run("report", "--period", "month:2024-06", "--format", "pdf", "--out", str(pdf)).returncode == 0
    assert pdf.read_bytes().startswith(b"%PDF")

    xlsx = tmp_path / "bao_cao.xlsx"
    assert run("report", "--period", "month:2024-06", "--format", "xlsx", "--out", str(xlsx)).returncode == 0
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames[0] == "1. Số liệu chính" and book.sheetnames[-1] == "Bộ lọc và nguồn"
    assert len(book.sheetnames) == len(TABLES) + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "year:25"], "Kỳ"),
        (["--to", "2025-01-01"], "--to cần đi cùng --from"),
        (["--period", "year:2025", "--from", "2025-01-01", "--to", "2025-02-01"], "không dùng cả hai"),
        (["--from", "2025-02-01", "--to", "2025-01-01"], "sau ngày kết thúc"),
        (["--compare", "last-year"], "--compare không hợp lệ"),
        (["--format", "doc"], "--format không hợp lệ"),
        (["--format", "docx"], "cần --out"),
        (["--unit", "99999"], "Đơn vị '99999' không hợp lệ"),
        (["--unit", "district:999"], "Không có huyện cũ mã '999'"),
        (["--threshold", "150"], "--threshold phải từ 0 đến 100"),
    ],
)
def test_bad_usage_exits_2_with_a_vietnamese_message(args, message):
    done = run("report", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""
