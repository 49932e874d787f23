"""Message catalogues: one JSON file per language in ``locales/``.

Plain Python so that loaders (validation messages) and the UI share the same
catalogue. Vietnamese is the default and the reference: every key must exist
there; English falls back to Vietnamese for a missing key.
"""

from __future__ import annotations

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
