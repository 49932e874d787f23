"""The signed-in user of this session and server-side permission checks for pages and actions."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.engine import Engine

from loaders.accounts import access, addresses, audit, sessions, users
from loaders.accounts.records import audit_detail
from loaders.core import settings
from ui import cache
from ui.i18n import t
from ui.session_cookie import SECRET_KEY

USER_KEY = "auth_user"
#: Permissions whose page refusal this session has already audited (one entry per session and permission).
_DENIALS_KEY = "access_denials_recorded"
#: Audit action of a refused action: a page, an admin action or a download the role or account no longer allows.
ACTION_DENIED = "access_denied"


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
        record_denial(permission, "page")
        st.error(t("access.denied"), icon=":material/block:")
        st.stop()


def record_denial(permission: str, what: str) -> None:
    """Audit a refused page or action (:data:`ACTION_DENIED`) for the session's user.

    Once per session, permission and ``what``: reloading a forbidden page must not flood the log.
    """
    recorded = st.session_state.setdefault(_DENIALS_KEY, set())
    if (permission, what) in recorded:
        return
    recorded.add((permission, what))
    record(ACTION_DENIED, audit_detail(permission=permission, what=what, role=current_user().role))


def client_address() -> str | None:
    """The browser's address where Streamlit exposes it; behind a trusted proxy, from ``X-Forwarded-For``.

    The header is believed only when the direct peer is in ``HT_TRUSTED_PROXIES``
    (:func:`loaders.accounts.addresses.client_address`): anyone can send it.
    """
    try:
        peer = st.context.ip_address
        forwarded = st.context.headers.get("X-Forwarded-For")
    except AttributeError:
        return None
    # Only a real address is stored (AppTest's runtime answers with a stand-in object).
    peer = peer if isinstance(peer, str) else None
    forwarded = forwarded if isinstance(forwarded, str) else None
    return addresses.client_address(peer, forwarded, settings.trusted_proxies())


def record(action: str, detail: str = "") -> None:
    """Append an audit-log entry for the session's user."""
    with cache.get_engine().begin() as conn:
        audit.record_event(conn, current_user().name, action, detail, client_address())


def refusal(engine: Engine, name: str, permissions: Sequence[str], idle: bool) -> str | None:
    """Why the account ``name`` may not act now, as the store sees it, or ``None`` when it may.

    The role comes from the store, never from the session: a demotion or a
    disabled account applies to a page drawn before it.
    """
    account = users.get_account(engine, name)
    if account is None:
        return "no_account"
    if account.disabled:
        return "disabled"
    if not all(access.allowed(account.role, p) for p in permissions):
        return "role"
    if idle:
        return "idle"
    return None


def deferred_auditor(action: str, permissions: Sequence[str]) -> Callable[[str], None]:
    """An audit writer for a deferred download, re-checking the account when the file is built.

    Download buttons build their files later, at the click, in a worker thread
    with no script rerun and no session state: what the page knew when it was
    drawn (the role, that the session was active) may be stale by then. So the
    user and address are captured now, and at the click the writer checks again
    in the store that the account exists, is enabled and its role holds every
    one of ``permissions``, and that the idle limit has not passed since the
    page was drawn (the last activity of this session). A session signed in
    through the store must also still be open there: signing out in another
    tab, a password change or the maximum age end it. It then records
    ``action`` under the real user, or records :data:`ACTION_DENIED` and
    raises ``PermissionError``.
    """
    user = current_user()
    address = client_address()
    engine = cache.get_engine()
    drawn_at = time.time()
    idle_seconds = settings.session_idle_minutes() * 60
    secret = st.session_state.get(SECRET_KEY)

    def write(detail: str) -> None:
        reason = refusal(engine, user.name, permissions, time.time() - drawn_at > idle_seconds)
        if reason is None and secret is not None:
            check = sessions.check_session(engine, secret)
            reason = None if check.ok else f"session_{check.reason}"
        with engine.begin() as conn:
            if reason is None:
                audit.record_event(conn, user.name, action, detail, address)
            else:
                audit.record_event(
                    conn,
                    user.name,
                    ACTION_DENIED,
                    audit_detail(permission=",".join(permissions), what=action, file=detail, reason=reason),
                    address,
                )
        if reason is not None:
            raise PermissionError(f"{action} refused: {reason}")

    return write


def export_auditor(permissions: Sequence[str] = ("export",)) -> Callable[[str], None]:
    """The :func:`deferred_auditor` of exports (``export`` entries; ``permissions`` default ``export``)."""
    return deferred_auditor("export", permissions)


def record_export(file_name: str) -> None:
    """Audit an export right now (in the page's own thread); refuses when the role may not export."""
    export_auditor()(file_name)
