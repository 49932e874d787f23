"""Router and frame: sign-in gate, page config, navigation, the shared sidebar, then the page."""

import streamlit as st

from ui.access import can
from ui.auth import render_language_choice, render_sign_in_page, render_user_box, session_user_or_none, signed_in
from ui.i18n import t
from ui.page_style import render_page_style
from ui.sidebar import render_demo_badge, render_sidebar
from ui.url_state import render_notices, sync_query_params

st.set_page_config(page_title=t("app.title"), page_icon="🛡️", layout="wide")
render_page_style()

# Every page: script, title key, icon, address, and the permission it needs. Pages are listed only for roles
# that may use them; each page and action checks again on the server.
PAGES = [
    ("pages/coverage_map.py", "page.coverage_map", ":material/map:", "ban_do", "view"),
    ("pages/focus_areas.py", "page.focus_areas", ":material/flag:", "dia_ban", "view"),
    ("pages/incidents.py", "page.incidents", ":material/report:", "vu_viec", "view"),
    ("pages/profiles.py", "page.profiles", ":material/badge:", "ho_so", "view"),
    ("pages/priority_list.py", "page.priority_list", ":material/format_list_numbered:", "uu_tien", "view"),
    ("pages/report.py", "page.report", ":material/summarize:", "bao_cao", "view"),
    ("pages/upload.py", "page.upload", ":material/upload_file:", "tai_len", "import"),
    ("pages/import_history.py", "page.import_history", ":material/history:", "lich_su", "import"),
    ("pages/admin_users.py", "page.admin_users", ":material/group:", "tai_khoan", "users"),
    ("pages/hot_spots.py", "page.hot_spots", ":material/crisis_alert:", "trong_diem", "hot_spots"),
    ("pages/audit_log.py", "page.audit_log", ":material/policy:", "nhat_ky", "audit"),
]

# Anonymous access is off unless HT_DEMO_MODE=1 (read-only demo: anonymous visitors are viewers).
user = session_user_or_none()
sign_in_page = st.Page(
    "pages/sign_in.py",
    title=t("page.sign_in"),
    icon=":material/login:",
    url_path="dang_nhap",
    default=user is None,
    visibility="hidden" if signed_in() else "visible",
)
if user is None:
    # Every address shows the sign-in form (no "page not found"); the page asked for opens after sign-in.
    pg = st.navigation(
        [sign_in_page]
        + [
            st.Page(render_sign_in_page, title=t(title), url_path=url, visibility="hidden")
            for _, title, _, url, _ in PAGES
        ]
    )
    render_language_choice()
    pg.run()
else:
    pg = st.navigation(
        [
            st.Page(script, title=t(title), icon=icon, url_path=url, default=script == PAGES[0][0])
            for script, title, icon, url, permission in PAGES
            if can(permission)
        ]
        + [sign_in_page]
    )
    render_sidebar()
    render_user_box()
    render_demo_badge()
    render_notices()
    pg.run()
    sync_query_params()
