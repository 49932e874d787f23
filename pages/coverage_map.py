"""Home page: key figures, the coverage map of the 69 communes, what needs attention and a commune profile."""

import streamlit as st

from analysis import indicators as ind
from loaders.core import domain, settings
from maps.offline import BASEMAPS
from maps.views import clicked_code
from ui import cache
from ui.i18n import current_language, option_labels, option_or, t
from ui.map_component import map_event, render_map
from ui.parts.attention import render_attention
from ui.parts.incidents import render_scope_caption
from ui.parts.kpis import render_kpis
from ui.parts.map_section import (
    SELECTED_COMMUNE_KEY,
    highlight_codes,
    map_indicator_for,
    new_click,
    render_legend,
    render_level_switch,
    sync_selection,
)
from ui.parts.model_areas import render_unlinked_models
from ui.parts.printing import render_briefing_download, render_print_map_downloads
from ui.parts.profile import render_commune_profile
from ui.sidebar import current_filters

filters = current_filters()
version = cache.data_version()
registry = cache.get_registry()
st.title(t("page.coverage_map.title"))

# On a laptop: key figures, then the map beside the "Cần chú ý" panel and the profile. On a phone
# the page style puts the map block first and the key figures after it (ui/page_style.py).
render_kpis(cache.get_summary(version, filters), key_prefix="map")
render_scope_caption()  # what the incident figures above count

main = st.container(key="home_main")
map_col, side_col = main.columns([3, 2], gap="medium")
with map_col:
    option_cols = st.columns([3, 2])
    indicator = option_cols[0].selectbox(
        t("map.indicator"),
        ind.MAP_INDICATORS,
        key="map_indicator",
        format_func=option_labels("indicator."),
    )
    basemap = option_cols[1].selectbox(
        t("map.basemap"),
        BASEMAPS,
        index=BASEMAPS.index(settings.default_basemap()),
        key="map_basemap",
        format_func=option_labels("map.basemap."),
    )
    level = render_level_switch(filters)
    shown = map_indicator_for(level, indicator, filters)  # a count where no legacy unit has the rate
    # A new map click (from the previous run) selects before anything is drawn; a legacy unit
    # opens the 2025 commune that took its area.
    clicked = new_click(clicked_code(map_event("map_coverage")), "map_last_click")
    if clicked and level == domain.VINTAGE_LEGACY:
        clicked = registry.to_2025(clicked)
    if clicked:
        st.session_state[SELECTED_COMMUNE_KEY] = clicked
    selected = st.session_state.get(SELECTED_COMMUNE_KEY) or ""
    lang = current_language()
    prepared, points_only, _codes = cache.get_base_map(level, basemap, lang)
    restyle, legend = cache.get_map_restyle(version, filters, shown, lang, level, highlight_codes([selected], level))
    if points_only:
        st.warning(t("map.no_boundaries"))
    render_legend(legend, t(f"indicator.{shown}"))
    render_map(prepared, key="map_coverage", height=520, restyle=restyle)
    if shown == "area_coverage":
        st.caption(t("map.rules.area_coverage"))
        render_unlinked_models(short=True)
    if level == domain.VINTAGE_LEGACY:
        st.caption(t("map.rules.legacy"))
    st.caption(t("map.rules", threshold=int(filters.rise_threshold * 100), baseline=filters.min_baseline))

# Slower parts after the map, so that the map reaches the browser first.
indicators = cache.get_indicators(version, filters)
codes = ["", *list(indicators.index)]
with side_col:
    render_attention(filters, key_prefix="map_attention")
    selected = st.session_state.get(SELECTED_COMMUNE_KEY) or ""
    if selected and selected not in codes and selected in registry.communes.index:
        codes.insert(1, selected)  # a commune chosen elsewhere stays reachable under narrower filters
    # The select box has its own key, synced to the shared selection: a widget's own
    # state is dropped when another page is shown, the shared key is not.
    st.session_state["map_commune"] = selected if selected in codes else ""
    st.selectbox(
        t("profile.select"),
        codes,
        key="map_commune",
        on_change=sync_selection,
        args=("map_commune",),
        format_func=option_or(t("profile.pick"), registry.communes["name"].get),
    )
    selected = st.session_state["map_commune"]
    st.session_state[SELECTED_COMMUNE_KEY] = selected
    if selected:
        render_briefing_download(selected, "commune", filters, key_prefix="map_profile")
        render_commune_profile(selected, filters, indicators, key_prefix="map_profile")
with map_col:
    render_print_map_downloads(
        filters, shown, key_prefix="map_print", level=level, highlight=highlight_codes([selected], level)
    )
