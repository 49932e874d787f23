"""Admin: the audit log, searched by user, action, dates and text, a page at a time; exported whole. Read-only."""

from datetime import timedelta

import streamlit as st

from analysis.exports import export_timestamp
from loaders.accounts import audit
from loaders.core.clock import vietnam_today
from loaders.core.i18n import format_date
from ui import cache
from ui.access import require
from ui.i18n import current_language, t
from ui.parts.tables import render_downloads

require("audit")
st.title(t("page.audit_log"))
st.caption(t("audit.readonly"))
engine = cache.get_engine()
lang = current_language()


def _action_label(action: str) -> str:
    label = t(f"audit.action.{action}")
    return action if label == f"audit.action.{action}" else label


left, middle, right = st.columns(3)
# A search box, not a list of every name: failed sign-ins under invented names must not fill a widget.
user_text = left.text_input(t("audit.filter.user_search"), key="audit_user_search", max_chars=100)
actions = middle.multiselect(
    t("audit.filter.actions"),
    audit.distinct_values(engine, "action"),
    key="audit_actions",
    format_func=_action_label,
    placeholder=t("filter.all"),
)
today = vietnam_today()
days = right.date_input(
    t("audit.filter.dates"), value=(today - timedelta(days=30), today), key="audit_dates", format="DD/MM/YYYY"
)
start, end = ((*tuple(days), None, None))[:2] if isinstance(days, (tuple, list)) else (days, days)
text = st.text_input(t("audit.filter.text"), key="audit_text", max_chars=200)

filters = audit.EventFilter(user_text=user_text, actions=actions, start=start, end=end or start, text=text)
total = audit.count_events(engine, filters)
pages = max(1, -(-total // audit.PAGE_SIZE))
page = st.number_input(t("audit.page"), min_value=1, max_value=pages, value=1, step=1, key="audit_page")
page = min(int(page), pages)
events = audit.query_events(engine, filters, limit=audit.PAGE_SIZE, offset=(page - 1) * audit.PAGE_SIZE)
first = (page - 1) * audit.PAGE_SIZE + 1 if total else 0
st.caption(t("audit.count", first=first, last=first + len(events) - 1 if total else 0, total=total, pages=pages))
st.dataframe(audit.export_frame(events, lang), hide_index=True, width="stretch", key="audit_table")

context = [
    (t("audit.filter.user_search"), user_text or t("filter.all")),
    (t("audit.filter.actions"), ", ".join(_action_label(a) for a in actions) or t("filter.all")),
    (t("audit.filter.dates"), " – ".join(format_date(d, lang) for d in (start, end) if d) or t("filter.all")),
    (t("audit.filter.text"), text),
    (t("export.context.exported_at"), export_timestamp()),
]
# The export holds every entry the filters match, not only this page; built at the click.
render_downloads(
    lambda: audit.export_frame(audit.query_events(engine, filters), lang),
    context,
    name="nhat_ky_he_thong",
    key_prefix="audit",
    permissions=("export", "audit"),
)
