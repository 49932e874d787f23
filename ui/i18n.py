"""The UI side of the catalogues: the current language lives in session state."""

from __future__ import annotations

from collections.abc import Callable

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


def option_labels(prefix: str) -> Callable[[object], str]:
    """A widget's ``format_func`` that reads ``option`` as the catalogue key ``prefix + option``.

    The language is taken when the widget is drawn, not when the label is
    asked for: a label asked for later (by a test harness, outside the run)
    still reads in the page's language.
    """
    lang = current_language()
    return lambda option: translate(f"{prefix}{option}", lang)


def option_or(empty_label: str, label: Callable[[object], object] = str) -> Callable[[object], str]:
    """A ``format_func`` that shows ``empty_label`` for the empty option and ``label(option)`` for the others.

    ``empty_label`` is translated by the caller while the widget is drawn, for
    the reason :func:`option_labels` gives.
    """
    return lambda option: str(label(option)) if option else empty_label
