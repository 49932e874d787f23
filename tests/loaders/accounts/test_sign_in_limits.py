"""Parallel guesses, the per-address lockout, bounded argon2 work, the client's address behind proxies."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from loaders.accounts import addresses, passwords, signin, users
from loaders.core import settings
from loaders.store import tables
from loaders.store.db import utcnow
from tests.support.accounts import fast_hashing

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_hashing(monkeypatch)


class CountingHasher(PasswordHasher):
    """Counts verifications against one real hash (the dummy hash of unknown names is not one)."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.real_hash: str | None = None
        self.checks = 0
        self.delay = delay
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def verify(self, hash, password):
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            if hash == self.real_hash:
                self.checks += 1
        try:
            time.sleep(self.delay)
            return super().verify(hash, password)
        finally:
            with self._lock:
                self.running -= 1


def _stored_hash(engine, name: str) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.select(tables.users.c.password_hash).where(tables.users.c.username == name)).scalar()


def _in_parallel(count: int, attempt) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        results[index] = attempt(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


@pytest.mark.parametrize("spread", ["one address", "thirty addresses"])
def test_thirty_parallel_wrong_passwords_check_at_most_five(
    engine, monkeypatch: pytest.MonkeyPatch, spread: str
) -> None:
    monkeypatch.setenv(settings.LOCKOUT_ATTEMPTS_ENV, "5")
    users.create_user(engine, "admin", PASSWORD, "admin", actor="setup")
    hasher = CountingHasher(delay=0.3)
    hasher.real_hash = _stored_hash(engine, "admin")
    monkeypatch.setattr(passwords, "_hasher", hasher)

    def attempt(index: int):
        address = "203.0.113.5" if spread == "one address" else f"203.0.113.{index + 10}"
        return signin.authenticate(engine, "admin", f"guess number {index}", address=address)

    results = _in_parallel(30, attempt)
    assert not any(r.ok for r in results)
    assert 1 <= hasher.checks <= 5
    assert hasher.most_at_once <= passwords.MAX_CONCURRENT_HASHES


def test_fresh_addresses_one_after_another_get_no_guess_past_the_lock(engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.LOCKOUT_ATTEMPTS_ENV, "5")
    users.create_user(engine, "admin", PASSWORD, "admin", actor="setup")
    hasher = CountingHasher()
    hasher.real_hash = _stored_hash(engine, "admin")
    monkeypatch.setattr(passwords, "_hasher", hasher)
    now = utcnow()
    for index in range(35):
        signin.authenticate(engine, "admin", f"guess {index}", address=f"198.19.0.{index}", now=now)
    assert hasher.checks == 5
    assert users.get_account(engine, "admin").locked(now)


def test_an_attacking_address_is_blocked_longer_each_time_and_the_owner_still_signs_in(
    engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(settings.LOCKOUT_ATTEMPTS_ENV, "3")
    monkeypatch.setenv(settings.LOCKOUT_MINUTES_ENV, "10")
    users.create_user(engine, "admin", PASSWORD, "admin", actor="setup")
    attacker, owner, stranger = "198.51.100.66", "10.10.0.5", "192.0.2.77"
    now = utcnow()
    assert signin.authenticate(engine, "admin", PASSWORD, address=owner, now=now - timedelta(days=3)).ok
    for _ in range(3):
        assert not signin.authenticate(engine, "admin", "guess", address=attacker, now=now).ok
    # The account is locked, and the attacker's address is blocked: even the right password fails from it ...
    assert users.get_account(engine, "admin").locked(now)
    assert not signin.authenticate(engine, "admin", PASSWORD, address=attacker, now=now).ok
    # ... and so does it from a clean address the account never signed in from (a botnet's next member) ...
    assert not signin.authenticate(engine, "admin", PASSWORD, address=stranger, now=now).ok
    # ... but the owner, from their usual address with no failures, signs in during the lock.
    assert signin.authenticate(engine, "admin", PASSWORD, address=owner, now=now).ok
    assert not users.get_account(engine, "admin").locked(now)

    def blocked_for(start) -> timedelta:
        with engine.connect() as conn:
            until = conn.execute(
                sa.select(tables.sign_in_addresses.c.blocked_until).where(
                    tables.sign_in_addresses.c.address == attacker
                )
            ).scalar()
        return until.replace(tzinfo=start.tzinfo) - start

    assert blocked_for(now) == timedelta(minutes=10)
    later = now + timedelta(minutes=11)
    for _ in range(3):
        assert not signin.authenticate(engine, "admin", "guess", address=attacker, now=later).ok
    assert blocked_for(later) == timedelta(minutes=20)
    even_later = later + timedelta(minutes=21)
    for _ in range(3):
        signin.authenticate(engine, "admin", "guess", address=attacker, now=even_later)
    assert blocked_for(even_later) == timedelta(minutes=40)
    # The account's own lock stays bounded: ten minutes, whatever the attacker does.
    account = users.get_account(engine, "admin")
    assert account.locked_until - even_later <= timedelta(minutes=10, seconds=1)
    reasons = [json.loads(e.detail)["reason"] for e in _failures(engine)]
    assert signin.REASON_ADDRESS_BLOCKED in reasons


def _failures(engine) -> list[sa.Row]:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(tables.events)
            .where(tables.events.c.action == signin.ACTION_SIGN_IN_FAILED)
            .order_by(tables.events.c.id)
        ).all()


def test_blocked_and_locked_attempts_cost_no_password_check(engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.LOCKOUT_ATTEMPTS_ENV, "2")
    users.create_user(engine, "an", PASSWORD, "viewer", actor="setup")
    hasher = CountingHasher()
    hasher.real_hash = _stored_hash(engine, "an")
    monkeypatch.setattr(passwords, "_hasher", hasher)
    for _ in range(2):
        signin.authenticate(engine, "an", "wrong", address="192.0.2.50")
    assert hasher.checks == 2
    for _ in range(20):
        assert not signin.authenticate(engine, "an", "wrong", address="192.0.2.50").ok
    assert hasher.checks == 2


def test_at_most_two_argon2_computations_run_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = CountingHasher(delay=0.2)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    stored = hasher.hash(PASSWORD)
    results = _in_parallel(8, lambda i: passwords.verify_password(stored, PASSWORD if i % 2 else "nope"))
    assert results.count(True) == 4
    assert hasher.most_at_once == passwords.MAX_CONCURRENT_HASHES


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        # No trusted proxy: the header is anyone's text and is ignored.
        ("203.0.113.9", "10.1.2.3", [], "203.0.113.9"),
        (None, "10.1.2.3", [], None),
        # The proxy on the same machine (Streamlit reports loopback as None).
        (None, "10.1.2.3", ["127.0.0.1"], "10.1.2.3"),
        ("10.0.0.2", "10.1.2.3", ["10.0.0.0/24"], "10.1.2.3"),
        # A client that forges the header gets its own address in front; the proxy appends the real one.
        ("10.0.0.2", "6.6.6.6, 10.1.2.3", ["10.0.0.2"], "10.1.2.3"),
        # Two trusted proxies in a row are skipped from the right.
        ("10.0.0.2", "10.1.2.3, 10.0.0.3", ["10.0.0.2", "10.0.0.3"], "10.1.2.3"),
        # A peer that is not a trusted proxy: its header is not believed.
        ("10.9.9.9", "10.1.2.3", ["10.0.0.2"], "10.9.9.9"),
        ("10.0.0.2", "not-an-ip", ["10.0.0.2"], "10.0.0.2"),
        ("10.0.0.2", "", ["10.0.0.2"], "10.0.0.2"),
        ("2001:db8::2", "2001:db9::77", ["2001:db8::/64"], "2001:db9::77"),
        ("10.0.0.2", "10.1.2.3", ["garbage", "10.0.0.2"], "10.1.2.3"),
    ],
)
def test_client_address_trusts_forwarded_for_only_from_configured_proxies(peer, forwarded, trusted, expected) -> None:
    assert addresses.client_address(peer, forwarded, trusted) == expected


def test_trusted_proxies_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.TRUSTED_PROXIES_ENV, raising=False)
    assert settings.trusted_proxies() == []
    monkeypatch.setenv(settings.TRUSTED_PROXIES_ENV, " 10.0.0.2, 192.168.0.0/16 ,,")
    assert settings.trusted_proxies() == ["10.0.0.2", "192.168.0.0/16"]
