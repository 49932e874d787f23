"""Admin: the accounts, and creating, re-roling, disabling and enabling them (each action checked and audited)."""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from loaders.accounts import access as roles
from loaders.accounts import users
from loaders.accounts.records import MAX_USERNAME_LENGTH, Account, UserError
from loaders.core.clock import format_datetime
from loaders.store.db import utcnow
from ui import cache
from ui.access import require
from ui.auth import admin_action
from ui.i18n import option_labels, t

require("users")
st.title(t("page.admin_users"))
engine = cache.get_engine()

if message := st.session_state.pop("admin_users_message", None):
    st.success(message)

accounts = users.list_users(engine)
now = utcnow()
st.subheader(t("users.list"))
if accounts.empty:
    st.info(t("users.none"))
else:
    status = [
        "disabled" if d else "locked" if pd.notna(u) and u > now else "active"
        for d, u in zip(accounts["disabled"], accounts["locked_until"])
    ]
    st.dataframe(
        pd.DataFrame(
            {
                t("users.col.username"): accounts["username"],
                t("users.col.role"): accounts["role"].map(lambda r: t(f"role.{r}")),
                t("users.col.status"): [t(f"users.status.{s}") for s in status],
                t("users.col.sign_in"): accounts["has_password"].map(
                    lambda p: t("users.method.password") if p else t("users.method.oidc")
                ),
                t("users.col.last_login"): [
                    format_datetime(v) if pd.notna(v) else "" for v in accounts["last_login_at"]
                ],
            }
        ),
        hide_index=True,
        width="stretch",
        key="admin_users_table",
    )


def _run(action: Callable[..., Account], *args: object) -> None:
    """Check the role again on the server, run the action (it audits itself), report the outcome."""
    actor, address = admin_action("users")
    try:
        account = action(engine, *args, actor=actor, address=address)
    except UserError as exc:
        st.error(str(exc))
        return
    st.session_state["admin_users_message"] = t("users.done", name=account.username)
    st.rerun()


st.subheader(t("users.create"))
with st.form("admin_users_create", clear_on_submit=True):
    name = st.text_input(t("users.col.username"), key="admin_users_new_name", max_chars=MAX_USERNAME_LENGTH)
    role = st.selectbox(
        t("users.col.role"), roles.ROLES, key="admin_users_new_role", format_func=option_labels("role.")
    )
    oidc_only = st.checkbox(t("users.create.oidc_only"), key="admin_users_new_oidc")
    password = st.text_input(
        t("auth.password"), type="password", key="admin_users_new_password", autocomplete="new-password"
    )
    again = st.text_input(
        t("users.password_again"), type="password", key="admin_users_new_password2", autocomplete="new-password"
    )
    create = st.form_submit_button(
        t("users.create"), key="admin_users_create_submit", type="primary", icon=":material/person_add:"
    )
if create:
    if not oidc_only and password != again:
        st.error(t("users.password_mismatch"))
    else:
        _run(users.create_user, name, None if oidc_only else password, role)

if not accounts.empty:
    st.subheader(t("users.change"))
    picked = st.selectbox(t("users.pick"), list(accounts["username"]), key="admin_users_pick")
    left, middle, right = st.columns([2, 1, 1], vertical_alignment="bottom")
    new_role = left.selectbox(
        t("users.new_role"), roles.ROLES, key="admin_users_role", format_func=option_labels("role.")
    )
    if left.button(t("users.set_role"), key="admin_users_set_role", icon=":material/manage_accounts:"):
        _run(users.set_role, picked, new_role)
    if middle.button(t("users.disable"), key="admin_users_disable", icon=":material/block:"):
        _run(users.disable_user, picked)
    if right.button(t("users.enable"), key="admin_users_enable", icon=":material/check_circle:"):
        _run(users.enable_user, picked)
