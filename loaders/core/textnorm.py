"""Lenient text keys: the one place that decides when two spellings are "the same".

Used for commune names, column headers and enumerated values alike, so that
"TỰ QUẢN", "tu quan" and "Tự quản" all compare equal.
"""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")

# Administrative prefixes as users write them, longest first so that "thi tran"
# wins over "thi". Keys are already folded (no diacritics, lower case).
_UNIT_PREFIXES: tuple[tuple[str, str], ...] = (
    ("thanh pho", "tp"),
    ("thi tran", "tt"),
    ("thi xa", "tx"),
    ("phuong", "p"),
    ("huyen", "h"),
    ("xa", "x"),
    ("tp", "tp"),
    ("tt", "tt"),
    ("tx", "tx"),
    ("p", "p"),
    ("h", "h"),
    ("x", "x"),
)
COMMUNE_PREFIXES: frozenset[str] = frozenset({"x", "p", "tt"})
DISTRICT_PREFIXES: frozenset[str] = frozenset({"h", "tx", "tp"})


def fold(text: object) -> str:
    """Lower-case, strip diacritics (đ -> d) and collapse white space.

    Parameters
    ----------
    text : object
        Any value; ``None`` and NaN give ``""``.

    Returns
    -------
    str
        The folded text, words separated by single spaces, punctuation kept.
    """
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = unicodedata.normalize("NFD", str(text))
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    s = s.replace("đ", "d").replace("Đ", "D").lower()
    return " ".join(s.split())


def key(text: object) -> str:
    """Fold and drop everything but letters and digits: the comparison key.

    Examples
    --------
    >>> key("  Tự   QUẢN ")
    'tuquan'
    >>> key("Huyện (cũ)")
    'huyencu'
    """
    return _NON_ALNUM.sub("", fold(text))


def split_unit_prefix(name: object) -> tuple[str | None, str]:
    """Split an administrative prefix off a unit name.

    Parameters
    ----------
    name : object
        A name such as "X. Kỳ Tân", "Thị trấn Nghèn", "TP Hà Tĩnh" or "Kỳ Tân".

    Returns
    -------
    tuple of (str or None, str)
        The prefix as one of ``x, p, tt, h, tx, tp`` (or ``None``) and the
        comparison :func:`key` of the rest.
    """
    folded = fold(name)
    words = re.sub(r"[.\-_,;:/()]+", " ", folded).split()
    joined = " ".join(words)
    for long_form, short in _UNIT_PREFIXES:
        if joined.startswith(long_form + " ") and len(joined) > len(long_form) + 1:
            return short, key(joined[len(long_form) + 1 :])
    return None, key(joined)
