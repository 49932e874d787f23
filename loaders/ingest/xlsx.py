"""Reading an XLSX upload into a :class:`RawTable`, within the zip, row, column and cell limits.

A workbook is a zip archive: its unpacked size is checked before anything
parses it (zip bombs). The chosen sheet's extent, the rectangle from A1 to
its last cell that a reader fills, is then measured from its XML
(:mod:`loaders.ingest.sheet_extent`) and a sheet over the limits is refused,
whether it declares that size or reaches it with a few far-away cells.
Only then does python-calamine read the cells that exist (it does not pad
rows to the declared dimension, and is ten times faster than openpyxl).
Cells become the text the user sees.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from xml.etree import ElementTree

import numpy as np
import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from loaders.core.i18n import translate
from loaders.core.textnorm import key
from loaders.ingest import limits
from loaders.ingest.layout import HEADER_SEARCH_ROWS, find_header, tidy, unique_headers
from loaders.ingest.rawtable import RawTable, SheetNotFoundError, UnreadableFileError, fail
from loaders.ingest.sheet_extent import Extent, OddSheetError, declared_extent, used_extent, worksheet_part

#: The first bytes of every zip archive, so of every XLSX file.
ZIP_MAGIC = b"PK\x03\x04"

#: What a corrupt or hostile workbook raises while it is opened or measured.
_BAD_WORKBOOK = (
    zipfile.BadZipFile,
    CalamineError,
    ElementTree.ParseError,
    OddSheetError,
    KeyError,
    ValueError,
    OSError,
    EOFError,
)


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
        return list(CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names)
    except _BAD_WORKBOOK:
        return []


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
        :data:`loaders.ingest.limits.MAX_UNCOMPRESSED_BYTES`, a sheet that
        declares or reaches more than :data:`loaders.ingest.limits.MAX_ROWS`
        rows, :data:`loaders.ingest.limits.MAX_COLUMNS` columns or
        :data:`loaders.ingest.limits.MAX_CELLS` cells, or no header.
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
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(wb.sheet_names)
    except _BAD_WORKBOOK:
        raise fail("import.error.not_xlsx", file=name) from None
    if not names:
        raise fail("import.error.not_xlsx", file=name)
    chosen = _choose_sheet(names, sheet, name)
    _refuse_oversized(data, chosen, name)
    try:
        cells = wb.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except _BAD_WORKBOOK:
        raise fail("import.error.not_xlsx", file=name) from None
    if len(cells) > limits.MAX_ROWS:  # the measure above already bounds it; this keeps the promise local
        raise fail("import.error.too_many_rows", file=name, sheet=chosen, rows=len(cells), limit=limits.MAX_ROWS)
    rows = [tuple(_cell_text(v) for v in row) for row in cells]
    del cells
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


def _refuse_oversized(data: bytes, sheet: str, file_name: str) -> None:
    """Refuse the sheet when its declared dimension or the range its cells reach exceeds the limits.

    Runs before any reader fills the sheet, so a refusal costs a scan of its
    XML, not the rectangle's memory.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = worksheet_part(archive, sheet)
            declared = declared_extent(archive, part)
            if declared is not None and declared[1].exceeds_limits():
                raise _too_large(file_name, sheet, declared[0], declared[1])
            used = used_extent(archive, part)
    except UnreadableFileError:
        raise
    except _BAD_WORKBOOK:
        raise fail("import.error.not_xlsx", file=file_name) from None
    if used.exceeds_limits():
        raise _too_large(file_name, sheet, used.reference, used)


def _too_large(file_name: str, sheet: str, reference: str, extent: Extent) -> UnreadableFileError:
    return fail(
        "import.error.sheet_too_large",
        file=file_name,
        sheet=sheet,
        range=reference,
        rows=extent.rows,
        columns=extent.columns,
        cells=max(extent.area, extent.cells),
        max_rows=limits.MAX_ROWS,
        max_columns=limits.MAX_COLUMNS,
        max_cells=limits.MAX_CELLS,
    )
