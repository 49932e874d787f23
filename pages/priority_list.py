"""Priority list: communes ranked by a visible, adjustable priority score; those without data listed apart."""

import streamlit as st

from analysis import priority
from loaders.core import domain
from maps.views import clicked_code
from ui import cache
from ui.i18n import current_language, t
from ui.map_component import map_event
from ui.parts.map_section import (
    SELECTED_COMMUNE_KEY,
    Colouring,
    center_of,
    highlight_codes,
    map_indicator_for,
    new_click,
    render_commune_map,
    render_level_switch,
)
from ui.parts.profile import render_commune_extras, render_commune_profile
from ui.parts.ranking import (
    export_frame,
    no_data_frame,
    priority_frame,
    render_weight_sliders,
    rule_lines,
    selected_row_code,
)
from ui.parts.tables import render_table
from ui.sidebar import current_filters

filters = current_filters()
version = cache.data_version()
lang = current_language()
registry = cache.get_registry()
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
        for line in rule_lines(filters):
            st.markdown(f"- {line}")
    key_weights = tuple(sorted(weights.items()))
    scores = cache.get_priority(version, filters, key_weights)
    ranked = priority.ranked_only(scores)
    event = render_table(
        priority_frame(scores),
        filters,
        t("page.priority_list"),
        key="priority_table",
        on_select="rerun",
        selection_mode="single-row",
        extra=[(t("priority.formula_label"), formula)],
        download=lambda: export_frame(scores),
    )
    st.subheader(t("priority.no_data.title"))
    apart = no_data_frame(scores)
    if apart.empty:
        st.caption(t("priority.no_data.none"))
    else:
        st.caption(t("priority.no_data.caption", count=len(apart)))
        st.dataframe(apart, hide_index=True, width="stretch", key="priority_no_data")
    level = render_level_switch(filters)
    # A newly selected row or a new map click (from the previous run) selects before the map is drawn.
    clicked = new_click(clicked_code(map_event("priority_map")), "priority_last_click")
    if clicked and level == domain.VINTAGE_LEGACY:
        clicked = registry.to_2025(clicked)
    chosen = selected_row_code(event, ranked, "priority_last_rows") or clicked
    if chosen:
        st.session_state[SELECTED_COMMUNE_KEY] = chosen
    selected = st.session_state.get(SELECTED_COMMUNE_KEY) or ""

    highlight = highlight_codes([selected], level)
    if level == domain.VINTAGE_2025:
        restyle, legend = cache.get_priority_restyle(version, filters, key_weights, lang, highlight)
        legend_title = t("priority.score")
    else:
        indicator = map_indicator_for(level, "area_coverage", filters)
        restyle, legend = cache.get_map_restyle(version, filters, indicator, lang, level, highlight)
        legend_title = t(f"indicator.{indicator}")
        st.caption(t("priority.legacy_map_note"))
    center = center_of([selected]) if selected else None
    render_commune_map(
        "priority_map", level, Colouring(restyle, legend, legend_title), center=center, zoom=12 if center else None
    )

    if selected in registry.communes.index:
        indicators = cache.get_indicators(version, cache.province_filters(filters))
        render_commune_profile(selected, filters, indicators, key_prefix="priority_profile")
        render_commune_extras(selected, filters, key_prefix="priority_profile_extra")
    else:
        st.info(t("priority.pick"))
