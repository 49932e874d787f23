"""Read the CSV, text and Excel files that staff upload into a table of strings.

Real exports are messy: UTF-8 with or without BOM, Excel's "Unicode text"
(UTF-16, tab-separated), Windows-1258 with combining tone marks, comma,
semicolon or tab separators, title rows above the header, a totals row at the
end, blank lines and stray spaces. :func:`read_table` turns all of them into
one :class:`~loaders.ingest.rawtable.RawTable` of NFC strings, remembering for
each data row the row number the user sees in their spreadsheet, so that
every later message can point at it. Nothing is converted here: types are
validation's job.

This module only checks the size and the kind of file and hands it on:

- :mod:`loaders.ingest.limits`: size and row limits;
- :mod:`loaders.ingest.decoding`: text encodings, binary content;
- :mod:`loaders.ingest.delimited`: CSV/TXT parsing;
- :mod:`loaders.ingest.xlsx`: workbooks;
- :mod:`loaders.ingest.layout`: header row, blank and totals rows.
"""

from __future__ import annotations

from pathlib import PurePath

from loaders.ingest import limits
from loaders.ingest.delimited import read_text
from loaders.ingest.rawtable import RawTable, fail
from loaders.ingest.xlsx import ZIP_MAGIC, read_xlsx

_TEXT_EXTENSIONS = frozenset({".csv", ".txt", ".tsv", ".tab"})
_XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc


def check_upload_size(size: int, file_name: str) -> None:
    """Refuse an upload of ``size`` bytes over :data:`loaders.ingest.limits.MAX_UPLOAD_BYTES`.

    The command line calls it with the file's size before reading the file
    into memory; :func:`read_table` calls it on every upload.

    Raises
    ------
    UnreadableFileError
        With the file's base name, its size and the limit in megabytes.
    """
    if size > limits.MAX_UPLOAD_BYTES:
        raise fail(
            "import.error.too_large",
            file=PurePath(file_name).name or file_name,
            size_mb=-(-size // 2**20),
            limit_mb=limits.MAX_UPLOAD_BYTES // 2**20,
        )


def read_table(data: bytes, file_name: str, sheet: str | None = None) -> RawTable:
    """Read an uploaded CSV/TXT or XLSX file into a table of strings.

    Parameters
    ----------
    data : bytes
        The file's content.
    file_name : str
        Its name; the extension picks the reader, the content is checked
        against it.
    sheet : str, optional
        For XLSX, the sheet to read (matched exactly, else leniently); the
        first sheet by default. Ignored for text files.

    Returns
    -------
    RawTable

    Raises
    ------
    UnreadableFileError
        For a file over :data:`loaders.ingest.limits.MAX_UPLOAD_BYTES`, an
        empty or binary file, a file whose content is not what its extension
        says, an unknown encoding, inconsistent columns, or an XLSX that
        unpacks beyond :data:`loaders.ingest.limits.MAX_UNCOMPRESSED_BYTES`
        or holds more than :data:`loaders.ingest.limits.MAX_ROWS` rows.
    SheetNotFoundError
        When ``sheet`` is not in the workbook.
    """
    check_upload_size(len(data), file_name)
    name = PurePath(file_name).name or file_name
    if not data or (not data[:4096].strip() and not data.strip()):
        raise fail("import.error.empty_file", file=name)
    ext = PurePath(name).suffix.lower()
    if data.startswith(_OLE_MAGIC):
        raise fail("import.error.xls_legacy", file=name)
    if ext in _XLSX_EXTENSIONS:
        if not data.startswith(ZIP_MAGIC):
            raise fail("import.error.not_xlsx", file=name)
        return read_xlsx(data, name, sheet)
    if data.startswith(ZIP_MAGIC):
        if ext in _TEXT_EXTENSIONS:
            raise fail("import.error.not_text", file=name)
        return read_xlsx(data, name, sheet)
    return read_text(data, name)
