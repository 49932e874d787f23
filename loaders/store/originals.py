"""Packing and unpacking the upload originals kept in ``stored_files``.

An original is kept by content hash so that an import can always be traced
back to the bytes the user sent. ``stored_files.codec`` says how ``content``
is packed: :data:`ORIGINAL_CODEC`, or ``NULL`` for the bytes as uploaded.
"""

from __future__ import annotations

import pyarrow

#: Codec of packed originals: zstd, through pyarrow, which the app already ships.
#: Upload CSVs shrink several times over and unpack faster than they pack.
ORIGINAL_CODEC = "zstd"


def pack_original(data: bytes) -> tuple[str | None, bytes]:
    """Pack an upload's bytes for ``stored_files``: ``(codec, content)``.

    A big CSV stored as is would double what its import writes to the
    database (and to SQLite's log and checkpoint). Bytes that do not shrink
    are kept as they are (codec ``None``).
    """
    packed = pyarrow.compress(data, codec=ORIGINAL_CODEC, asbytes=True)
    if len(packed) >= len(data):
        return None, data
    return ORIGINAL_CODEC, packed


def unpack_original(codec: str | None, content: bytes, size_bytes: int) -> bytes:
    """The uploaded bytes back from a ``stored_files`` row (see :func:`pack_original`).

    Raises
    ------
    ValueError
        For a codec this version does not know, or content that does not
        unpack to ``size_bytes`` bytes.
    """
    content = bytes(content)
    if codec is None:
        return content
    if codec != ORIGINAL_CODEC:
        raise ValueError(f"unknown codec of a stored file: {codec!r}")
    try:
        data = pyarrow.decompress(content, decompressed_size=size_bytes, codec=codec, asbytes=True)
    except (OSError, pyarrow.ArrowException) as exc:
        raise ValueError(f"a stored file does not unpack to {size_bytes} bytes: {exc}") from exc
    if len(data) != size_bytes:
        raise ValueError(f"a stored file unpacked to {len(data)} bytes, expected {size_bytes}")
    return data
