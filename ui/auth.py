"""Who is signed in: the sign-in form, OpenID Connect, idle timeout, the sidebar user box.

Two ways in:

* OpenID Connect, when ``.streamlit/secrets.toml`` has an ``[auth]`` section:
  Streamlit's own ``st.login()``; the person's role comes from the local
  ``users`` table, bound to the provider's issuer and subject, or found by a verified
  e-mail (:func:`loaders.accounts.signin.oidc_sign_in`). People without a local account get
  no access, or ``$HT_OIDC_DEFAULT_ROLE`` when that is set to a role.
* Otherwise local accounts (:mod:`loaders.accounts.signin`) through the sign-in form.

Anonymous visitors get nothing but the sign-in page, unless ``HT_DEMO_MODE=1``
turns on the read-only demo mode, where they are viewers.

A sign-in starts a session in the store (:mod:`loaders.accounts.sessions`),
which the browser keeps in a signed cookie (:mod:`ui.session_cookie`): a
reload or a second tab stays signed in. Every run checks that session in the
store, so signing out (in any tab), disabling the account, a role or password
change, ``$HT_SESSION_IDLE_MINUTES`` (30) without interaction and
``$HT_SESSION_MAX_HOURS`` (12) since sign-in end it at the next click. The
role always comes from the store. A ``SessionUser`` placed in session state
by other code (tests do this to simulate a role) is taken as it is.
"""

from __future__ import annotations

import time

import streamlit as st

from loaders.accounts import access as roles
from loaders.accounts import passwords, records, sessions, signin, users
from loaders.core import settings
from loaders.core.i18n import LANGUAGES
from ui import cache, session_cookie
from ui.access import ANONYMOUS, USER_KEY, SessionUser, can, client_address, current_user, record_denial
from ui.i18n import LANG_KEY, option_labels, t
from ui.plain_text import plain

SIGN_IN_PAGE = "pages/sign_in.py"
HOME_PAGE = "pages/coverage_map.py"

ACTIVITY_KEY = "auth_last_activity"
STARTED_KEY = "auth_started"
SOURCE_KEY = "auth_source"  # "password" or "oidc": sessions signed in here, re-checked against the store
NOTICE_KEY = "auth_notice"  # why the last session ended (a sessions.END_* reason)
OIDC_REFUSED_KEY = "auth_oidc_refused"

#: Why a session ended, for which the sign-in page shows a notice (``auth.ended.<reason>``).
ENDED_NOTICES = (
    sessions.END_IDLE,
    sessions.END_MAX_AGE,
    sessions.END_DISABLED,
    sessions.END_ROLE,
    sessions.END_PASSWORD,
    sessions.END_UNKNOWN,
)
#: Failed sign-ins in this session before each further attempt must wait (doubling, up to a minute).
FREE_ATTEMPTS = 3
FAILURES_KEY = "sign_in_failures"
NEXT_ATTEMPT_KEY = "sign_in_next_attempt"

SOURCE_PASSWORD = "password"
SOURCE_OIDC = "oidc"
SOURCE_OIDC_DEFAULT = "oidc_default"


def demo_mode() -> bool:
    """Whether anonymous visitors may look around as viewers.

    ``HT_DEMO_MODE=1`` opens the read-only demo whatever is stored. ``auto``
    (what ``make run`` sets, so that a fresh clone shows its map at once) opens
    it only while the store holds nothing but the generated demo data: the
    first real import closes anonymous access for good, even when every real
    import is rolled back later (a one-way flag in the store). Unset or
    anything else: closed.
    """
    setting = settings.demo_mode_setting()
    if setting == settings.DEMO_ON:
        return True
    if setting == settings.DEMO_AUTO:
        flags = cache.get_store_flags(cache.data_version())
        return flags["demo_shown"] and not flags["real_data_committed"]
    return False


def idle_minutes() -> int:
    """Idle minutes before a session is signed out (``$HT_SESSION_IDLE_MINUTES``, default 30)."""
    return settings.session_idle_minutes()


def oidc_default_role() -> str | None:
    """Role for OpenID Connect users without a local account (``$HT_OIDC_DEFAULT_ROLE``; only ``viewer``)."""
    role = settings.oidc_default_role()
    # Anything above viewer must be granted per person, never to everyone the provider knows.
    return role if role == roles.ROLE_VIEWER else None


def oidc_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` configures OpenID Connect (an ``[auth]`` section)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def _oidc_logged_in() -> bool:
    return bool(st.user.get("is_logged_in")) if oidc_configured() else False


def sign_in(username: str, role: str, source: str, session: str | None = None, user_id: int | None = None) -> None:
    """Start a signed-in session; with a store session (``session``, ``user_id``) the browser keeps it in a cookie."""
    for key in (NOTICE_KEY, OIDC_REFUSED_KEY):
        st.session_state.pop(key, None)
    st.session_state[USER_KEY] = SessionUser(username, role)
    st.session_state[SOURCE_KEY] = source
    st.session_state[ACTIVITY_KEY] = st.session_state[STARTED_KEY] = time.time()
    if session is not None and user_id is not None:
        session_cookie.remember(user_id, session)


def sign_out(reason: str = "user") -> None:
    """End the session (audited): in the store too, so every tab of this browser is signed out.

    Ends the provider's session cookie too under OpenID Connect.
    """
    user = st.session_state.get(USER_KEY)
    source = st.session_state.pop(SOURCE_KEY, None)
    secret = st.session_state.get(session_cookie.SECRET_KEY)
    if secret:
        sessions.end_session(cache.get_engine(), secret, reason)
    if isinstance(user, SessionUser):
        signin.record_sign_out(cache.get_engine(), user.name, reason, client_address())
    for key in (USER_KEY, ACTIVITY_KEY, STARTED_KEY):
        st.session_state.pop(key, None)
    session_cookie.forget()
    if reason != "user":
        st.session_state[NOTICE_KEY] = reason
    if source in (SOURCE_OIDC, SOURCE_OIDC_DEFAULT) and _oidc_logged_in():
        st.logout()


def _adopt_oidc_identity() -> None:
    """Map a fresh OpenID Connect sign-in to a local account, once per session.

    Only a sign-in the provider issued within the idle limit starts a session
    (:func:`loaders.accounts.sessions.provider_sign_in_fresh`): Streamlit keeps
    the provider's sign-in for 30 days, and an older one must be renewed.
    """
    if not _oidc_logged_in() or isinstance(st.session_state.get(USER_KEY), SessionUser):
        return
    claims = (st.user.get("iss"), st.user.get("sub"), st.user.get("email"))
    if st.session_state.get(OIDC_REFUSED_KEY) == claims:
        return
    if not sessions.provider_sign_in_fresh(st.user.get("iat")):
        st.session_state[NOTICE_KEY] = sessions.END_IDLE
        st.logout()
        return
    result = signin.oidc_sign_in(
        cache.get_engine(),
        st.user.get("iss"),
        st.user.get("sub"),
        st.user.get("email"),
        st.user.get("email_verified"),
        oidc_default_role(),
        client_address(),
    )
    if result.ok:
        source = SOURCE_OIDC if result.session else SOURCE_OIDC_DEFAULT
        sign_in(result.username, result.role, source, result.session, result.user_id)
    else:
        st.session_state[OIDC_REFUSED_KEY] = claims


def _resume_from_cookie() -> None:
    """Resume the browser's session from its cookie (a reload, a second tab), when the store still holds it."""
    if isinstance(st.session_state.get(USER_KEY), SessionUser):
        return
    secret = session_cookie.session_from_cookie()
    if secret is None:
        return
    check = sessions.check_session(cache.get_engine(), secret)
    if check.ok:
        source = SOURCE_OIDC if check.method == sessions.METHOD_OIDC else SOURCE_PASSWORD
        sign_in(check.username, check.role, source)
        st.session_state[session_cookie.SECRET_KEY] = secret


def _recheck(user: SessionUser) -> SessionUser | None:
    """The session's user as the store sees it now, or ``None`` once the session has ended.

    Sessions with a store session are checked there: signed out in another
    tab, disabled, a role or password change, idle or too old all end it; the
    role always comes from the store. An OpenID Connect person without a
    local account has the idle limit and the maximum age of this connection.
    A ``SessionUser`` placed by other code (tests) is taken as it is.
    """
    source = st.session_state.get(SOURCE_KEY)
    secret = st.session_state.get(session_cookie.SECRET_KEY)
    if source in (SOURCE_PASSWORD, SOURCE_OIDC) and secret:
        check = sessions.check_session(cache.get_engine(), secret)
        if not check.ok:
            sign_out(check.reason or sessions.END_UNKNOWN)
            return None
        if check.role != user.role:
            user = SessionUser(user.name, check.role)
            st.session_state[USER_KEY] = user
        return user
    if source == SOURCE_OIDC_DEFAULT:
        now, last = time.time(), st.session_state.get(ACTIVITY_KEY, 0)
        if now - last > sessions.idle_limit().total_seconds():
            sign_out(sessions.END_IDLE)
            return None
        if now - st.session_state.get(STARTED_KEY, now) > sessions.max_age().total_seconds():
            sign_out(sessions.END_MAX_AGE)
            return None
    return user


def session_user_or_none() -> SessionUser | None:
    """The user this run acts for, or ``None`` when only the sign-in page may show.

    Re-checks the session in the store (idle limit, maximum age, sign-out
    elsewhere, account changes), resumes a session from the browser's cookie,
    adopts an OpenID Connect identity, and falls back to the anonymous viewer
    only in demo mode.
    """
    user = st.session_state.get(USER_KEY)
    if isinstance(user, SessionUser):
        user = _recheck(user)
        if user is not None:
            st.session_state[ACTIVITY_KEY] = time.time()
    if user is None:
        _resume_from_cookie()
        _adopt_oidc_identity()
        user = st.session_state.get(USER_KEY)
    if isinstance(user, SessionUser):
        return user
    return ANONYMOUS if demo_mode() else None


def signed_in() -> bool:
    """Whether a named user (not the anonymous demo viewer) is signed in."""
    return isinstance(st.session_state.get(USER_KEY), SessionUser)


# ------------------------------------------------------------------ rendering
def render_sign_in_page() -> None:
    """The whole sign-in page (also shown at every other address while nobody is signed in)."""
    st.title(t("auth.title"))
    st.caption(t("auth.intro"))
    render_sign_in()


def render_sign_in() -> None:
    """The sign-in page body: the provider's button under OpenID Connect, else the local form."""
    if signed_in():
        st.switch_page(HOME_PAGE)
    notice = st.session_state.get(NOTICE_KEY)
    if notice in ENDED_NOTICES:
        st.info(
            t(f"auth.ended.{notice}", minutes=idle_minutes(), hours=settings.session_max_hours()),
            icon=":material/timer_off:",
        )
    if oidc_configured():
        _render_oidc()
    else:
        _render_form()
    if demo_mode():
        st.caption(t("auth.demo_hint"))


def _render_oidc() -> None:
    if _oidc_logged_in():
        # Signed in at the provider, but no local account grants a role.
        # The provider's claims are the person's own text: shown plain and short, never as Markdown.
        who = plain(st.user.get("email") or st.user.get("preferred_username") or "", limit=80)
        st.error(t("auth.oidc_no_access", who=who))
        if st.button(t("auth.sign_out"), key="sign_in_oidc_logout", icon=":material/logout:"):
            st.session_state.pop(OIDC_REFUSED_KEY, None)
            st.logout()
        return
    if st.button(t("auth.oidc_button"), key="sign_in_oidc", type="primary", icon=":material/login:"):
        st.login()


def _render_form() -> None:
    if not users.has_accounts(cache.get_engine()):
        # Only shown while no account exists at all, so it tells an attacker nothing worth knowing.
        st.info(t("auth.no_accounts"), icon=":material/person_add:")
    with st.form("sign_in_form", clear_on_submit=True, enter_to_submit=True):
        username = st.text_input(
            t("auth.username"), key="sign_in_username", max_chars=records.MAX_USERNAME_LENGTH, autocomplete="username"
        )
        password = st.text_input(
            t("auth.password"),
            key="sign_in_password",
            type="password",
            max_chars=passwords.MAX_PASSWORD_LENGTH,
            autocomplete="current-password",
        )
        submitted = st.form_submit_button(
            t("auth.submit"), key="sign_in_submit", type="primary", icon=":material/login:"
        )
    if not submitted:
        return
    if not username.strip() or not password:
        st.warning(t("auth.fill_both"))
        return
    wait = st.session_state.get(NEXT_ATTEMPT_KEY, 0) - time.time()
    if wait > 0:
        # Per-session throttle; the store's per-account and per-address counts hold across sessions.
        st.warning(t("auth.slow_down", seconds=int(wait) + 1), icon=":material/hourglass_top:")
        return
    result = signin.authenticate(cache.get_engine(), username, password, client_address())
    if not result.ok:
        failures = st.session_state.get(FAILURES_KEY, 0) + 1
        st.session_state[FAILURES_KEY] = failures
        if failures >= FREE_ATTEMPTS:
            st.session_state[NEXT_ATTEMPT_KEY] = time.time() + min(2 ** (failures - FREE_ATTEMPTS + 1), 60)
        st.error(t("auth.failed"), icon=":material/lock:")
        return
    for key in (FAILURES_KEY, NEXT_ATTEMPT_KEY):
        st.session_state.pop(key, None)
    sign_in(result.username, result.role, SOURCE_PASSWORD, result.session, result.user_id)
    st.rerun()


def render_language_choice() -> None:
    """The language switch alone, for the sign-in page (the full sidebar shows it to signed-in users)."""
    with st.sidebar:
        st.radio(
            t("sidebar.language"),
            LANGUAGES,
            key=LANG_KEY,
            horizontal=True,
            format_func=option_labels("language."),
        )
        session_cookie.render_cookie_script()


def render_user_box() -> None:
    """Sidebar: who is signed in, with which role, and the sign-out button (or the demo-mode note)."""
    with st.sidebar:
        session_cookie.render_cookie_script()
        if not signed_in():
            if demo_mode():
                st.caption(t("auth.demo_mode"))
                st.page_link(SIGN_IN_PAGE, label=t("auth.sign_in"), icon=":material/login:")
            return
        user = current_user()
        st.text(f"{user.name} · {t(f'role.{user.role}')}")
        if st.button(t("auth.sign_out"), key="auth_sign_out", icon=":material/logout:"):
            sign_out("user")
            st.rerun()


def admin_action(permission: str) -> tuple[str, str | None]:
    """Check ``permission`` on the server right before an action; return who acts and from where.

    Raises
    ------
    PermissionError
        When the session's role does not hold ``permission``, whatever the page showed.
    """
    if not can(permission):
        record_denial(permission, "action")
        raise PermissionError(f"{permission} not allowed for this role")
    return current_user().name, client_address()
