"""Signing in: password checks, the lockout rule, OpenID Connect identities, and the audit of each sign-in and sign-out.

A sign-in answers only "yes, as this user with this role" or "no"
(:class:`SignInResult`): the caller cannot tell an unknown name from a wrong
password, a disabled account or a locked one, neither by the answer nor by
how long it takes. The reason goes to the audit log, which only admins read.

Lockout: after ``HT_LOCKOUT_ATTEMPTS`` (default 5) failures in a row an
account is locked for ``HT_LOCKOUT_MINUTES`` (default 15). Attempts while it
is locked are refused without counting, so the lock does not extend itself
and an attacker cannot keep a user out for longer than one period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from loaders.accounts import access, audit, passwords
from loaders.accounts.records import MAX_USERNAME_LENGTH, audit_detail, find_row, normalise_username, to_account
from loaders.core import settings
from loaders.store import db, tables

# Audit-log actions written by this module.
ACTION_SIGN_IN = "sign_in"
ACTION_SIGN_IN_FAILED = "sign_in_failed"
ACTION_SIGN_OUT = "sign_out"

# Failure reasons: written to the audit log only, never shown to the person signing in.
REASON_UNKNOWN = "unknown_user"
REASON_PASSWORD = "wrong_password"
REASON_LOCKED = "locked"
REASON_DISABLED = "disabled"
REASON_NO_PASSWORD = "no_local_password"
REASON_NOT_MAPPED = "no_local_account"


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in: deliberately without the reason of a failure."""

    ok: bool
    username: str | None = None
    role: str | None = None


def _fail(conn: Connection, attempted: str, reason: str, address: str | None) -> SignInResult:
    audit.record_event(
        conn, attempted[:MAX_USERNAME_LENGTH] or "?", ACTION_SIGN_IN_FAILED, audit_detail(reason=reason), address
    )
    return SignInResult(ok=False)


def authenticate(
    engine: Engine, name: str, password: str, address: str | None = None, now: datetime | None = None
) -> SignInResult:
    """Check a username and password; audit the attempt; lock the account after repeated failures.

    Parameters
    ----------
    name, password
        What the person typed.
    address
        The client's address where known (audited).
    now
        The clock (tests move it forward past a lockout).

    Returns
    -------
    SignInResult
        ``ok`` with the username and role, or a bare failure whatever the reason.
    """
    now = now or db.utcnow()
    username = normalise_username(name)
    password = password[: passwords.MAX_PASSWORD_LENGTH + 1]
    with engine.begin() as conn:
        row = find_row(conn, username) if username else None
        if row is None:
            passwords.spend_verification(password)
            return _fail(conn, username, REASON_UNKNOWN, address)
        account = to_account(row)
        if account.locked(now):
            passwords.spend_verification(password)
            return _fail(conn, username, REASON_LOCKED, address)
        if not account.has_password:
            passwords.spend_verification(password)
            return _fail(conn, username, REASON_NO_PASSWORD, address)
        if not passwords.verify_password(row.password_hash, password):
            _register_failure(conn, row.id, now)
            return _fail(conn, username, REASON_PASSWORD, address)
        if account.disabled:
            # Checked after the password so that a disabled account answers exactly like a wrong password.
            return _fail(conn, username, REASON_DISABLED, address)
        values: dict[str, object] = {"failed_attempts": 0, "locked_until": None, "last_login_at": now}
        if passwords.needs_rehash(row.password_hash):
            values["password_hash"] = passwords.hash_password(password)
        conn.execute(tables.users.update().where(tables.users.c.id == row.id).values(**values))
        audit.record_event(conn, username, ACTION_SIGN_IN, audit_detail(method="password"), address)
        return SignInResult(ok=True, username=username, role=row.role)


def _register_failure(conn: Connection, user_id: int, now: datetime) -> None:
    # One atomic increment, so that concurrent failures all count.
    conn.execute(
        tables.users.update()
        .where(tables.users.c.id == user_id)
        .values(failed_attempts=tables.users.c.failed_attempts + 1)
    )
    failures = conn.execute(sa.select(tables.users.c.failed_attempts).where(tables.users.c.id == user_id)).scalar()
    if failures >= settings.lockout_attempts():
        conn.execute(
            tables.users.update()
            .where(tables.users.c.id == user_id)
            .values(failed_attempts=0, locked_until=now + timedelta(minutes=settings.lockout_minutes()))
        )


def role_for_identity(
    engine: Engine,
    email: str | None,
    username: str | None = None,
    default_role: str | None = None,
    address: str | None = None,
) -> SignInResult:
    """The local role of a person signed in through OpenID Connect, audited as a sign-in.

    The local account is looked up by e-mail first, then by the provider's
    username. A disabled account gets no access. A person without a local
    account gets ``default_role`` when one is given, else no access.
    """
    candidates = [normalise_username(v) for v in (email, username) if v and normalise_username(v)]
    with engine.begin() as conn:
        for candidate in candidates:
            row = find_row(conn, candidate)
            if row is None:
                continue
            if row.disabled:
                return _fail(conn, candidate, REASON_DISABLED, address)
            conn.execute(tables.users.update().where(tables.users.c.id == row.id).values(last_login_at=db.utcnow()))
            audit.record_event(conn, candidate, ACTION_SIGN_IN, audit_detail(method="oidc"), address)
            return SignInResult(ok=True, username=candidate, role=row.role)
        who = candidates[0] if candidates else "?"
        if default_role in access.ROLES:
            audit.record_event(
                conn, who, ACTION_SIGN_IN, audit_detail(method="oidc", default_role=default_role), address
            )
            return SignInResult(ok=True, username=who, role=default_role)
        return _fail(conn, who, REASON_NOT_MAPPED, address)


def record_sign_out(engine: Engine, username: str, reason: str = "user", address: str | None = None) -> None:
    """Audit a sign-out (``reason``: ``user`` or ``idle``)."""
    with engine.begin() as conn:
        audit.record_event(conn, username, ACTION_SIGN_OUT, audit_detail(reason=reason), address)
