"""The shared sidebar: language, the filters every page uses, and the demo badge."""

from __future__ import annotations

import streamlit as st

from analysis.indicators import Filters, hot_spot_units
from analysis.periods import Period
from loaders.core import domain
from loaders.core.i18n import LANGUAGES
from loaders.focus import hot_spots
from ui import cache, url_state
from ui.i18n import LANG_KEY, option_labels, t
from ui.parts.labels import former_name
from ui.period_picker import period_labels, render_period_picker

FILTERS_KEY = "shared_filters"


def render_sidebar() -> Filters:
    """Draw the shared sidebar and return the filters it selects."""
    registry = cache.get_registry()
    url_state.restore_from_query_params(period_labels)
    with st.sidebar:
        st.radio(
            t("sidebar.language"),
            LANGUAGES,
            key=LANG_KEY,
            horizontal=True,
            format_func=option_labels("language."),
        )
        st.subheader(t("sidebar.filters"))
        period, compare = render_period_picker()
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
            format_func=option_labels("enum.kind."),
            placeholder=t("filter.all"),
        )
        focus = st.selectbox(
            t("filter.focus"),
            domain.FOCUS_AREAS,
            key="filter_focus",
            format_func=option_labels("focus."),
        )
        filters = filters_for(
            cache.data_version(), period, compare, districts=tuple(districts), kinds=tuple(kinds), focus=focus
        )
        if focus == domain.FOCUS_HOT_SPOT:
            n = len(hot_spot_units(registry, filters.hot_spots))
            st.caption(t("filter.hot_spot_year", year=period.end.year, n=n) if n else t("filter.hot_spot_none"))
        st.caption(t("filter.district_note"))
    st.session_state[FILTERS_KEY] = filters
    return filters


def filters_for(
    version: int,
    period: Period,
    compare: str,
    *,
    districts: tuple[str, ...] = (),
    kinds: tuple[str, ...] = (),
    focus: str = domain.FOCUS_AREAS[0],
) -> Filters:
    """The filters of the sidebar's choices (the defaults: every district, kind and area).

    The admin's hot-spot list of the year the period ends in comes with them: a focus
    group like the border or the coast.
    """
    spots = hot_spots.codes_for_year(cache.get_hot_spot_lists(version), period.end.year)
    return Filters(period=period, districts=districts, kinds=kinds, focus=focus, hot_spots=spots, compare=compare)


def render_demo_badge() -> None:
    """Show the demo badge while only demo data is stored."""
    flags = cache.get_store_flags(cache.data_version())
    if flags["demo_shown"]:
        st.warning(f"**{t('demo.badge')}** — {t('demo.badge_help')}", icon=":material/science:")


def current_filters() -> Filters:
    """The filters drawn by the sidebar on this run (pages call this)."""
    return st.session_state[FILTERS_KEY]
