"""Measure how fast and how lean the XLSX "bomb" is refused.

The bomb is a 5 KB workbook whose sheet declares the whole grid (A1:XFD1048576)
and holds one cell in its far corner. The reader must refuse it from the XML,
before any cell is read. Two measurements:

* in process: ``read_table`` raising ``UnreadableFileError`` (median of 5);
* a whole ``python -m loaders import`` process (imports included): wall time
  and peak resident memory.

Budget: in process at most 3 s; the whole command at most 30 s and 400 MB.
Exit code 1 when a budget is exceeded.

Usage::

    python bench/sheet_bomb.py
"""

from __future__ import annotations

import io
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

_PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(_PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(_PROJECT_ROOT))

from loaders.ingest.rawtable import UnreadableFileError
from loaders.ingest.reading import read_table

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def bomb() -> bytes:
    """The workbook: every part written by hand, so no library pads or fixes it."""
    corner = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{_PKG}/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEET_TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SHEET_TYPE}.worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{_MAIN}"><dimension ref="A1:XFD1048576"/>'
        f"<sheetData>{corner}</sheetData></worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def in_process(data: bytes, runs: int = 5) -> float:
    """Median seconds for ``read_table`` to refuse ``data``."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        try:
            read_table(data, "bom.xlsx")
        except UnreadableFileError:
            times.append(time.perf_counter() - started)
        else:
            raise SystemExit("the bomb was read instead of refused")
    return statistics.median(times)


def whole_command(data: bytes) -> tuple[int, float, int]:
    """Exit status, wall seconds and peak resident MB of ``python -m loaders import`` on ``data``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bom.xlsx"
        path.write_bytes(data)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "loaders", "import", "--dataset", "incidents", str(path), "--json"],
            cwd=_PROJECT_ROOT,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return done.returncode, seconds, peak_mb


def main() -> int:
    data = bomb()
    inside = in_process(data)
    status, seconds, peak_mb = whole_command(data)
    print(f"bomb: {len(data)} bytes")
    print(f"refused in process: {inside:.3f} s (budget 3 s)")
    print(f"python -m loaders import: exit {status}, {seconds:.1f} s (budget 30 s), peak {peak_mb} MB (budget 400 MB)")
    ok = status == 2 and inside <= 3 and seconds <= 30 and peak_mb <= 400
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
