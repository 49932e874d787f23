"""The UI side of the catalogues: the current language lives in session state."""

from __future__ import annotations

import streamlit as st

from loaders.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate

LANG_KEY = "ui_lang"


def current_language() -> str:
    """The language chosen in the sidebar (Vietnamese by default)."""
    lang = st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **params: object) -> str:
    """Translate ``key`` into the current language."""
    return translate(key, current_language(), **params)
