"""Signed-in sessions kept in the store: started at sign-in, checked on every run, ended everywhere at once.

A session is one browser's sign-in. Its secret travels in a signed cookie
(:mod:`loaders.accounts.cookies`), so that a reload or a second tab of the
same browser stays signed in; the store keeps only the secret's SHA-256.
Every run of the app checks the session here (:func:`check_session`), which
is what makes these take effect at the next click, in every tab:

* signing out ends the session (:func:`end_session`);
* disabling the account, a role change or a password change end all the
  account's sessions (:func:`end_user_sessions`, called by :mod:`loaders.accounts.users`);
* a session idle for ``HT_SESSION_IDLE_MINUTES`` or older than
  ``HT_SESSION_MAX_HOURS`` ends when it is next checked.

The role is never part of a session: it is read from ``users`` at each check.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from loaders.accounts.records import aware
from loaders.core import settings
from loaders.store import db, tables

#: How a session was started.
METHOD_PASSWORD = "password"
METHOD_OIDC = "oidc"

#: Why a session ended (``sessions.end_reason``, and the notice the sign-in page shows).
END_USER = "user"
END_IDLE = "idle"
END_MAX_AGE = "max_age"
END_DISABLED = "disabled"
END_ROLE = "role_changed"
END_PASSWORD = "password_changed"
END_UNKNOWN = "unknown"

#: ``last_seen_at`` is written at most this often, so that a run does not always write to the store.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionCheck:
    """The outcome of :func:`check_session`: the account as the store sees it now, or why the session ended."""

    ok: bool
    username: str | None = None
    role: str | None = None
    method: str | None = None
    reason: str | None = None


def _key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def idle_limit() -> timedelta:
    """Idle time after which a session ends (``HT_SESSION_IDLE_MINUTES``)."""
    return timedelta(minutes=settings.session_idle_minutes())


def max_age() -> timedelta:
    """Age after which a session ends however active it is (``HT_SESSION_MAX_HOURS``)."""
    return timedelta(hours=settings.session_max_hours())


def start_session(
    conn: Connection, user_id: int, method: str, address: str | None = None, now: datetime | None = None
) -> str:
    """Record a new session of the account ``user_id`` in the caller's transaction.

    Returns
    -------
    str
        The session's secret (256 random bits, URL-safe): for the cookie only; the store keeps its hash.
    """
    now = now or db.utcnow()
    secret = secrets.token_urlsafe(32)
    conn.execute(
        tables.sessions.insert().values(
            id=_key(secret),
            user_id=user_id,
            method=method,
            created_at=now,
            last_seen_at=now,
            address=address[:100] if address else None,
        )
    )
    return secret


def _end(conn: Connection, where: sa.ColumnElement[bool], reason: str, now: datetime) -> int:
    result = conn.execute(
        tables.sessions.update()
        .where(where, tables.sessions.c.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    return result.rowcount


def end_session(engine: Engine, secret: str, reason: str = END_USER, now: datetime | None = None) -> None:
    """End one session (signing out): every tab that shares it is signed out at its next click."""
    with engine.begin() as conn:
        _end(conn, tables.sessions.c.id == _key(secret), reason, now or db.utcnow())


def end_user_sessions(
    conn: Connection, user_id: int, reason: str, keep: str | None = None, now: datetime | None = None
) -> int:
    """End every open session of an account, except the one whose secret is ``keep``; returns how many."""
    where = tables.sessions.c.user_id == user_id
    if keep:
        where = sa.and_(where, tables.sessions.c.id != _key(keep))
    return _end(conn, where, reason, now or db.utcnow())


def check_session(engine: Engine, secret: str, now: datetime | None = None) -> SessionCheck:
    """Whether the session ``secret`` may act now, with the account's current name and role.

    Ends the session (recording why) when its account is gone or disabled,
    when it has been idle too long or is older than the maximum age; records
    this run as activity otherwise.
    """
    now = now or db.utcnow()
    s, u = tables.sessions, tables.users
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(
                s.c.id,
                s.c.method,
                s.c.created_at,
                s.c.last_seen_at,
                s.c.ended_at,
                s.c.end_reason,
                u.c.username,
                u.c.role,
                u.c.disabled,
            )
            .select_from(s.join(u, s.c.user_id == u.c.id))
            .where(s.c.id == _key(secret))
        ).first()
        if row is None:
            return SessionCheck(ok=False, reason=END_UNKNOWN)
        if row.ended_at is not None:
            return SessionCheck(ok=False, username=row.username, reason=row.end_reason or END_UNKNOWN)
        reason = None
        if row.disabled:
            reason = END_DISABLED
        elif now - aware(row.created_at) > max_age():
            reason = END_MAX_AGE
        elif now - aware(row.last_seen_at) > idle_limit():
            reason = END_IDLE
        if reason is not None:
            _end(conn, s.c.id == row.id, reason, now)
            return SessionCheck(ok=False, username=row.username, reason=reason)
        if now - aware(row.last_seen_at) >= TOUCH_EVERY:
            conn.execute(s.update().where(s.c.id == row.id).values(last_seen_at=now))
        return SessionCheck(ok=True, username=row.username, role=row.role, method=row.method)


def provider_sign_in_fresh(issued_at: object, now: datetime | None = None) -> bool:
    """Whether an OpenID Connect sign-in issued at ``issued_at`` (the ID token's ``iat``, seconds) may start a session.

    Streamlit keeps the provider's sign-in in a cookie for 30 days. A new app
    session may start from it only within the idle limit of the provider's
    sign-in; later, only the app's own session (with its idle limit and
    maximum age) carries it, and once that has ended the person signs in at
    the provider again.
    """
    if isinstance(issued_at, bool) or not isinstance(issued_at, (int, float)):
        return False
    now = now or db.utcnow()
    age = now.timestamp() - float(issued_at)
    return -300 <= age <= min(idle_limit(), max_age()).total_seconds()
