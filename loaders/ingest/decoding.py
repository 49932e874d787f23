"""Decoding the bytes of a text upload into NFC text, and refusing what is not text.

Real exports come as UTF-8 with or without BOM, Excel's "Unicode text"
(UTF-16, with or without BOM), or Windows-1258 with combining tone marks.
:func:`decode` tries them in that order and normalises to NFC, which the
rest of the project compares. :func:`utf8_fast_path` lets already clean
UTF-8 skip the decode and re-encode, the costliest step on a large file.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from loaders.ingest.rawtable import fail

#: Characters of the head examined for sniffing (binary content, separator).
SNIFF_CHARS = 64 * 1024


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode with the BOM's encoding, else strict UTF-8, else Windows-1258, as NFC text."""
    for encoding in _candidate_encodings(data, name):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if is_binary(text) or "\x00" in text:
            raise fail("import.error.binary", file=name)
        # cp1258 writes tones as combining marks and macOS writes NFD; the
        # rest of the project compares NFC text.
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        return text, encoding
    raise fail("import.error.encoding", file=name)


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
        raise fail("import.error.binary", file=name)
    if data.startswith(codecs.BOM_UTF8):
        return ["utf-8-sig"]
    return ["utf-8", "cp1258"]


_ASCII_BYTES = bytes(range(128))


def utf8_fast_path(data: bytes, name: str) -> tuple[bytes, str, str] | None:
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
    # with the marks above, and removing ASCII keeps multi-byte sequences whole.
    if not raw.isascii():
        try:
            others = raw.translate(None, _ASCII_BYTES).decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not unicodedata.is_normalized("NFC", others):
            return None
    try:
        head = codecs.getincrementaldecoder("utf-8")().decode(raw[:SNIFF_CHARS])
    except UnicodeDecodeError:
        return None
    if is_binary(head):
        raise fail("import.error.binary", file=name)
    return raw, head, encoding


def _looks_utf16(data: bytes) -> bool:
    head = data[:4096]
    if len(head) < 4:
        return False
    even_nul = head[0::2].count(0) / len(head[0::2])
    odd_nul = head[1::2].count(0) / len(head[1::2])
    return max(even_nul, odd_nul) > 0.3 and min(even_nul, odd_nul) < 0.05


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def is_binary(text: str) -> bool:
    """Whether the head of ``text`` holds more control characters than a text file would."""
    head = text[:SNIFF_CHARS]
    return len(_CONTROL.findall(head)) > max(2, len(head) // 100)
