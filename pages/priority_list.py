"""Priority list: communes ranked by a visible, adjustable priority score."""

import streamlit as st
from streamlit_folium import st_folium

from analysis import indicators as ind
from analysis import priority
from loaders import settings
from maps.views import clicked_code
from ui import cache
from ui.components import SELECTED_COMMUNE_KEY, render_commune_profile, render_legend
from ui.i18n import current_language, t
from ui.page_parts import (center_of, map_indicator_for, new_click, priority_frame, render_commune_extras,
                           render_level_switch, render_table, render_weight_sliders, rule_sentence,
                           selected_row_code)
from ui.sidebar import current_filters

filters = current_filters()
version = cache.data_version()
lang = current_language()
st.title(t("page.priority_list.title"))

weights = render_weight_sliders()
try:
    formula = priority.formula_text(weights, lang)
except priority.WeightsError:
    formula = None
    st.warning(t("priority.all_zero"))

if formula is not None:
    st.info(formula, icon=":material/functions:")
    with st.expander(t("priority.components_title")):
        for component in priority.COMPONENTS:
            st.markdown(f"- **{t(f'priority.component.{component}')}**: {t(f'priority.component.{component}.help')}")
        st.markdown(f"- {t('priority.no_data_rule')}")
        st.markdown(f"- {t('priority.rising_rule', rule=rule_sentence(filters))}")
    key_weights = tuple(sorted(weights.items()))
    ranked = cache.get_priority(version, filters, key_weights)
    table = priority_frame(ranked)
    event = render_table(
        table, filters, t("page.priority_list"), key="priority_table", on_select="rerun",
        selection_mode="single-row", extra=[(t("priority.formula_label"), formula)],
    )
    chosen = selected_row_code(event, ranked, "priority_last_rows")
    if chosen:
        st.session_state[SELECTED_COMMUNE_KEY] = chosen
    selected = st.session_state.get(SELECTED_COMMUNE_KEY) or ""

    level = render_level_switch(filters)
    if level == ind.LEVEL_2025:
        view = cache.get_priority_map(version, filters, key_weights, lang, settings.default_basemap())
        render_legend(view.legend, t("priority.score"))
    else:
        indicator = map_indicator_for(level, "models_per_10k")
        view = cache.get_coverage_map(version, filters, indicator, lang, settings.default_basemap(), level)
        render_legend(view.legend, t(f"indicator.{indicator}"))
        st.caption(t("priority.legacy_map_note"))
    center = center_of([selected]) if selected else None
    event = st_folium(view.map, key="priority_map", height=480, use_container_width=True,
                      returned_objects=["last_active_drawing"], center=center, zoom=12 if center else None)
    clicked = new_click(clicked_code(event), "priority_last_click")
    if clicked and level == ind.LEVEL_LEGACY:
        clicked = cache.get_registry().to_2025(clicked)
    if clicked and clicked != selected:
        st.session_state[SELECTED_COMMUNE_KEY] = clicked
        st.rerun()

    if selected in cache.get_registry().communes.index:
        indicators = cache.get_indicators(version, cache.province_filters(filters))
        render_commune_profile(selected, filters, indicators, key_prefix="priority_profile")
        render_commune_extras(selected, filters, key_prefix="priority_profile_extra")
    else:
        st.info(t("priority.pick"))
