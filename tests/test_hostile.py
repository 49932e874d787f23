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
