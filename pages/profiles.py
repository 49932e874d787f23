"""Profiles: one commune or one former district, chosen from a list, a map click or the URL (``xa``)."""

import streamlit as st
from streamlit_folium import st_folium

from analysis import indicators as ind
from loaders import settings
from maps.views import clicked_code
from ui import cache
from ui.components import SELECTED_COMMUNE_KEY, render_commune_profile, render_legend
from ui.i18n import current_language, t
from ui.page_parts import (center_of, map_indicator_for, new_click, render_commune_extras, render_district_profile,
                           render_level_switch, sync_selection)
from ui.sidebar import current_filters

filters = current_filters()
version = cache.data_version()
registry = cache.get_registry()
st.title(t("page.profiles.title"))

mode = st.segmented_control(t("profile.mode"), ("commune", "district"), key="profiles_mode", default="commune",
                            required=True, format_func=lambda v: t(f"profile.mode.{v}")) or "commune"
level = render_level_switch(filters)
picker = st.container()
map_col, profile_col = st.columns([2, 3], gap="medium")

units = list(ind.selected_units(registry, filters))
selected = st.session_state.get(SELECTED_COMMUNE_KEY) or ""
if selected and selected not in units and selected in registry.communes.index:
    units.insert(0, selected)  # a commune from the URL or another page stays reachable
district = st.session_state.get("profiles_district") or ""
focus_codes = [selected] if mode == "commune" else registry.communes_in_districts([district]) if district else []

with map_col:
    indicator = map_indicator_for(level, "models_per_10k")
    view = cache.get_coverage_map(version, filters, indicator, current_language(), settings.default_basemap(), level)
    render_legend(view.legend, t(f"indicator.{indicator}"))
    center = center_of(focus_codes)
    event = st_folium(view.map, key="profiles_map", height=480, use_container_width=True,
                      returned_objects=["last_active_drawing"], center=center, zoom=11 if center else None)
    clicked = new_click(clicked_code(event), "profiles_last_click")
    if clicked and level == ind.LEVEL_LEGACY:
        legacy = registry.legacy
        district = legacy.at[clicked, "district_code"] if clicked in legacy.index else district
        clicked = registry.to_2025(clicked)
    elif clicked in registry.communes.index:
        district = registry.communes.at[clicked, "district_codes"][0]
    if clicked and mode == "commune":
        st.session_state[SELECTED_COMMUNE_KEY] = selected = clicked
        if clicked not in units:
            units.insert(0, clicked)
    elif clicked:
        st.session_state["profiles_district"] = district

with picker:
    if mode == "commune":
        st.session_state["profiles_commune"] = selected if selected in units else ""
        code = st.selectbox(
            t("profile.select"), [""] + units, key="profiles_commune", on_change=sync_selection,
            args=("profiles_commune",),
            format_func=lambda c: registry.communes.at[c, "name"] if c else t("profile.pick"),
        )
        st.session_state[SELECTED_COMMUNE_KEY] = code
    else:
        codes = [""] + list(registry.districts.index)
        if st.session_state.get("profiles_district") not in codes:
            st.session_state["profiles_district"] = ""
        code = st.selectbox(
            t("profile.select_district"), codes, key="profiles_district", persist_state="session",
            format_func=lambda c: registry.districts.at[c, "name"] if c else t("profile.pick_district"),
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
