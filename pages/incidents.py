"""Incidents: monthly series by field and severity, change against the previous period, the map."""

from dataclasses import replace

import streamlit as st
from streamlit_folium import st_folium

from analysis.comparisons import change_table
from loaders import settings
from ui import cache
from ui.access import can
from ui.components import render_legend
from ui.i18n import current_language, t
from ui.page_parts import (change_frame, details_frame, map_indicator_for, render_level_switch, render_monthly,
                           render_table, rule_sentence)
from ui.sidebar import current_filters

version = cache.data_version()
st.title(t("page.incidents.title"))

rule_cols = st.columns(2)
rise = rule_cols[0].slider(t("incidents.rise"), 0, 200, 25, step=5, key="incidents_rise", format="%d%%",
                           persist_state="session")
baseline = rule_cols[1].slider(t("incidents.baseline"), 0, 50, 5, key="incidents_baseline",
                               persist_state="session")
filters = replace(current_filters(), rise_threshold=rise / 100, min_baseline=baseline)
st.info(t("incidents.rule_on_screen", rule=rule_sentence(filters)), icon=":material/rule:")

chart_cols = st.columns(2)
with chart_cols[0]:
    render_monthly(cache.get_incident_series(version, filters, "field"), "field", t("incidents.by_field"))
with chart_cols[1]:
    render_monthly(cache.get_incident_series(version, filters, "severity"), "severity", t("incidents.by_severity"))

st.subheader(t("incidents.change_title"))
level = render_level_switch(filters)
indicators = cache.get_indicators(version, filters, level)
table = change_table(indicators)
n_flagged = int(table["incidents_flag"].sum())
st.caption(t("incidents.flag_count", n=n_flagged, rule=rule_sentence(filters),
             prev=f"{filters.period.previous().start:%d/%m/%Y}–{filters.period.previous().end:%d/%m/%Y}"))
render_table(change_frame(table), filters, t("incidents.change_title"), key="incidents_change_table",
             extra=[(t("incidents.rule_label"), rule_sentence(filters))])

st.subheader(t("incidents.map_title"))
lang, basemap = current_language(), settings.default_basemap()
show_points = can("points") and st.toggle(t("incidents.show_points"), value=False, key="incidents_points",
                                          help=t("incidents.show_points.help"))
points_map, shown, located = cache.get_points_map(version, filters, lang, basemap, level) if show_points else (
    None, 0, 0)
if show_points and points_map is None:
    st.info(t("incidents.no_points"))
if points_map is not None:
    st.caption(t("incidents.points_shown", shown=shown, located=located))
    st_folium(points_map, key="incidents_points_map", height=520, use_container_width=True, returned_objects=[])
else:
    indicator = map_indicator_for(level, "incidents_per_10k")
    view = cache.get_coverage_map(version, filters, indicator, lang, basemap, level)
    render_legend(view.legend, t(f"indicator.{indicator}"))
    st_folium(view.map, key="incidents_map", height=520, use_container_width=True, returned_objects=[])

if can("incident_details"):
    st.subheader(t("incidents.details_title"))
    rows = cache.get_incident_rows(version, filters, level)
    st.caption(t("incidents.details_help", n=len(rows)))
    render_table(details_frame(rows, level), filters, t("incidents.details_title"), key="incidents_details")
