"""The signed-in user of this session and server-side permission checks for pages and actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from loaders.accounts import access, audit
from ui import cache
from ui.i18n import t

USER_KEY = "auth_user"


@dataclass(frozen=True)
class SessionUser:
    """Who is using this session and with which role."""

    name: str
    role: str


ANONYMOUS = SessionUser("anonymous", access.ROLE_VIEWER)


def current_user() -> SessionUser:
    """The session's user (anonymous viewer until someone signs in)."""
    user = st.session_state.get(USER_KEY)
    return user if isinstance(user, SessionUser) else ANONYMOUS


def can(permission: str) -> bool:
    """Whether the session's user holds ``permission``."""
    return access.allowed(current_user().role, permission)


def require(permission: str) -> None:
    """Stop the page with a refusal unless the user holds ``permission``."""
    if not can(permission):
        st.error(t("access.denied"), icon=":material/block:")
        st.stop()


def client_address() -> str | None:
    """The browser's address where Streamlit exposes it."""
    try:
        address = st.context.ip_address
    except AttributeError:
        return None
    # Only a real address is stored (AppTest's runtime answers with a stand-in object).
    return address if isinstance(address, str) else None


def record(action: str, detail: str = "") -> None:
    """Append an audit-log entry for the session's user."""
    with cache.get_engine().begin() as conn:
        audit.record_event(conn, current_user().name, action, detail, client_address())


def export_auditor() -> Callable[[str], None]:
    """An audit writer for exports, bound to this session's user and permission.

    Download buttons build their files in a worker thread where the user's
    session state is not available, so the user, address and permission are
    captured now, while the page runs. The writer raises ``PermissionError``
    when the role may not export, whatever the UI showed.
    """
    user = current_user()
    address = client_address()
    allowed = can("export")
    engine = cache.get_engine()

    def record(file_name: str) -> None:
        if not allowed:
            raise PermissionError("export not allowed for this role")
        with engine.begin() as conn:
            audit.record_event(conn, user.name, "export", file_name, address)

    return record


def record_export(file_name: str) -> None:
    """Audit an export right now (in the page's own thread); refuses when the role may not export."""
    export_auditor()(file_name)
