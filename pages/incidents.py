"""Incidents: monthly series by field and severity, change against the previous period, the map."""

from dataclasses import replace

import streamlit as st

from loaders.core import settings
from loaders.core.i18n import format_date_range
from ui import cache
from ui.access import can
from ui.i18n import current_language, t
from ui.map_component import render_map
from ui.parts import incidents as parts
from ui.parts.labels import rule_sentence
from ui.parts.map_section import Colouring, map_indicator_for, render_commune_map, render_level_switch
from ui.parts.reporting import render_completeness, render_reporting_rule
from ui.parts.tables import render_table
from ui.sidebar import current_filters

version = cache.data_version()
st.title(t("page.incidents.title"))
parts.render_scope_caption()

rule_cols = st.columns(2)
rise = rule_cols[0].slider(
    t("incidents.rise"), 0, 200, 25, step=5, key="incidents_rise", format="%d%%", persist_state="session"
)
baseline = rule_cols[1].slider(t("incidents.baseline"), 0, 50, 5, key="incidents_baseline", persist_state="session")
filters = replace(current_filters(), rise_threshold=rise / 100, min_baseline=baseline)
st.info(t("incidents.rule_on_screen", rule=rule_sentence(filters)), icon=":material/rule:")
render_reporting_rule()

chart_cols = st.columns(2)
with chart_cols[0]:
    parts.render_monthly(cache.get_incident_series(version, filters, "field"), "field", t("incidents.by_field"))
with chart_cols[1]:
    parts.render_monthly(
        cache.get_incident_series(version, filters, "severity"), "severity", t("incidents.by_severity")
    )

render_completeness(version, filters)

st.subheader(t("incidents.change_title"))
level = render_level_switch(filters)
table = cache.get_change_table(version, filters, level)
n_flagged = int(table["incidents_flag"].sum())
compared = filters.compare_period()
st.caption(
    t(
        "incidents.flag_count",
        n=n_flagged,
        rule=rule_sentence(filters),
        prev=format_date_range(compared.start, compared.end, current_language()),
    )
)
render_table(
    parts.change_frame(table),
    filters,
    t("incidents.change_title"),
    key="incidents_change_table",
    extra=[(t("incidents.rule_label"), rule_sentence(filters))],
)

st.subheader(t("incidents.map_title"))
lang = current_language()
show_points = can("points") and st.toggle(
    t("incidents.show_points"), value=False, key="incidents_points", help=t("incidents.show_points.help")
)
points_script, n_points = cache.get_points_script(version, filters, lang, level) if show_points else ("", 0)
if show_points and not n_points:
    st.info(t("incidents.no_points"))
if n_points:
    st.caption(t("incidents.points_all", n=n_points))
    render_map(
        cache.get_points_base_map(level, settings.default_basemap(), lang),
        key="incidents_points_map",
        height=520,
        returned_objects=(),
        restyle=points_script,
    )
else:
    indicator = map_indicator_for(level, "incidents_per_10k", filters)
    restyle, legend = cache.get_map_restyle(version, filters, indicator, lang, level, ())
    render_commune_map(
        "incidents_map", level, Colouring(restyle, legend, t(f"indicator.{indicator}")), height=520, returned_objects=()
    )

if can("incident_details"):
    st.subheader(t("incidents.details_title"))
    rows = cache.get_incident_rows(version, filters, level)
    st.caption(t("incidents.details_help", n=len(rows)))
    shown = rows.head(parts.DETAIL_ROWS_SHOWN)
    if len(shown) < len(rows):
        st.caption(t("incidents.details_capped", shown=len(shown), n=len(rows)))
    render_table(
        parts.details_frame(shown, level),
        filters,
        t("incidents.details_title"),
        key="incidents_details",
        download=lambda: parts.details_frame(rows, level),
    )
