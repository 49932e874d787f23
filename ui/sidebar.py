"""The shared sidebar: language, the filters every page uses, and the demo badge."""

from __future__ import annotations

import functools
from datetime import date

import pandas as pd
import streamlit as st

from analysis.indicators import Filters, Period
from loaders.core import domain
from loaders.core.i18n import LANGUAGES
from ui import cache, url_state
from ui.i18n import LANG_KEY, t
from ui.parts.labels import former_name

GRANULARITIES = ("month", "quarter", "year")
FIRST_PERIOD = date(2020, 1, 1)
FILTERS_KEY = "shared_filters"


def period_options(granularity: str, today: date | None = None) -> list[Period]:
    """Every period of a granularity from January 2020 to the current one.

    The current period ends today rather than in the future, since no data can
    lie beyond today.
    """
    return list(_period_options(granularity, today or date.today()))


@functools.lru_cache(maxsize=16)
def _period_options(granularity: str, today: date) -> tuple[Period, ...]:
    # Computed once a day per granularity, not on every rerun of every page:
    # the options only change when the day does.
    freq = {"month": "MS", "quarter": "QS", "year": "YS"}[granularity]
    starts = pd.date_range(FIRST_PERIOD, today, freq=freq)
    offset = {"month": pd.offsets.MonthEnd(0), "quarter": pd.offsets.QuarterEnd(0), "year": pd.offsets.YearEnd(0)}[
        granularity
    ]
    return tuple(Period(s.date(), min((s + offset).date(), today)) for s in starts)


def period_label(period: Period, granularity: str) -> str:
    """Short label: 03/2025, Q1/2025 or 2025."""
    if granularity == "month":
        return f"{period.start.month:02d}/{period.start.year}"
    if granularity == "quarter":
        return f"Q{(period.start.month - 1) // 3 + 1}/{period.start.year}"
    return str(period.start.year)


def period_keys(granularity: str) -> tuple[str, str]:
    """Session keys of the period's first and last select boxes for a granularity."""
    return f"filter_period_from_{granularity}", f"filter_period_to_{granularity}"


def default_range(granularity: str, options: list[Period]) -> tuple[int, int]:
    """Default selection: the last 12 months, the last 4 quarters or the last year."""
    last = len(options) - 1
    span = {"month": 12, "quarter": 4, "year": 1}[granularity]
    return max(0, last - span + 1), last


def render_sidebar() -> Filters:
    """Draw the shared sidebar and return the filters it selects."""
    registry = cache.get_registry()
    url_state.restore_from_query_params(lambda g: [period_label(p, g) for p in period_options(g)])
    with st.sidebar:
        st.radio(
            t("sidebar.language"),
            LANGUAGES,
            key=LANG_KEY,
            horizontal=True,
            format_func=lambda code: t(f"language.{code}"),
        )
        st.subheader(t("sidebar.filters"))
        granularity = st.radio(
            t("filter.granularity"),
            GRANULARITIES,
            key="filter_granularity",
            horizontal=True,
            format_func=lambda g: t(f"filter.granularity.{g}"),
        )
        options = period_options(granularity)
        labels = [period_label(p, granularity) for p in options]
        from_key, to_key = period_keys(granularity)
        if from_key not in st.session_state or st.session_state[from_key] not in labels:
            st.session_state[from_key] = labels[default_range(granularity, options)[0]]
        if to_key not in st.session_state or st.session_state[to_key] not in labels:
            st.session_state[to_key] = labels[-1]
        # Two select boxes rather than a range slider: exact to pick, and readable on a phone.
        left, right = st.columns(2)
        start_label = left.selectbox(t("filter.period_from"), labels, key=from_key)
        end_label = right.selectbox(t("filter.period_to"), labels, key=to_key)
        first, last = sorted((labels.index(start_label), labels.index(end_label)))
        if first != labels.index(start_label):
            st.caption(t("filter.period_swapped"))
        period = Period(options[first].start, options[last].end)
        district_codes = list(registry.districts.index)
        districts = st.multiselect(
            t("filter.districts"),
            district_codes,
            key="filter_districts",
            format_func=lambda c: former_name(registry.districts.at[c, "name"]),
            placeholder=t("filter.all"),
        )
        kinds = st.multiselect(
            t("filter.kinds"),
            list(domain.MODEL_KINDS),
            key="filter_kinds",
            format_func=lambda k: t(f"enum.kind.{k}"),
            placeholder=t("filter.all"),
        )
        focus = st.selectbox(
            t("filter.focus"),
            domain.FOCUS_AREAS,
            key="filter_focus",
            format_func=lambda f: t(f"focus.{f}"),
        )
        st.caption(t("filter.district_note"))
    filters = Filters(period=period, districts=tuple(districts), kinds=tuple(kinds), focus=focus)
    st.session_state[FILTERS_KEY] = filters
    return filters


def render_demo_badge() -> None:
    """Show the demo badge while only demo data is stored."""
    flags = cache.get_store_flags(cache.data_version())
    if flags["demo_shown"]:
        st.warning(f"**{t('demo.badge')}** — {t('demo.badge_help')}", icon=":material/science:")


def current_filters() -> Filters:
    """The filters drawn by the sidebar on this run (pages call this)."""
    return st.session_state[FILTERS_KEY]
