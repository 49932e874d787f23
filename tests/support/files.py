"""Generate real-world upload files in memory; no binary fixture is committed.

Each helper returns ``bytes`` as the user's tool would write them: Excel's
"CSV UTF-8" (with BOM), "Unicode text" (UTF-16, tabs), a Windows-1258 export
with combining tone marks, and XLSX workbooks with title and totals rows.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook

Row = Sequence[object]

# Grave, acute, tilde, hook above, dot below: the five tones cp1258 writes as combining marks.
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 writes Vietnamese: base letters plus combining tone marks.

    cp1258 has â, ê, ô, ơ, ư, ă, đ precomposed but no toned letters, so "ế" is
    written "ê" followed by a combining acute accent.
    """
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        # Letter marks (circumflex, breve, horn) stay precomposed, as cp1258
        # has "ê"; tone marks follow as combining characters.
        tones = "".join(c for c in decomposed if c in _TONE_MARKS)
        letter = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
        out += letter.encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


#: How :func:`delimited` quotes cells: only where needed, every cell, or never.
QUOTING = ("minimal", "all", "none")


def delimited(rows: Sequence[Row], delimiter: str = ",", newline: str = "\r\n", quoting: str = "minimal") -> str:
    """Join rows into delimited text, each row ended by ``newline``.

    Parameters
    ----------
    quoting : {"minimal", "all", "none"}
        ``"minimal"`` quotes the cells that hold the delimiter, a quote, a CR or an LF
        (what Python's ``csv.writer`` and Excel do); ``"all"`` quotes every cell;
        ``"none"`` writes cells as they are, even when that breaks the file.
    """
    if quoting not in QUOTING:
        raise ValueError(f"quoting must be one of {QUOTING}, not {quoting!r}")
    lines = []
    for row in rows:
        cells = []
        for cell in row:
            text = "" if cell is None else str(cell)
            needs = delimiter in text or '"' in text or "\n" in text or "\r" in text
            if quoting == "all" or (quoting == "minimal" and needs):
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        lines.append(delimiter.join(cells))
    return newline.join(lines) + newline


def csv_bytes(
    rows: Sequence[Row],
    encoding: str = "utf-8",
    delimiter: str = ",",
    *,
    newline: str = "\r\n",
    quoting: str = "minimal",
    errors: str = "strict",
) -> bytes:
    """A delimited file in one of the encodings staff send (the one builder of test CSV files).

    Parameters
    ----------
    encoding : {"utf-8", "utf-8-sig", "utf-16", "cp1258"}
        ``"utf-8-sig"`` writes Excel's BOM; ``"utf-16"`` writes a BOM, as Excel's
        "Unicode text" does.
    newline, quoting
        As :func:`delimited`: the default is Excel's CRLF with minimal quoting.
    errors
        The codec's error handler (``"surrogatepass"`` lets fuzzed text through as is).
    """
    text = delimited(rows, delimiter, newline, quoting)
    if encoding == "cp1258":
        return to_cp1258(text)
    return text.encode(encoding, errors)


def xlsx_bytes(sheets: dict[str, Sequence[Row]]) -> bytes:
    """A workbook with the given sheets (in order) of rows; cells keep their Python type."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def zip_bomb_xlsx(uncompressed_mb: int = 250) -> bytes:
    """A zip named like a workbook whose one entry unpacks to ``uncompressed_mb`` of zeros.

    Deflate shrinks zeros about a thousandfold, so the file stays small.
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry,
    ):
        chunk = b"\0" * (1 << 20)
        for _ in range(uncompressed_mb):
            entry.write(chunk)
    return out.getvalue()


def huge_dimension_xlsx(rows: int = 3_000_000) -> bytes:
    """A small workbook whose sheet declares ``rows`` rows in its ``<dimension>`` tag."""
    normal = xlsx_bytes({"Sheet1": [["Mã xã", "Tên xã"], ["18814", "Kỳ Tân"]]})
    src = zipfile.ZipFile(io.BytesIO(normal))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = content.decode("utf-8")
                start = text.index("<dimension ref=")
                end = text.index("/>", start)
                text = text[:start] + f'<dimension ref="A1:B{rows}"' + text[end:]
                content = text.encode("utf-8")
            dst.writestr(info, content)
    return out.getvalue()


def excel_serial(day: dt.date) -> int:
    """Excel's day number of ``day`` (1900 system: 1899-12-30 is day 0)."""
    return (day - dt.date(1899, 12, 30)).days
