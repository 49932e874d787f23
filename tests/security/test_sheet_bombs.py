"""A 5 KB workbook must not take the server down, nor a CSV with absurdly many columns.

A sheet that declares A1:XFD1048576, or whose few cells reach that far, made
openpyxl pad every row to the declared width (6 GB in two minutes) and would
make any reader that fills rows allocate 17 billion cells. Such a sheet is
refused from its XML, before any reader holds its cells, with the usual
Vietnamese message and exit status 2 on the command line.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from loaders.cli import main as cli
from loaders.cli.common import EXIT_USAGE
from loaders.ingest import limits
from loaders.ingest.rawtable import UnreadableFileError
from loaders.ingest.reading import read_table
from loaders.ingest.sheet_extent import column_letters, column_number
from tests.support.files import csv_bytes, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook(sheet_xml: str, sheet_name: str = "Sheet1") -> bytes:
    """A minimal valid workbook whose one sheet is ``sheet_xml``, written by hand (no library pads it)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def sheet(rows: str, dimension: str | None = None, prefix: str = "") -> str:
    """Sheet XML around ``rows`` (``<row>`` elements), with an optional ``<dimension ref>``."""
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    dim = f'<{p}dimension ref="{dimension}"/>' if dimension else ""
    head = f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {ns}>{dim}'
    return f"{head}<{p}sheetData>{rows}</{p}sheetData></{p}worksheet>"


def text_cell(ref: str | None, text: str) -> str:
    r = f' r="{ref}"' if ref else ""
    return f'<c{r} t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_ROW = '<row r="1">' + text_cell("A1", "Mã vụ việc") + text_cell("B1", "Tên xã") + "</row>"


def the_bomb() -> bytes:
    """The review's bomb: the whole grid declared, one cell in the last row and column."""
    return workbook(sheet('<row r="1048576">' + text_cell("XFD1048576", "x") + "</row>", "A1:XFD1048576"))


# ------------------------------------------------------------------ refused from the XML, quickly
def test_the_5_kb_bomb_is_refused_naming_the_sheet_and_the_declared_range():
    data = the_bomb()
    assert len(data) < 5 * 1024
    with pytest.raises(UnreadableFileError) as refused:
        read_table(data, "bom.xlsx")
    message = str(refused.value)
    assert "«bom.xlsx» bị từ chối" in message and "«Sheet1»" in message and "A1:XFD1048576" in message
    assert "1048576 dòng × 16384 cột" in message and "vượt giới hạn" in message


#: Sheets whose few cells reach beyond the limits while declaring a tiny dimension (or none).
FAR_CELLS = {
    # A header in A1 and one cell in the last row and column: a filling reader asks for 17 billion cells
    # (python-calamine aborts the whole process on the failed allocation, openpyxl grows for minutes).
    "header and a far corner": HEADER_ROW + '<row r="1048576">' + text_cell("XFD1048576", "x") + "</row>",
    "far column only": '<row r="1">' + text_cell("A1", "Mã vụ việc") + text_cell("XFD1", "x") + "</row>",
    "far row only": HEADER_ROW + '<row r="3000000"><c r="A3000000"><v>1</v></c></row>',
    "lower-case reference": HEADER_ROW + '<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>',
    "reference written with a character entity": HEADER_ROW + '<row r="9"><c r="&#88;FD9"><v>1</v></c></row>',
    "r not the first attribute": HEADER_ROW + '<row r="2"><c s="0" t="n" r="ZZ2"><v>1</v></c></row>',
    "single-quoted reference": HEADER_ROW + "<row r='2'><c r='ZZZ2'><v>1</v></c></row>",
    "a wide row of cells without references": HEADER_ROW + "<row>" + "<c><v>1</v></c>" * 600 + "</row>",
}


@pytest.mark.parametrize("rows", FAR_CELLS.values(), ids=FAR_CELLS.keys())
def test_a_sheet_whose_cells_reach_beyond_the_limits_is_refused_whatever_it_declares(rows):
    for dimension in ("A1:B2", None):
        with pytest.raises(UnreadableFileError, match=r"«Sheet1» trải trên vùng A1:.*vượt giới hạn"):
            read_table(workbook(sheet(rows, dimension)), "xa.xlsx")


def test_a_namespace_prefix_does_not_hide_a_far_cell():
    rows = '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="XFD1"><x:v>2</x:v></x:c></x:row>'
    with pytest.raises(UnreadableFileError, match="A1:XFD1 "):
        read_table(workbook(sheet(rows, "A1:B1", prefix="x")), "tien_to.xlsx")


def test_a_sheet_with_too_many_cells_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_CELLS", 50)
    body = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="B{i}"><v>{i}</v></c></row>' for i in range(2, 40))
    with pytest.raises(UnreadableFileError, match=r"A1:B39 \(39 dòng × 2 cột, 78 ô\)"):
        read_table(workbook(sheet(HEADER_ROW + body)), "nhieu_o.xlsx")


def test_a_sheet_at_the_limits_is_read_with_its_row_numbers(monkeypatch):
    monkeypatch.setattr(limits, "MAX_COLUMNS", 3)
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    rows = [["Báo cáo"], [], ["Mã vụ việc", "Tên xã", "Ngày"], ["VV-1", "Kỳ Tân", "01/02/2024"], ["VV-2", "", ""]]
    table = read_table(xlsx_bytes({"Vụ việc": rows}), "vua.xlsx")
    assert table.header_row == 3 and list(table.row_numbers) == [4, 5]
    assert table.frame["Mã vụ việc"].tolist() == ["VV-1", "VV-2"]


def test_cells_without_references_are_placed_one_after_another():
    rows = "<row>" + text_cell(None, "Mã vụ việc") + text_cell(None, "Tên xã") + "</row>"
    rows += "<row>" + text_cell(None, "VV-1") + text_cell(None, "Kỳ Tân") + "</row>"
    table = read_table(workbook(sheet(rows)), "khong_ref.xlsx")
    assert table.frame.to_dict("records") == [{"Mã vụ việc": "VV-1", "Tên xã": "Kỳ Tân"}]


@pytest.mark.parametrize("number", [1, 26, 27, 52, 702, 703, 16384])
def test_column_letters_and_numbers_round_trip(number):
    assert column_number(column_letters(number)) == number
    assert column_letters(16384) == "XFD" and column_number("aa") == 27


# ------------------------------------------------------------------ CSV with absurdly many columns
@pytest.mark.parametrize("width", [limits.MAX_COLUMNS + 1, 20_000])
def test_a_csv_with_absurdly_many_columns_is_refused_cleanly(width):
    """Regression: more than 18,278 columns raised an unhandled ValueError (no column letters beyond ZZZ)."""
    data = csv_bytes([[f"c{i}" for i in range(width)], ["x"] * width])
    with pytest.raises(UnreadableFileError, match=f"«rong.csv» bị từ chối: dòng 1 có {width} cột, vượt giới hạn"):
        read_table(data, "rong.csv")


def test_a_csv_at_the_column_limit_is_read():
    data = csv_bytes([[f"Cột số {i}" for i in range(limits.MAX_COLUMNS)], ["x"] * limits.MAX_COLUMNS])
    assert read_table(data, "vua.csv").frame.shape == (1, limits.MAX_COLUMNS)


# ------------------------------------------------------------------ the command line: exit 2
@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("bom.xlsx", the_bomb, "A1:XFD1048576"),
        ("xa.xlsx", lambda: workbook(sheet(FAR_CELLS["header and a far corner"], "A1:B2")), "A1:XFD1048576"),
        ("rong.csv", lambda: csv_bytes([[f"c{i}" for i in range(20_000)]]), "20000 cột"),
    ],
)
def test_the_command_line_refuses_with_status_2(tmp_path, name, make, words):
    path = tmp_path / name
    path.write_bytes(make())
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(["import", "--dataset", "incidents", str(path), "--json"], out, err)
    summary = json.loads(out.getvalue())
    assert status == EXIT_USAGE == 2
    assert summary["refused"] == "unreadable" and name in summary["message"] and words in summary["message"]


_MEASURE = """
import resource, subprocess, sys
done = subprocess.run([sys.executable, "-m", "loaders", "import", "--dataset", "incidents", sys.argv[1], "--json"],
                      capture_output=True, text=True)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.stderr.write(done.stdout + done.stderr)
"""


def test_refusing_the_bomb_takes_little_memory_in_a_real_process(tmp_path):
    """The whole ``python -m loaders`` process, imports included, stays far below what the bomb asks.

    Its time is measured by ``bench/sheet_bomb.py``, not here.
    """
    path = tmp_path / "bom.xlsx"
    path.write_bytes(workbook(sheet(FAR_CELLS["header and a far corner"], "A1:XFD1048576")))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    status, peak_kb = done.stdout.split()
    assert int(status) == 2, done.stderr
    assert "A1:XFD1048576" in done.stderr and "Traceback" not in done.stderr
    assert int(peak_kb) < 400 * 1024, f"peak {int(peak_kb) // 1024} MB"
