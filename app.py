"""Router and frame: page config, navigation, the shared sidebar, then the page."""

import streamlit as st

from ui.access import can
from ui.i18n import t
from ui.sidebar import render_demo_badge, render_sidebar
from ui.url_state import render_notices, sync_query_params

st.set_page_config(page_title=t("app.title"), page_icon=":material/shield:", layout="wide")

pages = [
    st.Page("pages/coverage_map.py", title=t("page.coverage_map"), icon=":material/map:", default=True,
            url_path="ban_do"),
    st.Page("pages/focus_areas.py", title=t("page.focus_areas"), icon=":material/flag:", url_path="dia_ban"),
    st.Page("pages/incidents.py", title=t("page.incidents"), icon=":material/report:", url_path="vu_viec"),
    st.Page("pages/profiles.py", title=t("page.profiles"), icon=":material/badge:", url_path="ho_so"),
    st.Page("pages/priority_list.py", title=t("page.priority_list"), icon=":material/format_list_numbered:",
            url_path="uu_tien"),
]
# Data pages are listed only for roles that may use them; each page checks again on the server.
if can("import"):
    pages += [
        st.Page("pages/upload.py", title=t("page.upload"), icon=":material/upload_file:", url_path="tai_len"),
        st.Page("pages/import_history.py", title=t("page.import_history"), icon=":material/history:",
                url_path="lich_su"),
    ]
pg = st.navigation(pages)
render_sidebar()
render_demo_badge()
render_notices()
pg.run()
sync_query_params()
