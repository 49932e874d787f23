"""Reading an XLSX upload into a :class:`RawTable`, within the zip and row limits.

A workbook is a zip archive: its unpacked size is checked before openpyxl
opens it (zip bombs), and its rows are counted as they stream (a sheet may
declare fewer than it holds). Cells become the text the user sees.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Iterator

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from loaders.core.i18n import translate
from loaders.core.textnorm import key
from loaders.ingest import limits
from loaders.ingest.layout import HEADER_SEARCH_ROWS, find_header, tidy, unique_headers
from loaders.ingest.rawtable import RawTable, SheetNotFoundError, UnreadableFileError, fail

#: The first bytes of every zip archive, so of every XLSX file.
ZIP_MAGIC = b"PK\x03\x04"

#: What openpyxl raises on a corrupt or hostile workbook.
_BAD_WORKBOOK = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, SyntaxError)


def sheet_names(data: bytes) -> list[str]:
    """The sheets of an XLSX upload, so a user can pick one even when the first cannot be read.

    Only the workbook's index is parsed (after the same unpacked-size limit as
    :func:`read_xlsx`), never the sheets' cells.

    Returns
    -------
    list of str
        Sheet names in workbook order; ``[]`` for a text file or a file that is not a readable workbook.
    """
    if not data.startswith(ZIP_MAGIC):
        return []
    try:
        if _unpacked_bytes(data) > limits.MAX_UNCOMPRESSED_BYTES:
            return []
        wb = load_workbook(io.BytesIO(data), read_only=True)
    except _BAD_WORKBOOK:
        return []
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _unpacked_bytes(data: bytes) -> int:
    """Total size of the archive's entries once unpacked; raises ``zipfile.BadZipFile`` for a non-zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(info.file_size for info in archive.infolist())


def _cell_text(value: object) -> str:
    """One cell as the text the user sees, without Excel's float noise."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # Codes typed as numbers come back as 18814.0; show them as typed.
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def read_xlsx(data: bytes, name: str, sheet: str | None) -> RawTable:
    """Read one sheet of a workbook (the first by default) as strings.

    Raises
    ------
    UnreadableFileError
        For a corrupt workbook, one that unpacks beyond
        :data:`loaders.ingest.limits.MAX_UNCOMPRESSED_BYTES`, a sheet over
        :data:`loaders.ingest.limits.MAX_ROWS` rows, or no header.
    SheetNotFoundError
        When ``sheet`` is not in the workbook.
    """
    try:
        total = _unpacked_bytes(data)
    except zipfile.BadZipFile:
        raise fail("import.error.not_xlsx", file=name) from None
    if total > limits.MAX_UNCOMPRESSED_BYTES:
        raise fail(
            "import.error.zip_bomb",
            file=name,
            size_mb=round(total / 2**20),
            limit_mb=round(limits.MAX_UNCOMPRESSED_BYTES / 2**20),
        )
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _BAD_WORKBOOK:
        raise fail("import.error.not_xlsx", file=name) from None
    try:
        names = list(wb.sheetnames)
        if not names:
            raise fail("import.error.not_xlsx", file=name)
        chosen = _choose_sheet(names, sheet, name)
        ws = wb[chosen]
        declared = ws.max_row or 0
        if declared > limits.MAX_ROWS:
            raise fail("import.error.too_many_rows", file=name, sheet=chosen, rows=declared, limit=limits.MAX_ROWS)
        try:
            rows = list(_limited_rows(ws.iter_rows(values_only=True), name, chosen))
        except UnreadableFileError:
            raise  # the row limit's own message (it is a ValueError too)
        except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile):
            raise fail("import.error.not_xlsx", file=name) from None
    finally:
        wb.close()
    if not any(any(c for c in r) for r in rows):
        raise fail("import.error.no_header", file=name)
    h = find_header(rows[:HEADER_SEARCH_ROWS])
    width = max((len(r) for r in rows), default=0)
    header = unique_headers(list(rows[h]) + [""] * (width - len(rows[h])))
    body = [r + ("",) * (width - len(r)) for r in rows[h + 1 :]]
    frame = pd.DataFrame(body, columns=header, dtype="str") if body else pd.DataFrame(columns=header, dtype="str")
    header_row = h + 1
    row_numbers = np.arange(header_row + 1, header_row + 1 + len(frame), dtype=np.int64)
    frame, row_numbers, totals = tidy(frame, row_numbers)
    return RawTable(frame, row_numbers, header_row, totals, name, chosen, names, None, None)


def _choose_sheet(names: list[str], sheet: str | None, file_name: str) -> str:
    if sheet is None or sheet == "":
        return names[0]
    if sheet in names:
        return sheet
    lenient = [n for n in names if key(n) == key(sheet)]
    if len(lenient) == 1:
        return lenient[0]
    raise SheetNotFoundError(
        translate("import.error.sheet_missing", file=file_name, sheet=sheet, sheets=", ".join(f"«{n}»" for n in names))
    )


def _limited_rows(rows: Iterator[tuple[object, ...]], name: str, sheet: str) -> Iterator[tuple[str, ...]]:
    """Cells as text, refusing a sheet that turns out longer than it declared."""
    for i, row in enumerate(rows, start=1):
        if i > limits.MAX_ROWS:
            raise fail(
                "import.error.too_many_rows", file=name, sheet=sheet, rows=f"> {limits.MAX_ROWS}", limit=limits.MAX_ROWS
            )
        yield tuple(_cell_text(v) for v in row)
