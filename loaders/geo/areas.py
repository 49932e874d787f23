"""Residential-area names (thôn, tổ dân phố) as offices write them: the loose key.

One commune's list writes "Tổ dân phố số 05", a model file "TDP 5", a report
"tổ 5": they are the same area. :func:`area_key` gives each spelling one
comparable key; it is the only rule that decides when two area names match.

The key keeps the kind (``thon`` or ``tdp``) only in front of a bare number,
where it is all that tells "Thôn 3" from "Tổ dân phố 3" in a commune formed
from a township and a commune; a named area is keyed by its name alone, so
"Thôn Trung Sơn" and "Trung Sơn" match.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from loaders.core.domain import AREA_KIND_URBAN, AREA_KIND_VILLAGE
from loaders.core.textnorm import fold

# Kind words as written, folded, longest first so that "to dan pho" wins over "to".
# "khoi" and "khu pho" are the older names of tổ dân phố in Hà Tĩnh's wards;
# "xom", "ban" and "lang" are thôn under other names.
_KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("to dan pho", AREA_KIND_URBAN),
    ("khu pho", AREA_KIND_URBAN),
    ("tdp", AREA_KIND_URBAN),
    ("khoi", AREA_KIND_URBAN),
    ("to", AREA_KIND_URBAN),
    ("thon", AREA_KIND_VILLAGE),
    ("xom", AREA_KIND_VILLAGE),
    ("ban", AREA_KIND_VILLAGE),
    ("lang", AREA_KIND_VILLAGE),
)
_KIND_TAG = {AREA_KIND_URBAN: "tdp", AREA_KIND_VILLAGE: "thon"}
_SEPARATORS = re.compile(r"[^0-9a-z]+")
_NUMBER = re.compile(r"\d+")
_NUMBER_WORDS = frozenset({"so", "no"})


def _words(name: object) -> list[str]:
    return _SEPARATORS.sub(" ", fold(name)).split()


def _split_kind(words: list[str]) -> tuple[str | None, list[str]]:
    """The kind a name starts with, and the words after it (with a "số" dropped)."""
    joined = " ".join(words)
    for written, kind in _KIND_WORDS:
        if joined == written or joined.startswith(written + " "):
            rest = words[len(written.split()) :]
            if rest and rest[0] in _NUMBER_WORDS and len(rest) > 1:
                rest = rest[1:]
            return kind, rest
    return None, words


def _drop_leading_zeros(word: str) -> str:
    return _NUMBER.sub(lambda m: str(int(m.group())), word)


def area_kind_of(name: object) -> str | None:
    """The kind of area a name says it is.

    Parameters
    ----------
    name : object
        An area name as written.

    Returns
    -------
    str or None
        ``"thôn"`` (also for xóm, bản, làng), ``"tổ dân phố"`` (also for TDP,
        tổ, khối, khu phố) or ``None`` when the name does not start with a kind.

    Examples
    --------
    >>> area_kind_of("TDP số 5")
    'tổ dân phố'
    >>> area_kind_of("Xóm Bắc")
    'thôn'
    >>> area_kind_of("Trung Sơn") is None
    True
    """
    kind, rest = _split_kind(_words(name))
    return kind if rest else None


def area_key(name: object) -> str:
    """The comparison key of an area name: equal keys mean the same area of a commune.

    Parameters
    ----------
    name : object
        An area name as written; ``None`` gives ``""``.

    Returns
    -------
    str
        Case, diacritics, punctuation, the kind word and "số" removed, leading
        zeros dropped from numbers; a name that is only a number keeps its kind
        as ``thon``/``tdp`` in front.

    Examples
    --------
    >>> area_key("Tổ dân phố số 05"), area_key("TDP 5"), area_key("khối 5")
    ('tdp 5', 'tdp 5', 'tdp 5')
    >>> area_key("thôn 03"), area_key("Xóm 3")
    ('thon 3', 'thon 3')
    >>> area_key("Thôn Trung Sơn"), area_key("trung son")
    ('trungson', 'trungson')
    """
    kind, rest = _split_kind(_words(name))
    if not rest:
        # A bare kind word ("Thôn") is a name of its own, not an empty one.
        return "".join(_words(name))
    core = "".join(_drop_leading_zeros(w) for w in rest)
    if kind is not None and core.isdigit():
        return f"{_KIND_TAG[kind]} {core}"
    return core


def closest_area_names(name: object, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The candidate names whose keys are closest to a name's key, best first.

    Parameters
    ----------
    name : object
        The name that matched none of the candidates.
    candidates : iterable of str
        The area names of the commune (as written in its list).
    limit : int
        At most this many names.

    Returns
    -------
    list of str
        Candidates as written, one per key, by :mod:`difflib` similarity of
        the keys (at least 0.5); empty when nothing is close.
    """
    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(area_key(candidate), candidate)
    wanted = area_key(name)
    keys = difflib.get_close_matches(wanted, list(by_key), n=limit, cutoff=0.5)
    return [by_key[k] for k in keys]
