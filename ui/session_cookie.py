"""The sign-in cookie in the browser: written after sign-in, read when a page is (re)loaded, cleared at sign-out.

Streamlit keeps session state per websocket connection, so a reload or a new
tab would start signed out. The browser therefore keeps a signed cookie
(:mod:`loaders.accounts.cookies`) naming the session in the store; a new
connection carries it (``st.context.cookies``) and the session is resumed
when the store still holds it (:func:`loaders.accounts.sessions.check_session`).

Streamlit offers no way to set a cookie from the server on a websocket
connection, so a tiny script written with ``st.html`` sets it in the page.
The cookie is therefore not ``HttpOnly`` (a script in the page can read it);
it is ``SameSite=Strict``, ``Secure`` under HTTPS, and expires with the
maximum session age. The app shows no user content as HTML, which is what
keeps scripts of others out of the page.
"""

from __future__ import annotations

import json

import streamlit as st

from loaders.accounts import cookies, sessions
from loaders.core import settings

#: The session's secret in session state (the store keeps its hash).
SECRET_KEY = "auth_session"
_WRITE_KEY = "auth_cookie_write"
_TRIED_KEY = "auth_cookie_tried"


def signing_key() -> str:
    """The cookie signing key: ``[auth_cookie] key`` from secrets, else the one generated in the data folder."""
    configured = None
    try:
        section = st.secrets.get("auth_cookie")
    except FileNotFoundError:
        section = None
    if section is not None:
        configured = section.get("key")
    return cookies.signing_key(settings.data_dir(), str(configured) if configured else None)


def _max_age_seconds() -> int:
    return int(sessions.max_age().total_seconds())


def remember(user_id: int, secret: str) -> None:
    """Have the browser keep the session (the cookie is written by :func:`render_cookie_script`)."""
    st.session_state[SECRET_KEY] = secret
    st.session_state[_WRITE_KEY] = cookies.make_token(signing_key(), user_id, secret)


def forget() -> None:
    """Drop the session from this connection and have the browser delete its cookie."""
    st.session_state.pop(SECRET_KEY, None)
    st.session_state[_WRITE_KEY] = ""


def session_from_cookie() -> str | None:
    """The session secret in the cookie this connection was opened with, once per distinct cookie.

    ``None`` when there is no cookie, it was already tried on this connection,
    or it is forged, altered or older than the maximum session age.
    """
    try:
        token = st.context.cookies.get(cookies.COOKIE_NAME)
    except AttributeError:
        return None
    if not isinstance(token, str) or not token or st.session_state.get(_TRIED_KEY) == token:
        return None
    st.session_state[_TRIED_KEY] = token
    return cookies.read_token(signing_key(), token, _max_age_seconds())


def render_cookie_script() -> None:
    """Write or delete the cookie in the browser after a sign-in or sign-out on this connection (nothing shows).

    Written on every run from then on, not once: a run can be replaced by the
    next one (a map asks for a rerun as it mounts) before the browser has run
    the script, and a later run must not lose it.
    """
    token = st.session_state.get(_WRITE_KEY)
    if token is None:
        return
    name = cookies.COOKIE_NAME
    max_age = _max_age_seconds() if token else 0
    # The token is URL-safe base64 and dots; json.dumps makes it a JavaScript string either way.
    script = (
        "<script>(function(){"
        f"var c={json.dumps(name)}+'='+{json.dumps(token)}+'; Path=/; Max-Age={max_age}; SameSite=Strict';"
        "if(window.location.protocol==='https:'){c+='; Secure';}"
        "document.cookie=c;})();</script>"
    )
    st.html(script, unsafe_allow_javascript=True)
