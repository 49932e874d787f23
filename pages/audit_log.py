"""Admin: the audit log, filtered by user, action and dates, and exported. Read-only by design."""

from datetime import date, timedelta

import streamlit as st

from analysis.exports import export_timestamp
from loaders.accounts import audit
from ui import cache
from ui.access import require
from ui.i18n import current_language, t
from ui.parts.tables import render_downloads

require("audit")
st.title(t("page.audit_log"))
st.caption(t("audit.readonly"))
engine = cache.get_engine()


def _action_label(action: str) -> str:
    label = t(f"audit.action.{action}")
    return action if label == f"audit.action.{action}" else label


left, middle, right = st.columns(3)
users = left.multiselect(
    t("audit.filter.users"), audit.distinct_values(engine, "user_name"), key="audit_users", placeholder=t("filter.all")
)
actions = middle.multiselect(
    t("audit.filter.actions"),
    audit.distinct_values(engine, "action"),
    key="audit_actions",
    format_func=_action_label,
    placeholder=t("filter.all"),
)
today = date.today()
days = right.date_input(
    t("audit.filter.dates"), value=(today - timedelta(days=30), today), key="audit_dates", format="DD/MM/YYYY"
)
start, end = ((*tuple(days), None, None))[:2] if isinstance(days, (tuple, list)) else (days, days)
text = st.text_input(t("audit.filter.text"), key="audit_text", max_chars=200)

events = audit.query_events(engine, users=users, actions=actions, start=start, end=end or start, text=text)
if len(events) >= audit.DEFAULT_LIMIT:
    st.warning(t("audit.truncated", limit=audit.DEFAULT_LIMIT))
st.caption(t("audit.count", shown=len(events)))
table = audit.export_frame(events, current_language())
st.dataframe(table, hide_index=True, width="stretch", key="audit_table")

context = [
    (t("audit.filter.users"), ", ".join(users) or t("filter.all")),
    (t("audit.filter.actions"), ", ".join(_action_label(a) for a in actions) or t("filter.all")),
    (t("audit.filter.dates"), " – ".join(f"{d:%d/%m/%Y}" for d in (start, end) if d) or t("filter.all")),
    (t("audit.filter.text"), text),
    (t("export.context.exported_at"), export_timestamp()),
]
render_downloads(table, context, name="nhat_ky_he_thong", key_prefix="audit")
