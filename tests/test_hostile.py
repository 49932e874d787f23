"""Hostile input (issue 5): unsafe files are refused before the store, names are never paths,
and hostile text from imports reaches every output as inert text.

Three parts:

* unsafe files (over the size limit, zip bombs, absurd row counts, contents that are not
  what the extension says, binary garbage, NUL bytes) are refused by
  :func:`loaders.importer.preview_import` with a Vietnamese message and by
  ``python -m loaders import ... --json`` with exit status 2, and nothing reaches the store;
* file names from users are only text: the original is kept by its sha256 and nothing is
  written outside the data folder;
* text fields carrying markup, script and spreadsheet formulas are imported, then read
  back through the map HTML, the restyle script, tables (AppTest), CSV/XLSX exports, error
  reports, the PDF briefing and the printable map, where they must show literally and
  inertly.
"""

from __future__ import annotations

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

import pytest
import sqlalchemy as sa
from fixtures_files import xlsx_bytes

from loaders import cli, importer, reading, store

ROOT = Path(__file__).resolve().parents[1]
USER = "tester"

MODELS_HEADER = ["Tên xã", "Huyện (cũ)", "Tên mô hình", "Loại mô hình", "Nơi triển khai", "Ngày thành lập",
                 "Trạng thái", "Ghi chú"]


def models_rows(names: list[str], notes: list[str] | None = None) -> list[list[str]]:
    notes = notes or [""] * len(names)
    return [MODELS_HEADER] + [["Xã Kỳ Tân", "Huyện Kỳ Anh", n, "tự quản", "khu dân cư", "01/02/2021",
                               "đang hoạt động", note] for n, note in zip(names, notes)]


def csv_of(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    import csv

    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def preview(engine, registry, data: bytes, name: str, dataset: str = "models") -> importer.ImportPreview:  # noqa: ANN001
    return importer.preview_import(engine, dataset, data, name, registry=registry, user=USER)


def counts(engine) -> dict[str, int]:  # noqa: ANN001
    """Rows per table and the data version."""
    with engine.connect() as conn:
        out = {t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar())
               for t in store.metadata.sorted_tables if t is not store.meta}
    out["data_version"] = store.data_version(engine)
    return out


def run_cli(*args: str) -> tuple[int, dict]:
    """``python -m loaders`` in this process (so limits patched by a test apply); exit status and JSON."""
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(args), out, err)
    return status, json.loads(out.getvalue())


@pytest.fixture
def sqlite_engine():  # noqa: ANN201 - the autouse per-test store
    return store.get_engine()


# ------------------------------------------------------------------ NUL bytes
def _late_nul_csv(prefix: bytes = b"", encoding: str = "utf-8") -> bytes:
    """A valid models file whose one NUL sits far beyond the first 64 KB the reader sniffs."""
    names = [f"Mô hình {i}" for i in range(1500)]
    rows = models_rows(names, ["x" * 40] * len(names))
    rows.append(["Xã Kỳ Tân", "Huyện Kỳ Anh", "Mô hình\x00NUL", "tự quản", "khu dân cư", "01/02/2021",
                 "đang hoạt động", "a\x00b"])
    text = csv_of(rows).decode("utf-8")
    return prefix + text.encode(encoding)


@pytest.mark.parametrize("variant", ["utf-8", "utf-8 BOM", "utf-16"])
def test_a_nul_byte_anywhere_in_a_text_file_refuses_it_on_every_store(engine, registry, variant):
    """Regression: a NUL after the sniffed head passed the reader; PostgreSQL then failed the commit
    with an unhandled DataError ("text fields cannot contain NUL") instead of a refusal."""
    data = {"utf-8": _late_nul_csv(), "utf-8 BOM": _late_nul_csv(b"\xef\xbb\xbf"),
            "utf-16": _late_nul_csv(encoding="utf-16")}[variant]
    assert len(data) > 2 * 64 * 1024  # the NUL is beyond the sniffed head
    before = counts(engine)
    with pytest.raises(importer.ImportRefused) as refused:
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
            for _ in range(reading.MAX_UNCOMPRESSED_BYTES // len(block) + 1):
                member.write(block)
    return out.getvalue()


def _lying_zip() -> bytes:
    """A workbook whose sheet's headers claim a tiny size but whose data unpacks to 50 MB."""
    base = xlsx_bytes({"Dữ liệu": models_rows(["Mô hình A"])})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (50 << 20), 1)
            dst.writestr(info, data)
    raw = bytearray(out.getvalue())
    # Forge the uncompressed size of the sheet, in its central-directory entry and in its
    # local header, down to 1 KB: what a size check that trusts the headers would see.
    fake = (1024).to_bytes(4, "little")
    eocd = raw.rfind(b"PK\x05\x06")
    pos = int.from_bytes(raw[eocd + 16:eocd + 20], "little")
    for _ in range(int.from_bytes(raw[eocd + 10:eocd + 12], "little")):
        name_len, extra_len, comment_len = (int.from_bytes(raw[pos + i:pos + i + 2], "little") for i in (28, 30, 32))
        if raw[pos + 46:pos + 46 + name_len] == b"xl/worksheets/sheet1.xml":
            raw[pos + 24:pos + 28] = fake
            local = int.from_bytes(raw[pos + 42:pos + 46], "little")
            raw[local + 22:local + 26] = fake
        pos += 46 + name_len + extra_len + comment_len
    return bytes(raw)


def _declared_rows_bomb() -> bytes:
    """A tiny workbook whose sheet declares three million rows."""
    base = xlsx_bytes({"Dữ liệu": models_rows(["Mô hình A"])})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b'<dimension ref="')
                end = data.index(b'"', start + len(b'<dimension ref="'))
                data = data[:start] + b'<dimension ref="A1:H3000000' + data[end:]
            dst.writestr(info, data)
    return out.getvalue()


def _png() -> bytes:
    return (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
            b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


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
    ("CSV named .xlsx", "mo_hinh.xlsx", lambda: csv_of(models_rows(["Mô hình A"])), "không phải tệp .xlsx hợp lệ"),
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


@pytest.mark.parametrize(("case", "name", "words"), [(c, n, w) for c, n, _, w in UNSAFE_FILES],
                         ids=[c for c, *_ in UNSAFE_FILES])
def test_unsafe_files_are_refused_by_the_importer_with_a_message(sqlite_engine, registry, unsafe_contents,
                                                                 case, name, words):
    before = counts(sqlite_engine)
    with pytest.raises(importer.ImportRefused) as refused:
        preview(sqlite_engine, registry, unsafe_contents[case], name)
    message = str(refused.value)
    assert refused.value.reason == "unreadable"
    assert name in message and words in message, message
    assert counts(sqlite_engine) == before


@pytest.mark.parametrize(("case", "name", "words"), [(c, n, w) for c, n, _, w in UNSAFE_FILES],
                         ids=[c for c, *_ in UNSAFE_FILES])
def test_unsafe_files_are_refused_by_the_command_line_with_status_2(sqlite_engine, unsafe_contents, tmp_path,
                                                                    case, name, words):
    path = tmp_path / name
    path.write_bytes(unsafe_contents[case])
    before = counts(sqlite_engine)
    status, summary = run_cli("import", "--dataset", "models", str(path), "--json")
    assert status == cli.EXIT_USAGE == 2
    assert summary["refused"] == "unreadable" and summary["import_id"] is None
    assert name in summary["message"] and words in summary["message"]
    assert counts(sqlite_engine) == before


def test_the_command_line_process_refuses_a_disguised_file(tmp_path):
    """The real ``python -m loaders`` entry point, in its own process: exit 2 and a JSON message."""
    path = tmp_path / "anh.csv"
    path.write_bytes(_png())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "loaders", "import", "--dataset", "incidents", str(path), "--json"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    summary = json.loads(done.stdout)
    assert summary["refused"] == "unreadable" and "anh.csv" in summary["message"]
    assert "Traceback" not in done.stderr
    with store.get_engine().connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store.imports)).scalar() == 0


# ----------------------------------------------------------------- size limit
def test_files_over_the_upload_limit_are_refused_before_reading(sqlite_engine, registry, tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_UPLOAD_BYTES", 1 << 20)
    names = [f"Mô hình {i}" for i in range(20_000)]
    data = csv_of(models_rows(names))
    assert len(data) > 1 << 20
    parsed = []
    monkeypatch.setattr(reading, "_read_text", lambda *a: parsed.append(a))  # must never be reached
    before = counts(sqlite_engine)
    with pytest.raises(importer.ImportRefused) as refused:
        preview(sqlite_engine, registry, data, "lon.csv")
    assert "lon.csv" in str(refused.value) and "vượt giới hạn 1 MB" in str(refused.value)
    path = tmp_path / "lon.csv"
    path.write_bytes(data)
    status, summary = run_cli("import", "--dataset", "models", str(path), "--json")
    assert status == 2 and summary["refused"] == "unreadable" and "vượt giới hạn 1 MB" in summary["message"]
    assert not parsed and counts(sqlite_engine) == before


def test_a_file_at_the_upload_limit_is_read(sqlite_engine, registry, monkeypatch):
    data = csv_of(models_rows(["Mô hình A", "Mô hình B"]))
    monkeypatch.setattr(reading, "MAX_UPLOAD_BYTES", len(data))
    assert preview(sqlite_engine, registry, data, "vua.csv").n_accepted == 2


def test_the_importer_limit_covers_what_the_upload_page_accepts():
    """Streamlit enforces ``server.maxUploadSize`` on the page; the importer's own limit must not be
    stricter (a file the page accepted would then fail later), and must fit a million-row CSV (~95 MB)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    page_limit = int(config["server"]["maxUploadSize"]) * 2**20  # Streamlit counts megabytes
    assert page_limit <= reading.MAX_UPLOAD_BYTES
    assert reading.MAX_UPLOAD_BYTES >= 100 * 2**20
    assert reading.MAX_UPLOAD_BYTES <= reading.MAX_UNCOMPRESSED_BYTES


def test_row_limit_is_enforced_while_reading_when_the_sheet_does_not_declare_it(sqlite_engine, registry,
                                                                              monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 50)
    base = xlsx_bytes({"Dữ liệu": models_rows([f"Mô hình {i}" for i in range(80)])})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b"<dimension")
                data = data[:start] + data[data.index(b"/>", start) + 2:]  # no declared size
            dst.writestr(info, data)
    with pytest.raises(importer.ImportRefused, match="vượt giới hạn 50 dòng"):
        preview(sqlite_engine, registry, out.getvalue(), "dai.xlsx")
    assert counts(sqlite_engine)["imports"] == 0


# ------------------------------------------------------------------ file names
HOSTILE_NAMES = ["../../etc/passwd", "..\\x.csv", "a\x00b.csv", "/tmp/tuyet_doi.csv", "C:\\Windows\\win.ini",
                 "con.csv", "<img src=x onerror=alert(1)>.csv", "=HYPERLINK(\"http://x\").csv", "ten " * 100 + ".csv"]


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=lambda n: repr(n)[:30])
def test_file_names_are_text_and_originals_are_kept_by_hash(engine, registry, _isolated_store, tmp_path, name,
                                                            monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative path written by mistake would land here
    data = csv_of(models_rows(["Mô hình A"]))
    watched = tmp_path.parent
    before_files = _files_under(watched)
    p = preview(engine, registry, data, name)
    outcome = importer.commit_import(engine, p, user=USER)
    assert outcome.committed
    sha = hashlib.sha256(data).hexdigest()
    with engine.connect() as conn:
        stored = conn.execute(sa.select(store.stored_files.c.sha256, store.stored_files.c.content)).all()
        recorded = conn.execute(sa.select(store.imports.c.file_name, store.imports.c.sha256)).one()
    assert [(r.sha256, bytes(r.content)) for r in stored] == [(sha, data)]
    assert recorded.sha256 == sha
    assert recorded.file_name == name.replace("\x00", "\ufffd")[:255]  # PostgreSQL text cannot hold NUL
    assert importer.original_file(engine, outcome.import_id) == (recorded.file_name, data)
    # Only the store's own files changed (the SQLite database of this test, if SQLite).
    created = {p for p in _files_under(watched) - before_files if p.name.split("-")[0] != "store.sqlite3"
               and not p.name.startswith("hatinh.sqlite3")}
    assert not created, created
    assert not any(part in {"passwd", "x.csv", "win.ini"} for p in _files_under(watched) for part in p.parts)


# ------------------------------------------------------------- over-long text
@pytest.mark.parametrize(("dataset", "rows", "column"), [
    ("models", models_rows(["M" * 301, "Mô hình ngắn"]), "Tên mô hình"),
    ("models", models_rows(["N" * 301, "M" * 300], ["", "y" * 100_000]), "Tên mô hình"),  # 300 fits
    ("incidents", [["Mã vụ việc", "Ngày", "Tên xã", "Huyện (cũ)", "Lĩnh vực"],
                   ["V" * 101, "15/03/2024", "Xã Kỳ Tân", "Huyện Kỳ Anh", "hình sự"],
                   ["VV-2", "15/03/2024", "Xã Kỳ Tân", "Huyện Kỳ Anh", "hình sự"]], "Mã vụ việc"),
    ("recognitions", [["Năm", "Tên xã", "Huyện (cũ)", "Loại đơn vị", "Tên đơn vị", "Kết quả"],
                      ["2024", "Xã Kỳ Tân", "Huyện Kỳ Anh", "khu dân cư", "Thôn " + "d" * 300, "đạt"],
                      ["2024", "Xã Kỳ Tân", "Huyện Kỳ Anh", "khu dân cư", "Thôn Một", "đạt"]], "Tên đơn vị"),
], ids=["model name", "model name at the limit", "incident code", "unit name"])
def test_text_longer_than_its_store_column_is_a_row_error_on_every_store(engine, registry, dataset, rows, column):
    """Regression: a 301-character model name (or 101-character incident code...) was accepted; SQLite
    kept it, PostgreSQL failed the whole commit with an unhandled DataError ("value too long")."""
    p = preview(engine, registry, csv_of(rows), "dai.csv", dataset)
    assert p.n_accepted == 1 and p.n_rejected == 1
    error = p.errors.iloc[0]
    assert (error["row"], error["code"], error["column"]) == (2, "too_long", column)
    assert "vượt giới hạn" in error["message"] and len(error["value"]) <= 201
    outcome = importer.commit_import(engine, p, valid_only=True, user=USER)
    assert outcome.committed and outcome.written == 1
    assert importer.import_report(engine, outcome.import_id)["row"].tolist() == [2]
    assert b"too_long" in importer.report_bytes(p.errors, "csv")


def test_long_free_text_is_kept_whole(engine, registry):
    """Notes and descriptions are unbounded: 100 000 characters pass and come back whole."""
    note = "ghi chú " * 12_500
    p = preview(engine, registry, csv_of(models_rows(["Mô hình dài"], [note])), "ghi_chu.csv")
    assert p.n_accepted == 1 and p.errors.empty
    importer.commit_import(engine, p, user=USER)
    with engine.connect() as conn:
        assert conn.execute(sa.select(store.models.c.notes)).scalar() == note.strip()
