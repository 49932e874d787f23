"""Sessions in the store, the signed cookie, the password rule."""

from __future__ import annotations

import stat
from datetime import timedelta

import pytest

from loaders.accounts import cookies, passwords, sessions, signin, users
from loaders.accounts.records import UserError
from loaders.core import settings
from loaders.store.db import utcnow
from tests.support.accounts import fast_hashing

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_hashing(monkeypatch)


def _sign_in(engine, name: str = "an", address: str = "10.0.0.1", now=None) -> str:
    result = signin.authenticate(engine, name, PASSWORD, address=address, now=now)
    assert result.ok
    return result.session


def test_a_session_carries_no_role_the_store_gives_it(engine) -> None:
    users.create_user(engine, "an", PASSWORD, "viewer", actor="setup")
    secret = _sign_in(engine)
    check = sessions.check_session(engine, secret)
    assert (check.ok, check.username, check.role, check.method) == (True, "an", "viewer", "password")
    # Sessions of other people and made-up secrets are nothing.
    assert not sessions.check_session(engine, "made-up").ok


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda e: users.set_role(e, "an", "editor", actor="boss"), sessions.END_ROLE),
        (lambda e: users.disable_user(e, "an", actor="boss"), sessions.END_DISABLED),
        (lambda e: users.change_password(e, "an", "a different passphrase", actor="boss"), sessions.END_PASSWORD),
    ],
)
def test_account_changes_end_every_session_of_the_account(engine, change, reason: str) -> None:
    users.create_user(engine, "boss", PASSWORD, "admin", actor="setup")
    users.create_user(engine, "an", PASSWORD, "viewer", actor="setup")
    first, second = _sign_in(engine), _sign_in(engine, address="10.0.0.2")
    other = _sign_in(engine, "boss")
    change(engine)
    assert [sessions.check_session(engine, s).reason for s in (first, second)] == [reason, reason]
    assert sessions.check_session(engine, other).ok


def test_a_password_change_keeps_the_session_that_made_it_and_ends_the_others(engine) -> None:
    users.create_user(engine, "an", PASSWORD, "viewer", actor="setup")
    mine, elsewhere = _sign_in(engine), _sign_in(engine, address="10.0.0.2")
    users.change_password(engine, "an", "a different passphrase", actor="an", keep_session=mine)
    assert sessions.check_session(engine, mine).ok
    assert sessions.check_session(engine, elsewhere).reason == sessions.END_PASSWORD


def test_signing_out_ends_the_session_for_every_tab(engine) -> None:
    users.create_user(engine, "an", PASSWORD, "viewer", actor="setup")
    secret = _sign_in(engine)
    sessions.end_session(engine, secret)
    assert sessions.check_session(engine, secret).reason == sessions.END_USER
    # Signing in again is a new session.
    assert sessions.check_session(engine, _sign_in(engine)).ok


def test_idle_limit_and_maximum_age(engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.IDLE_MINUTES_ENV, "30")
    monkeypatch.setenv(settings.SESSION_MAX_HOURS_ENV, "2")
    users.create_user(engine, "an", PASSWORD, "viewer", actor="setup")
    start = utcnow()
    idle = _sign_in(engine, now=start)
    assert sessions.check_session(engine, idle, now=start + timedelta(minutes=29)).ok
    assert sessions.check_session(engine, idle, now=start + timedelta(minutes=29 + 31)).reason == sessions.END_IDLE
    # Active every 20 minutes, it still ends at the maximum age.
    busy = _sign_in(engine, now=start)
    moment = start
    while moment < start + timedelta(hours=2):
        assert sessions.check_session(engine, busy, now=moment).ok
        moment += timedelta(minutes=20)
    assert (
        sessions.check_session(engine, busy, now=start + timedelta(hours=2, minutes=1)).reason == sessions.END_MAX_AGE
    )
    # An ended session stays ended.
    assert not sessions.check_session(engine, busy, now=start).ok


def test_session_max_hours_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.SESSION_MAX_HOURS_ENV, raising=False)
    assert settings.session_max_hours() == 12
    monkeypatch.setenv(settings.SESSION_MAX_HOURS_ENV, "lots")
    assert settings.session_max_hours() == 12
    monkeypatch.setenv(settings.SESSION_MAX_HOURS_ENV, "0")
    assert settings.session_max_hours() == 1


def test_the_store_keeps_only_a_hash_of_the_session_secret(engine) -> None:
    import sqlalchemy as sa

    from loaders.store import tables

    users.create_user(engine, "an", PASSWORD, "viewer", actor="setup")
    secret = _sign_in(engine)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(tables.sessions.c.id)).scalars().all()
    assert len(stored) == 1 and secret not in stored[0]


@pytest.mark.parametrize(
    ("issued_ago", "fresh"), [(60, True), (29 * 60, True), (31 * 60, False), (30 * 86400, False), (-3600, False)]
)
def test_only_a_fresh_provider_sign_in_starts_a_session(
    monkeypatch: pytest.MonkeyPatch, issued_ago: int, fresh: bool
) -> None:
    monkeypatch.setenv(settings.IDLE_MINUTES_ENV, "30")
    now = utcnow()
    assert sessions.provider_sign_in_fresh(now.timestamp() - issued_ago, now) is fresh


@pytest.mark.parametrize("iat", [None, "1700000000", True])
def test_a_provider_sign_in_without_a_usable_time_is_not_fresh(iat) -> None:
    assert not sessions.provider_sign_in_fresh(iat)


# ------------------------------------------------------------------ the cookie
def test_cookie_token_round_trip_and_tampering(tmp_path) -> None:
    key = cookies.signing_key(tmp_path)
    token = cookies.make_token(key, 7, "the-secret")
    assert cookies.read_token(key, token, 3600) == "the-secret"
    assert "role" not in token and "admin" not in token
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert cookies.read_token(key, tampered, 3600) is None
    assert cookies.read_token("another key entirely, 32 chars or more", token, 3600) is None
    assert cookies.read_token(key, "", 3600) is None
    assert cookies.read_token(key, "x" * 5000, 3600) is None


def test_cookie_token_expires_with_the_maximum_age(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import itsdangerous

    key = cookies.signing_key(tmp_path)
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: 1_000_000.0)
    token = cookies.make_token(key, 7, "the-secret")
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: 1_000_000.0 + 3601)
    assert cookies.read_token(key, token, 3600) is None
    assert cookies.read_token(key, token, 7200) == "the-secret"


def test_the_generated_key_is_private_and_kept(tmp_path) -> None:
    data = tmp_path / "data"
    key = cookies.signing_key(data)
    path = data / cookies.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= cookies.MIN_KEY_LENGTH
    assert cookies.signing_key(data) == key
    # A configured key wins, and must be long enough.
    assert cookies.signing_key(data, "k" * 40) == "k" * 40
    with pytest.raises(cookies.SigningKeyError, match="ít nhất"):
        cookies.signing_key(data, "short")


# ------------------------------------------------------------------ the password rule
@pytest.mark.parametrize(
    "password", ["password123", "PASSWORD123", "Matkhau@123", "1234567890", "qwertyuiop", "  iloveyou123 "]
)
def test_common_passwords_are_refused(engine, password: str) -> None:
    with pytest.raises(UserError, match="phổ biến"):
        users.create_user(engine, "an", password, "viewer", actor="setup")
    users.create_user(engine, "an", PASSWORD, "viewer", actor="setup")
    with pytest.raises(UserError, match="phổ biến"):
        users.change_password(engine, "an", password, actor="an")


def test_the_common_password_list_is_a_few_hundred_lower_case_entries() -> None:
    common = passwords.common_passwords()
    assert 200 <= len(common) <= 5000
    assert all(entry == entry.lower().strip() for entry in common)
