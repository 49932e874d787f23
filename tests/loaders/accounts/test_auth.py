"""Local accounts: hashing, roles, lockout, audited sign-ins, OpenID Connect role mapping."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from loaders.accounts import passwords, records, signin, users
from loaders.accounts.records import UserError
from loaders.accounts.signin import SignInResult
from loaders.core import settings
from loaders.store import tables
from loaders.store.db import get_engine, utcnow
from tests.support.accounts import fast_hashing

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_hashing(monkeypatch)


@pytest.fixture
def db():
    return get_engine()


def events(engine, action: str | None = None) -> list[sa.Row]:
    query = sa.select(tables.events).order_by(tables.events.c.id)
    if action:
        query = query.where(tables.events.c.action == action)
    with engine.connect() as conn:
        return conn.execute(query).all()


def test_password_is_stored_as_argon2_hash_never_plain(db) -> None:
    users.create_user(db, "Thu.Trang", PASSWORD, "analyst", actor="setup")
    with db.connect() as conn:
        stored = conn.execute(sa.select(tables.users.c.password_hash)).scalar()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_sign_in_succeeds_case_insensitively_and_is_audited(db) -> None:
    users.create_user(db, "Thu.Trang", PASSWORD, "analyst", actor="setup")
    result = signin.authenticate(db, "  THU.trang ", PASSWORD, address="10.0.0.7")
    assert result == SignInResult(ok=True, username="thu.trang", role="analyst")
    [event] = events(db, signin.ACTION_SIGN_IN)
    assert (event.user_name, event.address) == ("thu.trang", "10.0.0.7")
    assert users.get_account(db, "thu.trang").last_login_at is not None


@pytest.mark.parametrize("case", ["unknown", "wrong_password", "disabled", "locked", "empty"])
def test_every_failure_looks_the_same_and_is_audited_with_its_reason(
    db, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    users.create_user(db, "an", PASSWORD, "viewer", actor="setup")
    users.create_user(db, "admin", PASSWORD, "admin", actor="setup")
    name, password, reason = "an", PASSWORD, None
    if case == "unknown":
        name, reason = "nobody", signin.REASON_UNKNOWN
    elif case == "wrong_password":
        password, reason = "not the password", signin.REASON_PASSWORD
    elif case == "disabled":
        users.disable_user(db, "an", actor="admin")
        reason = signin.REASON_DISABLED
    elif case == "locked":
        # Locked by guesses from elsewhere; this address has one failure on record, so the lock stops it.
        monkeypatch.setenv(settings.LOCKOUT_ATTEMPTS_ENV, "3")
        for _ in range(3):
            signin.authenticate(db, "an", "bad guess", address="198.51.100.9")
        signin.authenticate(db, "an", "one more bad guess", address="192.0.2.1")
        reason = signin.REASON_LOCKED
    else:
        name, reason = "", signin.REASON_UNKNOWN
    result = signin.authenticate(db, name, password, address="192.0.2.1")
    assert result == SignInResult(ok=False)
    last = events(db, signin.ACTION_SIGN_IN_FAILED)[-1]
    assert json.loads(last.detail)["reason"] == reason
    assert last.address == "192.0.2.1"


def test_lockout_after_n_failures_for_m_minutes(db, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.LOCKOUT_ATTEMPTS_ENV, "3")
    monkeypatch.setenv(settings.LOCKOUT_MINUTES_ENV, "10")
    users.create_user(db, "an", PASSWORD, "viewer", actor="setup")
    now = utcnow()
    for _ in range(2):
        assert not signin.authenticate(db, "an", "wrong", now=now).ok
    assert not users.get_account(db, "an").locked(now)
    assert not signin.authenticate(db, "an", "wrong", now=now).ok
    account = users.get_account(db, "an")
    assert account.locked(now)
    assert account.locked_until == pytest.approx(now + timedelta(minutes=10), abs=timedelta(seconds=1))
    # Even the right password is refused while locked, and refused attempts do not extend the lock.
    assert not signin.authenticate(db, "an", PASSWORD, now=now + timedelta(minutes=9)).ok
    assert users.get_account(db, "an").locked_until == account.locked_until
    assert signin.authenticate(db, "an", PASSWORD, now=now + timedelta(minutes=10, seconds=1)).ok


def test_success_resets_the_failure_count(db, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.LOCKOUT_ATTEMPTS_ENV, "3")
    users.create_user(db, "an", PASSWORD, "viewer", actor="setup")
    for _ in range(2):
        signin.authenticate(db, "an", "wrong")
    assert signin.authenticate(db, "an", PASSWORD).ok
    for _ in range(2):
        signin.authenticate(db, "an", "wrong")
    assert signin.authenticate(db, "an", PASSWORD).ok


def test_enable_and_new_password_lift_a_lockout(db, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.LOCKOUT_ATTEMPTS_ENV, "3")
    users.create_user(db, "an", PASSWORD, "viewer", actor="setup")

    def lock() -> None:
        for _ in range(3):
            signin.authenticate(db, "an", "wrong", address="198.51.100.9")

    lock()
    # An address with a failure on record is stopped by the lock, until the account is enabled.
    assert not signin.authenticate(db, "an", "wrong too", address="10.0.0.2").ok
    assert not signin.authenticate(db, "an", PASSWORD, address="10.0.0.2").ok
    users.enable_user(db, "an", actor="admin")
    assert signin.authenticate(db, "an", PASSWORD, address="10.0.0.3").ok
    lock()
    assert not signin.authenticate(db, "an", "wrong too", address="10.0.0.4").ok
    users.change_password(db, "an", "another long password", actor="admin")
    assert signin.authenticate(db, "an", "another long password", address="10.0.0.4").ok
    assert not signin.authenticate(db, "an", PASSWORD, address="10.0.0.4").ok
    assert "another long password" not in json.dumps([tuple(map(str, e)) for e in events(db)])


def test_lockout_settings_fall_back_on_bad_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.LOCKOUT_ATTEMPTS_ENV, "many")
    monkeypatch.setenv(settings.LOCKOUT_MINUTES_ENV, "-4")
    assert settings.lockout_attempts() == settings.DEFAULT_LOCKOUT_ATTEMPTS
    assert settings.lockout_minutes() == 1


def test_role_changes_and_account_changes_are_audited(db) -> None:
    users.create_user(db, "an", PASSWORD, "viewer", actor="boss")
    users.set_role(db, "an", "editor", actor="boss", address="10.1.1.1")
    users.disable_user(db, "an", actor="boss")
    users.enable_user(db, "an", actor="boss")
    actions = [(e.user_name, e.action) for e in events(db)]
    assert actions == [
        ("boss", "user_created"),
        ("boss", "role_changed"),
        ("boss", "user_disabled"),
        ("boss", "user_enabled"),
    ]
    change = events(db, "role_changed")[0]
    assert json.loads(change.detail) == {"username": "an", "old": "viewer", "new": "editor"}
    assert change.address == "10.1.1.1"
    assert users.get_account(db, "an").role == "editor"


def test_the_last_enabled_admin_cannot_be_demoted_or_disabled(db) -> None:
    users.create_user(db, "boss", PASSWORD, "admin", actor="setup")
    with pytest.raises(UserError, match="quản trị viên cuối cùng"):
        users.set_role(db, "boss", "viewer", actor="boss")
    with pytest.raises(UserError, match="quản trị viên cuối cùng"):
        users.disable_user(db, "boss", actor="boss")
    users.create_user(db, "deputy", PASSWORD, "admin", actor="boss")
    users.set_role(db, "boss", "viewer", actor="deputy")
    assert users.get_account(db, "boss").role == "viewer"


@pytest.mark.parametrize(
    ("name", "password", "role", "message"),
    [
        ("an", "short", "viewer", "ít nhất"),
        ("an", " " * 12, "viewer", "khoảng trắng"),
        ("an", PASSWORD, "superuser", "Vai trò"),
        ("", PASSWORD, "viewer", "trống"),
        ("two words", PASSWORD, "viewer", "khoảng trắng"),
        ("x" * 101, PASSWORD, "viewer", "dài quá"),
    ],
)
def test_invalid_accounts_are_refused(db, name: str, password: str, role: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        users.create_user(db, name, password, role, actor="setup")
    assert users.list_users(db).empty


def test_duplicate_names_are_refused_whatever_the_case(db) -> None:
    users.create_user(db, "an", PASSWORD, "viewer", actor="setup")
    with pytest.raises(UserError, match="đã tồn tại"):
        users.create_user(db, "AN", PASSWORD, "admin", actor="setup")
    assert users.get_account(db, "an").role == "viewer"


def test_unknown_accounts_are_reported(db) -> None:
    with pytest.raises(UserError, match="Không có tài khoản"):
        users.set_role(db, "ghost", "viewer", actor="boss")
    assert events(db) == []


def test_oidc_only_accounts_never_sign_in_with_a_password(db) -> None:
    users.create_user(db, "can.bo@tinh.vn", None, "analyst", actor="setup")
    for guess in ("", "!", records.NO_PASSWORD, PASSWORD):
        assert not signin.authenticate(db, "can.bo@tinh.vn", guess).ok
    assert users.list_users(db).loc[0, "has_password"] == False  # noqa: E712 - numpy bool


def test_list_users_never_exposes_hashes(db) -> None:
    users.create_user(db, "an", PASSWORD, "viewer", actor="setup")
    frame = users.list_users(db)
    assert list(frame.columns) == users.USER_COLUMNS
    assert not frame.astype(str).apply(lambda col: col.str.contains("argon2")).any().any()


def test_hashes_are_upgraded_when_the_parameters_change(db, monkeypatch: pytest.MonkeyPatch) -> None:
    users.create_user(db, "an", PASSWORD, "viewer", actor="setup")
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    assert signin.authenticate(db, "an", PASSWORD).ok
    with db.connect() as conn:
        stored = conn.execute(sa.select(tables.users.c.password_hash)).scalar()
    assert "m=2048,t=2" in stored


ISSUER = "https://id.tinh.vn"


@pytest.mark.parametrize(
    ("sub", "email", "verified", "default", "expected"),
    [
        ("s-1", "Can.Bo@Tinh.vn", True, None, SignInResult(True, "can.bo@tinh.vn", "analyst")),
        # An e-mail the provider has not verified never reaches an account; nor does a string "true".
        ("s-1", "can.bo@tinh.vn", False, None, SignInResult(False)),
        ("s-1", "can.bo@tinh.vn", "true", None, SignInResult(False)),
        # A password account is never reached through OpenID Connect, verified e-mail or not.
        ("s-2", "admin", True, None, SignInResult(False)),
        ("s-3", "stranger@tinh.vn", True, None, SignInResult(False)),
        ("s-3", "stranger@tinh.vn", True, "viewer", SignInResult(True, "stranger@tinh.vn", "viewer")),
        ("s-3", "stranger@tinh.vn", False, "viewer", SignInResult(False)),
        ("s-4", "disabled@tinh.vn", True, "viewer", SignInResult(False)),
        (None, "can.bo@tinh.vn", True, None, SignInResult(False)),
    ],
)
def test_oidc_identity_maps_to_the_local_role(db, sub, email, verified, default, expected) -> None:
    users.create_user(db, "can.bo@tinh.vn", None, "analyst", actor="setup")
    users.create_user(db, "admin", PASSWORD, "admin", actor="setup")
    users.create_user(db, "disabled@tinh.vn", None, "editor", actor="setup")
    users.disable_user(db, "disabled@tinh.vn", actor="admin")
    assert signin.oidc_sign_in(db, ISSUER, sub, email, verified, default, address="10.2.2.2") == expected
    last = events(db)[-1]
    assert last.action == (signin.ACTION_SIGN_IN if expected.ok else signin.ACTION_SIGN_IN_FAILED)
    assert last.address == "10.2.2.2"


def test_oidc_binds_the_account_to_issuer_and_subject(engine) -> None:
    users.create_user(engine, "can.bo@tinh.vn", None, "analyst", actor="setup")
    first = signin.oidc_sign_in(engine, ISSUER, "subject-1", "can.bo@tinh.vn", True)
    assert first == SignInResult(True, "can.bo@tinh.vn", "analyst") and first.session
    # Bound now: the same person is found by issuer and subject, whatever e-mail the provider sends later.
    assert signin.oidc_sign_in(engine, ISSUER, "subject-1", "renamed@tinh.vn", False).ok
    # Someone else with the same verified e-mail (another subject, or another provider) is refused.
    assert not signin.oidc_sign_in(engine, ISSUER, "subject-2", "can.bo@tinh.vn", True).ok
    assert not signin.oidc_sign_in(engine, "https://evil.example", "subject-1", "can.bo@tinh.vn", True).ok
    reasons = [json.loads(e.detail)["reason"] for e in events(engine, signin.ACTION_SIGN_IN_FAILED)]
    assert reasons == [signin.REASON_BOUND_ELSEWHERE] * 2
    # An account given a password later is no longer reachable through the provider.
    users.change_password(engine, "can.bo@tinh.vn", "a brand new passphrase", actor="admin")
    assert not signin.oidc_sign_in(engine, ISSUER, "subject-1", "can.bo@tinh.vn", True).ok


def test_lockout_and_audit_on_both_databases(engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.LOCKOUT_ATTEMPTS_ENV, "2")
    users.create_user(engine, "an", PASSWORD, "viewer", actor="setup")
    signin.authenticate(engine, "an", "wrong")
    signin.authenticate(engine, "an", "wrong")
    assert users.get_account(engine, "an").locked()
    assert not signin.authenticate(engine, "an", PASSWORD).ok
    assert [e.action for e in events(engine)] == ["user_created"] + ["sign_in_failed"] * 3
