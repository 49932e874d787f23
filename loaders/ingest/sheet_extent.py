"""How far a worksheet reaches, read from its XML before any reader holds its cells.

A reader that fills a sheet's rectangle (every reader that hands back rows)
needs memory for rows x columns cells, counted from A1, whatever the file
holds: a 5 KB workbook with one cell in XFD1048576 asks for 17 billion. This
module finds that rectangle cheaply, so that a sheet too large is refused
before it is read:

- :func:`declared_extent`: the ``<dimension ref="...">`` the sheet declares;
- :func:`used_extent`: the last row and column its cells name, found by a
  streaming scan of the sheet's XML; when some cells or rows carry no ``r``
  reference (rare writers), an exact XML parse that follows their implicit
  positions, stopping as soon as the sheet exceeds the limits.

Limits are read from :mod:`loaders.ingest.limits` at call time.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import IO
from xml.etree import ElementTree
from xml.parsers import expat

from loaders.ingest import limits

_CHUNK_BYTES = 8 << 20
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
# The fast scan counts cells written the way Excel, LibreOffice and openpyxl write them,
# <c r="B12" ...>, with patterns that start with a literal (which the regex engine finds fast).
_CANONICAL_CELL = b'<c r="'
_CELL_TAG = re.compile(rb"<c[\s/>]")
_PREFIXED_CELL_TAG = re.compile(rb":c[\s/>]")
_CELL_LETTERS = re.compile(rb'<c r="([A-Z]{1,3})0*[0-9]{1,7}"')
_CELL_DIGITS = re.compile(rb'<c r="[A-Z]{1,3}0*([0-9]{1,7})"')
# "[^<>]" rather than "[^>]": a match never runs past the next tag, so no input makes the scan quadratic.
_DIMENSION = re.compile(rb"<" + _PREFIX + rb"dimension\s[^<>]*?\bref\s*=\s*[\"']([^\"']{0,64})[\"']")
_SHEET_DATA = re.compile(rb"<" + _PREFIX + rb"sheetData[\s/>]")
_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


class OddSheetError(ValueError):
    """The sheet's XML cannot be measured: not XML, or a cell reference that is not one."""


@dataclass(frozen=True)
class Extent:
    """The rectangle from A1 to the last row and column of a sheet, and its number of cell elements."""

    rows: int
    columns: int
    cells: int = 0

    @property
    def area(self) -> int:
        """Cells in the rectangle from A1: what a reader that fills rows holds."""
        return self.rows * self.columns

    @property
    def reference(self) -> str:
        """The rectangle as Excel writes it, e.g. ``"A1:XFD1048576"``."""
        return f"A1:{column_letters(max(self.columns, 1))}{max(self.rows, 1)}"

    def exceeds_limits(self) -> bool:
        """Whether a reader must not fill this sheet (:mod:`loaders.ingest.limits`)."""
        return (
            self.rows > limits.MAX_ROWS
            or self.columns > limits.MAX_COLUMNS
            or self.area > limits.MAX_CELLS
            or self.cells > limits.MAX_CELLS
        )


def column_letters(number: int) -> str:
    """Excel's letters of the 1-based column ``number`` (1 -> "A", 16384 -> "XFD")."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """The 1-based column of Excel's ``letters`` ("A" -> 1, "xfd" -> 16384)."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def parse_reference(text: str) -> Extent | None:
    """The extent a range such as ``"A1:XFD1048576"`` or ``"B2"`` reaches; ``None`` when it is not one."""
    last = text.strip().split(":")[-1]
    match = _REFERENCE.fullmatch(last)
    if match is None:
        return None
    return Extent(int(match.group(2)), column_number(match.group(1)))


def worksheet_part(archive: zipfile.ZipFile, sheet: str) -> str:
    """The archive member holding the worksheet named ``sheet``, as the workbook's relationships say.

    Raises
    ------
    KeyError
        When the workbook, its relationships or the sheet cannot be found.
    ElementTree.ParseError
        When one of those parts is not XML.
    """
    workbook = "xl/workbook.xml"
    if "_rels/.rels" in archive.namelist():
        for rel in _elements(archive, "_rels/.rels", "Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                workbook = _resolve("", rel.get("Target", ""))
    rid = next((s.get(_RELATIONSHIP_ID) for s in _elements(archive, workbook, "sheet") if s.get("name") == sheet), None)
    if rid is None:
        raise KeyError(sheet)
    folder, base = posixpath.split(workbook)
    for rel in _elements(archive, posixpath.join(folder, "_rels", base + ".rels"), "Relationship"):
        if rel.get("Id") == rid:
            return _resolve(folder, rel.get("Target", ""))
    raise KeyError(rid)


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def _elements(archive: zipfile.ZipFile, part: str, local_name: str) -> list[ElementTree.Element]:
    """The elements named ``local_name`` (any namespace) of a small part, parsed without keeping the tree."""
    found = []
    with archive.open(part) as stream:
        for _event, element in ElementTree.iterparse(stream, events=("end",)):
            if element.tag.rpartition("}")[2] == local_name:
                found.append(ElementTree.Element(local_name, dict(element.attrib)))
            element.clear()
    return found


def declared_extent(archive: zipfile.ZipFile, part: str) -> tuple[str, Extent] | None:
    """The ``<dimension ref>`` of the sheet ``part`` and the extent it declares; ``None`` when absent.

    Only the sheet's head is read: the dimension comes before the cells.
    """
    with archive.open(part) as stream:
        head = stream.read(1 << 20)
    data_at = _SHEET_DATA.search(head)
    match = _DIMENSION.search(head, 0, data_at.start() if data_at else len(head))
    if match is None:
        return None
    text = match.group(1).decode("ascii", "replace")
    extent = parse_reference(text)
    return (text, extent) if extent is not None else None


def used_extent(archive: zipfile.ZipFile, part: str) -> Extent:
    """The last row and column the cells of sheet ``part`` reach, and how many cell elements it holds.

    A sheet whose every cell is written ``<c r="B12" ...>`` is measured by a
    fast scan of its XML; any other (a namespace prefix, ``r`` not first,
    cells without references, lower-case or escaped references) by an exact
    parse that follows implicit positions. Either stops early, with an
    extent already over the limits, once the sheet exceeds them.

    Raises
    ------
    OddSheetError
        When the sheet is not well-formed XML or names a cell with a reference that is not one.
    """
    rows = columns = cells = canonical = letter_count = digit_count = 0
    letters: set[bytes] = set()
    prefixed = False
    with archive.open(part) as stream:
        carry = b""
        while True:
            chunk = stream.read(_CHUNK_BYTES)
            piece = carry + chunk
            if chunk:
                # Scan whole tags only: the rest, from the last "<", waits for the next chunk.
                cut = piece.rfind(b"<")
                piece, carry = (piece[:cut], piece[cut:]) if cut > 0 else (piece, b"")
            cells += len(_CELL_TAG.findall(piece))
            canonical += piece.count(_CANONICAL_CELL)
            prefixed = prefixed or _PREFIXED_CELL_TAG.search(piece) is not None
            found = _CELL_LETTERS.findall(piece)
            letter_count += len(found)
            letters.update(found)
            digits = _CELL_DIGITS.findall(piece)
            digit_count += len(digits)
            if digits:
                longest = len(max(digits, key=len))  # no leading zeros: the longest are the largest
                rows = max(rows, int(max(d for d in digits if len(d) == longest)))
            if letters:
                columns = max(columns, max(column_number(x.decode("ascii")) for x in letters))
            extent = Extent(rows, columns, cells)
            if extent.exceeds_limits() or not chunk:
                break
    if extent.exceeds_limits() or (not prefixed and cells == canonical == letter_count == digit_count):
        return extent
    with archive.open(part) as stream:
        return _exact_extent(stream)


class _Exceeded(Exception):
    def __init__(self, extent: Extent) -> None:
        super().__init__()
        self.extent = extent


def _exact_extent(stream: IO[bytes]) -> Extent:
    """Follow every row and cell element, implicit positions included (a cell without ``r`` is the next one)."""
    row = column = rows = columns = cells = 0
    parser = expat.ParserCreate(namespace_separator="}")

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal row, column, rows, columns, cells
        local = name.rpartition("}")[2]
        if local == "row":
            r = attributes.get("r")
            if r is not None and not r.strip().isdigit():
                raise OddSheetError(r)
            row, column = (int(r) if r is not None else row + 1), 0
        elif local == "c":
            r = attributes.get("r")
            if r is None:
                column += 1
            else:
                match = _REFERENCE.fullmatch(r.strip())
                if match is None:
                    raise OddSheetError(r)
                column, row = column_number(match.group(1)), int(match.group(2))
            cells += 1
        else:
            return
        rows, columns = max(rows, row), max(columns, column)
        extent = Extent(rows, columns, cells)
        if extent.exceeds_limits():
            raise _Exceeded(extent)

    parser.StartElementHandler = start
    try:
        while chunk := stream.read(_CHUNK_BYTES):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Exceeded as exceeded:
        return exceeded.extent
    except expat.ExpatError as exc:
        raise OddSheetError(str(exc)) from None
    return Extent(rows, columns, cells)
