"""Local accounts as records: the stored username form, the ``users`` row as :class:`Account`, :class:`UserError`.

Usernames are compared without regard to case: they are stored trimmed,
NFC-normalised and lower-cased, so an e-mail address works as a username
too (that is how people signed in through OpenID Connect find their account).
Password hashes never leave this package: :class:`Account` only says whether
the account has a local password.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from loaders.store import db, tables

MAX_USERNAME_LENGTH = 100

#: Stored instead of a hash for accounts that may only sign in through OpenID Connect.
NO_PASSWORD = "!"


class UserError(ValueError):
    """A user-management request that cannot be done (message in Vietnamese, for the CLI and the admin page)."""


@dataclass(frozen=True)
class Account:
    """One local account, without its password hash."""

    username: str
    role: str
    disabled: bool
    failed_attempts: int
    locked_until: datetime | None
    created_at: datetime
    last_login_at: datetime | None
    has_password: bool

    def locked(self, now: datetime | None = None) -> bool:
        """Whether the account is inside a lockout period."""
        return self.locked_until is not None and self.locked_until > (now or db.utcnow())


def normalise_username(name: str) -> str:
    """The stored form of a username: trimmed, NFC, lower-case."""
    return unicodedata.normalize("NFC", str(name)).strip().lower()


def audit_detail(**fields: object) -> str:
    """The ``detail`` text of an account audit entry: the fields as JSON, Vietnamese kept readable."""
    return json.dumps(fields, ensure_ascii=False, default=str)


def aware(value: datetime | None) -> datetime | None:
    """A stored time as timezone-aware UTC."""
    # SQLite gives back naive datetimes for DateTime(timezone=True); the store only writes UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def find_row(conn: Connection, username: str) -> sa.Row | None:
    """The ``users`` row of an already normalised ``username``, or ``None``."""
    return conn.execute(sa.select(tables.users).where(tables.users.c.username == username)).first()


def require_row(conn: Connection, name: str) -> sa.Row:
    """The ``users`` row of ``name`` (any case).

    Raises
    ------
    UserError
        When there is no such account.
    """
    row = find_row(conn, normalise_username(name))
    if row is None:
        raise UserError(f"Không có tài khoản «{normalise_username(name)}».")
    return row


def to_account(row: sa.Row) -> Account:
    """A ``users`` row as an :class:`Account` (times timezone-aware UTC, no hash)."""
    return Account(
        username=row.username,
        role=row.role,
        disabled=bool(row.disabled),
        failed_attempts=row.failed_attempts or 0,
        locked_until=aware(row.locked_until),
        created_at=aware(row.created_at),
        last_login_at=aware(row.last_login_at),
        has_password=row.password_hash != NO_PASSWORD,
    )
