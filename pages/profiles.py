"""Profiles: one commune or one former district, chosen from a list, a map click or the URL (``xa``)."""

import streamlit as st

from analysis import indicators as ind
from loaders.core import domain
from maps.views import clicked_code
from ui import cache
from ui.i18n import current_language, option_labels, option_or, t
from ui.map_component import map_event
from ui.parts.labels import former_name
from ui.parts.map_section import (
    SELECTED_COMMUNE_KEY,
    Colouring,
    center_of,
    highlight_codes,
    map_indicator_for,
    new_click,
    render_commune_map,
    render_level_switch,
    sync_selection,
)
from ui.parts.profile import render_commune_extras, render_commune_profile, render_district_profile
from ui.sidebar import current_filters

filters = current_filters()
version = cache.data_version()
registry = cache.get_registry()
st.title(t("page.profiles.title"))

mode = (
    st.segmented_control(
        t("profile.mode"),
        ("commune", "district"),
        key="profiles_mode",
        default="commune",
        required=True,
        format_func=option_labels("profile.mode."),
    )
    or "commune"
)
level = render_level_switch(filters)

# A new map click (from the previous run) selects before anything is drawn.
clicked = new_click(clicked_code(map_event("profiles_map")), "profiles_last_click")
district = st.session_state.get("profiles_district") or ""
if clicked and level == domain.VINTAGE_LEGACY and clicked in registry.legacy.index:
    district = registry.legacy.at[clicked, "district_code"]
    clicked = registry.to_2025(clicked)
elif clicked in registry.communes.index:
    district = registry.communes.at[clicked, "district_codes"][0]
if clicked and mode == "commune":
    st.session_state[SELECTED_COMMUNE_KEY] = clicked
elif clicked:
    st.session_state["profiles_district"] = district

units = list(ind.selected_units(registry, filters))
selected = st.session_state.get(SELECTED_COMMUNE_KEY) or ""
if selected and selected not in units and selected in registry.communes.index:
    units.insert(0, selected)  # a commune from the URL, a click or another page stays reachable
if mode == "commune":
    st.session_state["profiles_commune"] = selected if selected in units else ""
    code = st.selectbox(
        t("profile.select"),
        ["", *units],
        key="profiles_commune",
        on_change=sync_selection,
        args=("profiles_commune",),
        format_func=option_or(t("profile.pick"), registry.communes["name"].get),
    )
    st.session_state[SELECTED_COMMUNE_KEY] = code
    focus_codes = [code] if code else []
else:
    codes = ["", *list(registry.districts.index)]
    if st.session_state.get("profiles_district") not in codes:
        st.session_state["profiles_district"] = ""
    code = st.selectbox(
        t("profile.select_district"),
        codes,
        key="profiles_district",
        persist_state="session",
        format_func=option_or(t("profile.pick_district"), lambda c: former_name(registry.districts.at[c, "name"])),
    )
    focus_codes = registry.communes_in_districts([code]) if code else []

map_col, profile_col = st.columns([2, 3], gap="medium")
with map_col:
    indicator = map_indicator_for(level, "area_coverage", filters)
    restyle, legend = cache.get_map_restyle(
        version, filters, indicator, current_language(), level, highlight_codes(list(focus_codes), level)
    )
    center = center_of(list(focus_codes))
    render_commune_map(
        "profiles_map",
        level,
        Colouring(restyle, legend, t(f"indicator.{indicator}")),
        center=center,
        zoom=(11 if mode == "commune" else 10) if center else None,
    )

with profile_col:
    if not code:
        st.info(t("profile.pick") if mode == "commune" else t("profile.pick_district"))
    elif mode == "commune":
        indicators = cache.get_indicators(version, cache.province_filters(filters))
        render_commune_profile(code, filters, indicators, key_prefix="profiles_commune_profile")
        render_commune_extras(code, filters, key_prefix="profiles_commune_extra")
    else:
        render_district_profile(code, filters, key_prefix="profiles_district_profile")
