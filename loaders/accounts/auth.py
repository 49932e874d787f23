"""Local accounts: argon2-hashed passwords, roles, lockout and the audit of every sign-in.

Accounts live in the store's ``users`` table. Usernames are compared without
regard to case (they are stored trimmed, NFC-normalised and lower-cased), so an
e-mail address works as a username too; that is how accounts signed in through
OpenID Connect find their role (:func:`role_for_identity`).

A sign-in answers only "yes, as this user with this role" or "no"
(:class:`SignInResult`): the caller cannot tell an unknown name from a wrong
password, a disabled account or a locked one. The reason goes to the audit log,
which only admins read. After ``HT_LOCKOUT_ATTEMPTS`` (default 5) failures in a
row an account is locked for ``HT_LOCKOUT_MINUTES`` (default 15); attempts
while it is locked are refused without counting, so the lock does not extend
itself and an attacker cannot keep a user out for longer than one period.

Every change to an account is audited with the acting user (``actor``).
"""

from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Connection, Engine

from loaders.accounts import access
from loaders.accounts import audit
from loaders.store import db, tables

LOCKOUT_ATTEMPTS_ENV = "HT_LOCKOUT_ATTEMPTS"
LOCKOUT_MINUTES_ENV = "HT_LOCKOUT_MINUTES"
DEFAULT_LOCKOUT_ATTEMPTS = 5
DEFAULT_LOCKOUT_MINUTES = 15

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # argon2 handles more, but an unbounded input is a cheap denial of service
MAX_USERNAME_LENGTH = 100

#: Stored instead of a hash for accounts that may only sign in through OpenID Connect.
NO_PASSWORD = "!"

# Audit-log actions written by this module.
ACTION_SIGN_IN = "sign_in"
ACTION_SIGN_IN_FAILED = "sign_in_failed"
ACTION_SIGN_OUT = "sign_out"
ACTION_USER_CREATED = "user_created"
ACTION_ROLE_CHANGED = "role_changed"
ACTION_USER_DISABLED = "user_disabled"
ACTION_USER_ENABLED = "user_enabled"
ACTION_PASSWORD_CHANGED = "password_changed"

# Failure reasons: written to the audit log only, never shown to the person signing in.
REASON_UNKNOWN = "unknown_user"
REASON_PASSWORD = "wrong_password"
REASON_LOCKED = "locked"
REASON_DISABLED = "disabled"
REASON_NO_PASSWORD = "no_local_password"
REASON_NOT_MAPPED = "no_local_account"

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified against when the user does not exist, so that an unknown name costs as long as a wrong password.
    return _hasher.hash("not a real password, only for timing")


class UserError(ValueError):
    """A user-management request that cannot be done (message in Vietnamese, for the CLI and the admin page)."""


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in: deliberately without the reason of a failure."""

    ok: bool
    username: str | None = None
    role: str | None = None


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


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    try:
        value = int(os.environ.get(name, "").strip() or default)
    except ValueError:
        return default
    return max(minimum, value)


def lockout_attempts() -> int:
    """Failures in a row that lock an account (``$HT_LOCKOUT_ATTEMPTS``, default 5)."""
    return _env_int(LOCKOUT_ATTEMPTS_ENV, DEFAULT_LOCKOUT_ATTEMPTS)


def lockout_minutes() -> int:
    """How long a locked account stays locked (``$HT_LOCKOUT_MINUTES``, default 15)."""
    return _env_int(LOCKOUT_MINUTES_ENV, DEFAULT_LOCKOUT_MINUTES)


def normalise_username(name: str) -> str:
    """The stored form of a username: trimmed, NFC, lower-case."""
    return unicodedata.normalize("NFC", str(name)).strip().lower()


def _aware(value: datetime | None) -> datetime | None:
    # SQLite gives back naive datetimes for DateTime(timezone=True); the store only writes UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def _detail(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False, default=str)


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


def check_password(password: str) -> None:
    """Refuse passwords that are too short or too long.

    Raises
    ------
    UserError
        Naming the rule that failed.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"Mật khẩu dài quá {MAX_PASSWORD_LENGTH} ký tự.")
    if not password.strip():
        raise UserError("Mật khẩu không được chỉ gồm khoảng trắng.")


def _row(conn: Connection, username: str) -> sa.Row | None:
    return conn.execute(sa.select(tables.users).where(tables.users.c.username == username)).first()


def _account(row: sa.Row) -> Account:
    return Account(
        username=row.username, role=row.role, disabled=bool(row.disabled), failed_attempts=row.failed_attempts or 0,
        locked_until=_aware(row.locked_until), created_at=_aware(row.created_at),
        last_login_at=_aware(row.last_login_at), has_password=row.password_hash != NO_PASSWORD,
    )


def _require_row(conn: Connection, name: str) -> sa.Row:
    row = _row(conn, normalise_username(name))
    if row is None:
        raise UserError(f"Không có tài khoản «{normalise_username(name)}».")
    return row


def _enabled_admins(conn: Connection) -> int:
    return conn.execute(
        sa.select(sa.func.count()).select_from(tables.users).where(
            tables.users.c.role == access.ROLE_ADMIN, sa.not_(tables.users.c.disabled))
    ).scalar() or 0


def _guard_last_admin(conn: Connection, row: sa.Row) -> None:
    if row.role == access.ROLE_ADMIN and not row.disabled and _enabled_admins(conn) <= 1:
        raise UserError("Không thể bỏ quyền hoặc khóa quản trị viên cuối cùng; hãy tạo một quản trị viên khác trước.")


def get_account(engine: Engine, name: str) -> Account | None:
    """The account of ``name`` (any case), or ``None``."""
    with engine.connect() as conn:
        row = _row(conn, normalise_username(name))
    return _account(row) if row is not None else None


def create_user(engine: Engine, name: str, password: str | None, role: str, actor: str,
                address: str | None = None) -> Account:
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
        check_password(password)
    password_hash = _hasher.hash(password) if password is not None else NO_PASSWORD
    with engine.begin() as conn:
        if _row(conn, username) is not None:
            raise UserError(f"Tài khoản «{username}» đã tồn tại.")
        try:
            conn.execute(tables.users.insert().values(
                username=username, password_hash=password_hash, role=role, disabled=False, failed_attempts=0,
                created_at=db.utcnow()))
        except sa.exc.IntegrityError as exc:  # a concurrent create of the same name
            raise UserError(f"Tài khoản «{username}» đã tồn tại.") from exc
        audit.record_event(conn, actor, ACTION_USER_CREATED, _detail(username=username, role=role,
                                                                     password=password is not None), address)
        return _account(_row(conn, username))


def set_role(engine: Engine, name: str, role: str, actor: str, address: str | None = None) -> Account:
    """Change an account's role (audited with the old and new role).

    Raises
    ------
    UserError
        Unknown account or role, or when it would leave no enabled admin.
    """
    _check_role(role)
    with engine.begin() as conn:
        row = _require_row(conn, name)
        if row.role == role:
            return _account(row)
        if role != access.ROLE_ADMIN:
            _guard_last_admin(conn, row)
        conn.execute(tables.users.update().where(tables.users.c.id == row.id).values(role=role))
        audit.record_event(conn, actor, ACTION_ROLE_CHANGED, _detail(username=row.username, old=row.role, new=role),
                           address)
        return _account(_row(conn, row.username))


def set_disabled(engine: Engine, name: str, disabled: bool, actor: str, address: str | None = None) -> Account:
    """Disable or enable an account; enabling also lifts a lockout.

    Raises
    ------
    UserError
        Unknown account, or disabling the last enabled admin.
    """
    with engine.begin() as conn:
        row = _require_row(conn, name)
        if disabled:
            _guard_last_admin(conn, row)
            values: dict[str, object] = {"disabled": True}
        else:
            values = {"disabled": False, "failed_attempts": 0, "locked_until": None}
        conn.execute(tables.users.update().where(tables.users.c.id == row.id).values(**values))
        audit.record_event(conn, actor, ACTION_USER_DISABLED if disabled else ACTION_USER_ENABLED,
                           _detail(username=row.username), address)
        return _account(_row(conn, row.username))


def disable_user(engine: Engine, name: str, actor: str, address: str | None = None) -> Account:
    """Disable an account (see :func:`set_disabled`)."""
    return set_disabled(engine, name, True, actor, address)


def enable_user(engine: Engine, name: str, actor: str, address: str | None = None) -> Account:
    """Enable an account and lift its lockout (see :func:`set_disabled`)."""
    return set_disabled(engine, name, False, actor, address)


def change_password(engine: Engine, name: str, new_password: str, actor: str, address: str | None = None) -> None:
    """Set a new password and lift any lockout (audited, the password itself never).

    Raises
    ------
    UserError
        Unknown account or a password that breaks the rules.
    """
    check_password(new_password)
    password_hash = _hasher.hash(new_password)
    with engine.begin() as conn:
        row = _require_row(conn, name)
        conn.execute(tables.users.update().where(tables.users.c.id == row.id).values(
            password_hash=password_hash, failed_attempts=0, locked_until=None))
        audit.record_event(conn, actor, ACTION_PASSWORD_CHANGED, _detail(username=row.username), address)


def has_accounts(engine: Engine) -> bool:
    """Whether any account exists (the sign-in page explains how to create the first admin otherwise)."""
    with engine.connect() as conn:
        return conn.execute(sa.select(tables.users.c.id).limit(1)).first() is not None


USER_COLUMNS = ["username", "role", "disabled", "locked_until", "failed_attempts", "created_at", "last_login_at",
                "has_password"]


def list_users(engine: Engine) -> pd.DataFrame:
    """Every account, by name, without password hashes.

    Returns
    -------
    pd.DataFrame
        Columns :data:`USER_COLUMNS`; times are timezone-aware UTC.
    """
    with engine.connect() as conn:
        rows = conn.execute(sa.select(tables.users).order_by(tables.users.c.username)).all()
    frame = pd.DataFrame([_account(r).__dict__ for r in rows], columns=USER_COLUMNS)
    for col in ("locked_until", "created_at", "last_login_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    return frame


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _fail(conn: Connection, attempted: str, reason: str, address: str | None) -> SignInResult:
    audit.record_event(conn, attempted[:MAX_USERNAME_LENGTH] or "?", ACTION_SIGN_IN_FAILED, _detail(reason=reason),
                       address)
    return SignInResult(ok=False)


def authenticate(engine: Engine, name: str, password: str, address: str | None = None,
                 now: datetime | None = None) -> SignInResult:
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
    password = password[:MAX_PASSWORD_LENGTH + 1]
    with engine.begin() as conn:
        row = _row(conn, username) if username else None
        if row is None:
            _verify(_dummy_hash(), password)
            return _fail(conn, username, REASON_UNKNOWN, address)
        account = _account(row)
        if account.locked(now):
            _verify(_dummy_hash(), password)
            return _fail(conn, username, REASON_LOCKED, address)
        if not account.has_password:
            _verify(_dummy_hash(), password)
            return _fail(conn, username, REASON_NO_PASSWORD, address)
        if not _verify(row.password_hash, password):
            _register_failure(conn, row.id, now)
            return _fail(conn, username, REASON_PASSWORD, address)
        if account.disabled:
            # Checked after the password so that a disabled account answers exactly like a wrong password.
            return _fail(conn, username, REASON_DISABLED, address)
        values: dict[str, object] = {"failed_attempts": 0, "locked_until": None, "last_login_at": now}
        if _hasher.check_needs_rehash(row.password_hash):
            values["password_hash"] = _hasher.hash(password)
        conn.execute(tables.users.update().where(tables.users.c.id == row.id).values(**values))
        audit.record_event(conn, username, ACTION_SIGN_IN, _detail(method="password"), address)
        return SignInResult(ok=True, username=username, role=row.role)


def _register_failure(conn: Connection, user_id: int, now: datetime) -> None:
    # One atomic increment, so that concurrent failures all count.
    conn.execute(tables.users.update().where(tables.users.c.id == user_id).values(
        failed_attempts=tables.users.c.failed_attempts + 1))
    failures = conn.execute(sa.select(tables.users.c.failed_attempts).where(tables.users.c.id == user_id)).scalar()
    if failures >= lockout_attempts():
        conn.execute(tables.users.update().where(tables.users.c.id == user_id).values(
            failed_attempts=0, locked_until=now + timedelta(minutes=lockout_minutes())))


def role_for_identity(engine: Engine, email: str | None, username: str | None = None,
                      default_role: str | None = None, address: str | None = None) -> SignInResult:
    """The local role of a person signed in through OpenID Connect, audited as a sign-in.

    The local account is looked up by e-mail first, then by the provider's
    username. A disabled account gets no access. A person without a local
    account gets ``default_role`` when one is given, else no access.
    """
    candidates = [normalise_username(v) for v in (email, username) if v and normalise_username(v)]
    with engine.begin() as conn:
        for candidate in candidates:
            row = _row(conn, candidate)
            if row is None:
                continue
            if row.disabled:
                return _fail(conn, candidate, REASON_DISABLED, address)
            conn.execute(tables.users.update().where(tables.users.c.id == row.id).values(last_login_at=db.utcnow()))
            audit.record_event(conn, candidate, ACTION_SIGN_IN, _detail(method="oidc"), address)
            return SignInResult(ok=True, username=candidate, role=row.role)
        who = candidates[0] if candidates else "?"
        if default_role in access.ROLES:
            audit.record_event(conn, who, ACTION_SIGN_IN, _detail(method="oidc", default_role=default_role), address)
            return SignInResult(ok=True, username=who, role=default_role)
        return _fail(conn, who, REASON_NOT_MAPPED, address)


def record_sign_out(engine: Engine, username: str, reason: str = "user", address: str | None = None) -> None:
    """Audit a sign-out (``reason``: ``user`` or ``idle``)."""
    with engine.begin() as conn:
        audit.record_event(conn, username, ACTION_SIGN_OUT, _detail(reason=reason), address)


# ------------------------------------------------------------ command line
# ``python -m loaders users ...``: registered by loaders.cli.main (REGISTRARS); the handlers live here, with the
# accounts they manage. Exit status: 0 done, 1 refused (unknown user, taken name, weak password, last admin),
# 2 bad usage (no password given).


def add_cli_commands(sub, default_actor: str) -> None:  # noqa: ANN001 - argparse._SubParsersAction
    """Register ``users add|set-role|disable|enable|list|passwd`` on the ``python -m loaders`` parser."""
    users = sub.add_parser("users", help="Quản lý tài khoản: thêm, đổi vai trò, khóa, mở khóa, liệt kê, đổi mật khẩu")
    cmds = users.add_subparsers(dest="users_command", required=True, metavar="USERS_COMMAND")

    def common(p) -> None:  # noqa: ANN001
        p.add_argument("--user", default=default_actor, help="Người thực hiện, ghi vào nhật ký")

    p = cmds.add_parser("add", help="Tạo tài khoản (cả quản trị viên đầu tiên)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--role", required=True, choices=list(access.ROLES))
    how = p.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="Đọc mật khẩu từ dòng đầu của stdin")
    how.add_argument("--no-password", action="store_true",
                     help="Không có mật khẩu: chỉ đăng nhập qua OpenID Connect (NAME là e-mail)")
    common(p)
    p.set_defaults(handler=_cli_add)

    p = cmds.add_parser("set-role", help="Đổi vai trò")
    p.add_argument("name", metavar="NAME")
    p.add_argument("role", choices=list(access.ROLES))
    common(p)
    p.set_defaults(handler=_cli_set_role)

    for command, handler, text in (("disable", _cli_disable, "Khóa tài khoản"),
                                   ("enable", _cli_enable, "Mở khóa tài khoản (cả khi bị khóa tạm thời)")):
        p = cmds.add_parser(command, help=text)
        p.add_argument("name", metavar="NAME")
        common(p)
        p.set_defaults(handler=handler)

    p = cmds.add_parser("list", help="Liệt kê tài khoản")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cli_list)

    p = cmds.add_parser("passwd", help="Đặt mật khẩu mới")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--password-stdin", action="store_true", help="Đọc mật khẩu từ dòng đầu của stdin")
    common(p)
    p.set_defaults(handler=_cli_passwd)


def _cli_engine() -> Engine:
    return db.get_engine()


def _read_password(args, err) -> str | None:  # noqa: ANN001
    import getpass
    import sys

    if args.password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    try:
        first = getpass.getpass("Mật khẩu: ")
        second = getpass.getpass("Nhập lại mật khẩu: ")
    except (EOFError, KeyboardInterrupt):
        err.write("\nĐã hủy.\n")
        return None
    if first != second:
        err.write("Hai lần nhập mật khẩu không khớp.\n")
        return None
    return first


def _cli_run(action, out, err) -> int:  # noqa: ANN001
    try:
        message = action()
    except UserError as exc:
        err.write(f"{exc}\n")
        return 1
    out.write(message + "\n")
    return 0


def _cli_add(args, out, err) -> int:  # noqa: ANN001
    password = None
    if not args.no_password:
        password = _read_password(args, err)
        if password is None:
            return 2
    return _cli_run(lambda: (
        f"Đã tạo tài khoản «{create_user(_cli_engine(), args.name, password, args.role, args.user).username}» "
        f"với vai trò {args.role}."), out, err)


def _cli_set_role(args, out, err) -> int:  # noqa: ANN001
    return _cli_run(lambda: (
        f"Tài khoản «{set_role(_cli_engine(), args.name, args.role, args.user).username}» "
        f"giờ có vai trò {args.role}."), out, err)


def _cli_disable(args, out, err) -> int:  # noqa: ANN001
    return _cli_run(lambda: f"Đã khóa tài khoản «{disable_user(_cli_engine(), args.name, args.user).username}».",
                    out, err)


def _cli_enable(args, out, err) -> int:  # noqa: ANN001
    return _cli_run(lambda: f"Đã mở khóa tài khoản «{enable_user(_cli_engine(), args.name, args.user).username}».",
                    out, err)


def _cli_passwd(args, out, err) -> int:  # noqa: ANN001
    password = _read_password(args, err)
    if password is None:
        return 2

    def run() -> str:
        change_password(_cli_engine(), args.name, password, args.user)
        return f"Đã đặt mật khẩu mới cho «{normalise_username(args.name)}»."

    return _cli_run(run, out, err)


def _cli_list(args, out, err) -> int:  # noqa: ANN001
    frame = list_users(_cli_engine())
    if args.json:
        out.write(frame.to_json(orient="records", date_format="iso", force_ascii=False, indent=2) + "\n")
        return 0
    if frame.empty:
        out.write("Chưa có tài khoản nào. Tạo quản trị viên đầu tiên: python -m loaders users add TEN --role admin\n")
        return 0
    now = db.utcnow()
    shown = pd.DataFrame({
        "username": frame["username"], "role": frame["role"],
        "status": [("disabled" if d else "locked" if pd.notna(u) and u > now else "active")
                   for d, u in zip(frame["disabled"], frame["locked_until"])],
        "password": frame["has_password"].map({True: "yes", False: "oidc-only"}),
        "last_login_at": frame["last_login_at"].map(lambda v: "" if pd.isna(v) else v.isoformat(timespec="seconds")),
    })
    out.write(shown.to_string(index=False) + "\n")
    return 0
