"""Signing in: password checks, the lockout rules, OpenID Connect identities, the audit of sign-ins and sign-outs.

A sign-in answers only "yes, as this user with this role" or "no"
(:class:`SignInResult`): the caller cannot tell an unknown name from a wrong
password or a disabled account, neither by the answer nor by how long it
takes. The reason goes to the audit log, which only admins read. A success
starts a session in the store (:mod:`loaders.accounts.sessions`).

Lockout (counted in :mod:`loaders.accounts.throttle`, before any password is checked):

* an account locks for ``HT_LOCKOUT_MINUTES`` (15) after ``HT_LOCKOUT_ATTEMPTS``
  (5) failures in a row; attempts while it is locked are refused without
  counting, so the lock does not extend itself;
* a client address is blocked after the same number of failures in a row,
  for ``HT_LOCKOUT_MINUTES`` the first time and twice as long each time
  again (up to a day): the attacker's address is shut out for longer and
  longer, not the account's owner;
* an address with no failure on record is not stopped by the account's
  lock once it holds: the owner, from their own machine, still signs in
  while someone elsewhere guesses. Each such address gets that one attempt
  (a failure puts it on record); attempts made while the account's last
  allowed guesses are still being checked are refused, whatever the address.

Locked and blocked attempts are refused at once, without a password check:
that is what keeps a flood of guesses from costing a core and 64 MiB each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from loaders.accounts import access, audit, passwords, sessions, throttle
from loaders.accounts.records import MAX_USERNAME_LENGTH, NO_PASSWORD, audit_detail, find_row, normalise_username
from loaders.store import db, tables

# Audit-log actions written by this module.
ACTION_SIGN_IN = "sign_in"
ACTION_SIGN_IN_FAILED = "sign_in_failed"
ACTION_SIGN_OUT = "sign_out"

# Failure reasons: written to the audit log only, never shown to the person signing in.
REASON_UNKNOWN = "unknown_user"
REASON_PASSWORD = "wrong_password"
REASON_LOCKED = "locked"
REASON_ADDRESS_BLOCKED = "address_blocked"
REASON_DISABLED = "disabled"
REASON_NO_PASSWORD = "no_local_password"
REASON_NOT_MAPPED = "no_local_account"
REASON_PASSWORD_ACCOUNT = "password_account"
REASON_BOUND_ELSEWHERE = "bound_to_other_identity"
REASON_UNVERIFIED = "email_not_verified"


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in: deliberately without the reason of a failure.

    ``session`` is the secret of the session a successful sign-in started
    (``None`` for an OpenID Connect person without a local account).
    """

    ok: bool
    username: str | None = None
    role: str | None = None
    session: str | None = field(default=None, compare=False, repr=False)
    user_id: int | None = field(default=None, compare=False)


def _fail(conn: Connection, attempted: str, reason: str, address: str | None) -> SignInResult:
    # Names no account has go under one label with the name in the detail; a flood is summarised
    # (audit.record_sign_in_failure). The lockout counts attempts on its own, so this hides no guess.
    name = attempted[:MAX_USERNAME_LENGTH] or "?"
    known = reason != REASON_UNKNOWN and find_row(conn, name) is not None
    audit.record_sign_in_failure(conn, name, {"reason": reason}, address, known=known)
    return SignInResult(ok=False)


def authenticate(
    engine: Engine, name: str, password: str, address: str | None = None, now: datetime | None = None
) -> SignInResult:
    """Check a username and password; audit the attempt; count it against the account and the address.

    Parameters
    ----------
    name, password
        What the person typed.
    address
        The client's address where known (audited, and the per-address lockout's key).
    now
        The clock (tests move it forward past a lockout).

    Returns
    -------
    SignInResult
        ``ok`` with the username, role and new session, or a bare failure whatever the reason.
    """
    now = now or db.utcnow()
    username = normalise_username(name)
    password = password[: passwords.MAX_PASSWORD_LENGTH + 1]
    key = throttle.address_key(address)
    # 1. Count the attempt, committed before the password is checked, so that parallel guesses all count.
    with engine.begin() as conn:
        address_count = throttle.take_address_slot(conn, key, now)
        if address_count is None:
            return _fail(conn, username, REASON_ADDRESS_BLOCKED, address)
        row = find_row(conn, username) if username else None
        refusal = None
        if row is None:
            refusal = REASON_UNKNOWN
        elif row.password_hash == NO_PASSWORD:
            refusal = REASON_NO_PASSWORD
        else:
            account_count = throttle.take_account_slot(conn, row.id, now)
            if account_count is None and not (
                address_count == 1
                and throttle.account_locked(conn, row.id, now)
                and throttle.known_address(conn, row.id, key)
            ):
                # Locked, or its last attempts are still being checked: only the owner's clean, known address passes.
                throttle.address_failed(conn, key, now)
                return _fail(conn, username, REASON_LOCKED, address)
    # 2. The slow check, outside any transaction (bounded in number by passwords' semaphore).
    if refusal is not None:
        passwords.spend_verification(password)
        verified = False
    else:
        verified = passwords.verify_password(row.password_hash, password)
    # 3. The outcome.
    with engine.begin() as conn:
        if refusal is not None or not verified:
            throttle.address_failed(conn, key, now)
            if refusal is None:
                throttle.account_failed(conn, row.id, now)
            return _fail(conn, username, refusal or REASON_PASSWORD, address)
        if row.disabled:
            # Checked after the password so that a disabled account answers exactly like a wrong password.
            throttle.address_failed(conn, key, now)
            return _fail(conn, username, REASON_DISABLED, address)
        values: dict[str, object] = {"failed_attempts": 0, "locked_until": None, "last_login_at": now}
        if passwords.needs_rehash(row.password_hash):
            values["password_hash"] = passwords.hash_password(password)
        conn.execute(tables.users.update().where(tables.users.c.id == row.id).values(**values))
        throttle.address_succeeded(conn, key)
        secret = sessions.start_session(conn, row.id, sessions.METHOD_PASSWORD, address, now)
        audit.record_event(conn, username, ACTION_SIGN_IN, audit_detail(method="password"), address)
        return SignInResult(ok=True, username=username, role=row.role, session=secret, user_id=row.id)


def _oidc_row(conn: Connection, issuer: str, subject: str) -> sa.Row | None:
    u = tables.users
    return conn.execute(sa.select(u).where(u.c.oidc_issuer == issuer, u.c.oidc_subject == subject)).first()


def oidc_sign_in(
    engine: Engine,
    issuer: str | None,
    subject: str | None,
    email: str | None,
    email_verified: object = False,
    default_role: str | None = None,
    address: str | None = None,
) -> SignInResult:
    """The local account of a person signed in through OpenID Connect, audited as a sign-in.

    * An account bound to the provider's ``issuer`` and ``subject`` is that person's.
    * Otherwise an account named by the person's e-mail is theirs only when the
      provider says the e-mail is verified (``email_verified`` exactly ``True``),
      and the account has no password and is bound to no other identity; it is
      then bound to this issuer and subject, and found by them from then on.
    * An account with a password is never reached through OpenID Connect.
    * A disabled account gets no access. A person without a local account gets
      ``default_role`` (a verified e-mail is needed), else no access.
    """
    issuer, subject = (issuer or "").strip()[:255], (subject or "").strip()[:255]
    verified = email_verified is True
    address_name = normalise_username(email) if email else ""
    who = address_name or (f"{subject}@{issuer}" if subject else "?")
    if not issuer or not subject:
        with engine.begin() as conn:
            return _fail(conn, who, REASON_NOT_MAPPED, address)
    with engine.begin() as conn:
        row = _oidc_row(conn, issuer, subject)
        if row is None and address_name:
            candidate = find_row(conn, address_name)
            if candidate is not None:
                if not verified:
                    return _fail(conn, who, REASON_UNVERIFIED, address)
                if candidate.password_hash != NO_PASSWORD:
                    return _fail(conn, who, REASON_PASSWORD_ACCOUNT, address)
                if candidate.oidc_subject is not None:
                    return _fail(conn, who, REASON_BOUND_ELSEWHERE, address)
                conn.execute(
                    tables.users.update()
                    .where(tables.users.c.id == candidate.id)
                    .values(oidc_issuer=issuer, oidc_subject=subject)
                )
                row = _oidc_row(conn, issuer, subject)
        if row is not None:
            if row.password_hash != NO_PASSWORD:
                return _fail(conn, row.username, REASON_PASSWORD_ACCOUNT, address)
            if row.disabled:
                return _fail(conn, row.username, REASON_DISABLED, address)
            now = db.utcnow()
            conn.execute(tables.users.update().where(tables.users.c.id == row.id).values(last_login_at=now))
            secret = sessions.start_session(conn, row.id, sessions.METHOD_OIDC, address, now)
            audit.record_event(conn, row.username, ACTION_SIGN_IN, audit_detail(method="oidc"), address)
            return SignInResult(ok=True, username=row.username, role=row.role, session=secret, user_id=row.id)
        if default_role in access.ROLES and verified and address_name:
            audit.record_event(
                conn, who, ACTION_SIGN_IN, audit_detail(method="oidc", default_role=default_role), address
            )
            return SignInResult(ok=True, username=who, role=default_role)
        return _fail(conn, who, REASON_NOT_MAPPED if verified else REASON_UNVERIFIED, address)


def record_sign_out(engine: Engine, username: str, reason: str = "user", address: str | None = None) -> None:
    """Audit a sign-out (``reason``: ``user``, ``idle``, ``max_age``, or why the session was ended elsewhere)."""
    with engine.begin() as conn:
        audit.record_event(conn, username, ACTION_SIGN_OUT, audit_detail(reason=reason), address)
