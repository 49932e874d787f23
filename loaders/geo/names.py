"""Parsing of the commune and district references that people write.

Reports name a unit in many ways: "Xã Kỳ Tân", "X. Kỳ Tân", "Kỳ Tân, Huyện
Kỳ Anh, tỉnh Hà Tĩnh", or "Kỳ Anh(Thịxã)" in the pre-2020 list. These helpers
turn such text into the keys that :mod:`loaders.geo.resolve` looks up. Folding
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
    text = fold(value)
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
