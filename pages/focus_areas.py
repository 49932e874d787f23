"""Focus areas: border, coast, economic zones and major projects against the rest of the province."""

import streamlit as st

from ui import cache
from ui.i18n import current_language, option_labels, t
from ui.parts.focus import render_focus_figures, render_hot_spot_note, render_missing_kinds, render_trends
from ui.parts.map_section import Colouring, focus_highlight, map_indicator_for, render_commune_map, render_level_switch
from ui.sidebar import current_filters

filters = current_filters()
version = cache.data_version()
st.title(t("page.focus_areas.title"))
st.caption(t("focus.page_help"))
st.caption(t("focus.ez_whole_commune"))
render_hot_spot_note(filters)

by = (
    st.segmented_control(
        t("focus.group_by"),
        ("class", "membership"),
        key="focus_group_by",
        default="class",
        required=True,
        format_func=option_labels("focus.group_by."),
        help=t("focus.group_by.help"),
    )
    or "class"
)
comparison = cache.get_focus_comparison(version, filters, by)
if comparison.empty:
    st.info(t("focus.no_units"))
else:
    render_focus_figures(comparison, filters, by)

    st.subheader(t("focus.trends"))
    step = (
        st.segmented_control(
            t("focus.trend_step"),
            ("month", "quarter"),
            key="focus_trend_step",
            default="month",
            required=True,
            format_func=option_labels("filter.granularity."),
        )
        or "month"
    )
    render_trends(cache.get_focus_trends(version, filters, by, step))

st.subheader(t("focus.missing_title"))
st.caption(t("focus.missing_help"))
render_missing_kinds(cache.get_missing_kinds(version, filters), filters)

st.subheader(t("focus.map_title"))
level = render_level_switch(filters)
indicator = map_indicator_for(level, "area_coverage", filters)
restyle, legend = cache.get_map_restyle(
    version, filters, indicator, current_language(), level, focus_highlight(level, filters.hot_spots)
)
st.caption(t("focus.map_help"))
st.caption(t("focus.ez_whole_commune"))
render_commune_map(
    "focus_map",
    level,
    Colouring(restyle, legend, t(f"indicator.{indicator}")),
    kind="focus",
    height=520,
    returned_objects=(),
)
