"""Property-based tests of the importer: no unhandled error, never partial data.

Hypothesis feeds :func:`loaders.ingest.preview.preview_import` random bytes under the
extensions staff use, CSV and XLSX files of random shape (delimiters, quoting,
header permutations from the real aliases, extra columns, ragged rows, blank
lines, encodings) and random text: combining marks, right-to-left scripts and
overrides, NUL and other control characters, very long cells and formula-like
strings. Two properties must hold for every example:

* ``preview_import`` returns a preview or raises one of the project's own
  errors (:class:`loaders.ingest.datasets.ImportDataError`, of which ``ImportRefused``
  is one) with a message; nothing else escapes;
* ``commit_import`` either writes the whole accepted set (one import record,
  exactly ``written`` rows, one data-version bump, the texts as previewed) or
  leaves the store exactly as it was.

The examples of one test share the test's SQLite store (the autouse
``isolated_store`` fixture); each example compares the store with its own
snapshot taken just before, so earlier examples' imports do not matter.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from loaders.accounts import audit
from loaders.core.domain import DATASET_INCIDENTS, DATASET_MODELS, DATASET_RECOGNITIONS, DATASET_RESIDENTIAL_AREAS
from loaders.ingest.bulk import insert_chunk
from loaders.ingest.commit import commit_import
from loaders.ingest.datasets import DATASET_SPECS, ImportDataError
from loaders.ingest.enums import ENUM_FAMILIES
from loaders.ingest.preview import ImportPreview, ImportRefused, ImportRequest, preview_import
from loaders.store import db
from loaders.store.tables import DATASET_TABLES, events, import_reports, imports, meta, metadata, models, stored_files
from tests.support.files import QUOTING, csv_bytes, delimited, to_cp1258, xlsx_bytes

USER = "fuzz"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)

#: Text that has broken importers elsewhere: Vietnamese in NFD and with stray marks,
#: right-to-left scripts and overrides, zero-width and control characters, markup and formulas.
NASTY_TEXT: tuple[str, ...] = (
    "Ky\u0300 Ta\u0302n",  # NFD: combining grave and circumflex
    "Xa\u0303 Ky\u0300 Ta\u0302n",
    "\u0301\u0301\u0301",  # combining marks with no base
    "مركز الشرطة",  # Arabic
    "משטרה",  # Hebrew
    "abc\u202edcba",  # RIGHT-TO-LEFT OVERRIDE
    "\u200f\u200e\u2066x\u2069",  # RLM, LRM, isolates
    "\ufeffBOM giữa dòng",
    "zero\u200bwidth",
    "NUL\x00byte",
    "\x00",
    "bell\x07\x1b[31mred",
    "dòng\nmới",
    'nháy "kép", phẩy',
    "chấm;phẩy\ttab",
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1+2",
    "@SUM(1)",
    "\t=1",
    "\r=1",
    "$x$",
    "Tổng cộng",
    "\U0001f46e\u200d\u2640\ufe0f",  # emoji ZWJ sequence
    "\ud7ff\ue000\uffff",
    "x" * 40_000,  # longer than an Excel cell may be
)

# Communes that resolve for any date: (code, name, former district).
COMMUNES: tuple[tuple[str, str, str], ...] = (
    ("", "Xã Kỳ Tân", "Huyện Kỳ Anh"),
    ("18073", "", ""),
    ("", "Phường Thành Sen", ""),
    ("", "Ky\u0300 Ta\u0302n", "Kỳ Anh"),  # NFD spelling of a real commune
    ("", "Xã Không Có Thật", ""),
)

#: Free-text fields: any text is valid there.
FREE_TEXT = frozenset({"ten_mo_hinh", "ghi_chu", "mo_ta", "ten_don_vi", "ma_vu_viec"})

_counter = itertools.count()

#: The header of the hand-written models files (the property tests draw their own headers).
MODELS_HEADER = [
    "Tên xã",
    "Huyện (cũ)",
    "Tên mô hình",
    "Loại mô hình",
    "Nơi triển khai",
    "Ngày thành lập",
    "Trạng thái",
]


def _model_row(name: str) -> list[str]:
    """A valid models row in Xã Kỳ Tân, under :data:`MODELS_HEADER`."""
    return ["Xã Kỳ Tân", "Huyện Kỳ Anh", name, "tự quản", "khu dân cư", "01/02/2021", "đang hoạt động"]


# ---------------------------------------------------------------- strategies
def _text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=30),
        st.text(st.characters(categories=["Mn", "Me", "Lo", "Cf", "Cc", "Zl", "Zp"]), max_size=12),
        st.sampled_from(NASTY_TEXT),
        st.tuples(st.sampled_from(NASTY_TEXT), st.text(max_size=8)).map("".join),
    )


def _header_for(column) -> st.SearchStrategy[str]:
    names = [column.name, column.label, *column.aliases]
    # Case and spacing variants of the real headers, as people type them.
    return st.sampled_from(names).flatmap(lambda n: st.sampled_from([n, n.upper(), f"  {n} ", n.lower()]))


def _valid_value(field: str, commune: tuple[str, str, str], serial: str) -> str:
    """A value the validator accepts for ``field``."""
    code, name, district = commune
    today = dt.date.today()
    values = {
        "ma_xa": code,
        "ten_xa": name,
        "huyen_cu": district,
        "ten_mo_hinh": f"Mô hình {serial}",
        "loai_mo_hinh": ENUM_FAMILIES["kind"][0],
        "noi_trien_khai": ENUM_FAMILIES["setting"][0],
        "ngay_thanh_lap": "01/02/2021",
        "trang_thai": ENUM_FAMILIES["status"][0],
        "ngay_giai_the": "",
        "danh_gia": "hiệu quả",
        "so_thanh_vien": "12",
        "vi_do": "",
        "kinh_do": "",
        "ghi_chu": "",
        "ma_vu_viec": f"VV-{serial}",
        "ngay": "15/03/2024",
        "linh_vuc": "hình sự",
        "muc_do": "nghiêm trọng",
        "mo_ta": "",
        "nam": str(min(2024, today.year)),
        "loai_don_vi": "khu dân cư",
        "ten_don_vi": f"Thôn {serial}",
        "ket_qua": "đạt",
        "nam_danh_gia": "",
        "ngay_tam_dung": "",
        "thon_tdp": f"Thôn {serial}",
        "xa_cu": "",
        "loai_khu_dan_cu": "thôn",
        "so_ho": "10",
        "so_nhan_khau": "40",
        "co_to_hoa_giai": "có",
        "so_tv_hoa_giai": "5",
        "co_to_bao_ve": "",
        "so_tv_bao_ve": "",
    }
    return values[field]


@st.composite
def tables(draw: st.DrawFn, dataset: str | None = None) -> tuple[str, list[list[str]]]:
    """A dataset and the rows (header first) of a file for it, of random shape."""
    dataset = dataset or draw(st.sampled_from(sorted(DATASET_SPECS)))
    spec = DATASET_SPECS[dataset]
    columns = [c for c in spec.columns if c.required or draw(st.booleans())]
    columns = draw(st.permutations(columns))
    header = [draw(_header_for(c)) for c in columns]
    n_extra = draw(st.integers(0, 2))
    header += [draw(st.sampled_from(["STT", "Ghi chú thêm", "", "Cột lạ"])) or "" for _ in range(n_extra)]
    if draw(st.integers(0, 4)) == 0:  # one column lost: the preview asks for a mapping
        header[draw(st.integers(0, len(header) - 1))] = draw(_text())
    rows = [header]
    if draw(st.booleans()):
        rows.insert(0, [draw(_text())])  # a title row above the header
    run = next(_counter)
    for i in range(draw(st.integers(0, 6))):
        commune = draw(st.sampled_from(COMMUNES))
        serial = f"{run}-{i}-{draw(st.integers(0, 3))}"  # sometimes repeats: duplicates in the file
        row = [_valid_value(c.name, commune, serial) for c in columns]
        if draw(st.integers(0, 3)) == 0:  # any cell may be hostile, including required ones
            for j in draw(st.sets(st.integers(0, len(row) - 1), max_size=2)) if row else ():
                row[j] = draw(_text())
        else:  # free text only: the row stays valid unless the text is blank
            for j, c in enumerate(columns):
                if c.name in FREE_TEXT and draw(st.booleans()):
                    row[j] = f"{row[j]} {draw(_text())}" if row[j] else draw(_text())
        row += [draw(_text()) for _ in range(n_extra)]
        shape = draw(st.sampled_from(["plain"] * 6 + ["short", "long", "blank"]))
        if shape == "short":
            row = row[: draw(st.integers(0, len(row)))]
        elif shape == "long":
            row += [draw(_text()) for _ in range(draw(st.integers(1, 3)))]
        elif shape == "blank":
            rows.append([])
        rows.append(row)
    if draw(st.booleans()):
        rows.append(["Tổng cộng", str(len(rows))])
    return dataset, rows


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "cp1258":
        try:
            return to_cp1258(text)
        except UnicodeEncodeError:
            return text.encode("utf-8")
    return text.encode(encoding, errors="surrogatepass")


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, bytes, str]:
    dataset, rows = draw(tables())
    delimiter = draw(st.sampled_from([",", ";", "\t"] * 3 + ["|"]))
    quoting = draw(st.sampled_from(QUOTING))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = delimited(rows, delimiter, newline, quoting)
    data = _encode(text, draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"])))
    return dataset, data, draw(st.sampled_from(["du_lieu.csv", "du_lieu.txt", "DU LIEU.CSV", "du_lieu.tsv"]))


# Characters XML 1.0 cannot hold at all: C0 controls (but tab, LF, CR), surrogates and U+FFFE/U+FFFF.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@st.composite
def xlsx_files(draw: st.DrawFn) -> tuple[str, bytes, str]:
    dataset, rows = draw(tables())
    # An XLSX cell cannot hold those characters at all; Excel cells stop at 32,767 characters.
    clean = [[_XLSX_ILLEGAL.sub("", c)[:32_000] for c in row] for row in rows]
    sheets = {"Dữ liệu": clean}
    if draw(st.booleans()):
        sheets = {"Bìa": [["Báo cáo"]], **sheets} if draw(st.booleans()) else {**sheets, "Trống": []}
    return dataset, xlsx_bytes(sheets), draw(st.sampled_from(["du_lieu.xlsx", "DU_LIEU.XLSM"]))


# ------------------------------------------------------------------- helpers
def _reported_commune_months(engine: sa.Engine, dataset: str, import_id: int) -> int:
    """What an incidents import without a stated period reports: its communes times the months its rows span."""
    if dataset != DATASET_INCIDENTS:
        return 0
    table = DATASET_TABLES[dataset]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.commune_code, table.c.occurred_on).where(table.c.import_id == import_id))
        rows = [(code, day) for code, day in rows if code is not None and day is not None]
    if not rows:
        return 0
    days = [dt.date.fromisoformat(d) if isinstance(d, str) else d for _, d in rows]
    first, last = min(days), max(days)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    return len({code for code, _ in rows}) * months


def _snapshot(engine: sa.Engine) -> dict[str, Any]:
    """Row counts of every table, the data version and the import ids: equal snapshots = unchanged store."""
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table is meta:
                continue  # its data-version row appears on the first write; the version itself is compared
            out[table.name] = int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar())
        out["import_ids"] = [r[0] for r in conn.execute(sa.select(imports.c.id).order_by(imports.c.id))]
    out["data_version"] = db.data_version(engine)
    return out


def _preview(engine: sa.Engine, registry, dataset: str, data: bytes, name: str):
    """``preview_import``, or ``None`` when it refuses the file with one of the project's errors."""
    try:
        request = ImportRequest(dataset=dataset, data=data, file_name=name, user=USER)
        return preview_import(engine, request, registry=registry)
    except ImportDataError as exc:
        message = str(exc)
        # Refusing is allowed; a refusal without a message, or with a traceback in it, is the bug looked for.
        assert message.strip(), f"{type(exc).__name__} without a message"  # noqa: PT017
        assert "Traceback" not in message
        if isinstance(exc, ImportRefused):
            assert exc.reason == "unreadable"  # noqa: PT017 - a refused preview must say why
        event(f"preview refused: {type(exc).__name__}")
        return None


def _check_commit(engine: sa.Engine, preview: ImportPreview, valid_only: bool, force: bool) -> None:
    """Commit and check: all of the accepted rows and one import, or nothing at all."""
    before = _snapshot(engine)
    try:
        outcome = commit_import(engine, preview, valid_only=valid_only, force=force, user=USER)
    except ImportRefused as exc:
        # A refused commit must be one of the two documented refusals and leave the store unchanged.
        assert str(exc).strip() and exc.reason in ("duplicate_file", "conflict")  # noqa: PT017
        event(f"commit refused: {exc.reason}")
        assert _snapshot(engine) == before
        return
    after = _snapshot(engine)
    table = DATASET_TABLES[preview.dataset]
    if not outcome.committed:
        assert outcome.written == 0 and outcome.import_id is None and outcome.message
        event("nothing written")
        assert after == before
        return
    assert outcome.written == preview.n_accepted > 0
    event("committed")
    assert (preview.n_rejected == 0 or valid_only) and not preview.needs_mapping
    expected = dict(before)
    expected[table.name] += outcome.written
    expected[imports.name] += 1
    expected[events.name] += 1
    expected[stored_files.name] = after[stored_files.name]  # +1 unless the same bytes are stored
    expected["import_ids"] = [*before["import_ids"], outcome.import_id]
    expected["data_version"] = before["data_version"] + 1
    expected[import_reports.name] += _reported_commune_months(engine, preview.dataset, outcome.import_id)
    assert after == expected
    assert after[stored_files.name] in (before[stored_files.name], before[stored_files.name] + 1)
    _check_texts_stored_as_previewed(engine, preview, outcome.import_id)


_TEXT_FIELDS = {
    DATASET_MODELS: ("ten_mo_hinh", "model_name"),
    DATASET_INCIDENTS: ("ma_vu_viec", "incident_code"),
    DATASET_RECOGNITIONS: ("ten_don_vi", "unit_name"),
    DATASET_RESIDENTIAL_AREAS: ("thon_tdp", "area_name"),
}


def _check_texts_stored_as_previewed(engine: sa.Engine, preview: ImportPreview, import_id: int) -> None:
    canonical, column = _TEXT_FIELDS[preview.dataset]
    table = DATASET_TABLES[preview.dataset]
    with engine.connect() as conn:
        stored = [
            r[0]
            for r in conn.execute(sa.select(table.c[column]).where(table.c.import_id == import_id).order_by(table.c.id))
        ]
    previewed = [None if v is None or v != v else str(v) for v in preview.accepted[canonical].tolist()]
    assert sorted(stored, key=str) == sorted(previewed, key=str)
    for text in stored:
        if text is not None:
            assert unicodedata.is_normalized("NFC", text)


# ----------------------------------------------------------------- properties
@FUZZ
@given(
    data=st.binary(max_size=4096),
    name=st.sampled_from(["f.csv", "f.txt", "f.xlsx", "f.tsv", "f", "f.xlsm"]),
    dataset=st.sampled_from(sorted(DATASET_SPECS)),
)
def test_random_bytes_are_refused_with_a_message_or_previewed(engine_sqlite, registry, data, name, dataset):
    preview = _preview(engine_sqlite, registry, dataset, data, name)
    if preview is not None:
        _check_commit(engine_sqlite, preview, valid_only=True, force=True)


@FUZZ
@given(
    data=st.binary(min_size=8, max_size=2048),
    prefix=st.sampled_from(
        [
            b"PK\x03\x04",
            b"\x89PNG\r\n\x1a\n",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            b"%PDF-1.7\n",
            b"\xef\xbb\xbf",
            b"\xff\xfe",
            b"\xfe\xff",
            b"\x1f\x8b\x08",
        ]
    ),
    name=st.sampled_from(["f.csv", "f.xlsx", "f.txt"]),
)
def test_garbage_behind_known_magic_numbers_is_refused_with_a_message(engine_sqlite, registry, data, prefix, name):
    preview = _preview(engine_sqlite, registry, DATASET_INCIDENTS, prefix + data, name)
    if preview is not None:
        _check_commit(engine_sqlite, preview, valid_only=True, force=True)


@settings(FUZZ, max_examples=80)
@given(file=csv_files(), valid_only=st.booleans(), force=st.booleans())
def test_random_csv_files_commit_fully_or_not_at_all(engine_sqlite, registry, file, valid_only, force):
    dataset, data, name = file
    preview = _preview(engine_sqlite, registry, dataset, data, name)
    if preview is not None:
        assert preview.rows_read == preview.n_accepted + preview.n_rejected
        assert set(preview.errors["row"].dropna().astype(int)) <= set(
            range(1, data.count(b"\n") + data.count(b"\r") + 3)
        )
        _check_commit(engine_sqlite, preview, valid_only, force)


@settings(FUZZ, max_examples=40)
@given(file=xlsx_files(), valid_only=st.booleans())
def test_random_xlsx_files_commit_fully_or_not_at_all(engine_sqlite, registry, file, valid_only):
    dataset, data, name = file
    preview = _preview(engine_sqlite, registry, dataset, data, name)
    if preview is not None:
        _check_commit(engine_sqlite, preview, valid_only, force=True)


@settings(FUZZ, max_examples=40)
@given(texts=st.lists(_text(), min_size=1, max_size=5))
def test_hostile_text_in_every_text_field_is_stored_verbatim(engine_sqlite, registry, texts):
    """Valid rows whose free-text fields are random text: all of them land, as NFC text, trimmed."""
    run = next(_counter)
    rows = [[*MODELS_HEADER, "Ghi chú"]]
    expected_notes = []
    for i, text in enumerate(texts):
        rows.append([*_model_row(f"Mô hình {run}-{i}"), text])
        expected_notes.append(text)
    # Every cell quoted, so any text at all stays one cell.
    data = csv_bytes(rows, newline="\n", quoting="all", errors="surrogatepass")
    preview = _preview(engine_sqlite, registry, DATASET_MODELS, data, "mo_hinh.csv")
    if preview is None:
        # Only control characters (NUL, or many of them) may make a file unreadable as text.
        assert any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]", t) for t in texts)
        return
    assert preview.n_rejected == 0, preview.errors.to_dict("records")
    _check_commit(engine_sqlite, preview, valid_only=False, force=True)
    with engine_sqlite.connect() as conn:
        names = [f"Mô hình {run}-{i}" for i in range(len(texts))]
        query = sa.select(models.c.notes).where(models.c.model_name.in_(names)).order_by(models.c.id)
        notes = [r[0] for r in conn.execute(query)]
    assert notes == [unicodedata.normalize("NFC", t).strip() or None for t in expected_notes]


# ------------------------------------------------------------ fault injection
@pytest.mark.parametrize("fail_at", ["insert", "version", "audit"])
def test_a_failure_inside_the_commit_leaves_the_store_unchanged(engine_sqlite, registry, monkeypatch, fail_at):
    """A crash after some rows were inserted (not only a constraint) rolls back everything."""
    names = [f"Mô hình {i}" for i in range(7)]
    data = csv_bytes([MODELS_HEADER, *(_model_row(n) for n in names)], newline="\n")
    preview = _preview(engine_sqlite, registry, DATASET_MODELS, data, "m.csv")
    assert preview is not None and preview.n_accepted == 7
    before = _snapshot(engine_sqlite)
    monkeypatch.setattr("loaders.ingest.commit.CHUNK_ROWS", 2)  # four batches: the failure comes after real inserts
    calls = itertools.count(1)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    if fail_at == "insert":
        real_insert = insert_chunk

        def insert_then_fail(*args: object, **kwargs: object) -> None:
            if next(calls) == 3:
                boom()
            real_insert(*args, **kwargs)

        monkeypatch.setattr("loaders.ingest.commit.insert_chunk", insert_then_fail)
    elif fail_at == "version":
        monkeypatch.setattr(db, "bump_data_version", boom)
    else:
        monkeypatch.setattr(audit, "record_event", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        commit_import(engine_sqlite, preview, user=USER)
    assert _snapshot(engine_sqlite) == before
    monkeypatch.undo()
    outcome = commit_import(engine_sqlite, preview, user=USER)
    assert outcome.committed and outcome.written == 7


# --------------------------------------------------------------------- fixtures
@pytest.fixture
def engine_sqlite(isolated_store):
    return db.get_engine()


def test_snapshot_sees_a_single_row_change(engine_sqlite):
    """The store comparison used above can fail: one audit row changes it."""
    before = _snapshot(engine_sqlite)
    with engine_sqlite.begin() as conn:
        audit.record_event(conn, USER, "probe")
    assert _snapshot(engine_sqlite) != before


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
@settings(FUZZ, max_examples=40)
@given(file=csv_files(), valid_only=st.booleans())
def test_random_csv_files_commit_fully_or_not_at_all_on_postgresql(engine, registry, file, valid_only):
    """The same property on PostgreSQL, which refuses what SQLite keeps (NUL, text over a column's length)."""
    dataset, data, name = file
    preview = _preview(engine, registry, dataset, data, name)
    if preview is not None:
        _check_commit(engine, preview, valid_only, force=True)
