"""Managing local accounts: create, change role, disable or enable, set a password, list.

Accounts live in the store's ``users`` table (see :mod:`loaders.accounts.records`
for the stored username form). Every change is audited with the acting user
(``actor``) inside the transaction that makes it. A change that would leave
no enabled admin is refused, so the app can always be administered.
"""

from __future__ import annotations

import unicodedata

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from loaders.accounts import access, audit, passwords, sessions
from loaders.accounts.records import (
    MAX_USERNAME_LENGTH,
    NO_PASSWORD,
    Account,
    UserError,
    audit_detail,
    find_row,
    normalise_username,
    require_row,
    to_account,
)
from loaders.store import db, tables

# Audit-log actions written by this module.
ACTION_USER_CREATED = "user_created"
ACTION_ROLE_CHANGED = "role_changed"
ACTION_USER_DISABLED = "user_disabled"
ACTION_USER_ENABLED = "user_enabled"
ACTION_PASSWORD_CHANGED = "password_changed"

USER_COLUMNS = [
    "username",
    "role",
    "disabled",
    "locked_until",
    "failed_attempts",
    "created_at",
    "last_login_at",
    "has_password",
]


def _check_username(name: str) -> str:
    username = normalise_username(name)
    if not username:
        raise UserError("Tên đăng nhập không được để trống.")
    if len(username) > MAX_USERNAME_LENGTH:
        raise UserError(f"Tên đăng nhập dài quá {MAX_USERNAME_LENGTH} ký tự.")
    if any(unicodedata.category(ch)[0] in ("C", "Z") for ch in username):
        raise UserError("Tên đăng nhập không được chứa khoảng trắng hoặc ký tự điều khiển.")
    return username


def _check_role(role: str) -> str:
    if role not in access.ROLES:
        raise UserError(f"Vai trò «{role}» không hợp lệ; chọn một trong: {', '.join(access.ROLES)}.")
    return role


def _enabled_admins(conn: Connection) -> int:
    return (
        conn.execute(
            sa.select(sa.func.count())
            .select_from(tables.users)
            .where(tables.users.c.role == access.ROLE_ADMIN, sa.not_(tables.users.c.disabled))
        ).scalar()
        or 0
    )


def _guard_last_admin(conn: Connection, row: sa.Row) -> None:
    if row.role == access.ROLE_ADMIN and not row.disabled and _enabled_admins(conn) <= 1:
        raise UserError("Không thể bỏ quyền hoặc khóa quản trị viên cuối cùng; hãy tạo một quản trị viên khác trước.")


def get_account(engine: Engine, name: str) -> Account | None:
    """The account of ``name`` (any case), or ``None``."""
    with engine.connect() as conn:
        row = find_row(conn, normalise_username(name))
    return to_account(row) if row is not None else None


def create_user(
    engine: Engine, name: str, password: str | None, role: str, actor: str, address: str | None = None
) -> Account:
    """Create an account.

    Parameters
    ----------
    name
        Username (stored trimmed and lower-case; an e-mail address for accounts that sign in through OpenID Connect).
    password
        The password, or ``None`` for an account that may only sign in through OpenID Connect.
    role
        One of :data:`loaders.accounts.access.ROLES`.
    actor
        Who creates it (audited).

    Raises
    ------
    UserError
        For an invalid name, role or password, or when the name is taken.
    """
    username = _check_username(name)
    _check_role(role)
    if password is not None:
        passwords.check_password(password)
    password_hash = passwords.hash_password(password) if password is not None else NO_PASSWORD
    with engine.begin() as conn:
        if find_row(conn, username) is not None:
            raise UserError(f"Tài khoản «{username}» đã tồn tại.")
        try:
            conn.execute(
                tables.users.insert().values(
                    username=username,
                    password_hash=password_hash,
                    role=role,
                    disabled=False,
                    failed_attempts=0,
                    created_at=db.utcnow(),
                )
            )
        except sa.exc.IntegrityError as exc:  # a concurrent create of the same name
            raise UserError(f"Tài khoản «{username}» đã tồn tại.") from exc
        audit.record_event(
            conn,
            actor,
            ACTION_USER_CREATED,
            audit_detail(username=username, role=role, password=password is not None),
            address,
        )
        return to_account(find_row(conn, username))


def set_role(engine: Engine, name: str, role: str, actor: str, address: str | None = None) -> Account:
    """Change an account's role (audited with the old and new role).

    Raises
    ------
    UserError
        Unknown account or role, or when it would leave no enabled admin.
    """
    _check_role(role)
    with engine.begin() as conn:
        row = require_row(conn, name)
        if row.role == role:
            return to_account(row)
        if role != access.ROLE_ADMIN:
            _guard_last_admin(conn, row)
        conn.execute(tables.users.update().where(tables.users.c.id == row.id).values(role=role))
        # Open sessions end: the person signs in again and sees what the new role allows, in every tab.
        sessions.end_user_sessions(conn, row.id, sessions.END_ROLE)
        audit.record_event(
            conn, actor, ACTION_ROLE_CHANGED, audit_detail(username=row.username, old=row.role, new=role), address
        )
        return to_account(find_row(conn, row.username))


def set_disabled(engine: Engine, name: str, disabled: bool, actor: str, address: str | None = None) -> Account:
    """Disable or enable an account; enabling also lifts a lockout.

    Raises
    ------
    UserError
        Unknown account, or disabling the last enabled admin.
    """
    with engine.begin() as conn:
        row = require_row(conn, name)
        if disabled:
            _guard_last_admin(conn, row)
            values: dict[str, object] = {"disabled": True}
            sessions.end_user_sessions(conn, row.id, sessions.END_DISABLED)
        else:
            values = {"disabled": False, "failed_attempts": 0, "locked_until": None}
        conn.execute(tables.users.update().where(tables.users.c.id == row.id).values(**values))
        audit.record_event(
            conn,
            actor,
            ACTION_USER_DISABLED if disabled else ACTION_USER_ENABLED,
            audit_detail(username=row.username),
            address,
        )
        return to_account(find_row(conn, row.username))


def disable_user(engine: Engine, name: str, actor: str, address: str | None = None) -> Account:
    """Disable an account (see :func:`set_disabled`)."""
    return set_disabled(engine, name, True, actor, address)


def enable_user(engine: Engine, name: str, actor: str, address: str | None = None) -> Account:
    """Enable an account and lift its lockout (see :func:`set_disabled`)."""
    return set_disabled(engine, name, False, actor, address)


def change_password(
    engine: Engine,
    name: str,
    new_password: str,
    actor: str,
    address: str | None = None,
    keep_session: str | None = None,
) -> None:
    """Set a new password, lift any lockout and end the account's other sessions (audited, the password never).

    ``keep_session`` is the secret of the session that makes the change, when the
    person changes their own password: it stays signed in, every other session ends.

    Raises
    ------
    UserError
        Unknown account or a password that breaks the rules.
    """
    passwords.check_password(new_password)
    password_hash = passwords.hash_password(new_password)
    with engine.begin() as conn:
        row = require_row(conn, name)
        conn.execute(
            tables.users.update()
            .where(tables.users.c.id == row.id)
            .values(password_hash=password_hash, failed_attempts=0, locked_until=None)
        )
        sessions.end_user_sessions(conn, row.id, sessions.END_PASSWORD, keep=keep_session)
        audit.record_event(conn, actor, ACTION_PASSWORD_CHANGED, audit_detail(username=row.username), address)


def has_accounts(engine: Engine) -> bool:
    """Whether any account exists (the sign-in page explains how to create the first admin otherwise)."""
    with engine.connect() as conn:
        return conn.execute(sa.select(tables.users.c.id).limit(1)).first() is not None


def list_users(engine: Engine) -> pd.DataFrame:
    """Every account, by name, without password hashes.

    Returns
    -------
    pd.DataFrame
        Columns :data:`USER_COLUMNS`; times are timezone-aware UTC.
    """
    with engine.connect() as conn:
        rows = conn.execute(sa.select(tables.users).order_by(tables.users.c.username)).all()
    frame = pd.DataFrame([to_account(r).__dict__ for r in rows], columns=USER_COLUMNS)
    for col in ("locked_until", "created_at", "last_login_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    return frame
