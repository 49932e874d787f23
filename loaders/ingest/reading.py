"""Read the CSV, text and Excel files that staff upload into a table of strings.

Real exports are messy: UTF-8 with or without BOM, Excel's "Unicode text"
(UTF-16, tab-separated), Windows-1258 with combining tone marks, comma,
semicolon or tab separators, title rows above the header, a totals row at the
end, blank lines and stray spaces. :func:`read_table` turns all of them into
one :class:`RawTable` of NFC strings, remembering for each data row the row
number the user sees in their spreadsheet, so that every later message can
point at it. Nothing is converted here: types are validation's job.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from loaders.ingest.datasets import ImportDataError, all_header_keys
from loaders.core.i18n import translate
from loaders.core.textnorm import key

#: Refuse any upload larger than this, before reading it. The upload page's own,
#: smaller limit is Streamlit's ``server.maxUploadSize`` (``.streamlit/config.toml``,
#: enforced by Streamlit); this one bounds every path into the importer, the
#: command line included, and leaves room for a million-row CSV (about 95 MB).
MAX_UPLOAD_BYTES: int = 200 * 1024 * 1024
#: Refuse an XLSX whose zip entries would unpack to more than this (zip bombs).
MAX_UNCOMPRESSED_BYTES: int = 200 * 1024 * 1024
#: Refuse a sheet that declares or holds more rows than this.
MAX_ROWS: int = 2_000_000
#: How many leading rows may be titles before the header.
HEADER_SEARCH_ROWS: int = 30
#: A row is the header when at least this many of its cells are known headers.
HEADER_MIN_MATCHES: int = 2
#: Keys of cell texts that mark a totals row ("Tổng cộng", "Cộng", "Tổng", "Tổng số").
TOTAL_KEYS: frozenset[str] = frozenset({"tongcong", "cong", "tong", "tongso"})

_DELIMITERS: tuple[str, ...] = (",", ";", "\t")
_TEXT_EXTENSIONS = frozenset({".csv", ".txt", ".tsv", ".tab"})
_XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc
_SNIFF_CHARS = 64 * 1024


class UnreadableFileError(ImportDataError):
    """The file cannot be read at all: empty, binary, corrupt, too big or wrong type."""


class SheetNotFoundError(UnreadableFileError):
    """The chosen sheet does not exist; the message lists the sheets that do."""


@dataclass
class RawTable:
    """A file read as strings, with everything needed to point back into it.

    Attributes
    ----------
    frame : pandas.DataFrame
        One column per header (as written, trimmed, NFC; duplicate headers get
        " (2)", " (3)"), one row per data row, every cell a ``str`` (blank is
        ``""``). Blank rows and trailing totals rows are already removed.
    row_numbers : numpy.ndarray of int64
        For each row of ``frame``, its 1-based row number in the spreadsheet,
        counting title, header and blank rows.
    header_row : int
        1-based row number of the header.
    totals_rows : list of int
        Row numbers of the totals rows dropped from the end.
    file_name : str
    sheet : str or None
        Sheet read, for XLSX.
    sheet_names : list of str
        All sheets of an XLSX file.
    encoding : str or None
        Detected text encoding (``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"cp1258"``).
    delimiter : str or None
        Detected separator for text files.
    """

    frame: pd.DataFrame
    row_numbers: np.ndarray
    header_row: int
    totals_rows: list[int] = field(default_factory=list)
    file_name: str = ""
    sheet: str | None = None
    sheet_names: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def columns(self) -> list[str]:
        """Headers in file order."""
        return [str(c) for c in self.frame.columns]


def _fail(message_key: str, **params: object) -> UnreadableFileError:
    return UnreadableFileError(translate(message_key, **params))


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
        For a file over :data:`MAX_UPLOAD_BYTES`, an empty or binary file, a
        file whose content is not what its extension says, an unknown
        encoding, inconsistent columns, or an XLSX
        that unpacks beyond :data:`MAX_UNCOMPRESSED_BYTES` or holds more than
        :data:`MAX_ROWS` rows.
    SheetNotFoundError
        When ``sheet`` is not in the workbook.
    """
    name = PurePath(file_name).name or file_name
    if len(data) > MAX_UPLOAD_BYTES:
        raise _fail("import.error.too_large", file=name, size_mb=-(-len(data) // 2**20),
                    limit_mb=MAX_UPLOAD_BYTES // 2**20)
    if not data or (not data[:4096].strip() and not data.strip()):
        raise _fail("import.error.empty_file", file=name)
    ext = PurePath(name).suffix.lower()
    if data.startswith(_OLE_MAGIC):
        raise _fail("import.error.xls_legacy", file=name)
    if ext in _XLSX_EXTENSIONS:
        if not data.startswith(_ZIP_MAGIC):
            raise _fail("import.error.not_xlsx", file=name)
        return _read_xlsx(data, name, sheet)
    if data.startswith(_ZIP_MAGIC):
        if ext in _TEXT_EXTENSIONS:
            raise _fail("import.error.not_text", file=name)
        return _read_xlsx(data, name, sheet)
    return _read_text(data, name)


# --------------------------------------------------------------------------- text


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode with the BOM's encoding, else strict UTF-8, else Windows-1258, as NFC text."""
    for encoding in _candidate_encodings(data, name):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _is_binary(text) or "\x00" in text:
            raise _fail("import.error.binary", file=name)
        # cp1258 writes tones as combining marks and macOS writes NFD; the
        # rest of the project compares NFC text.
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        return text, encoding
    raise _fail("import.error.encoding", file=name)


def _candidate_encodings(data: bytes, name: str) -> list[str]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ["utf-16"]
    if not data.startswith(codecs.BOM_UTF8) and _looks_utf16(data):
        # UTF-16 saved without a BOM: every other byte of ASCII text is NUL.
        return ["utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"]
    # Anywhere in the file, not only in the sniffed head: text with NUL is not
    # text, and PostgreSQL cannot store it (the commit would fail). UTF-16 is
    # checked once decoded.
    if b"\x00" in data:
        raise _fail("import.error.binary", file=name)
    if data.startswith(codecs.BOM_UTF8):
        return ["utf-8-sig"]
    return ["utf-8", "cp1258"]


_ASCII_BYTES = bytes(range(128))


def _utf8_fast_path(data: bytes, name: str) -> tuple[bytes, str, str] | None:
    """UTF-8 input that needs no re-encoding: (bytes without BOM, decoded head, encoding).

    Decoding and re-encoding a large file costs more than parsing it, so when
    the head decodes as UTF-8 and the file holds no combining marks (UTF-8
    lead bytes 0xCC/0xCD) and its other non-ASCII text is NFC (marks of other scripts), the
    bytes go to the parser as they are; the parser still checks that they are
    valid UTF-8 and the caller falls back to full decoding if not.
    """
    encoding = _candidate_encodings(data, name)[0]
    if encoding not in ("utf-8", "utf-8-sig"):
        return None
    raw = data[len(codecs.BOM_UTF8) :] if encoding == "utf-8-sig" else data
    if b"\xcc" in raw or b"\xcd" in raw:
        return None
    # Marks of other scripts out of order, or characters NFC replaces (U+2126 OHM SIGN), need the
    # normalising path too. Checking the non-ASCII bytes alone is enough: ASCII letters only compose
    # with the marks above, and removing ASCII keeps multi-byte sequences whole (0.2 s per 100 MB).
    if not raw.isascii():
        try:
            others = raw.translate(None, _ASCII_BYTES).decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not unicodedata.is_normalized("NFC", others):
            return None
    try:
        head = codecs.getincrementaldecoder("utf-8")().decode(raw[:_SNIFF_CHARS])
    except UnicodeDecodeError:
        return None
    if _is_binary(head):
        raise _fail("import.error.binary", file=name)
    return raw, head, encoding


def _looks_utf16(data: bytes) -> bool:
    head = data[:4096]
    if len(head) < 4:
        return False
    even_nul = head[0::2].count(0) / len(head[0::2])
    odd_nul = head[1::2].count(0) / len(head[1::2])
    return max(even_nul, odd_nul) > 0.3 and min(even_nul, odd_nul) < 0.05


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def _is_binary(text: str) -> bool:
    head = text[:_SNIFF_CHARS]
    return len(_CONTROL.findall(head)) > max(2, len(head) // 100)


def _sniff_delimiter(lines: Sequence[str]) -> str:
    """Pick the separator that splits the most lines into the same number (>1) of fields.

    Title rows split into one field under every candidate, so they do not
    vote; a comma inside an unquoted value ("kinh tế, buôn lậu") of a
    semicolon file makes the comma counts uneven, so semicolon wins.
    """
    best, best_score = ",", (0, 0)
    sample = [ln for ln in lines if ln.strip()][:50]
    for delim in _DELIMITERS:
        counts = [len(r) for r in csv.reader(sample, delimiter=delim)]
        multi = [c for c in counts if c > 1]
        if not multi:
            continue
        mode = max(set(multi), key=multi.count)
        score = (multi.count(mode), mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def _find_header(rows: Sequence[Sequence[str]]) -> int:
    """0-based index of the header among the first rows.

    The first row with :data:`HEADER_MIN_MATCHES` known headers; failing that
    (a file with its own headers, to be mapped by hand), the first row that is
    at least half as wide as the widest row, so title rows are still skipped.
    """
    known = all_header_keys()
    limit = min(len(rows), HEADER_SEARCH_ROWS)
    for i in range(limit):
        if sum(1 for cell in rows[i] if key(cell) in known) >= HEADER_MIN_MATCHES:
            return i
    widths = [sum(1 for cell in rows[i] if str(cell).strip()) for i in range(limit)]
    widest = max(widths, default=0)
    for i, w in enumerate(widths):
        if w and w * 2 >= widest:
            return i
    return 0


def _unique_headers(cells: Iterable[object]) -> list[str]:
    """Trim headers, name blank ones after their column letter, number repeats."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells, start=1):
        name = " ".join(str(cell if cell is not None else "").split()) or f"Cột {get_column_letter(i)}"
        n = seen.get(name, 0) + 1
        seen[name] = n
        out.append(name if n == 1 else f"{name} ({n})")
    return out


def _read_text(data: bytes, name: str) -> RawTable:
    fast = _utf8_fast_path(data, name)
    if fast is not None:
        try:
            return _read_text_from(fast[0], fast[1], fast[2], name, len(fast[0]) > _SNIFF_CHARS)
        except _NotUtf8:
            pass
    text, encoding = _decode(data, name)
    raw = text.encode("utf-8")
    head = text[:_SNIFF_CHARS]
    return _read_text_from(raw, head, encoding, name, len(head) < len(text))


class _NotUtf8(Exception):
    """The fast path met bytes that are not UTF-8 after the head."""


def _read_text_from(raw: bytes, head: str, encoding: str, name: str, truncated: bool) -> RawTable:
    """Parse UTF-8 ``raw`` whose first characters are ``head``."""
    head_lines = head.splitlines(keepends=True)
    if truncated and head_lines and not head.endswith(("\n", "\r")):
        head_lines = head_lines[:-1]  # the last one was cut in half
    delimiter = _sniff_delimiter(head_lines)
    # Parse the head record by record, remembering how many physical lines
    # each record took, to find the header and where the data starts.
    reader = csv.reader(head_lines, delimiter=delimiter)
    records: list[list[str]] = []
    line_ends: list[int] = []
    for record in reader:
        records.append(record)
        line_ends.append(reader.line_num)
        if len(records) >= HEADER_SEARCH_ROWS:
            break
    if not any(any(c.strip() for c in r) for r in records):
        raise _fail("import.error.no_header", file=name)
    h = _find_header(records)
    header = _unique_headers(records[h])
    header_row = h + 1
    offset = len("".join(head_lines[: line_ends[h]]).encode("utf-8"))
    quoted = raw.find(b'"', offset) >= 0
    frame = _parse_body(memoryview(raw)[offset:], header, delimiter, name, header_row, quoted)
    row_numbers = np.arange(header_row + 1, header_row + 1 + len(frame), dtype=np.int64)
    frame, row_numbers, totals = _tidy(frame, row_numbers)
    return RawTable(frame, row_numbers, header_row, totals, name, None, [], encoding, delimiter)


def _parse_body(
    body: memoryview, header: list[str], delimiter: str, name: str, header_row: int, quoted: bool
) -> pd.DataFrame:
    """Parse the UTF-8 data lines after the header into strings.

    pyarrow's reader is several times faster on large files. It is told not
    to skip blank lines, so a blank line (one field where the header has
    several) makes it fail, and pandas' C parser, which keeps blank lines as
    empty rows, takes over: either way every row keeps its row number.
    """
    # Trailing blank lines carry no rows; trim them without copying the body.
    end = len(body)
    while end and body[end - 1] in b"\r\n\t ":
        end -= 1
    body = body[:end]
    if not end:
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in header})
    frame = _parse_pyarrow(body, header, delimiter, quoted)
    if frame is not None:
        return frame
    try:
        frame = pd.read_csv(
            io.BytesIO(bytes(body)),
            sep=delimiter,
            header=None,
            names=list(range(len(header))),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            quotechar='"',
            encoding="utf-8",
            encoding_errors="strict",
        )
    except UnicodeDecodeError:
        raise _NotUtf8 from None
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+), saw (\d+)", str(exc))
        row = header_row + int(match.group(1)) if match else "?"
        detail = f"{len(header)} cột ở dòng tiêu đề, {match.group(2)} cột ở dòng này" if match else str(exc)
        raise _fail("import.error.bad_line", file=name, row=row, detail=detail) from None
    frame.columns = header
    return frame.fillna("")


def _parse_pyarrow(raw: memoryview, header: list[str], delimiter: str, quoted: bool) -> pd.DataFrame | None:
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(raw)),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                # Quoted line breaks need the slower serial scan; only pay for it when quotes exist.
                newlines_in_values=quoted,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        # Ragged or blank rows, or bytes that are not UTF-8: pandas decides.
        return None
    frame = table.to_pandas()
    frame.columns = header
    return frame


def _tidy(frame: pd.DataFrame, row_numbers: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, list[int]]:
    """Trim cells, drop blank rows, empty unnamed columns and trailing totals rows."""
    for col in frame.columns:
        frame[col] = frame[col].astype("str").str.strip()
    unnamed = [c for c in frame.columns if c.startswith("Cột ") and not (frame[c] != "").any()]
    if unnamed:
        frame = frame.drop(columns=unnamed)
    if frame.shape[1]:
        keep = (frame != "").any(axis=1).to_numpy()
    else:
        keep = np.zeros(len(frame), dtype=bool)
    if not keep.all():
        frame = frame.loc[keep]
        row_numbers = row_numbers[keep]
    totals: list[int] = []
    n = len(frame)
    while n and _is_totals_row(frame.iloc[n - 1]):
        n -= 1
        totals.append(int(row_numbers[n]))
    totals.reverse()
    frame = frame.iloc[:n].reset_index(drop=True)
    return frame, row_numbers[:n], totals


def _is_totals_row(row: pd.Series) -> bool:
    # The label opens the row ("Tổng cộng" in the first filled cell); a data row
    # whose later cell merely says "Cộng" or "Tổng" (a note, a name) is data.
    first = next((v for v in row if v), "")
    return key(first) in TOTAL_KEYS


# --------------------------------------------------------------------------- xlsx


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


def _read_xlsx(data: bytes, name: str, sheet: str | None) -> RawTable:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _fail("import.error.not_xlsx", file=name) from None
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _fail(
            "import.error.zip_bomb",
            file=name,
            size_mb=round(total / 2**20),
            limit_mb=round(MAX_UNCOMPRESSED_BYTES / 2**20),
        )
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, SyntaxError):
        raise _fail("import.error.not_xlsx", file=name) from None
    try:
        names = list(wb.sheetnames)
        if not names:
            raise _fail("import.error.not_xlsx", file=name)
        chosen = _choose_sheet(names, sheet, name)
        ws = wb[chosen]
        declared = ws.max_row or 0
        if declared > MAX_ROWS:
            raise _fail("import.error.too_many_rows", file=name, sheet=chosen, rows=declared, limit=MAX_ROWS)
        try:
            rows = list(_limited_rows(ws.iter_rows(values_only=True), name, chosen))
        except UnreadableFileError:
            raise  # the row limit's own message (it is a ValueError too)
        except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile):
            raise _fail("import.error.not_xlsx", file=name) from None
    finally:
        wb.close()
    if not any(any(c for c in r) for r in rows):
        raise _fail("import.error.no_header", file=name)
    h = _find_header(rows[:HEADER_SEARCH_ROWS])
    width = max((len(r) for r in rows), default=0)
    header = _unique_headers(list(rows[h]) + [""] * (width - len(rows[h])))
    body = [r + ("",) * (width - len(r)) for r in rows[h + 1 :]]
    frame = pd.DataFrame(body, columns=header, dtype="str") if body else pd.DataFrame(columns=header, dtype="str")
    header_row = h + 1
    row_numbers = np.arange(header_row + 1, header_row + 1 + len(frame), dtype=np.int64)
    frame, row_numbers, totals = _tidy(frame, row_numbers)
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
        translate(
            "import.error.sheet_missing", file=file_name, sheet=sheet, sheets=", ".join(f"«{n}»" for n in names)
        )
    )


def _limited_rows(rows: Iterator[tuple[object, ...]], name: str, sheet: str) -> Iterator[tuple[str, ...]]:
    """Cells as text, refusing a sheet that turns out longer than it declared."""
    for i, row in enumerate(rows, start=1):
        if i > MAX_ROWS:
            raise _fail("import.error.too_many_rows", file=name, sheet=sheet, rows=f"> {MAX_ROWS}", limit=MAX_ROWS)
        yield tuple(_cell_text(v) for v in row)
