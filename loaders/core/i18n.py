"""Message catalogues: one JSON file per language in ``locales/``, and dates as text.

Plain Python so that loaders (validation messages) and the UI share the same
catalogue. Vietnamese is the default and the reference: every key must exist
there; English falls back to Vietnamese for a missing key.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path

from loaders.core.settings import PROJECT_ROOT

LANGUAGES: tuple[str, ...] = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
_LOCALES_DIR = PROJECT_ROOT / "locales"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Return the flat key -> text mapping of one language.

    Parameters
    ----------
    lang : str
        ``"vi"`` or ``"en"``.

    Raises
    ------
    ValueError
        For a language with no catalogue.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    path: Path = _LOCALES_DIR / f"{lang}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """Look up ``key`` and fill ``{name}`` placeholders from ``params``.

    A key missing in English falls back to Vietnamese; a key missing everywhere
    is returned as is, so that a gap shows on screen instead of crashing a page.
    """
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key, key)
    return text.format(**params) if params else text


def format_date(value: dt.date | dt.datetime, lang: str = DEFAULT_LANGUAGE, *, with_time: bool = False) -> str:
    """A date as text, the one format of every page, table, export and message.

    In Vietnamese, as official documents write dates (Decree 30/2020/ND-CP,
    appendix I): a leading zero for days under 10 and for January and February
    only, so that "1" cannot be read as the start of "10" to "12". English keeps
    two digits throughout. A timestamp (``pandas.Timestamp`` too) gives its
    local wall-clock time after the date when ``with_time`` is set.

    >>> format_date(dt.date(2025, 7, 1))
    '01/7/2025'
    >>> format_date(dt.date(2025, 2, 5))
    '05/02/2025'
    >>> format_date(dt.date(2025, 12, 15))
    '15/12/2025'
    >>> format_date(dt.date(2025, 7, 1), "en")
    '01/07/2025'
    >>> format_date(dt.datetime(2025, 1, 9, 8, 5), with_time=True)
    '09/01/2025 08:05'
    """
    month = f"{value.month:02d}" if lang != DEFAULT_LANGUAGE or value.month <= 2 else str(value.month)
    text = f"{value.day:02d}/{month}/{value.year:04d}"
    if with_time and isinstance(value, dt.datetime):
        text += f" {value.hour:02d}:{value.minute:02d}"
    return text


def format_date_range(start: dt.date, end: dt.date, lang: str = DEFAULT_LANGUAGE) -> str:
    """A period as text, both ends in :func:`format_date`.

    >>> format_date_range(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    '01/01/2025 – 30/6/2025'
    """
    return f"{format_date(start, lang)} – {format_date(end, lang)}"
