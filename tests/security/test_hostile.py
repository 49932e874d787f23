"""Hostile input: unsafe files are refused before the store, names are never paths,
and hostile text from imports reaches every output as inert text.

Three parts:

* unsafe files (over the size limit, zip bombs, absurd row counts, contents that are not
  what the extension says, binary garbage, NUL bytes) are refused by
  :func:`loaders.ingest.preview.preview_import` with a Vietnamese message and by
  ``python -m loaders import ... --json`` with exit status 2, and nothing reaches the store;
* file names from users are only text: the original is kept by its sha256 and nothing is
  written outside the data folder;
* text fields carrying markup, script and spreadsheet formulas are imported, then read
  back through the map HTML, the restyle script, tables (AppTest), CSV/XLSX exports, error
  reports, the PDF briefing and the printable map, where they must show literally and
  inertly.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from loaders.cli import main as cli
from loaders.cli.common import EXIT_USAGE
from loaders.ingest import limits, reading
from loaders.ingest.commit import commit_import
from loaders.ingest.history import import_report, original_file
from loaders.ingest.preview import ImportPreview, ImportRefused, ImportRequest, preview_import
from loaders.ingest.reports import report_bytes
from loaders.store import db, originals, reads, tables
from tests.support.files import csv_bytes, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
USER = "tester"

MODELS_HEADER = [
    "Tên xã",
    "Huyện (cũ)",
    "Tên mô hình",
    "Loại mô hình",
    "Nơi triển khai",
    "Ngày thành lập",
    "Trạng thái",
    "Ghi chú",
]


def models_rows(names: list[str], notes: list[str] | None = None) -> list[list[str]]:
    notes = notes or [""] * len(names)
    return [MODELS_HEADER] + [
        ["Xã Kỳ Tân", "Huyện Kỳ Anh", n, "tự quản", "khu dân cư", "01/02/2021", "đang hoạt động", note]
        for n, note in zip(names, notes)
    ]


def preview(
    engine,
    registry,
    data: bytes,
    name: str,
    dataset: str = "models",
) -> ImportPreview:
    request = ImportRequest(dataset=dataset, data=data, file_name=name, user=USER)
    return preview_import(engine, request, registry=registry)


def counts(engine) -> dict[str, int]:
    """Rows per table and the data version."""
    with engine.connect() as conn:
        out = {
            t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar())
            for t in tables.metadata.sorted_tables
            if t is not tables.meta
        }
    out["data_version"] = db.data_version(engine)
    return out


def run_cli(*args: str) -> tuple[int, dict]:
    """``python -m loaders`` in this process (so limits patched by a test apply); exit status and JSON."""
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(args), out, err)
    return status, json.loads(out.getvalue())


@pytest.fixture
def sqlite_engine():
    return db.get_engine()


# ------------------------------------------------------------------ NUL bytes
def _late_nul_csv(encoding: str = "utf-8") -> bytes:
    """A valid models file whose one NUL sits far beyond the first 64 KB the reader sniffs."""
    names = [f"Mô hình {i}" for i in range(1500)]
    rows = models_rows(names, ["x" * 40] * len(names))
    rows.append(
        [
            "Xã Kỳ Tân",
            "Huyện Kỳ Anh",
            "Mô hình\x00NUL",
            "tự quản",
            "khu dân cư",
            "01/02/2021",
            "đang hoạt động",
            "a\x00b",
        ]
    )
    return csv_bytes(rows, encoding)


@pytest.mark.parametrize("variant", ["utf-8", "utf-8 BOM", "utf-16"])
def test_a_nul_byte_anywhere_in_a_text_file_refuses_it_on_every_store(engine, registry, variant):
    """Regression: a NUL after the sniffed head passed the reader; PostgreSQL then failed the commit
    with an unhandled DataError ("text fields cannot contain NUL") instead of a refusal."""
    data = {"utf-8": _late_nul_csv(), "utf-8 BOM": _late_nul_csv("utf-8-sig"), "utf-16": _late_nul_csv("utf-16")}[
        variant
    ]
    assert len(data) > 2 * 64 * 1024  # the NUL is beyond the sniffed head
    before = counts(engine)
    with pytest.raises(ImportRefused) as refused:
        preview(engine, registry, data, "mo_hinh.csv")
    assert refused.value.reason == "unreadable"
    assert "mo_hinh.csv" in str(refused.value) and "không phải tệp văn bản" in str(refused.value)
    assert counts(engine) == before


# ---------------------------------------------------------------- unsafe files
def _zip_bomb() -> bytes:
    """A real workbook plus one member that unpacks to just over the limit (about 200 KB packed)."""
    base = xlsx_bytes({"Dữ liệu": models_rows(["Mô hình A"])})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        with dst.open("xl/media/padding.bin", "w") as member:
            block = b"\0" * (1 << 20)
            for _ in range(limits.MAX_UNCOMPRESSED_BYTES // len(block) + 1):
                member.write(block)
    return out.getvalue()


def _workbook_with_sheet(transform) -> bytes:
    """A one-model workbook whose first sheet's XML went through ``transform``."""
    base = xlsx_bytes({"Dữ liệu": models_rows(["Mô hình A"])})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = transform(data)
            dst.writestr(info, data)
    return out.getvalue()


def _lying_zip() -> bytes:
    """A workbook whose sheet's headers claim a tiny size but whose data unpacks to 50 MB."""
    raw = bytearray(
        _workbook_with_sheet(lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (50 << 20), 1))
    )
    # Forge the uncompressed size of the sheet, in its central-directory entry and in its
    # local header, down to 1 KB: what a size check that trusts the headers would see.
    fake = (1024).to_bytes(4, "little")
    eocd = raw.rfind(b"PK\x05\x06")
    pos = int.from_bytes(raw[eocd + 16 : eocd + 20], "little")
    for _ in range(int.from_bytes(raw[eocd + 10 : eocd + 12], "little")):
        name_len, extra_len, comment_len = (int.from_bytes(raw[pos + i : pos + i + 2], "little") for i in (28, 30, 32))
        if raw[pos + 46 : pos + 46 + name_len] == b"xl/worksheets/sheet1.xml":
            raw[pos + 24 : pos + 28] = fake
            local = int.from_bytes(raw[pos + 42 : pos + 46], "little")
            raw[local + 22 : local + 26] = fake
        pos += 46 + name_len + extra_len + comment_len
    return bytes(raw)


def _declared_rows_bomb() -> bytes:
    """A tiny workbook whose sheet declares three million rows."""

    def declare_rows(xml: bytes) -> bytes:
        start = xml.index(b'<dimension ref="')
        end = xml.index(b'"', start + len(b'<dimension ref="'))
        return xml[:start] + b'<dimension ref="A1:H3000000' + xml[end:]

    return _workbook_with_sheet(declare_rows)


def _png() -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
        b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "không phải bảng tính")
        archive.writestr("data.csv", "Tên xã,Tên mô hình\nXã Kỳ Tân,A\n")
    return out.getvalue()


def _garbage(seed: int, size: int = 4096) -> bytes:
    return random.Random(seed).randbytes(size)


#: (case id, file name, content factory, words the Vietnamese message must contain).
UNSAFE_FILES = [
    ("zip bomb", "mo_hinh.xlsx", _zip_bomb, "sau giải nén"),
    ("zip lying about its size", "mo_hinh.xlsx", _lying_zip, "không phải tệp .xlsx hợp lệ"),
    ("absurd declared row count", "mo_hinh.xlsx", _declared_rows_bomb, "vượt giới hạn"),
    ("PNG named .csv", "anh.csv", _png, "không phải tệp văn bản"),
    ("PNG named .xlsx", "anh.xlsx", _png, "không phải tệp .xlsx hợp lệ"),
    ("CSV named .xlsx", "mo_hinh.xlsx", lambda: csv_bytes(models_rows(["Mô hình A"])), "không phải tệp .xlsx hợp lệ"),
    ("ZIP that is not a workbook, named .xlsx", "mo_hinh.xlsx", _plain_zip, "không phải tệp .xlsx hợp lệ"),
    ("ZIP named .csv", "mo_hinh.csv", _plain_zip, "tệp nén"),
    ("legacy .xls named .xlsx", "mo_hinh.xlsx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + _garbage(1), ".xls"),
    ("PDF named .csv", "bao_cao.csv", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + _garbage(2), "CSV/TXT"),
    ("binary garbage .csv", "rac.csv", lambda: _garbage(3), "không"),
    ("binary garbage .txt", "rac.txt", lambda: _garbage(4), "không"),
    ("binary garbage .xlsx", "rac.xlsx", lambda: _garbage(5), "không phải tệp .xlsx hợp lệ"),
    ("garbage behind a ZIP header", "rac.xlsx", lambda: b"PK\x03\x04" + _garbage(6), "không phải tệp .xlsx hợp lệ"),
    ("empty file", "rong.csv", lambda: b"", "rỗng"),
]


@pytest.fixture(scope="module")
def unsafe_contents() -> dict[str, bytes]:
    """Each unsafe file built once (the zip bomb takes a second)."""
    return {case: make() for case, _, make, _ in UNSAFE_FILES}


@pytest.mark.parametrize(
    ("case", "name", "words"), [(c, n, w) for c, n, _, w in UNSAFE_FILES], ids=[c for c, *_ in UNSAFE_FILES]
)
def test_unsafe_files_are_refused_by_the_importer_with_a_message(
    sqlite_engine, registry, unsafe_contents, case, name, words
):
    before = counts(sqlite_engine)
    with pytest.raises(ImportRefused) as refused:
        preview(sqlite_engine, registry, unsafe_contents[case], name)
    message = str(refused.value)
    assert refused.value.reason == "unreadable"
    assert name in message and words in message, message
    assert counts(sqlite_engine) == before


@pytest.mark.parametrize(
    ("case", "name", "words"), [(c, n, w) for c, n, _, w in UNSAFE_FILES], ids=[c for c, *_ in UNSAFE_FILES]
)
def test_unsafe_files_are_refused_by_the_command_line_with_status_2(
    sqlite_engine, unsafe_contents, tmp_path, case, name, words
):
    path = tmp_path / name
    path.write_bytes(unsafe_contents[case])
    before = counts(sqlite_engine)
    status, summary = run_cli("import", "--dataset", "models", str(path), "--json")
    assert status == EXIT_USAGE == 2
    assert summary["refused"] == "unreadable" and summary["import_id"] is None
    assert name in summary["message"] and words in summary["message"]
    assert counts(sqlite_engine) == before


def test_the_command_line_process_refuses_a_disguised_file(tmp_path):
    """The real ``python -m loaders`` entry point, in its own process: exit 2 and a JSON message."""
    path = tmp_path / "anh.csv"
    path.write_bytes(_png())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "loaders", "import", "--dataset", "incidents", str(path), "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    summary = json.loads(done.stdout)
    assert summary["refused"] == "unreadable" and "anh.csv" in summary["message"]
    assert "Traceback" not in done.stderr
    with db.get_engine().connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.imports)).scalar() == 0


# ----------------------------------------------------------------- size limit
def test_files_over_the_upload_limit_are_refused_before_reading(sqlite_engine, registry, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 1 << 20)
    names = [f"Mô hình {i}" for i in range(20_000)]
    data = csv_bytes(models_rows(names))
    assert len(data) > 1 << 20
    parsed = []
    monkeypatch.setattr(reading, "read_text", lambda *a: parsed.append(a))  # must never be reached
    before = counts(sqlite_engine)
    with pytest.raises(ImportRefused) as refused:
        preview(sqlite_engine, registry, data, "lon.csv")
    assert "lon.csv" in str(refused.value) and "vượt giới hạn 1 MB" in str(refused.value)
    path = tmp_path / "lon.csv"
    path.write_bytes(data)
    status, summary = run_cli("import", "--dataset", "models", str(path), "--json")
    assert status == 2 and summary["refused"] == "unreadable" and "vượt giới hạn 1 MB" in summary["message"]
    assert not parsed and counts(sqlite_engine) == before


def test_a_file_at_the_upload_limit_is_read(sqlite_engine, registry, monkeypatch):
    data = csv_bytes(models_rows(["Mô hình A", "Mô hình B"]))
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", len(data))
    assert preview(sqlite_engine, registry, data, "vua.csv").n_accepted == 2


def test_the_importer_limit_covers_what_the_upload_page_accepts():
    """Streamlit enforces ``server.maxUploadSize`` on the page; the importer's own limit must not be
    stricter (a file the page accepted would then fail later), and must fit a million-row CSV (~95 MB)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    page_limit = int(config["server"]["maxUploadSize"]) * 2**20  # Streamlit counts megabytes
    assert page_limit <= limits.MAX_UPLOAD_BYTES
    assert limits.MAX_UPLOAD_BYTES >= 100 * 2**20
    assert limits.MAX_UPLOAD_BYTES <= limits.MAX_UNCOMPRESSED_BYTES


def test_row_limit_is_enforced_while_reading_when_the_sheet_does_not_declare_it(sqlite_engine, registry, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 50)
    base = xlsx_bytes({"Dữ liệu": models_rows([f"Mô hình {i}" for i in range(80)])})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b"<dimension")
                data = data[:start] + data[data.index(b"/>", start) + 2 :]  # no declared size
            dst.writestr(info, data)
    with pytest.raises(ImportRefused, match="vượt giới hạn 50 dòng"):
        preview(sqlite_engine, registry, out.getvalue(), "dai.xlsx")
    assert counts(sqlite_engine)["imports"] == 0


# ------------------------------------------------------------------ file names
HOSTILE_NAMES = [
    "../../etc/passwd",
    "..\\x.csv",
    "a\x00b.csv",
    "/tmp/tuyet_doi.csv",
    "C:\\Windows\\win.ini",
    "con.csv",
    "<img src=x onerror=alert(1)>.csv",
    '=HYPERLINK("http://x").csv',
    "ten " * 100 + ".csv",
]


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=lambda n: repr(n)[:30])
def test_file_names_are_text_and_originals_are_kept_by_hash(engine, registry, tmp_path, name, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative path written by mistake would land here
    data = csv_bytes(models_rows(["Mô hình A"]))
    watched = tmp_path.parent
    before_files = _files_under(watched)
    p = preview(engine, registry, data, name)
    outcome = commit_import(engine, p, user=USER)
    assert outcome.committed
    sha = hashlib.sha256(data).hexdigest()
    with engine.connect() as conn:
        stored = conn.execute(sa.select(tables.stored_files)).all()
        recorded = conn.execute(sa.select(tables.imports.c.file_name, tables.imports.c.sha256)).one()
    assert [(r.sha256, originals.unpack_original(r.codec, r.content, r.size_bytes)) for r in stored] == [(sha, data)]
    assert recorded.sha256 == sha
    assert recorded.file_name == name.replace("\x00", "\ufffd")[:255]  # PostgreSQL text cannot hold NUL
    assert original_file(engine, outcome.import_id) == (recorded.file_name, data)
    # Only the store's own files changed (the SQLite database of this test, if SQLite).
    created = {
        p
        for p in _files_under(watched) - before_files
        if p.name.split("-")[0] != "store.sqlite3" and not p.name.startswith("hatinh.sqlite3")
    }
    assert not created, created
    assert not any(part in {"passwd", "x.csv", "win.ini"} for p in _files_under(watched) for part in p.parts)


# ------------------------------------------------------------- over-long text
@pytest.mark.parametrize(
    ("dataset", "rows", "column"),
    [
        ("models", models_rows(["M" * 301, "Mô hình ngắn"]), "Tên mô hình"),
        ("models", models_rows(["N" * 301, "M" * 300], ["", "y" * 100_000]), "Tên mô hình"),  # 300 fits
        (
            "incidents",
            [
                ["Mã vụ việc", "Ngày", "Tên xã", "Huyện (cũ)", "Lĩnh vực"],
                ["V" * 101, "15/03/2024", "Xã Kỳ Tân", "Huyện Kỳ Anh", "hình sự"],
                ["VV-2", "15/03/2024", "Xã Kỳ Tân", "Huyện Kỳ Anh", "hình sự"],
            ],
            "Mã vụ việc",
        ),
        (
            "recognitions",
            [
                ["Năm", "Tên xã", "Huyện (cũ)", "Loại đơn vị", "Tên đơn vị", "Kết quả"],
                ["2024", "Xã Kỳ Tân", "Huyện Kỳ Anh", "khu dân cư", "Thôn " + "d" * 300, "đạt"],
                ["2024", "Xã Kỳ Tân", "Huyện Kỳ Anh", "khu dân cư", "Thôn Một", "đạt"],
            ],
            "Tên đơn vị",
        ),
    ],
    ids=["model name", "model name at the limit", "incident code", "unit name"],
)
def test_text_longer_than_its_store_column_is_a_row_error_on_every_store(engine, registry, dataset, rows, column):
    """Regression: a 301-character model name (or 101-character incident code...) was accepted; SQLite
    kept it, PostgreSQL failed the whole commit with an unhandled DataError ("value too long")."""
    p = preview(engine, registry, csv_bytes(rows), "dai.csv", dataset)
    assert p.n_accepted == 1 and p.n_rejected == 1
    error = p.errors.iloc[0]
    assert (error["row"], error["code"], error["column"]) == (2, "too_long", column)
    assert "vượt giới hạn" in error["message"] and len(error["value"]) <= 201
    outcome = commit_import(engine, p, valid_only=True, user=USER)
    assert outcome.committed and outcome.written == 1
    assert import_report(engine, outcome.import_id)["row"].tolist() == [2]
    assert b"too_long" in report_bytes(p.errors, "csv")


def test_long_free_text_is_kept_whole(engine, registry):
    """Notes and descriptions are unbounded: 100 000 characters pass and come back whole."""
    note = "ghi chú " * 12_500
    p = preview(engine, registry, csv_bytes(models_rows(["Mô hình dài"], [note])), "ghi_chu.csv")
    assert p.n_accepted == 1 and p.errors.empty
    commit_import(engine, p, user=USER)
    with engine.connect() as conn:
        assert conn.execute(sa.select(tables.models.c.notes)).scalar() == note.strip()


# ------------------------------------------------ hostile text through every output
#: What users may type into a text field: markup, a script break-out, spreadsheet formulas.
HOSTILE = (
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1+2",
    "@SUM(1)",
    "\t=1",
    "\r=1",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_rows(text: str) -> list[list[str]]:
    """Rows as a spreadsheet reads a CSV: CR, LF and CRLF all end a row unless inside quotes."""
    return list(csv.reader(io.StringIO(text, newline="")))


def _as_imported(text: str) -> str:
    """A hostile value as the reader keeps it (cells are trimmed, so "\\t=1" arrives as "=1")."""
    return text.strip()


@pytest.fixture
def hostile_store(sqlite_engine, registry):
    """Models, incidents and recognitions whose text fields are the hostile strings, imported as a user would."""
    day = (dt.date.today() - dt.timedelta(days=3)).strftime("%d/%m/%Y")
    models = [MODELS_HEADER] + [
        ["Xã Kỳ Tân", "Huyện Kỳ Anh", f"{h} {i}", "tự quản", "khu dân cư", "01/02/2021", "đang hoạt động", h]
        for i, h in enumerate(HOSTILE)
    ]
    incidents = [["Mã vụ việc", "Ngày", "Tên xã", "Huyện (cũ)", "Lĩnh vực", "Vĩ độ", "Kinh độ", "Mô tả"]] + [
        [f"{h} {i}", day, "Xã Kỳ Tân", "Huyện Kỳ Anh", "hình sự", f"18.{1 + i}", "106.2", h]
        for i, h in enumerate(HOSTILE)
    ]
    recognitions = [["Năm", "Tên xã", "Huyện (cũ)", "Loại đơn vị", "Tên đơn vị", "Kết quả"]] + [
        ["2024", "Xã Kỳ Tân", "Huyện Kỳ Anh", "khu dân cư", f"{h} {i}", "đạt"] for i, h in enumerate(HOSTILE)
    ]
    for dataset, rows in (("models", models), ("incidents", incidents), ("recognitions", recognitions)):
        p = preview(sqlite_engine, registry, csv_bytes(rows), f"{HOSTILE[0]}.csv", dataset)
        assert p.n_rejected == 0, p.errors.to_dict("records")
        assert commit_import(sqlite_engine, p, user=HOSTILE[1]).written == len(HOSTILE)
    return sqlite_engine


def test_hostile_text_is_stored_verbatim(hostile_store):
    models = reads.load_dataset(hostile_store, "models")
    incidents = reads.load_dataset(hostile_store, "incidents")
    recognitions = reads.load_dataset(hostile_store, "recognitions")
    expected = {_as_imported(h) for h in HOSTILE}
    assert set(models["notes"]) == expected and set(incidents["description"]) == expected
    assert set(recognitions["unit_name"]) == {_as_imported(f"{h} {i}") for i, h in enumerate(HOSTILE)}


def test_points_map_html_carries_hostile_text_only_as_script_safe_data(hostile_store):
    from maps import builders, elements

    incidents = reads.load_dataset(hostile_store, "incidents")
    m = builders.build_points_map(
        incidents, popup_fields=("incident_code", "description"), popup_labels=[HOSTILE[0], "Mô tả"]
    )
    html = m.get_root().render()
    assert "<img src=x" not in html and "</script><script>alert" not in html
    start = html.index("window.htFillPoints(", html.index("window.htFillPoints =") + 1) + len("window.htFillPoints(")
    payload, _ = json.JSONDecoder().raw_decode(html, start)
    assert payload["labels"][0] == HOSTILE[0]  # a label too is data, shown with textContent
    assert set(payload["values"][1]) == {_as_imported(h) for h in HOSTILE}
    assert "textContent" in elements.POINTS_FILL_JS and "innerHTML" not in elements.POINTS_FILL_JS


def test_coverage_map_tooltips_escape_hostile_names_and_labels():
    import geopandas as gpd
    from shapely.geometry import box

    from maps import builders, options

    communes = gpd.GeoDataFrame(
        {"gso_code": ["00001", "00002"], "name": [HOSTILE[0], HOSTILE[1]]},
        geometry=[box(105.9, 18.0, 106.0, 18.1), box(106.0, 18.0, 106.1, 18.1)],
        crs="EPSG:4326",
    )
    m = builders.build_coverage_map(
        communes,
        pd_series([1.0, 2.0], ["00001", "00002"]),
        options.ValueStyle(value_label=HOSTILE[1], format_value=lambda v: HOSTILE[0], name_label=HOSTILE[0]),
    )
    html = m.get_root().render()
    assert "<img src=x" not in html and "</script><script>alert" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_restyle_script_escapes_hostile_labels_and_values():
    from maps import views
    from maps.elements import restyle_script

    codes = ["00001", "00002"]
    styles, texts, _legend = views.build_value_restyle(
        pd_series([1.0, None], codes), HOSTILE[1], lambda v: HOSTILE[0], HOSTILE[0], codes
    )
    script = restyle_script(styles, texts)
    assert "</script" not in script.lower() and "<img" not in script
    payload, _ = json.JSONDecoder().raw_decode(script, script.index("var d=") + len("var d="))
    assert payload["t"]["00001"] == (
        "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;: &lt;img src=x onerror=alert(1)&gt;"
    )


def pd_series(values, index):
    return pd.Series(values, index=index, dtype=float)


def test_xlsx_export_neutralises_formulas_and_keeps_markup_as_text(hostile_store):
    from openpyxl import load_workbook

    from loaders.core import writers

    models = reads.load_dataset(hostile_store, "models")[["model_name", "notes"]]
    raw = {"model_name": list(HOSTILE), "notes": [f"x{h}" for h in HOSTILE]}  # also the untrimmed originals
    frame = pd.concat([models, pd.DataFrame(raw)], ignore_index=True)
    book = load_workbook(io.BytesIO(writers.table_to_xlsx(frame, [("Bộ lọc", HOSTILE[2])])))
    data, context = book.worksheets
    cells = [c for row in data.iter_rows(min_row=2) for c in row] + [context["B1"]]
    for cell in cells:
        assert cell.data_type == "s", (cell.coordinate, cell.value)
        assert not str(cell.value).startswith(FORMULA_START), cell.value
    # XML turns a stored CR into LF on reading; the quote in front is what matters.
    texts = {str(c.value).replace("\r", "\n") for c in cells}
    quoted = {"'" + h.replace("\r", "\n") for h in HOSTILE if h.startswith(FORMULA_START)}
    assert quoted <= texts  # the original text after the quote, nothing lost
    assert {"'" + v for v in models["model_name"] if v.startswith(FORMULA_START)} <= texts
    assert "<img src=x onerror=alert(1)>" in texts  # markup is plain text in a spreadsheet


#: A CR inside a cell (kept by the reader: only the ends of a cell are trimmed) ends the row in Excel.
EMBEDDED_CR = ("abc\r=1+1", "x\r@SUM(1)", "y\r\n-2+3", "z\n+4")


def test_csv_export_cells_with_an_embedded_cr_stay_one_inert_cell():
    from loaders.core import writers

    frame = pd.DataFrame({"ten": list(EMBEDDED_CR)})
    rows = spreadsheet_rows(writers.table_to_csv(frame).decode("utf-8-sig"))
    assert [r for r in rows if r] == [["ten"], *[[v] for v in EMBEDDED_CR]]


def test_csv_export_neutralises_formulas(hostile_store):
    from loaders.core import writers

    models = reads.load_dataset(hostile_store, "models")[["model_name", "notes"]]
    frame = pd.concat(
        [
            models,
            pd.DataFrame({"model_name": [h for h in HOSTILE if "\r" not in h], "notes": ["x"] * (len(HOSTILE) - 1)}),
        ],
        ignore_index=True,
    )
    rows = spreadsheet_rows(writers.table_to_csv(frame).decode("utf-8-sig"))
    for value in (v for row in rows[1:] for v in row):
        assert not value.startswith(FORMULA_START), value
    assert ["'" + HOSTILE[2], "x"] in rows and [HOSTILE[0] + " 0", HOSTILE[0]] in rows


def test_error_reports_neutralise_hostile_values(sqlite_engine, registry):
    from openpyxl import load_workbook

    from loaders.ingest import reports

    rows = [MODELS_HEADER] + [
        ["Xã Kỳ Tân", "Huyện Kỳ Anh", f"Mô hình {i}", h, "khu dân cư", "01/02/2021", "đang hoạt động", ""]
        for i, h in enumerate(HOSTILE)
    ]  # hostile kinds: all rejected
    p = preview(sqlite_engine, registry, csv_bytes(rows), "loi.csv")
    assert p.n_rejected == len(HOSTILE) and p.n_accepted == 0
    sheet = load_workbook(io.BytesIO(reports.errors_to_xlsx(p.errors))).active
    values = [c for row in sheet.iter_rows(min_row=2) for c in row[1:]]
    assert all(c.data_type == "s" and not str(c.value).startswith(FORMULA_START) for c in values if c.value)
    assert "'" + HOSTILE[2] in {c.value for c in values}
    text = reports.errors_to_csv(p.errors).decode("utf-8-sig")
    for value in (v for row in spreadsheet_rows(text)[1:] for v in row):
        assert not value.startswith(FORMULA_START), value


def test_error_report_csv_keeps_a_cell_with_an_embedded_cr_whole():
    """Regression: the report's CSV rows ended in LF, so a value holding a CR was written unquoted and a
    spreadsheet split the row there, putting "=1+1" at the start of a row as a live formula."""
    from loaders.ingest import reports

    errors = pd.DataFrame(
        {
            "row": list(range(2, 2 + len(EMBEDDED_CR))),
            "column": ["Tên mô hình"] * len(EMBEDDED_CR),
            "value": list(EMBEDDED_CR),
            "message": ["Sai"] * len(EMBEDDED_CR),
            "code": ["enum"] * len(EMBEDDED_CR),
            "field": ["loai_mo_hinh"] * len(EMBEDDED_CR),
        }
    )
    rows = [r for r in spreadsheet_rows(reports.errors_to_csv(errors).decode("utf-8-sig")) if r]
    assert len(rows) == 1 + len(EMBEDDED_CR)
    assert [r[2] for r in rows[1:]] == list(EMBEDDED_CR)
    for value in (v for row in rows[1:] for v in row):
        assert not value.startswith(FORMULA_START), value


def test_briefing_pdf_prints_imported_hostile_text_literally(hostile_store):
    from pypdf import PdfReader

    from analysis import briefing, briefing_pdf

    name = reads.load_dataset(hostile_store, "models")["notes"].iloc[1]  # "</script><script>..."
    indicators = pd.DataFrame({"name": [HOSTILE[0]], "has_models": [True], "kinds_missing": [()]}, index=["00001"])
    content = briefing.build_briefing(
        briefing.BriefingUnit(name=HOSTILE[0], kind="commune", codes=["00001"]),
        briefing.BriefingSources(indicators=indicators, unit_summary={}, province_summary={}, ranking=None),
        briefing.BriefingStamp(
            period="01/01/2025 – 30/06/2025",
            context=[("Mô hình", name), ("Ghi chú", "$x$ <b>đậm</b> &amp;")],
            demo=False,
            data_version=1,
            exported_at="2026-11-27T10:00:00+07:00",
        ),
    )
    reader = PdfReader(io.BytesIO(briefing_pdf.build_briefing_pdf(content)))
    flat = "".join("".join(page.extract_text() for page in reader.pages).split())
    for literal in (HOSTILE[0], name, "$x$<b>đậm</b>&amp;"):
        assert "".join(literal.split()) in flat, literal


def test_printable_map_draws_hostile_text_literally(hostile_store):
    import geopandas as gpd
    from pypdf import PdfReader
    from shapely.geometry import box

    from maps import print_views, printable

    name = reads.load_dataset(hostile_store, "models")["model_name"].iloc[0]
    communes = gpd.GeoDataFrame({"gso_code": ["00001"]}, geometry=[box(105.9, 18.0, 106.0, 18.1)], crs="EPSG:4326")
    values = pd_series([1.0], ["00001"])
    scale, legend = print_views.indicator_scale(values, "models_per_10k", "vi")
    legend = [printable.PrintLegendEntry(e.colour, f"$x$ {name}", no_data=e.no_data) for e in legend]
    figure = printable.build_print_map(
        communes,
        values,
        legend=printable.PrintLegend(scale=scale, rows=legend, title="$\\alpha$"),
        sheet=printable.PrintSheet(title=f"$x$ {name}", subtitle=HOSTILE[1], source=HOSTILE[2], lang="vi"),
    )
    reader = PdfReader(io.BytesIO(printable.render_print_map(figure, "pdf", title=name)))
    text = "".join(page.extract_text() for page in reader.pages)
    for literal in (f"$x$ {name}", HOSTILE[1], "$\\alpha$", HOSTILE[2]):
        assert literal in text, literal


# ------------------------------------------------------------------ AppTest tables
def _cells(at) -> set[str]:
    return {str(v) for table in at.dataframe for column in table.value.columns for v in table.value[column].tolist()}


def _no_raw_html(at) -> None:
    """No element that Streamlit renders as HTML carries a hostile string unescaped."""
    for element in (*at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.success):
        text = str(element.value)
        assert "<img src=x" not in text and "<script>" not in text, text


@pytest.mark.parametrize(
    ("page", "role", "field"),
    [
        ("pages/profiles.py", "viewer", "model_name"),
        ("pages/incidents.py", "analyst", "description"),
    ],
)
def test_pages_show_hostile_text_as_table_data(hostile_store, app_test, page, role, field):
    import streamlit as st

    dataset = "models" if field == "model_name" else "incidents"
    rows = reads.load_dataset(hostile_store, dataset)
    code = str(rows["commune_code"].iloc[0])
    db.dispose_engines()
    st.cache_data.clear()
    st.cache_resource.clear()
    at = app_test(role=role, user=HOSTILE[0], params={"xa": code}, page=page)  # the user name is hostile too
    assert not at.exception, at.exception
    cells = _cells(at)
    shown = {str(v) for v in rows[field]}
    assert shown & cells, f"none of the hostile {field} values is in a table"
    assert any(HOSTILE[0] in c for c in cells) and any(HOSTILE[1] in c for c in cells)
    _no_raw_html(at)


def test_a_data_row_whose_note_says_tong_cong_is_kept(sqlite_engine, registry):
    """Regression (found by hypothesis): the last row was dropped as a totals row because its note
    read "Tòngcòng"; only a row that opens with the label is a totals row."""
    rows = [*models_rows(["Mô hình A", "Mô hình B"], ["", "Tổng cộng"]), ["Tổng cộng", "", "", "2"]]
    p = preview(sqlite_engine, registry, csv_bytes(rows), "mo_hinh.csv")
    assert p.n_accepted == 2 and p.totals_rows == [4]
    assert p.accepted["ghi_chu"].tolist()[1] == "Tổng cộng"
