"""Admin: the yearly list of "địa bàn trọng điểm, phức tạp về an ninh, trật tự", edited with its history."""

import streamlit as st

from loaders.core import domain
from loaders.core.clock import vietnam_today
from loaders.focus.hot_spots import FIRST_YEAR, LAST_YEAR
from ui.access import require
from ui.i18n import option_labels, t
from ui.parts.hot_spots import MESSAGE_KEY, render_editor, render_history

require("hot_spots")
st.title(t("page.hot_spots"))
st.caption(t("hot_spots.help"))
if message := st.session_state.pop(MESSAGE_KEY, None):
    st.success(message)

left, right = st.columns(2)
year = int(
    left.number_input(
        t("hot_spots.year"), FIRST_YEAR, LAST_YEAR, value=vietnam_today().year, step=1, key="hot_spots_year"
    )
)
vintage = right.radio(
    t("hot_spots.vintage"),
    domain.VINTAGES,
    index=0 if year >= domain.REFORM_DATE.year else 1,
    key=f"hot_spots_vintage_{year}",
    format_func=option_labels("level."),
    horizontal=True,
)
render_editor(year, vintage)

st.subheader(t("hot_spots.history"))
render_history(year)
