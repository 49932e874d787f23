"""Parsing of the commune and district references that people write.

Reports name a unit in many ways: "Xã Kỳ Tân", "X. Kỳ Tân", "Kỳ Tân, Huyện
Kỳ Anh, tỉnh Hà Tĩnh", or "Kỳ Anh(Thịxã)" in the pre-2020 list. These helpers
turn such text into the keys that :mod:`loaders.geo.resolve` looks up, and
split the cells that join a commune and its former district ("Xã Sơn Lâm -
Huyện Hương Sơn", "X. THẠCH BÌNH TP HÀ TĨNH") into their two parts. Folding
(case, diacritics, spacing) is :mod:`loaders.core.textnorm`'s job; this module
adds what is specific to Vietnamese unit names.
"""

from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd

from loaders.core.textnorm import COMMUNE_PREFIXES, fold, key, split_unit_prefix
from loaders.geo.schema import normalise_code

#: The short prefix of each unit type, as :func:`loaders.core.textnorm.split_unit_prefix` returns it.
TYPE_PREFIX = {"Xã": "x", "Phường": "p", "Thị trấn": "tt", "Huyện": "h", "Thị xã": "tx", "Thành phố": "tp"}

#: A district reference: (type prefix or ``None``, folded name key).
District = tuple[str | None, str]

# "(cũ)" after a name: the unit no longer exists, which says nothing about which one it is.
_FORMER = re.compile(r"\s*\(\s*(cu|cũ)\s*\)\s*$", re.IGNORECASE)


def is_present(value: object) -> bool:
    """Whether a cell holds a value: not ``None``, NaN, NA or blank text."""
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    try:
        if pd.isna(value):
            return False
    except (TypeError, ValueError):
        pass
    return bool(str(value).strip())


def exact_name(text: object) -> str:
    """The name with its diacritics kept (NFC, lower case, single spaces).

    Folding merges a few distinct names ("Thạch Hạ" / "Thạch Hà"); this form
    tells them apart.
    """
    return unicodedata.normalize("NFC", " ".join(str(text).split())).lower()


def strip_unit_prefix(name: str) -> str:
    """The name without its unit type ("Xã Kỳ Tân" -> "Kỳ Tân"), diacritics kept."""
    words = re.sub(r"[.\-_,;:/()]+", " ", str(name)).split()
    prefix, _ = split_unit_prefix(name)
    if prefix is None:
        return " ".join(words)
    n_words = {"x": 1, "p": 1, "tt": 2, "h": 1, "tx": 2, "tp": 2}[prefix]
    first = fold(words[0])
    # Abbreviated prefixes ("X.", "TT", "TP") are one word.
    if first in {"x", "p", "tt", "tx", "tp", "h"}:
        n_words = 1
    return " ".join(words[n_words:])


def parse_district(value: object) -> District:
    """A district reference as (type prefix or ``None``, name key)."""
    # "Thị xã Kỳ Anh (cũ)": the app's own label for a former district.
    text = _FORMER.sub("", fold(value))
    # The pre-2020 list writes "Kỳ Anh(Thịxã)" for the town.
    m = re.fullmatch(r"(.*?)\s*\((thi ?xa|huyen|thanh ?pho)\)", text)
    if m:
        kind = {"thixa": "tx", "huyen": "h", "thanhpho": "tp"}[m.group(2).replace(" ", "")]
        return kind, key(m.group(1))
    prefix, rest = split_unit_prefix(text)
    if prefix in COMMUNE_PREFIXES:  # "Xã Can Lộc" is never a district
        return None, key(text)
    return prefix, rest


def district_matches(given: District, candidates: frozenset[District]) -> bool:
    """Whether a written district names one of ``candidates``; a missing type matches any type."""
    g_prefix, g_key = given
    return any(k == g_key and (g_prefix is None or prefix is None or prefix == g_prefix) for prefix, k in candidates)


def parse_query(query: str) -> tuple[str | None, str | None, str | None]:
    """Split free text into (code, name, district); the parts not given are ``None``."""
    parts = [p.strip() for p in str(query).split(",") if p.strip()]
    # Drop the province part users append ("..., tỉnh Hà Tĩnh").
    parts = [p for p in parts if not fold(p).startswith("tinh ")]
    if not parts:
        return None, None, None
    if len(parts) == 1 and normalise_code(parts[0]) is not None:
        return parts[0], None, None
    return None, parts[0], (parts[1] if len(parts) > 1 else None)


# Where spreadsheets join a commune and its former district in one cell.
_SEPARATORS = re.compile(r"\s*[-–—/;|,]\s*")
_PARENTHESES = re.compile(r"(.+?)\s*\((.+)\)\s*")
# A parenthesis that only qualifies the name ("(cũ)") or gives a district's type ("(Thịxã)").
_QUALIFIERS = frozenset({"cu", "thixa", "huyen", "thanhpho"})
# Words that open a district's name; "h" and the two-letter forms are never a word of a name.
_DISTRICT_OPENERS = ("huyen", "h", "tx", "tp", "thi xa", "thanh pho")


def _words(text: str) -> list[str]:
    # "X.Sơn Lâm" and "H.Hương Sơn": an abbreviation's dot ends a word.
    return re.sub(r"\.(?=\S)", ". ", text).split()


def _is_province(part: str) -> bool:
    folded = fold(part)
    return folded.startswith("tinh ") or key(folded) == "hatinh"


def _drop_province(words: list[str]) -> list[str]:
    """``words`` without a trailing "tỉnh Hà Tĩnh"."""
    folded = [key(w) for w in words]
    if len(words) > 3 and folded[-3:] == ["tinh", "ha", "tinh"]:
        return words[:-3]
    return words


#: One way to read a joined cell: its (commune, district) pairs, which must agree when several.
Reading = list[tuple[str, str]]


def split_joined(text: object) -> list[Reading]:
    """The ways to read a cell as a commune joined with its former district.

    Parameters
    ----------
    text : object
        A cell such as "Xã Sơn Lâm - Huyện Hương Sơn", "Sơn Lâm (Hương Sơn)",
        "xa Son Lam huyen Huong Son" or "Sơn Lâm Hương Sơn".

    Returns
    -------
    list of Reading
        The readings to try in turn, the surest first. A reading split at a
        separator ("-", "–", "/", ";", ","), at parentheses or before a
        district's type word ("Huyện", "H.", "TX", "TP", ...) is one pair; with
        none of these written, one reading holds every split between two
        words, and only an answer they all agree on counts. A trailing "(cũ)"
        first gives the name without it (district ``""``).
    """
    if not is_present(text):
        return []
    raw = unicodedata.normalize("NFC", " ".join(str(text).split()))
    without_former = _FORMER.sub("", raw)
    if without_former != raw:
        return [[(without_former, "")], *split_joined(without_former)]
    m = _PARENTHESES.fullmatch(raw)
    if m and key(m.group(2)) not in _QUALIFIERS:
        return [[(m.group(1), m.group(2))]]
    parts = [p for p in _SEPARATORS.split(raw) if p.strip()]
    if len(parts) > 2 and _is_province(parts[-1]):
        parts = parts[:-1]
    if len(parts) == 2:
        return [[(parts[0], parts[1])]]
    if len(parts) > 2:
        return []
    words = _drop_province(_words(raw))
    folded = [fold(re.sub(r"[.,;:]", " ", w)).strip() for w in words]
    for i in range(1, len(words)):
        for opener in _DISTRICT_OPENERS:
            n = len(opener.split())
            if " ".join(folded[i : i + n]) == opener and i + n < len(words):
                return [[(" ".join(words[:i]), " ".join(words[i:]))]]
    every_split = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    return [every_split] if every_split else []
