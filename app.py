"""Router and frame: sign-in gate, page config, navigation, the shared sidebar, then the page."""

import streamlit as st

from ui.access import can
from ui.auth import render_language_choice, render_user_box, session_user_or_none, signed_in
from ui.i18n import t
from ui.sidebar import render_demo_badge, render_sidebar
from ui.url_state import render_notices, sync_query_params

st.set_page_config(page_title=t("app.title"), page_icon=":material/shield:", layout="wide")

# Anonymous access is off unless HT_DEMO_MODE=1 (read-only demo: anonymous visitors are viewers).
user = session_user_or_none()
sign_in_page = st.Page("pages/sign_in.py", title=t("page.sign_in"), icon=":material/login:", url_path="dang_nhap",
                       default=user is None, visibility="hidden" if signed_in() else "visible")
if user is None:
    pg = st.navigation([sign_in_page])
    render_language_choice()
    pg.run()
else:
    pages = [
        st.Page("pages/coverage_map.py", title=t("page.coverage_map"), icon=":material/map:", default=True,
                url_path="ban_do"),
        st.Page("pages/focus_areas.py", title=t("page.focus_areas"), icon=":material/flag:", url_path="dia_ban"),
        st.Page("pages/incidents.py", title=t("page.incidents"), icon=":material/report:", url_path="vu_viec"),
        st.Page("pages/profiles.py", title=t("page.profiles"), icon=":material/badge:", url_path="ho_so"),
        st.Page("pages/priority_list.py", title=t("page.priority_list"), icon=":material/format_list_numbered:",
                url_path="uu_tien"),
    ]
    # Data and admin pages are listed only for roles that may use them; each page checks again on the server.
    if can("import"):
        pages += [
            st.Page("pages/upload.py", title=t("page.upload"), icon=":material/upload_file:", url_path="tai_len"),
            st.Page("pages/import_history.py", title=t("page.import_history"), icon=":material/history:",
                    url_path="lich_su"),
        ]
    if can("users"):
        pages.append(st.Page("pages/admin_users.py", title=t("page.admin_users"), icon=":material/group:",
                             url_path="tai_khoan"))
    if can("audit"):
        pages.append(st.Page("pages/audit_log.py", title=t("page.audit_log"), icon=":material/policy:",
                             url_path="nhat_ky"))
    pages.append(sign_in_page)
    pg = st.navigation(pages)
    render_sidebar()
    render_user_box()
    render_demo_badge()
    render_notices()
    pg.run()
    sync_query_params()
