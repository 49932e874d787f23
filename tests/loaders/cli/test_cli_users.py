"""``python -m loaders users ...``: create (the first admin too), change roles, disable, enable, list, passwd."""

from __future__ import annotations

import getpass
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from loaders.accounts import signin, users
from loaders.cli import main as cli
from loaders.cli.common import default_user
from loaders.store import db, tables
from tests.support.accounts import fast_hashing

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_hashing(monkeypatch)


def run(argv: list[str], stdin: str = "", monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return cli.main(argv, out, err), out.getvalue(), err.getvalue()


def test_first_admin_from_stdin_then_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, _ = run(
        ["users", "add", "Admin", "--role", "admin", "--password-stdin", "--user", "ops"], PASSWORD + "\n", monkeypatch
    )
    assert status == 0
    assert "«admin»" in out
    assert signin.authenticate(db.get_engine(), "admin", PASSWORD).role == "admin"


def test_add_prompts_twice_with_getpass(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    status, _, _ = run(["users", "add", "an", "--role", "analyst"])
    assert status == 0
    assert signin.authenticate(db.get_engine(), "an", PASSWORD).ok


def test_add_refuses_when_the_prompts_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    status, _, err = run(["users", "add", "an", "--role", "analyst"])
    assert status == 2
    assert "không khớp" in err
    assert users.get_account(db.get_engine(), "an") is None


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["users", "add", "an", "--role", "viewer", "--password-stdin"], "short\n", "ít nhất"),
        (["users", "set-role", "ghost", "editor"], "", "Không có tài khoản"),
        (["users", "disable", "ghost"], "", "Không có tài khoản"),
    ],
)
def test_refusals_exit_1_with_the_reason(argv, stdin, message, monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, err = run(argv, stdin, monkeypatch)
    assert status == 1
    assert message in err
    assert out == ""


def test_unknown_role_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        run(["users", "add", "an", "--role", "root", "--no-password"])
    assert exc.value.code == 2


def test_manage_and_list(monkeypatch: pytest.MonkeyPatch) -> None:
    run(["users", "add", "boss", "--role", "admin", "--password-stdin"], PASSWORD + "\n", monkeypatch)
    run(["users", "add", "an@tinh.vn", "--role", "viewer", "--no-password"])
    assert run(["users", "set-role", "an@tinh.vn", "editor", "--user", "ops"])[0] == 0
    assert run(["users", "disable", "an@tinh.vn"])[0] == 0
    status, out, _ = run(["users", "list", "--json"])
    assert status == 0
    rows = {r["username"]: r for r in json.loads(out)}
    assert rows["an@tinh.vn"]["role"] == "editor"
    assert rows["an@tinh.vn"]["disabled"] is True
    assert rows["an@tinh.vn"]["has_password"] is False
    assert "password_hash" not in rows["boss"]
    assert run(["users", "enable", "an@tinh.vn"])[0] == 0
    status, out, _ = run(["users", "list"])
    assert "an@tinh.vn" in out and "oidc-only" in out and "active" in out
    actions = [(e.user_name, e.action) for e in _events()]
    assert (f"{default_user()}:ops", "role_changed") in actions
    assert [a for _, a in actions].count("user_created") == 2


def test_the_list_shows_the_last_sign_in_in_vietnam_time() -> None:
    run(["users", "add", "an", "--role", "viewer", "--no-password"])
    with db.get_engine().begin() as conn:
        moment = datetime(2026, 12, 2, 17, 30, tzinfo=UTC)  # already 3 December in Hà Tĩnh
        conn.execute(tables.users.update().where(tables.users.c.username == "an").values(last_login_at=moment))
    assert "03/12/2026 00:30" in run(["users", "list"])[1]
    [row] = json.loads(run(["users", "list", "--json"])[1])
    assert row["last_login_at"].startswith("2026-12-02T17:30:00")  # JSON keeps ISO 8601


@pytest.mark.parametrize(("given", "suffix"), [(None, ""), ("ops", ":ops"), ("  ", ""), ("admin", ":admin")])
def test_the_actor_always_names_the_os_user(monkeypatch: pytest.MonkeyPatch, given: str | None, suffix: str) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "nam")
    extra = ["--user", given] if given is not None else []
    argv = ["users", "add", "an", "--role", "viewer", "--no-password", *extra]
    assert run(argv)[0] == 0
    [created] = [e for e in _events() if e.action == "user_created"]
    assert created.user_name == f"cli:nam{suffix}"  # "--user admin" cannot pass for the app's admin


def test_last_admin_is_protected_on_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    run(["users", "add", "boss", "--role", "admin", "--password-stdin"], PASSWORD + "\n", monkeypatch)
    status, _, err = run(["users", "set-role", "boss", "viewer"])
    assert status == 1
    assert "quản trị viên cuối cùng" in err


def test_passwd_sets_a_new_password(monkeypatch: pytest.MonkeyPatch) -> None:
    run(["users", "add", "an", "--role", "viewer", "--password-stdin"], PASSWORD + "\n", monkeypatch)
    status, _, _ = run(["users", "passwd", "an", "--password-stdin"], "a brand new password\n", monkeypatch)
    assert status == 0
    assert signin.authenticate(db.get_engine(), "an", "a brand new password").ok


def test_empty_list_says_how_to_create_the_first_admin() -> None:
    status, out, _ = run(["users", "list"])
    assert status == 0
    assert "users add" in out


def test_real_process_creates_the_first_admin(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    done = subprocess.run(
        [sys.executable, "-m", "loaders", "users", "add", "boss", "--role", "admin", "--password-stdin"],
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    account = users.get_account(db.get_engine(env["DATABASE_URL"]), "boss")
    assert account is not None and account.role == "admin"


def _events():
    import sqlalchemy as sa

    with db.get_engine().connect() as conn:
        return conn.execute(sa.select(tables.events).order_by(tables.events.c.id)).all()
