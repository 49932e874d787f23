"""Counting sign-in attempts before the password is checked: per account and per client address.

Both counters are taken with one atomic ``UPDATE ... RETURNING`` each, in a
transaction committed before the (slow) password check starts. An attempt
that finds its counter full is refused without any password check, so
parallel guesses cannot outrun the count: at most ``HT_LOCKOUT_ATTEMPTS``
passwords are ever checked per account per lock period, and per address per
block.

* The account's lock is bounded: ``HT_LOCKOUT_MINUTES``, never extended by
  attempts made while it holds. While it holds, only an address the account
  has signed in from before, with no failures of its own, may try: the owner
  at their usual desk is not locked out by an attacker, and an attacker with
  many fresh addresses gets no guesses beyond the counter's.
* An address's block grows: ``HT_LOCKOUT_MINUTES`` the first time, doubling
  each time the same address is blocked again, up to :data:`MAX_BLOCK`; the
  doubling is forgotten after :data:`LEVEL_MEMORY` without a block.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from loaders.accounts.records import aware
from loaders.core import settings
from loaders.store import tables

#: The longest block of one address.
MAX_BLOCK = timedelta(hours=24)
#: A block's doubling is forgotten after this long without a new block.
LEVEL_MEMORY = timedelta(hours=24)
#: The key of attempts whose address is not known (loopback, tests): they share one counter.
UNKNOWN_ADDRESS = "unknown"


def address_key(address: str | None) -> str:
    """The counter an address counts against."""
    return (address or UNKNOWN_ADDRESS)[:100]


def _ensure_address_row(conn: Connection, key: str) -> None:
    t = tables.sign_in_addresses
    values = {"address": key, "failures": 0, "level": 0}
    if conn.dialect.name == "postgresql":
        conn.execute(postgresql.insert(t).values(**values).on_conflict_do_nothing(index_elements=["address"]))
    else:
        conn.execute(sqlite.insert(t).values(**values).on_conflict_do_nothing(index_elements=["address"]))


def take_address_slot(conn: Connection, key: str, now: datetime) -> int | None:
    """Count an attempt from ``key``; the count including it, or ``None`` while the address is blocked or full."""
    t = tables.sign_in_addresses
    _ensure_address_row(conn, key)
    limit = settings.lockout_attempts()
    stale = now - timedelta(minutes=settings.lockout_minutes())
    return conn.execute(
        t.update()
        .where(
            t.c.address == key,
            sa.or_(t.c.blocked_until.is_(None), t.c.blocked_until <= now),
            # A full counter whose block was never written (a crash between the two) frees itself.
            sa.or_(t.c.failures < limit, t.c.last_failure_at < stale),
        )
        .values(
            failures=sa.case((t.c.failures >= limit, 1), else_=t.c.failures + 1),
            last_failure_at=now,
        )
        .returning(t.c.failures)
    ).scalar()


def address_failed(conn: Connection, key: str, now: datetime) -> None:
    """After a refused attempt: block the address when its counter is full, each time for longer."""
    t = tables.sign_in_addresses
    row = conn.execute(sa.select(t).where(t.c.address == key)).first()
    if row is None or row.failures < settings.lockout_attempts():
        return
    blocked_until = aware(row.blocked_until)
    level = row.level if blocked_until is not None and now - blocked_until < LEVEL_MEMORY else 0
    block = min(timedelta(minutes=settings.lockout_minutes()) * 2**level, MAX_BLOCK)
    conn.execute(
        t.update()
        .where(t.c.address == key, t.c.failures >= settings.lockout_attempts())
        .values(failures=0, level=level + 1, blocked_until=now + block)
    )


def address_succeeded(conn: Connection, key: str) -> None:
    """After a successful sign-in: the address's failures are forgiven (its block level is kept)."""
    t = tables.sign_in_addresses
    conn.execute(t.update().where(t.c.address == key).values(failures=0))


def take_account_slot(conn: Connection, user_id: int, now: datetime) -> int | None:
    """Count an attempt on the account; the count including it, or ``None`` while it is locked or full."""
    u = tables.users
    return conn.execute(
        u.update()
        .where(
            u.c.id == user_id,
            u.c.failed_attempts < settings.lockout_attempts(),
            sa.or_(u.c.locked_until.is_(None), u.c.locked_until <= now),
        )
        .values(failed_attempts=u.c.failed_attempts + 1)
        .returning(u.c.failed_attempts)
    ).scalar()


def account_failed(conn: Connection, user_id: int, now: datetime) -> None:
    """After a wrong password: lock the account for ``HT_LOCKOUT_MINUTES`` when its counter is full."""
    u = tables.users
    conn.execute(
        u.update()
        .where(u.c.id == user_id, u.c.failed_attempts >= settings.lockout_attempts())
        .values(failed_attempts=0, locked_until=now + timedelta(minutes=settings.lockout_minutes()))
    )


def known_address(conn: Connection, user_id: int, key: str) -> bool:
    """Whether the account has signed in from the address ``key`` before (an unknown address never counts)."""
    if key == UNKNOWN_ADDRESS:
        return False
    s = tables.sessions
    found = conn.execute(sa.select(s.c.id).where(s.c.user_id == user_id, s.c.address == key).limit(1)).first()
    return found is not None


def account_locked(conn: Connection, user_id: int, now: datetime) -> bool:
    """Whether the account is inside a lock period (not merely waiting for its last guesses to be checked)."""
    u = tables.users
    locked_until = conn.execute(sa.select(u.c.locked_until).where(u.c.id == user_id)).scalar()
    return locked_until is not None and aware(locked_until) > now
