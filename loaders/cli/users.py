"""``python -m loaders users add|set-role|disable|enable|list|passwd``: manage local accounts.

This is the only way to create the first admin. The commands go through
:mod:`loaders.accounts.users`, the same code as the admin page, so every change
is audited with the acting user: ``cli:<login name>``, plus ``:<name>`` given with ``--user``.

Exit status: 0 done; 1 refused (unknown user, taken name, weak password, last
admin); 2 bad usage (no password given).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import TextIO

import pandas as pd

from loaders.accounts import access, users
from loaders.accounts.records import UserError, normalise_username
from loaders.cli.common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, add_user_option, open_engine
from loaders.core.clock import format_datetime
from loaders.store import db


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``users`` and its subcommands to the ``python -m loaders`` parser."""
    parser = sub.add_parser("users", help="Quản lý tài khoản: thêm, đổi vai trò, khóa, mở khóa, liệt kê, đổi mật khẩu")
    cmds = parser.add_subparsers(dest="users_command", required=True, metavar="USERS_COMMAND")

    def with_actor(p: argparse.ArgumentParser) -> None:
        add_user_option(p)

    p = cmds.add_parser("add", help="Tạo tài khoản (cả quản trị viên đầu tiên)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--role", required=True, choices=list(access.ROLES))
    how = p.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="Đọc mật khẩu từ dòng đầu của stdin")
    how.add_argument(
        "--no-password",
        action="store_true",
        help="Không có mật khẩu: chỉ đăng nhập qua OpenID Connect (NAME là e-mail)",
    )
    with_actor(p)
    p.set_defaults(handler=run_add)

    p = cmds.add_parser("set-role", help="Đổi vai trò")
    p.add_argument("name", metavar="NAME")
    p.add_argument("role", choices=list(access.ROLES))
    with_actor(p)
    p.set_defaults(handler=run_set_role)

    for command, handler, text in (
        ("disable", run_disable, "Khóa tài khoản"),
        ("enable", run_enable, "Mở khóa tài khoản (cả khi bị khóa tạm thời)"),
    ):
        p = cmds.add_parser(command, help=text)
        p.add_argument("name", metavar="NAME")
        with_actor(p)
        p.set_defaults(handler=handler)

    p = cmds.add_parser("list", help="Liệt kê tài khoản")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_list)

    p = cmds.add_parser("passwd", help="Đặt mật khẩu mới")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--password-stdin", action="store_true", help="Đọc mật khẩu từ dòng đầu của stdin")
    with_actor(p)
    p.set_defaults(handler=run_passwd)


def _read_password(args: argparse.Namespace, err: TextIO) -> str | None:
    """The new password from stdin's first line, or typed twice at a prompt; ``None`` when cancelled or mismatched."""
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


def _run(action: Callable[[], str], out: TextIO, err: TextIO) -> int:
    try:
        message = action()
    except UserError as exc:
        err.write(f"{exc}\n")
        return EXIT_REJECTED
    out.write(message + "\n")
    return EXIT_OK


def run_add(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Create an account (``--no-password``: OpenID Connect only)."""
    password = None
    if not args.no_password:
        password = _read_password(args, err)
        if password is None:
            return EXIT_USAGE
    return _run(
        lambda: (
            f"Đã tạo tài khoản "
            f"«{users.create_user(open_engine(), args.name, password, args.role, args.user).username}» "
            f"với vai trò {args.role}."
        ),
        out,
        err,
    )


def run_set_role(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Change an account's role."""
    return _run(
        lambda: (
            f"Tài khoản «{users.set_role(open_engine(), args.name, args.role, args.user).username}» "
            f"giờ có vai trò {args.role}."
        ),
        out,
        err,
    )


def run_disable(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Disable an account."""
    return _run(
        lambda: f"Đã khóa tài khoản «{users.disable_user(open_engine(), args.name, args.user).username}».", out, err
    )


def run_enable(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Enable an account and lift its lockout."""
    return _run(
        lambda: f"Đã mở khóa tài khoản «{users.enable_user(open_engine(), args.name, args.user).username}».", out, err
    )


def run_passwd(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Set a new password."""
    password = _read_password(args, err)
    if password is None:
        return EXIT_USAGE

    def change() -> str:
        users.change_password(open_engine(), args.name, password, args.user)
        return f"Đã đặt mật khẩu mới cho «{normalise_username(args.name)}»."

    return _run(change, out, err)


def run_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print every account with its status (``active``, ``locked``, ``disabled``), or all fields with ``--json``."""
    frame = users.list_users(open_engine())
    if args.json:
        out.write(frame.to_json(orient="records", date_format="iso", force_ascii=False, indent=2) + "\n")
        return EXIT_OK
    if frame.empty:
        out.write("Chưa có tài khoản nào. Tạo quản trị viên đầu tiên: python -m loaders users add TEN --role admin\n")
        return EXIT_OK
    now = db.utcnow()
    shown = pd.DataFrame(
        {
            "username": frame["username"],
            "role": frame["role"],
            "status": [
                ("disabled" if d else "locked" if pd.notna(u) and u > now else "active")
                for d, u in zip(frame["disabled"], frame["locked_until"])
            ],
            "password": frame["has_password"].map({True: "yes", False: "oidc-only"}),
            # Vietnam time, as people read it; --json keeps ISO 8601.
            "last_login_at": frame["last_login_at"].map(lambda v: "" if pd.isna(v) else format_datetime(v)),
        }
    )
    out.write(shown.to_string(index=False) + "\n")
    return EXIT_OK
