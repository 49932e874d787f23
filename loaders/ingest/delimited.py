"""Parsing a delimited text upload (CSV, TSV, Excel's "Unicode text") into a :class:`RawTable`.

The separator is sniffed from the head; the header row is found among the
first records; the body goes to pyarrow's reader, or to pandas' when rows
are ragged or blank, so that every row keeps the row number the user sees.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from loaders.ingest import limits
from loaders.ingest.decoding import SNIFF_CHARS, decode, utf8_fast_path
from loaders.ingest.layout import HEADER_SEARCH_ROWS, find_header, tidy, unique_headers
from loaders.ingest.rawtable import RawTable, fail

_DELIMITERS: tuple[str, ...] = (",", ";", "\t")


def read_text(data: bytes, name: str) -> RawTable:
    """Read a text upload: decode it, sniff its separator, find its header and parse its rows.

    Parameters
    ----------
    data : bytes
        The file's content (already checked for size and emptiness).
    name : str
        The file's name, for messages.

    Returns
    -------
    RawTable

    Raises
    ------
    UnreadableFileError
        For a binary file, an unknown encoding, no header, a row among the first ones wider than
        :data:`loaders.ingest.limits.MAX_COLUMNS` columns, or inconsistent columns.
    """
    fast = utf8_fast_path(data, name)
    if fast is not None:
        try:
            return _read_text_from(fast[0], fast[1], fast[2], name, len(fast[0]) > SNIFF_CHARS)
        except _NotUtf8:
            pass
    text, encoding = decode(data, name)
    raw = text.encode("utf-8")
    head = text[:SNIFF_CHARS]
    return _read_text_from(raw, head, encoding, name, len(head) < len(text))


class _NotUtf8(Exception):
    """The fast path met bytes that are not UTF-8 after the head."""


def _read_text_from(raw: bytes, head: str, encoding: str, name: str, truncated: bool) -> RawTable:
    """Parse UTF-8 ``raw`` whose first characters are ``head``."""
    head_lines = head.splitlines(keepends=True)
    if truncated and head_lines and not head.endswith(("\n", "\r")):
        cut = head_lines.pop()  # the last one was cut in half
        if not head_lines:
            _refuse_a_wide_first_line(raw, cut, name)
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
        raise fail("import.error.no_header", file=name)
    for i, record in enumerate(records):
        if len(record) > limits.MAX_COLUMNS:
            raise fail(
                "import.error.too_many_columns", file=name, row=i + 1, columns=len(record), limit=limits.MAX_COLUMNS
            )
    h = find_header(records)
    header = unique_headers(records[h])
    header_row = h + 1
    offset = len("".join(head_lines[: line_ends[h]]).encode("utf-8"))
    quoted = raw.find(b'"', offset) >= 0
    frame = _parse_body(memoryview(raw)[offset:], header, delimiter, name, header_row, quoted)
    row_numbers = np.arange(header_row + 1, header_row + 1 + len(frame), dtype=np.int64)
    frame, row_numbers, totals = tidy(frame, row_numbers)
    return RawTable(frame, row_numbers, header_row, totals, name, None, [], encoding, delimiter)


def _refuse_a_wide_first_line(raw: bytes, head: str, name: str) -> None:
    """Refuse a file whose first line, longer than the whole head, has more than the column limit.

    Its fields are counted by separators in the raw line (quotes aside: a header
    this long is refused either way, for columns or for having no header).
    """
    delimiter = _sniff_delimiter([head])
    end = raw.find(b"\n")
    columns = (raw[: end if end >= 0 else len(raw)]).count(delimiter.encode("ascii")) + 1
    if columns > limits.MAX_COLUMNS:
        raise fail("import.error.too_many_columns", file=name, row=1, columns=columns, limit=limits.MAX_COLUMNS)


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
        raise fail("import.error.bad_line", file=name, row=row, detail=detail) from None
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
