"""Router and frame: page config, navigation, the shared sidebar, then the page."""

import streamlit as st

from ui.i18n import t
from ui.sidebar import render_demo_badge, render_sidebar
from ui.url_state import render_notices, sync_query_params

st.set_page_config(page_title=t("app.title"), page_icon=":material/shield:", layout="wide")

pages = [
    st.Page("pages/coverage_map.py", title=t("page.coverage_map"), icon=":material/map:", default=True,
            url_path="ban_do"),
]
pg = st.navigation(pages)
render_sidebar()
render_demo_badge()
render_notices()
pg.run()
sync_query_params()
