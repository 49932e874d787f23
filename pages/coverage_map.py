"""Home page: key figures and the coverage map of the 69 communes, with a commune profile beside it."""

import streamlit as st

from analysis import indicators as ind
from loaders import settings
from maps.offline import BASEMAPS
from maps.views import clicked_code
from ui import cache
from ui.map_component import render_map
from ui.print_parts import render_briefing_download, render_print_map_downloads
from ui.components import SELECTED_COMMUNE_KEY, render_commune_profile, render_kpis, render_legend
from ui.i18n import current_language, t
from ui.sidebar import current_filters

filters = current_filters()
version = cache.data_version()
st.title(t("page.coverage_map.title"))

render_kpis(cache.get_summary(version, filters), key_prefix="map")

option_cols = st.columns([2, 1])
indicator = option_cols[0].selectbox(
    t("map.indicator"), ind.MAP_INDICATORS, key="map_indicator", format_func=lambda i: t(f"indicator.{i}"),
)
basemap = option_cols[1].selectbox(
    t("map.basemap"), BASEMAPS, index=BASEMAPS.index(settings.default_basemap()), key="map_basemap",
    format_func=lambda b: t(f"map.basemap.{b}"),
)
st.caption(t("map.rules", threshold=int(filters.rise_threshold * 100), baseline=filters.min_baseline))

indicators = cache.get_indicators(version, filters)
selected = st.session_state.get(SELECTED_COMMUNE_KEY) or ""
map_col, profile_col = st.columns([3, 2], gap="medium")
with map_col:
    prepared, points_only, _codes = cache.get_base_map(ind.LEVEL_2025, basemap, current_language())
    restyle, legend = cache.get_map_restyle(version, filters, indicator, current_language(),
                                            highlight=(selected,) if selected else ())
    if points_only:
        st.warning(t("map.no_boundaries"))
    render_legend(legend, t(f"indicator.{indicator}"))
    event = render_map(prepared, key="map_coverage", height=560, restyle=restyle)
    clicked = clicked_code(event)
    # The profile select box below is drawn after the map, so setting its key here is allowed.
    if clicked and clicked != selected:
        st.session_state[SELECTED_COMMUNE_KEY] = clicked
    render_print_map_downloads(filters, indicator, key_prefix="map_print", highlight=(selected,) if selected else ())
with profile_col:
    registry = cache.get_registry()
    codes = [""] + list(indicators.index)
    if st.session_state.get(SELECTED_COMMUNE_KEY) not in codes:
        st.session_state[SELECTED_COMMUNE_KEY] = ""
    st.selectbox(
        t("profile.select"), codes, key=SELECTED_COMMUNE_KEY,
        format_func=lambda c: registry.communes.at[c, "name"] if c else t("profile.pick"),
    )
    if st.session_state[SELECTED_COMMUNE_KEY]:
        render_briefing_download(st.session_state[SELECTED_COMMUNE_KEY], "commune", filters, key_prefix="map_profile")
        render_commune_profile(st.session_state[SELECTED_COMMUNE_KEY], filters, indicators, key_prefix="map_profile")
    else:
        st.info(t("profile.pick"))
